package main

import (
	"bufio"
	"fmt"
	"io"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A server process with its output kept for the report.
type server struct {
	name   string
	cmd    *exec.Cmd
	mu     sync.Mutex
	output strings.Builder
	done   chan struct{} // closed when the process has exited
	status error         // its exit status, once done
	dir    string        // a temporary folder to remove, if any
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.output.String()
}

// collect keeps every line of r in the log and hands each to line.
func (s *server) collect(r io.Reader, line func(string)) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		s.mu.Lock()
		s.output.WriteString(sc.Text() + "\n")
		s.mu.Unlock()
		if line != nil {
			line(sc.Text())
		}
	}
}

// Every server started, so that a watchdog can stop them all. Held while a
// server is being set up, so none is half made when the watchdog strikes.
var running struct {
	sync.Mutex
	servers []*server
}

// track registers s; the caller holds running.
func track(s *server) *server {
	running.servers = append(running.servers, s)
	return s
}

// killAll kills every server and prints their logs when asked to.
func killAll(printLogs bool) {
	running.Lock()
	servers := append([]*server(nil), running.servers...)
	running.Unlock()
	for _, s := range servers {
		if printLogs {
			fmt.Printf("---- %s log ----\n%s", s.name, s.log())
		}
		s.kill()
	}
}

func (s *server) start() error {
	// Killed with us, should a ctest timeout kill us first.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	s.done = make(chan struct{})
	if err := s.cmd.Start(); err != nil {
		close(s.done)
		return err
	}
	return nil
}

func (s *server) wait(pipes *sync.WaitGroup) {
	pipes.Wait()
	s.status = s.cmd.Wait()
	close(s.done)
}

func (s *server) exited() bool {
	if s.done == nil {
		return true
	}
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() (string, error) {
	if s.exited() {
		return "exited before it was stopped", fmt.Errorf("%s: %v", s.name, s.status)
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.kill()
		return "still running 10s after SIGTERM", fmt.Errorf("%s killed", s.name)
	}
	s.cleanup()
	if s.status != nil {
		return "exit status", s.status
	}
	return "exited", nil
}

func (s *server) kill() {
	if s.done != nil && s.cmd.Process != nil && !s.exited() {
		s.cmd.Process.Kill()
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
		}
	}
	s.cleanup()
}

func (s *server) cleanup() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir != "" {
		os.RemoveAll(s.dir)
		s.dir = ""
	}
}

// A server as the scenarios see it: where to reach it over each transport.
type target struct {
	*server
	addrs map[string]string // "tcp", "http", "jsonrpc" -> host:port
}

func (t *target) addr(transport string) string { return t.addrs[transport] }

func (t *target) dial(transport string) (*rpc.Client, error) {
	switch transport {
	case "tcp":
		return rpc.Dial("tcp", t.addrs["tcp"])
	case "http":
		return rpc.DialHTTP("tcp", t.addrs["http"])
	case "jsonrpc":
		return jsonrpc.Dial("tcp", t.addrs["jsonrpc"])
	}
	return nil, fmt.Errorf("unknown transport %q", transport)
}

// startGoServer starts goserver and reads the three addresses it prints.
func startGoServer(bin string) (*target, error) {
	running.Lock()
	locked := true
	defer func() {
		if locked {
			running.Unlock()
		}
	}()
	s := track(&server{name: "goserver", cmd: exec.Command(filepath.Join(bin, "goserver"))})
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s.cmd.Stderr = os.Stderr
	if _, err := s.cmd.StdinPipe(); err != nil { // it serves until this closes
		return nil, err
	}
	if err := s.start(); err != nil {
		return nil, err
	}
	t := &target{server: s, addrs: map[string]string{}}
	ready := make(chan struct{})
	var pipes sync.WaitGroup
	pipes.Add(1)
	go func() {
		defer pipes.Done()
		n := 0
		s.collect(stdout, func(line string) {
			if f := strings.Fields(line); len(f) == 2 && n < 3 {
				key := f[0]
				if key == "gob" {
					key = "tcp"
				}
				t.addrs[key] = f[1]
				if n++; n == 3 {
					close(ready)
				}
			}
		})
	}()
	go s.wait(&pipes)
	running.Unlock()
	locked = false
	select {
	case <-ready:
		return t, nil
	case <-s.done:
		return nil, fmt.Errorf("goserver exited: %v\n%s", s.status, s.log())
	case <-time.After(10 * time.Second):
		s.kill()
		return nil, fmt.Errorf("goserver printed no addresses within 10s")
	}
}

