// rolling: the load balancer acceptance test. Three plugrpcd behind a real
// HAProxy (HTTP mode for JSON-RPC POSTs, TCP mode for Go's gob), health
// checked on /readyz; HTTP and gob clients call Arith.Multiply through
// HAProxy while every daemon in turn is stopped (SIGTERM: /readyz fails,
// drain_delay, drain) and started again on its port. Passes when no HTTP
// call failed and no gob call was lost (a gob client that loses its
// connection redials and resends, as a Go program with a retry wrapper
// does; those resends are counted and printed).
//
// Standard library only. Everything runs on loopback, in a temporary
// folder, and is killed at the end whatever happens.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/rpc"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type Args struct{ A, B int64 }

var (
	plugrpcd   = flag.String("plugrpcd", "", "the plugrpcd binary")
	plugin     = flag.String("plugin", "", "arith.so")
	haproxyBin = flag.String("haproxy", "haproxy", "the haproxy binary")
	timeout    = flag.Duration("timeout", 80*time.Second, "give up after this long")
	drainDelay = flag.Duration("drain-delay", 1500*time.Millisecond, "[server] drain_delay of each daemon")
	httpUsers  = flag.Int("http-clients", 4, "HTTP clients calling at once")
	gobUsers   = flag.Int("gob-clients", 4, "gob clients calling at once")
	retryOn    = flag.String("retry-on", "conn-failure empty-response response-timeout 503",
		"HAProxy's retry-on for the HTTP backend (\"none\": no retries of requests sent)")
)

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "rolling: "+format+"\n", args...)
	cleanup()
	os.Exit(1)
}

// ---- processes --------------------------------------------------------------

var (
	procsMu sync.Mutex
	procs   = map[*exec.Cmd]bool{}
	tmp     string
)

func cleanup() {
	procsMu.Lock()
	defer procsMu.Unlock()
	for c := range procs {
		if c.Process != nil {
			c.Process.Kill()
		}
	}
	procs = map[*exec.Cmd]bool{}
	if tmp != "" && os.Getenv("ROLLING_KEEP") == "" {
		os.RemoveAll(tmp)
	}
}

func start(name string, log string, args ...string) *exec.Cmd {
	f, err := os.Create(log)
	if err != nil {
		fatalf("%v", err)
	}
	c := exec.Command(name, args...)
	c.Stdout, c.Stderr = f, f
	// Killed with the test if it dies (the kernel sends SIGKILL).
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := c.Start(); err != nil {
		fatalf("start %s: %v", name, err)
	}
	procsMu.Lock()
	procs[c] = true
	procsMu.Unlock()
	return c
}

func forget(c *exec.Cmd) {
	procsMu.Lock()
	delete(procs, c)
	procsMu.Unlock()
}

// A loopback port nobody listens on now, below the kernel's range of
// ephemeral ports: a daemon restarted on it finds it free again, as no
// connection made meanwhile (this test's clients, other tests') can be
// given it as its own port. Port 0's pick could, and a daemon once failed
// to start with "Address already in use".
var (
	portsMu    sync.Mutex
	portsGiven = map[int]bool{}
	portsRand  = rand.New(rand.NewSource(time.Now().UnixNano() ^ int64(os.Getpid())<<20))
)

func freePort() int {
	portsMu.Lock()
	defer portsMu.Unlock()
	low := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		fmt.Sscan(string(b), &low)
	}
	if low <= 12000 {
		fatalf("the ephemeral port range starts at %d: no room below it for fixed ports", low)
	}
	for tries := 0; tries < 1000; tries++ {
		port := 10000 + portsRand.Intn(low-10000)
		if portsGiven[port] {
			continue
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		l.Close()
		portsGiven[port] = true
		return port
	}
	fatalf("no free loopback port below %d", low)
	return 0
}

