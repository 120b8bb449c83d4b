// Command scale opens many connections to a server, keeps a fraction of
// them busy for a fixed time, and reports the server's memory and the
// calls answered:
//
//	scale -addr 127.0.0.1:PORT -server-pid PID -conns 10000 -active 0.05 -duration 10s
//
// Every connection makes one call as soon as it is open (so the server has
// chosen its protocol and holds a session for it), the active ones then
// call in a closed loop (one call in flight each), and at the end every
// connection, idle or not, makes one more call. Every reply is checked; any
// failure is an error and the exit status is 1. The connections alternate
// between the protocols of -protos. Source addresses 127.0.0.1..N
// (-sources) spread the connections over more ephemeral ports.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"plugrpc.bench/internal/client"
	"plugrpc.bench/internal/procstat"
)

type result struct {
	Conns         int     `json:"conns"`
	Protos        string  `json:"protos"`
	OpenS         float64 `json:"open_s"`
	OpenErrors    int64   `json:"open_errors"`
	Active        int     `json:"active"`
	DurationS     float64 `json:"duration_s"`
	Calls         uint64  `json:"calls"`
	CallsPerS     float64 `json:"calls_per_s"`
	P50us         float64 `json:"p50_us"`
	P99us         float64 `json:"p99_us"`
	Errors        int64   `json:"errors"`
	FinalCalls    int64   `json:"final_calls"`
	FinalErrors   int64   `json:"final_errors"`
	FirstError    string  `json:"first_error,omitempty"`
	RSSBaseKiB    uint64  `json:"rss_base_kib"`
	RSSOpenKiB    uint64  `json:"rss_open_kib"`
	RSSEndKiB     uint64  `json:"rss_end_kib"`
	HWMKiB        uint64  `json:"hwm_kib"`
	KiBPerConn    float64 `json:"kib_per_conn"`
	ServerCPUus   float64 `json:"server_cpu_us_per_call"`
	ServerPID     int     `json:"server_pid"`
	FileLimitSoft uint64  `json:"nofile"`
}

type errs struct {
	mu    sync.Mutex
	first string
}

func (e *errs) note(err error) {
	e.mu.Lock()
	if e.first == "" {
		e.first = err.Error()
	}
	e.mu.Unlock()
}

