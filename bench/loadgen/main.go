// Command loadgen is a closed-loop load generator for plugrpcd and its
// peers: N connections, M calls in flight on each, every reply checked
// (Arith.Multiply(A, B) == A*B, A and B varying).
//
// It warms up, then measures for a fixed time: calls completed in the
// window, their latency (p50, p99), errors, and — with -server-pid — the
// server's CPU time over the same window divided by the calls. It prints a
// summary on stderr and one JSON line on stdout.
//
//	loadgen -proto gob -addr 127.0.0.1:1234 -conns 8 -inflight 16 -warmup 2s -duration 5s
//
// With -check none only the arrival of one reply per request is checked
// (for the echo floor, which does no real work): the reply must carry a
// pending id; its result is not looked at.
package main

import (
	"encoding/json"
	"errors"
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

const (
	warming int32 = iota
	measuring
	stopping
	closing
)

type result struct {
	Proto        string  `json:"proto"`
	Addr         string  `json:"addr"`
	Conns        int     `json:"conns"`
	Inflight     int     `json:"inflight"`
	Check        string  `json:"check"`
	WarmupS      float64 `json:"warmup_s"`
	DurationS    float64 `json:"duration_s"`
	Calls        uint64  `json:"calls"`
	CallsPerS    float64 `json:"calls_per_s"`
	P50us        float64 `json:"p50_us"`
	P99us        float64 `json:"p99_us"`
	Errors       uint64  `json:"errors"`
	FirstError   string  `json:"first_error,omitempty"`
	ServerPID    int     `json:"server_pid,omitempty"`
	ServerCPUs   float64 `json:"server_cpu_s,omitempty"`
	ServerCPUus  float64 `json:"server_cpu_us_per_call,omitempty"`
	ServerRSSKiB uint64  `json:"server_rss_kib,omitempty"`
	// Busy fractions over the window: a server near 1 is saturated; a load
	// generator near 1 (of its CPU) limits the rate instead.
	ServerUtil float64 `json:"server_util,omitempty"`
	ClientUtil float64 `json:"client_util"`
}

// connStats belongs to one connection's loop until the loop returns.
type connStats struct {
	calls    uint64
	errors   uint64
	firstErr string
	lat      []time.Duration
}

func (s *connStats) fail(err error) {
	s.errors++
	if s.firstErr == "" {
		s.firstErr = err.Error()
	}
}

type loop struct {
	phase    *atomic.Int32
	check    bool
	inflight int
	rng      *rand.Rand
}

// run keeps l.inflight calls going on c until the phase leaves measuring,
// then waits for the calls still out.
func (l *loop) run(c client.Conn, st *connStats) {
	busy := 0
	send := func() bool {
		a, b := l.rng.Int63n(2<<20)-1<<20, l.rng.Int63n(2<<20)-1<<20
		if err := c.Send(a, b); err != nil {
			st.fail(err)
			return false
		}
		busy++
		return true
	}
	for i := 0; i < l.inflight; i++ {
		if !send() {
			return
		}
	}
	if err := c.Flush(); err != nil {
		st.fail(err)
		return
	}
	for busy > 0 {
		r, err := c.Recv()
		phase := l.phase.Load()
		if err != nil {
			if phase == closing {
				st.fail(fmt.Errorf("%d calls unanswered at the end", busy))
			} else {
				st.fail(err)
			}
			return
		}
		busy--
		now := time.Now()
		switch {
		case r.Err != nil && l.check:
			st.fail(r.Err)
		case l.check && r.Result != r.A*r.B:
			st.fail(fmt.Errorf("Multiply(%d, %d) = %d, want %d", r.A, r.B, r.Result, r.A*r.B))
		case phase == measuring:
			st.calls++
			st.lat = append(st.lat, now.Sub(r.Sent))
		}
		if phase <= measuring && !send() {
			return
		}
		if !c.Ready() {
			if err := c.Flush(); err != nil {
				st.fail(err)
				return
			}
		}
	}
}

func main() {
	proto := flag.String("proto", "gob", "protocol: "+strings.Join(client.Protocols, ", "))
	addr := flag.String("addr", "127.0.0.1:1234", "server address")
	path := flag.String("path", "/_goRPC_", "HTTP path (gobhttp, http)")
	conns := flag.Int("conns", 8, "connections")
	inflight := flag.Int("inflight", 16, "calls in flight per connection (http: 1)")
	warmup := flag.Duration("warmup", 2*time.Second, "load before measuring")
	duration := flag.Duration("duration", 5*time.Second, "measured time")
	check := flag.String("check", "full", "full: every result must be A*B; none: only a reply per request (echo floor)")
	pid := flag.Int("server-pid", 0, "server process: report its CPU time per call over the measured window")
	seed := flag.Int64("seed", 1, "seed for the arguments")
	quiet := flag.Bool("quiet", false, "no summary on stderr")
	flag.Parse()
	if *check != "full" && *check != "none" {
		fatal(fmt.Errorf("-check %q: want full or none", *check))
	}
	if *conns < 1 || *inflight < 1 {
		fatal(errors.New("-conns and -inflight must be at least 1"))
	}

	var phase atomic.Int32
	cs := make([]client.Conn, *conns)
	for i := range cs {
		c, err := client.Dial(*proto, *addr, client.Options{MaxBusy: *inflight, Path: *path,
			Dialer: &net.Dialer{Timeout: 5 * time.Second}})
		if err != nil {
			fatal(fmt.Errorf("connection %d: %v", i, err))
		}
		cs[i] = c
	}
	stats := make([]connStats, *conns)
	var wg sync.WaitGroup
	for i := range cs {
		wg.Add(1)
		l := &loop{phase: &phase, check: *check == "full", inflight: *inflight, rng: rand.New(rand.NewSource(*seed + int64(i)))}
		stats[i].lat = make([]time.Duration, 0, 1<<16)
		go func(i int) {
			defer wg.Done()
			l.run(cs[i], &stats[i])
		}(i)
	}

	time.Sleep(*warmup)
	cpu0, cpuErr := serverCPU(*pid)
	self0 := selfCPU()
	t0 := time.Now()
	phase.Store(measuring)
	time.Sleep(*duration)
	phase.Store(stopping)
	elapsed := time.Since(t0)
	cpu1, cpuErr1 := serverCPU(*pid)
	self1 := selfCPU()
	var mem procstat.Memory
	if *pid > 0 {
		mem, _ = procstat.Mem(*pid)
	}

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		phase.Store(closing)
	}
	for _, c := range cs {
		c.Close()
	}
	<-done

	res := result{Proto: *proto, Addr: *addr, Conns: *conns, Inflight: *inflight, Check: *check,
		WarmupS: warmup.Seconds(), DurationS: elapsed.Seconds(), ServerPID: *pid, ServerRSSKiB: mem.RSS}
	var lat []time.Duration
	for i := range stats {
		s := &stats[i]
		res.Calls += s.calls
		res.Errors += s.errors
		if res.FirstError == "" {
			res.FirstError = s.firstErr
		}
		lat = append(lat, s.lat...)
	}
	res.CallsPerS = float64(res.Calls) / elapsed.Seconds()
	res.ClientUtil = (self1 - self0).Seconds() / elapsed.Seconds()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	res.P50us = quantile(lat, 0.50)
	res.P99us = quantile(lat, 0.99)
	if *pid > 0 {
		if cpuErr != nil || cpuErr1 != nil {
			fatal(fmt.Errorf("server CPU: %v %v", cpuErr, cpuErr1))
		}
		res.ServerCPUs = (cpu1 - cpu0).Seconds()
		res.ServerUtil = res.ServerCPUs / elapsed.Seconds()
		if res.Calls > 0 {
			res.ServerCPUus = res.ServerCPUs * 1e6 / float64(res.Calls)
		}
	}

	if !*quiet {
		fmt.Fprintf(os.Stderr, "%s %s %dx%d: %.0f calls/s, p50 %.0f µs, p99 %.0f µs, %d errors",
			res.Proto, res.Addr, res.Conns, res.Inflight, res.CallsPerS, res.P50us, res.P99us, res.Errors)
		if *pid > 0 {
			fmt.Fprintf(os.Stderr, ", server CPU %.2f µs/call (busy %.0f%%)", res.ServerCPUus, 100*res.ServerUtil)
		}
		fmt.Fprintf(os.Stderr, ", load generator busy %.0f%%", 100*res.ClientUtil)
		fmt.Fprintln(os.Stderr)
		if res.FirstError != "" {
			fmt.Fprintf(os.Stderr, "first error: %s\n", res.FirstError)
		}
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	if res.Errors > 0 || res.Calls == 0 {
		os.Exit(1)
	}
}

// selfCPU is the load generator's own CPU time, every thread.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func serverCPU(pid int) (time.Duration, error) {
	if pid <= 0 {
		return 0, nil
	}
	return procstat.CPU(pid)
}

// quantile of sorted latencies, in microseconds (nearest rank).
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
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(2)
}