func tail(file string) string {
	b, _ := os.ReadFile(file)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// ---- the daemons ------------------------------------------------------------

type daemon struct {
	name, dir, config, log string
	port, agentPort        int
	cmd                    *exec.Cmd
	starts                 int
}

func newDaemon(i int) *daemon {
	d := &daemon{name: fmt.Sprintf("d%d", i), port: freePort(), agentPort: freePort()}
	d.dir = filepath.Join(tmp, d.name)
	plugins := filepath.Join(d.dir, "plugins")
	if err := os.MkdirAll(plugins, 0o755); err != nil {
		fatalf("%v", err)
	}
	os.Chmod(d.dir, 0o755)
	os.Chmod(plugins, 0o755)
	so, err := os.ReadFile(*plugin)
	if err != nil {
		fatalf("%v", err)
	}
	if err := os.WriteFile(filepath.Join(plugins, "arith.so"), so, 0o755); err != nil {
		fatalf("%v", err)
	}
	d.config = filepath.Join(d.dir, "plugrpcd.toml")
	text := fmt.Sprintf(`[server]
listen = ["tcp://127.0.0.1:%d"]
threads = 1
drain_delay = "%dms"
drain_timeout = "5s"
agent_check = "tcp://127.0.0.1:%d"
[plugins]
dirs = [%q]
watch = false
required = ["Arith"]
[log]
level = "info"
`, d.port, drainDelay.Milliseconds(), d.agentPort, plugins)
	if err := os.WriteFile(d.config, []byte(text), 0o644); err != nil {
		fatalf("%v", err)
	}
	return d
}

func (d *daemon) start() {
	d.starts++
	d.log = filepath.Join(d.dir, fmt.Sprintf("plugrpcd.%d.log", d.starts))
	d.cmd = start(*plugrpcd, d.log, "--config", d.config)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", d.port)); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	fatalf("%s did not become ready on port %d:\n%s", d.name, d.port, tail(d.log))
}

// SIGTERM and wait for the exit: drain_delay, then the drain.
func (d *daemon) stop() time.Duration {
	began := time.Now()
	d.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- d.cmd.Wait() }()
	select {
	case err := <-done:
		forget(d.cmd)
		if err != nil {
			fatalf("%s exited with %v:\n%s", d.name, err, tail(d.log))
		}
	case <-time.After(*drainDelay + 15*time.Second):
		fatalf("%s did not exit after SIGTERM:\n%s", d.name, tail(d.log))
	}
	return time.Since(began)
}

// ---- HAProxy ----------------------------------------------------------------

type balancer struct {
	httpPort, tcpPort int
	socket, log       string
	cmd               *exec.Cmd
}

func startHAProxy(ds []*daemon) *balancer {
	b := &balancer{httpPort: freePort(), tcpPort: freePort(), socket: filepath.Join(tmp, "haproxy.sock"),
		log: filepath.Join(tmp, "haproxy.log")}
	// The HTTP backend also asks each daemon's agent check (its weight by
	// load, "drain" while it stops); the TCP backend only /readyz.
	var servers, agents strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&servers, "    server %s 127.0.0.1:%d check\n", d.name, d.port)
		fmt.Fprintf(&agents, "    server %s 127.0.0.1:%d check agent-check agent-port %d agent-inter 200ms\n",
			d.name, d.port, d.agentPort)
	}
	// What an operator would write: health from /readyz, checked often
	// enough that a drain_delay of a few probe periods covers it; retries
	// of what was not answered (connection refused or closed before an
	// answer, a 503) on another server.
	cfg := fmt.Sprintf(`global
    maxconn 2000
    stats socket %s level admin
defaults
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 1s
    retries 3
    option redispatch 1
    default-server inter 200ms fastinter 100ms downinter 100ms fall 1 rise 1
frontend http_in
    mode http
    bind 127.0.0.1:%d
    default_backend rpc_http
backend rpc_http
    mode http
    balance roundrobin
    option httpchk GET /readyz
    retry-on %s
    http-response set-header X-Served-By %%[srv_name]
%sfrontend gob_in
    mode tcp
    bind 127.0.0.1:%d
    default_backend rpc_gob
backend rpc_gob
    mode tcp
    balance roundrobin
    option httpchk GET /readyz
%s`, b.socket, b.httpPort, *retryOn, agents.String(), b.tcpPort, servers.String())
	file := filepath.Join(tmp, "haproxy.cfg")
	if err := os.WriteFile(file, []byte(cfg), 0o644); err != nil {
		fatalf("%v", err)
	}
	b.cmd = start(*haproxyBin, b.log, "-db", "-f", file)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ok, _ := b.allUp(ds); ok {
			return b
		}
		time.Sleep(50 * time.Millisecond)
	}
	fatalf("haproxy did not see every server up:\n%s", tail(b.log))
	return nil
}

// `show stat` on the stats socket: rows by "backend/server".
func (b *balancer) stat() (map[string]map[string]string, error) {
	c, err := net.DialTimeout("unix", b.socket, time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("show stat\n")); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(c)
	var cols []string
	rows := map[string]map[string]string{}
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# ") {
			cols = strings.Split(strings.TrimPrefix(line, "# "), ",")
			continue
		}
		if line == "" || cols == nil {
			continue
		}
		f := strings.Split(line, ",")
		row := map[string]string{}
		for i := range cols {
			if i < len(f) {
				row[cols[i]] = f[i]
			}
		}
		rows[row["pxname"]+"/"+row["svname"]] = row
	}
	return rows, nil
}

