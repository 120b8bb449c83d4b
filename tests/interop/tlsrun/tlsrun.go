// Package tlsrun is what cmd/tlscheck and cmd/mtlscheck share: their
// command line and time limit, the check lines they print, and plugrpcd
// started with a tls:// listener and stopped with SIGTERM.
package tlsrun

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Args is Go's Arith Args.
type Args struct{ A, B int64 }

// Failed is set once a check fails.
var Failed bool

// Check prints "ok: what", or "FAIL: what detail..." and sets Failed.
func Check(ok bool, what string, detail ...any) {
	if ok {
		fmt.Println("ok:", what)
		return
	}
	Failed = true
	fmt.Println("FAIL:", what, fmt.Sprint(detail...))
}

// Setup reads `name -plugrpcd BIN -plugin arith.so`, ends the program with a
// FAIL line if it runs past 50 s, and makes a temporary folder (the caller
// removes it).
func Setup(name string) (bin, plugin, dir string) {
	b := flag.String("plugrpcd", "", "the plugrpcd binary")
	p := flag.String("plugin", "", "arith.so")
	flag.Parse()
	if *b == "" || *p == "" {
		fmt.Fprintf(os.Stderr, "usage: %s -plugrpcd BIN -plugin arith.so\n", name)
		os.Exit(2)
	}
	time.AfterFunc(50*time.Second, func() {
		fmt.Printf("FAIL: %s did not finish within 50s\n", name)
		os.Exit(1)
	})
	dir, err := os.MkdirTemp("", name)
	if err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
	return *b, *p, dir
}

// StartDaemon runs plugrpcd with `plugin` in a plugin folder under dir and
// a config in dir: a tls:// listener on an ephemeral port, then `sections`
// ([tls] and whatever else the check needs; paths in them are relative to
// dir). It returns the tls:// address plugrpcd logs; the daemon's log goes
// to stderr.
func StartDaemon(bin, plugin, dir, sections string) (*exec.Cmd, string, error) {
	plugins := filepath.Join(dir, "plugins")
	if err := os.Mkdir(plugins, 0o755); err != nil {
		return nil, "", err
	}
	so, err := os.ReadFile(plugin)
	if err != nil {
		return nil, "", err
	}
	if err := os.WriteFile(filepath.Join(plugins, filepath.Base(plugin)), so, 0o644); err != nil {
		return nil, "", err
	}
	config := fmt.Sprintf(`[server]
listen = ["tls://127.0.0.1:0"]
threads = 2
[plugins]
dirs = [%q]
watch = false
`, plugins) + sections
	cfg := filepath.Join(dir, "plugrpcd.toml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		return nil, "", err
	}
	cmd := exec.Command(bin, "-c", cfg)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent, loaded := false, false
		listening := ""
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(os.Stderr, "plugrpcd:", line)
			if i := strings.Index(line, "listening on tls://"); i >= 0 && listening == "" {
				listening = strings.Fields(line[i+len("listening on tls://"):])[0]
			}
			// Plugins load before or while the daemon listens (the two
			// lines come in either order): ready once both are logged.
			if strings.Contains(line, "start-up plugin loads done") {
				loaded = true
			}
			if listening != "" && loaded && !sent {
				addr <- listening
				sent = true
			}
		}
		if !sent {
			close(addr)
		}
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			return cmd, "", fmt.Errorf("plugrpcd exited before listening")
		}
		return cmd, a, nil
	case <-time.After(15 * time.Second):
		return cmd, "", fmt.Errorf("plugrpcd did not log a tls:// listener and its start-up plugin loads done within 15s")
	}
}

// MustStart is StartDaemon, or a FAIL line and exit 1.
func MustStart(bin, plugin, dir, sections string) (*exec.Cmd, string) {
	cmd, addr, err := StartDaemon(bin, plugin, dir, sections)
	if err != nil {
		fmt.Println("FAIL:", err)
		if cmd != nil {
			cmd.Process.Kill()
		}
		os.Exit(1)
	}
	return cmd, addr
}

// Stop sends plugrpcd SIGTERM and checks that it exits 0 within 10 s.
func Stop(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		Check(err == nil, "plugrpcd exits 0 on SIGTERM", err)
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		Check(false, "plugrpcd exits 0 on SIGTERM", "still running after 10s")
	}
}