// call makes one checked call on c.
func call(c client.Conn, rng *rand.Rand) (time.Duration, error) {
	a, b := rng.Int63n(2<<20)-1<<20, rng.Int63n(2<<20)-1<<20
	if err := c.Send(a, b); err != nil {
		return 0, err
	}
	if err := c.Flush(); err != nil {
		return 0, err
	}
	r, err := c.Recv()
	if err != nil {
		return 0, err
	}
	if r.Err != nil {
		return 0, r.Err
	}
	if r.Result != a*b {
		return 0, fmt.Errorf("Multiply(%d, %d) = %d, want %d", a, b, r.Result, a*b)
	}
	return time.Since(r.Sent), nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:1234", "server address")
	pid := flag.Int("server-pid", 0, "server process (required): its memory and CPU are reported")
	conns := flag.Int("conns", 10000, "connections")
	active := flag.Float64("active", 0.05, "fraction of the connections kept busy")
	duration := flag.Duration("duration", 10*time.Second, "time the active connections call")
	protos := flag.String("protos", "gob,jsonrpc2", "protocols, alternating over the connections")
	sources := flag.Int("sources", 4, "source addresses 127.0.0.1..N")
	dialers := flag.Int("dialers", 64, "connections opened at a time")
	flag.Parse()
	if *pid <= 0 {
		fatal(fmt.Errorf("-server-pid is required"))
	}
	ps := strings.Split(*protos, ",")

	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil {
		want := uint64(*conns + 1024)
		if lim.Cur < want && lim.Max >= want {
			lim.Cur = want
			syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		}
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
		if lim.Cur < uint64(*conns+64) {
			fatal(fmt.Errorf("open files limit %d is too low for %d connections (raise ulimit -n)", lim.Cur, *conns))
		}
	}

	res := result{Conns: *conns, Protos: *protos, ServerPID: *pid, FileLimitSoft: lim.Cur}
	base, err := procstat.Mem(*pid)
	if err != nil {
		fatal(err)
	}
	res.RSSBaseKiB = base.RSS

	var e errs
	cs := make([]client.Conn, *conns)
	var openErrors atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for w := 0; w < *dialers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w)))
			for {
				i := int(next.Add(1) - 1)
				if i >= *conns {
					return
				}
				d := &net.Dialer{Timeout: 10 * time.Second}
				if *sources > 1 {
					d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i%*sources))}
					d.Control = bindNoPort
				}
				c, err := client.Dial(ps[i%len(ps)], *addr, client.Options{Dialer: d, MaxBusy: 1})
				if err == nil {
					if _, err = call(c, rng); err != nil {
						c.Close()
					}
				}
				if err != nil {
					openErrors.Add(1)
					e.note(fmt.Errorf("connection %d: %v", i, err))
					continue
				}
				cs[i] = c
			}
		}(w)
	}
	wg.Wait()
	res.OpenS = time.Since(start).Seconds()
	res.OpenErrors = openErrors.Load()
	open, _ := procstat.Mem(*pid)
	res.RSSOpenKiB = open.RSS
	if *conns > 0 {
		res.KiBPerConn = float64(int64(open.RSS)-int64(base.RSS)) / float64(*conns)
	}
	fmt.Fprintf(os.Stderr, "scale: %d connections open in %.1fs (%d failed); plugrpcd RSS %d KiB (was %d)\n",
		*conns-int(res.OpenErrors), res.OpenS, res.OpenErrors, open.RSS, base.RSS)

	// The active fraction, spread over the connections (and protocols).
	var busy []int
	step := 1
	if *active > 0 {
		step = int(1 / *active)
		if step < 1 {
			step = 1
		}
		for i := 0; i < *conns; i += step {
			if cs[i] != nil {
				busy = append(busy, i)
			}
		}
	}
	res.Active = len(busy)
	var stop atomic.Bool
	var calls atomic.Uint64
	var callErrors atomic.Int64
	lats := make([][]time.Duration, len(busy))
	cpu0, _ := procstat.CPU(*pid)
	t0 := time.Now()
	for k, i := range busy {
		wg.Add(1)
		go func(k, i int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(i)))
			for !stop.Load() {
				lat, err := call(cs[i], rng)
				if err != nil {
					callErrors.Add(1)
					e.note(fmt.Errorf("active connection %d: %v", i, err))
					cs[i].Close()
					cs[i] = nil
					return
				}
				calls.Add(1)
				lats[k] = append(lats[k], lat)
			}
		}(k, i)
	}
	time.Sleep(*duration)
	stop.Store(true)
	wg.Wait()
	elapsed := time.Since(t0)
	cpu1, _ := procstat.CPU(*pid)
	res.DurationS = elapsed.Seconds()
	res.Calls = calls.Load()
	res.CallsPerS = float64(res.Calls) / elapsed.Seconds()
	res.Errors = callErrors.Load()
	if res.Calls > 0 {
		res.ServerCPUus = float64((cpu1 - cpu0).Microseconds()) / float64(res.Calls)
	}
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	res.P50us, res.P99us = quantile(all, 0.5), quantile(all, 0.99)

	// Every connection still answers.
	var finalCalls, finalErrors atomic.Int64
	next.Store(0)
	for w := 0; w < *dialers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w) + 1000))
			for {
				i := int(next.Add(1) - 1)
				if i >= *conns {
					return
				}
				if cs[i] == nil {
					continue
				}
				if _, err := call(cs[i], rng); err != nil {
					finalErrors.Add(1)
					e.note(fmt.Errorf("final call on connection %d: %v", i, err))
					continue
				}
				finalCalls.Add(1)
			}
		}(w)
	}
	wg.Wait()
	res.FinalCalls, res.FinalErrors = finalCalls.Load(), finalErrors.Load()
	end, _ := procstat.Mem(*pid)
	res.RSSEndKiB, res.HWMKiB = end.RSS, end.HWM
	for _, c := range cs {
		if c != nil {
			c.Close()
		}
	}
	res.FirstError = e.first

	fmt.Fprintf(os.Stderr, "scale: %d active for %.1fs: %.0f calls/s, p50 %.0f µs, p99 %.0f µs, %d errors; "+
		"final call on every connection: %d ok, %d failed; RSS %d KiB, peak %d KiB (%.1f KiB per connection)\n",
		res.Active, res.DurationS, res.CallsPerS, res.P50us, res.P99us, res.Errors, res.FinalCalls, res.FinalErrors,
		res.RSSEndKiB, res.HWMKiB, res.KiBPerConn)
	if res.FirstError != "" {
		fmt.Fprintln(os.Stderr, "first error:", res.FirstError)
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	if res.OpenErrors > 0 || res.Errors > 0 || res.FinalErrors > 0 || res.Calls == 0 {
		os.Exit(1)
	}
}

// bindNoPort lets the kernel pick the source port at connect time, per
// destination, rather than at bind time (IP_BIND_ADDRESS_NO_PORT).
func bindNoPort(_, _ string, rc syscall.RawConn) error {
	const ipBindAddressNoPort = 24
	var serr error
	err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, ipBindAddressNoPort, 1)
	})
	if err != nil {
		return err
	}
	return serr
}

func quantile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return float64(sorted[i].Nanoseconds()) / 1e3
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "scale:", err)
	os.Exit(2)
}