func (b *balancer) status(backend, server string) string {
	rows, err := b.stat()
	if err != nil {
		return "?"
	}
	return rows[backend+"/"+server]["status"]
}

func (b *balancer) allUp(ds []*daemon) (bool, error) {
	rows, err := b.stat()
	if err != nil {
		return false, err
	}
	for _, d := range ds {
		for _, be := range []string{"rpc_http", "rpc_gob"} {
			if !strings.HasPrefix(rows[be+"/"+d.name]["status"], "UP") {
				return false, nil
			}
		}
	}
	return true, nil
}

func (b *balancer) waitStatus(d *daemon, prefix string, limit time.Duration) time.Duration {
	began := time.Now()
	for time.Since(began) < limit {
		if strings.HasPrefix(b.status("rpc_http", d.name), prefix) && strings.HasPrefix(b.status("rpc_gob", d.name), prefix) {
			return time.Since(began)
		}
		time.Sleep(20 * time.Millisecond)
	}
	fatalf("haproxy did not see %s %s within %v (http: %s, gob: %s)", d.name, prefix, limit,
		b.status("rpc_http", d.name), b.status("rpc_gob", d.name))
	return 0
}

// ---- load -------------------------------------------------------------------

type tally struct {
	calls, failed, lost, retried atomic.Int64
	mu                           sync.Mutex
	firstErrors                  []string
	byServer                     map[string]int64
}

func (t *tally) note(format string, args ...interface{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.firstErrors) < 10 {
		t.firstErrors = append(t.firstErrors, fmt.Sprintf(format, args...))
	}
}

// One HTTP client: JSON-RPC 2.0 POSTs through HAProxy's HTTP frontend,
// keep-alive, no retries of its own: a failure is a failure.
func httpClient(b *balancer, stop <-chan struct{}, t *tally, wg *sync.WaitGroup, seed int64) {
	defer wg.Done()
	r := rand.New(rand.NewSource(seed))
	client := &http.Client{Timeout: 10 * time.Second}
	url := fmt.Sprintf("http://127.0.0.1:%d/_goRPC_", b.httpPort)
	for id := 1; ; id++ {
		select {
		case <-stop:
			return
		default:
		}
		a, bb := r.Int63n(1000000), r.Int63n(1000)
		body := fmt.Sprintf(`{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":%d,"B":%d},"id":%d}`, a, bb, id)
		t.calls.Add(1)
		resp, err := client.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.failed.Add(1)
			t.note("http: %v", err)
			continue
		}
		text, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		var reply struct {
			Result *int64          `json:"result"`
			Error  json.RawMessage `json:"error"`
			ID     int             `json:"id"`
		}
		if err != nil || resp.StatusCode != 200 || json.Unmarshal(text, &reply) != nil || reply.Result == nil ||
			*reply.Result != a*bb || reply.ID != id {
			t.failed.Add(1)
			t.note("http: status %d, body %q, err %v", resp.StatusCode, bytes.TrimSpace(text), err)
			continue
		}
		t.mu.Lock()
		t.byServer[resp.Header.Get("X-Served-By")]++
		t.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
}

// The retry wrapper a Go program puts around net/rpc behind a balancer: a
// call that fails because the connection went away (rpc.ErrShutdown,
// io.ErrUnexpectedEOF, io.EOF, a refused or reset connection) is sent
// again on a new connection. An answer the server gave (rpc.ServerError)
// is final.
type retryClient struct {
	addr   string
	client *rpc.Client
}

func transient(err error) bool {
	var se rpc.ServerError
	if errors.As(err, &se) {
		return false
	}
	return errors.Is(err, rpc.ErrShutdown) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func (c *retryClient) call(method string, args interface{}, reply interface{}, retried *atomic.Int64) error {
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		if attempt > 0 {
			retried.Add(1)
			time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
		}
		if c.client == nil {
			conn, derr := net.DialTimeout("tcp", c.addr, 2*time.Second)
			if derr != nil {
				err = derr
				continue
			}
			c.client = rpc.NewClient(conn)
		}
		call := c.client.Go(method, args, reply, make(chan *rpc.Call, 1))
		select {
		case <-call.Done:
			err = call.Error
		case <-time.After(10 * time.Second):
			err = fmt.Errorf("no answer within 10 s")
		}
		if err == nil || !transient(err) {
			return err
		}
		c.client.Close()
		c.client = nil
	}
	return fmt.Errorf("gave up after 20 attempts: %w", err)
}

