// Command burst measures how a server runs many blocking calls at once:
// bench/run's `blocking` scenario. Each burst sends -calls calls of
// Blocking.Sleep over -conns connections at once, call i sleeping
// i % -spread milliseconds, and, -quick-after into the burst, one quick
// call (Blocking.Sleep(0), the same blocking method) on a connection of its
// own. It reports the time until every call of the burst is answered, the
// quick call's latency, how many burst calls were still unanswered when the
// quick call was sent (so a quick call sent after the burst is seen as
// such), the server's CPU time and its most threads.
//
//	burst -addr 127.0.0.1:1234 -conns 16 -calls 2000 -spread 20 -bursts 5 -server-pid PID
//
// Go's net/rpc runs each call in a goroutine, so a burst there takes about
// the longest sleep plus the time to send and answer 2,000 calls. Every
// reply is checked (Sleep(n) answers n). One JSON line on stdout, a summary
// on stderr.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"plugrpc.bench/internal/procstat"
)

const method = "Blocking.Sleep"

type sleepArgs struct {
	Millis int64
}

type result struct {
	Kind      string    `json:"kind"` // "burst"
	Proto     string    `json:"proto"`
	Addr      string    `json:"addr"`
	Conns     int       `json:"conns"`
	Calls     int       `json:"calls"` // per burst
	SpreadMs  int       `json:"spread_ms"`
	Bursts    int       `json:"bursts"`
	TotalMs   float64   `json:"total_ms"`         // median over the bursts
	FirstMs   float64   `json:"first_ms"`         // the first burst (the server's pool cold)
	MaxMs     float64   `json:"max_total_ms"`     // the slowest burst
	QuickMs   float64   `json:"quick_ms"`         // median
	MaxQuick  float64   `json:"max_quick_ms"`     // the slowest quick call
	Pending   int       `json:"pending_at_quick"` // fewest burst calls unanswered when a quick call was sent
	CPUms     float64   `json:"server_cpu_ms"`    // per burst, averaged over the bursts
	CPUus     float64   `json:"server_cpu_us_per_call"`
	Threads   int       `json:"server_peak_threads,omitempty"`
	Errors    int       `json:"errors"`
	FirstErr  string    `json:"first_error,omitempty"`
	ServerPID int       `json:"server_pid,omitempty"`
	TotalsMs  []float64 `json:"totals_ms"`
	QuicksMs  []float64 `json:"quicks_ms"`
}

type errs struct {
	mu    sync.Mutex
	n     int
	first string
}

func (e *errs) add(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if e.first == "" {
		e.first = err.Error()
	}
}

func dial(proto, addr string) (*rpc.Client, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	switch proto {
	case "gob":
		return rpc.NewClient(nc), nil
	case "jsonrpc":
		return jsonrpc.NewClient(nc), nil
	}
	nc.Close()
	return nil, fmt.Errorf("unknown -proto %q (gob or jsonrpc)", proto)
}

// call runs Sleep(ms) on c and checks the answer.
func call(c *rpc.Client, ms int64) error {
	var reply int64
	if err := c.Call(method, &sleepArgs{ms}, &reply); err != nil {
		return err
	}
	if reply != ms {
		return fmt.Errorf("%s(%d) = %d", method, ms, reply)
	}
	return nil
}

type one struct {
	total, quick time.Duration
	pending      int
}

// burst sends the calls (call i on conns[i % len(conns)], one goroutine
// per connection, as many callers would) and the quick call.
func burst(conns []*rpc.Client, quick *rpc.Client, calls, spread int, quickAfter, timeout time.Duration, e *errs) one {
	var answered atomic.Int64
	var res one
	done := make(chan *rpc.Call, calls)
	t0 := time.Now()
	var senders sync.WaitGroup
	for k := range conns {
		senders.Add(1)
		go func(k int) {
			defer senders.Done()
			for i := k; i < calls; i += len(conns) {
				conns[k].Go(method, &sleepArgs{int64(i % spread)}, new(int64), done)
			}
		}(k)
	}
	quickDone := make(chan struct{})
	go func() {
		defer close(quickDone)
		time.Sleep(quickAfter)
		res.pending = calls - int(answered.Load())
		t := time.Now()
		if err := call(quick, 0); err != nil {
			e.add(fmt.Errorf("quick call: %v", err))
			return
		}
		res.quick = time.Since(t)
	}()
	deadline := time.After(timeout)
	for n := 0; n < calls; n++ {
		select {
		case c := <-done:
			answered.Add(1)
			a, r := c.Args.(*sleepArgs), c.Reply.(*int64)
			if c.Error != nil {
				e.add(c.Error)
			} else if *r != a.Millis {
				e.add(fmt.Errorf("%s(%d) = %d", method, a.Millis, *r))
			}
		case <-deadline:
			e.add(fmt.Errorf("%d of %d calls unanswered after %v", calls-n, calls, timeout))
			res.total = timeout
			<-quickDone
			return res
		}
	}
	res.total = time.Since(t0)
	senders.Wait()
	<-quickDone
	return res
}