var listeningRE = regexp.MustCompile(`listening on tcp://(\S+:\d+)`)

// startPlugrpcd starts the daemon with a fresh config and plugin folder in
// a temporary folder, listening on an ephemeral loopback port, and waits
// for it to log that port. One port serves every transport.
func startPlugrpcd(bin string, plugins []string) (*target, error) {
	running.Lock()
	locked := true
	defer func() {
		if locked {
			running.Unlock()
		}
	}()
	dir, err := os.MkdirTemp("", "plugrpc-interop-")
	if err != nil {
		return nil, err
	}
	pluginDir := filepath.Join(dir, "plugins")
	config := filepath.Join(dir, "plugrpcd.toml")
	s := track(&server{name: "plugrpcd", dir: dir, cmd: exec.Command(bin, "--config", config)})
	t := &target{server: s}
	if err := os.Mkdir(pluginDir, 0o755); err != nil {
		return t, err
	}
	for _, p := range plugins {
		data, err := os.ReadFile(p)
		if err != nil {
			return t, err
		}
		if err := os.WriteFile(filepath.Join(pluginDir, filepath.Base(p)), data, 0o755); err != nil {
			return t, err
		}
	}
	text := fmt.Sprintf("[server]\nlisten = [\"tcp://127.0.0.1:0\"]\nthreads = 2\n\n[plugins]\ndirs = [%q]\n\n[log]\nlevel = \"info\"\n", pluginDir)
	if err := os.WriteFile(config, []byte(text), 0o644); err != nil {
		return t, err
	}
	locked = false
	return t, awaitListening(t) // unlocks running
}

// startEmbedded starts a program built on the server library (the
// arith-server example) on an ephemeral loopback port, and waits for it to
// log that port.
func startEmbedded(bin string) (*target, error) {
	running.Lock()
	s := track(&server{name: filepath.Base(bin), cmd: exec.Command(bin, "tcp://127.0.0.1:0")})
	t := &target{server: s}
	return t, awaitListening(t) // unlocks running
}

// awaitListening starts t's process, called with running held (it unlocks
// it), and waits for "listening on tcp://HOST:PORT" on its stderr or stdout.
// One port serves every transport.
func awaitListening(t *target) error {
	s := t.server
	locked := true
	defer func() {
		if locked {
			running.Unlock()
		}
	}()
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return err
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := s.start(); err != nil {
		return err
	}
	ready := make(chan string, 1)
	// plugrpcd loads its plugins while it listens: it is ready once it logs
	// that they have loaded.
	var mu sync.Mutex
	addr, loaded := "", s.name != "plugrpcd"
	watch := func(line string) {
		mu.Lock()
		defer mu.Unlock()
		if m := listeningRE.FindStringSubmatch(line); m != nil && addr == "" {
			addr = m[1]
		}
		if strings.Contains(line, "start-up plugin loads done") {
			loaded = true
		}
		if addr != "" && loaded {
			select {
			case ready <- addr:
			default:
			}
		}
	}
	var pipes sync.WaitGroup
	pipes.Add(2)
	go func() {
		defer pipes.Done()
		s.collect(stderr, watch)
	}()
	go func() {
		defer pipes.Done()
		s.collect(stdout, watch)
	}()
	go s.wait(&pipes)
	running.Unlock()
	locked = false
	select {
	case addr := <-ready:
		t.addrs = map[string]string{"tcp": addr, "http": addr, "jsonrpc": addr}
		return nil
	case <-s.done:
		return fmt.Errorf("%s exited (%v) before listening:\n%s", s.name, s.status, s.log())
	case <-time.After(15 * time.Second):
		return fmt.Errorf("%s did not log \"listening on tcp://...\" within 15s:\n%s", s.name, s.log())
	}
}