func gobClient(b *balancer, stop <-chan struct{}, t *tally, wg *sync.WaitGroup, seed int64) {
	defer wg.Done()
	r := rand.New(rand.NewSource(seed))
	c := &retryClient{addr: fmt.Sprintf("127.0.0.1:%d", b.tcpPort)}
	defer func() {
		if c.client != nil {
			c.client.Close()
		}
	}()
	for {
		select {
		case <-stop:
			return
		default:
		}
		a, bb := r.Int63n(1000000), r.Int63n(1000)
		var reply int64
		t.calls.Add(1)
		err := c.call("Arith.Multiply", Args{a, bb}, &reply, &t.retried)
		if err != nil || reply != a*bb {
			t.lost.Add(1)
			t.note("gob: %v (reply %d, want %d)", err, reply, a*bb)
		}
		time.Sleep(time.Millisecond)
	}
}

// ---- the test ---------------------------------------------------------------

func main() {
	flag.Parse()
	if *plugrpcd == "" || *plugin == "" {
		fatalf("usage: rolling -plugrpcd PATH -plugin arith.so [-haproxy PATH]")
	}
	var err error
	tmp, err = os.MkdirTemp("", "rolling")
	if err != nil {
		fatalf("%v", err)
	}
	os.Chmod(tmp, 0o755)
	go func() {
		time.Sleep(*timeout)
		fatalf("not done within %v", *timeout)
	}()
	began := time.Now()

	ds := []*daemon{newDaemon(1), newDaemon(2), newDaemon(3)}
	for _, d := range ds {
		d.start()
	}
	b := startHAProxy(ds)
	fmt.Printf("3 plugrpcd (drain_delay %v) behind haproxy: HTTP on :%d, gob on :%d\n", *drainDelay, b.httpPort, b.tcpPort)

	httpT := &tally{byServer: map[string]int64{}}
	gobT := &tally{byServer: map[string]int64{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < *httpUsers; i++ {
		wg.Add(1)
		go httpClient(b, stop, httpT, &wg, int64(i+1))
	}
	for i := 0; i < *gobUsers; i++ {
		wg.Add(1)
		go gobClient(b, stop, gobT, &wg, int64(100+i))
	}
	time.Sleep(time.Second)

	for _, d := range ds {
		before := httpT.calls.Load() + gobT.calls.Load()
		// What HAProxy makes of the daemon while it stops, in order.
		seen := []string{}
		watching := make(chan struct{})
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			for {
				if st := b.status("rpc_http", d.name); len(seen) == 0 || seen[len(seen)-1] != st {
					seen = append(seen, st)
				}
				select {
				case <-watching:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		went := d.stop()
		close(watching)
		<-watched
		down := strings.Join(seen, " -> ")
		d.start()
		up := b.waitStatus(d, "UP", 10*time.Second)
		fmt.Printf("%s: stopped in %v (haproxy: %s), started again, up in haproxy after %v; %d calls meanwhile\n",
			d.name, went.Round(time.Millisecond), down, up.Round(time.Millisecond),
			httpT.calls.Load()+gobT.calls.Load()-before)
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()

	fmt.Printf("HTTP: %d calls, %d failed\n", httpT.calls.Load(), httpT.failed.Load())
	fmt.Printf("gob:  %d calls, %d lost, %d resent after a connection closed\n", gobT.calls.Load(),
		gobT.lost.Load(), gobT.retried.Load())
	if rows, err := b.stat(); err == nil {
		for _, d := range ds {
			h, g := rows["rpc_http/"+d.name], rows["rpc_gob/"+d.name]
			fmt.Printf("%s: HTTP answers 2xx %s, 5xx %s, retries %s, redispatches %s, agent check %s %q; gob connections %s\n",
				d.name, h["hrsp_2xx"], h["hrsp_5xx"], h["wretr"], h["wredis"], h["agent_status"], h["agent_desc"], g["stot"])
		}
	}
	fmt.Printf("HTTP answers seen by server: %v\n", httpT.byServer)
	for _, e := range append(httpT.firstErrors, gobT.firstErrors...) {
		fmt.Println("  ", e)
	}
	fmt.Printf("took %v\n", time.Since(began).Round(time.Millisecond))
	ok := httpT.failed.Load() == 0 && gobT.lost.Load() == 0 && httpT.calls.Load() > 0 && gobT.calls.Load() > 0
	b.cmd.Process.Kill()
	for _, d := range ds {
		d.stop()
	}
	cleanup()
	if !ok {
		fmt.Println("FAIL: calls failed or were lost during the rolling restart")
		os.Exit(1)
	}
	fmt.Println("PASS: 0 failed HTTP calls, 0 lost gob calls")
}