// peakThreads samples the server's thread count until stop is closed.
func peakThreads(pid int, stop <-chan struct{}, out chan<- int) {
	peak := 0
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		if n := procstat.Threads(pid); n > peak {
			peak = n
		}
		select {
		case <-stop:
			out <- peak
			return
		case <-tick.C:
		}
	}
}

func main() {
	proto := flag.String("proto", "gob", "gob (net/rpc client) or jsonrpc (net/rpc/jsonrpc client)")
	addr := flag.String("addr", "127.0.0.1:1234", "server address")
	nconns := flag.Int("conns", 16, "connections the burst is spread over")
	calls := flag.Int("calls", 2000, "calls per burst")
	spread := flag.Int("spread", 20, "call i sleeps i % spread milliseconds")
	quickAfter := flag.Duration("quick-after", 20*time.Millisecond, "when the quick call is sent, from the burst's start")
	bursts := flag.Int("bursts", 5, "bursts, one after the other")
	pause := flag.Duration("pause", 200*time.Millisecond, "pause between bursts")
	timeout := flag.Duration("timeout", 60*time.Second, "longest a burst may take")
	pid := flag.Int("server-pid", 0, "server process: report its CPU time and threads")
	quiet := flag.Bool("quiet", false, "no summary on stderr")
	flag.Parse()
	if *nconns < 1 || *calls < 1 || *spread < 1 || *bursts < 1 {
		fatal(errors.New("-conns, -calls, -spread and -bursts must be at least 1"))
	}

	conns := make([]*rpc.Client, *nconns)
	for i := range conns {
		c, err := dial(*proto, *addr)
		if err != nil {
			fatal(fmt.Errorf("connection %d: %v", i, err))
		}
		defer c.Close()
		conns[i] = c
	}
	quick, err := dial(*proto, *addr)
	if err != nil {
		fatal(fmt.Errorf("quick connection: %v", err))
	}
	defer quick.Close()
	// One call on each connection first: the gob type exchange and the
	// server's first look at a connection are not part of a burst.
	for i, c := range append([]*rpc.Client{quick}, conns...) {
		if err := call(c, 0); err != nil {
			fatal(fmt.Errorf("first call on connection %d: %v", i, err))
		}
	}

	res := result{Kind: "burst", Proto: *proto, Addr: *addr, Conns: *nconns, Calls: *calls, SpreadMs: *spread,
		Bursts: *bursts, ServerPID: *pid, Pending: *calls}
	var e errs
	var cpu time.Duration
	for b := 0; b < *bursts; b++ {
		if b > 0 {
			time.Sleep(*pause)
		}
		var stop chan struct{}
		peak := make(chan int, 1)
		var cpu0 time.Duration
		if *pid > 0 {
			if cpu0, err = procstat.CPU(*pid); err != nil {
				fatal(fmt.Errorf("server CPU: %v", err))
			}
			stop = make(chan struct{})
			go peakThreads(*pid, stop, peak)
		}
		r := burst(conns, quick, *calls, *spread, *quickAfter, *timeout, &e)
		if *pid > 0 {
			close(stop)
			if p := <-peak; p > res.Threads {
				res.Threads = p
			}
			cpu1, err := procstat.CPU(*pid)
			if err != nil {
				fatal(fmt.Errorf("server CPU: %v", err))
			}
			cpu += cpu1 - cpu0
		}
		res.TotalsMs = append(res.TotalsMs, ms(r.total))
		res.QuicksMs = append(res.QuicksMs, ms(r.quick))
		if r.pending < res.Pending {
			res.Pending = r.pending
		}
	}
	res.FirstMs = res.TotalsMs[0]
	res.TotalMs, res.MaxMs = median(res.TotalsMs), max(res.TotalsMs)
	res.QuickMs, res.MaxQuick = median(res.QuicksMs), max(res.QuicksMs)
	res.CPUms = ms(cpu) / float64(*bursts)
	res.CPUus = res.CPUms * 1e3 / float64(*calls)
	res.Errors, res.FirstErr = e.n, e.first

	if !*quiet {
		fmt.Fprintf(os.Stderr, "%s %s: %d bursts of %d calls (0-%d ms) over %d connections: median %.0f ms "+
			"(first %.0f, slowest %.0f); quick call median %.1f ms (slowest %.1f), sent with at least %d calls unanswered",
			res.Proto, res.Addr, res.Bursts, res.Calls, res.SpreadMs-1, res.Conns, res.TotalMs, res.FirstMs, res.MaxMs,
			res.QuickMs, res.MaxQuick, res.Pending)
		if *pid > 0 {
			fmt.Fprintf(os.Stderr, "; server CPU %.0f ms per burst, at most %d threads", res.CPUms, res.Threads)
		}
		fmt.Fprintf(os.Stderr, "; %d errors\n", res.Errors)
		if res.FirstErr != "" {
			fmt.Fprintln(os.Stderr, "first error:", res.FirstErr)
		}
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	if res.Errors > 0 {
		os.Exit(1)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func max(v []float64) float64 {
	m := v[0]
	for _, x := range v[1:] {
		if x > m {
			m = x
		}
	}
	return m
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "burst:", err)
	os.Exit(2)
}
