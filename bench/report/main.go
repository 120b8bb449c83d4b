// Command report turns the records bench/run collected into the tables of
// bench/RESULTS.md: per scenario and server the medians over the rounds,
// then the ratios plugrpcd / peer, each the median of the per-round ratios
// (A and B of one round ran back to back), with their spread and the
// issue's target.
//
//	report -results results.jsonl [-micro micro.json] [-scale scale.json] [-summary summary.json]
//
// results.jsonl holds two kinds of lines, written by bench/run:
//
//	{"scenario":"gob-8x16","label":"...","leg":"plugrpcd","round":1,"result":{<loadgen or wrk line>}}
//	{"compare":{"scenario":"gob-8x16","a":"plugrpcd","b":"go","metric":"cpu","target":0.5,"note":"..."}}
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
)

type measure struct {
	CallsPerS float64 `json:"calls_per_s"`
	CPUus     float64 `json:"server_cpu_us_per_call"`
	P50us     float64 `json:"p50_us"`
	P99us     float64 `json:"p99_us"`
	Errors    uint64  `json:"errors"`
	Calls     uint64  `json:"calls"`
	Proto     string  `json:"proto"`
	Conns     int     `json:"conns"`
	Inflight  int     `json:"inflight"`
	SrvUtil   float64 `json:"server_util"`
	CliUtil   float64 `json:"client_util"`
	Syscalls  float64 `json:"syscalls_per_call"`
	// A burst (bench/burst): medians over its bursts.
	Kind     string  `json:"kind"`
	TotalMs  float64 `json:"total_ms"`
	FirstMs  float64 `json:"first_ms"`
	MaxMs    float64 `json:"max_total_ms"`
	QuickMs  float64 `json:"quick_ms"`
	MaxQuick float64 `json:"max_quick_ms"`
	Pending  float64 `json:"pending_at_quick"`
	CPUms    float64 `json:"server_cpu_ms"`
	Threads  float64 `json:"server_peak_threads"`
}

type compare struct {
	Scenario string  `json:"scenario"`
	A        string  `json:"a"`
	B        string  `json:"b"`
	Metric   string  `json:"metric"` // cpu, p50, p99, rate; bursts: total, quick
	Target   float64 `json:"target"` // 0: none
	Note     string  `json:"note"`
}

type record struct {
	Scenario string   `json:"scenario"`
	Label    string   `json:"label"`
	Leg      string   `json:"leg"`
	Server   string   `json:"server"`
	Round    int      `json:"round"`
	Result   *measure `json:"result"`
	Compare  *compare `json:"compare"`
}

type leg struct {
	name, server string
	rounds       map[int]measure
}

type scenario struct {
	id, label string
	legs      []*leg
}

// burst: a scenario measured by bench/burst, shown in a table of its own.
func (s *scenario) burst() bool {
	for _, l := range s.legs {
		for _, m := range l.rounds {
			return m.Kind == "burst"
		}
	}
	return false
}

func (s *scenario) leg(name string) *leg {
	for _, l := range s.legs {
		if l.name == name {
			return l
		}
	}
	return nil
}

func metric(m measure, name string) float64 {
	switch name {
	case "cpu":
		return m.CPUus
	case "p50":
		return m.P50us
	case "p99":
		return m.P99us
	case "rate":
		return m.CallsPerS
	case "server_util":
		return m.SrvUtil
	case "client_util":
		return m.CliUtil
	case "syscalls":
		return m.Syscalls
	case "total":
		return m.TotalMs
	case "first":
		return m.FirstMs
	case "quick":
		return m.QuickMs
	case "max_quick":
		return m.MaxQuick
	case "pending":
		return m.Pending
	case "cpu_ms":
		return m.CPUms
	case "threads":
		return m.Threads
	}
	return math.NaN()
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (l *leg) values(name string) []float64 {
	var v []float64
	for _, m := range l.rounds {
		v = append(v, metric(m, name))
	}
	return v
}

func (l *leg) errors() (n uint64) {
	for _, m := range l.rounds {
		n += m.Errors
	}
	return n
}

type summaryLeg struct {
	Scenario  string  `json:"scenario"`
	Leg       string  `json:"leg"`
	Server    string  `json:"server"`
	Rounds    int     `json:"rounds"`
	CallsPerS float64 `json:"calls_per_s"`
	CPUus     float64 `json:"server_cpu_us_per_call"`
	P50us     float64 `json:"p50_us"`
	P99us     float64 `json:"p99_us"`
	SrvUtil   float64 `json:"server_util"`
	CliUtil   float64 `json:"client_util"`
	Syscalls  float64 `json:"syscalls_per_call,omitempty"`
	Errors    uint64  `json:"errors"`
	// Bursts only.
	TotalMs float64 `json:"total_ms,omitempty"`
	QuickMs float64 `json:"quick_ms,omitempty"`
	CPUms   float64 `json:"server_cpu_ms,omitempty"`
}

type summaryRatio struct {
	compare
	Ratio float64 `json:"ratio"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	Met   *bool   `json:"met,omitempty"`
}

func main() {
	results := flag.String("results", "", "results.jsonl written by bench/run")
	micro := flag.String("micro", "", "Google Benchmark JSON output of bench_micro")
	scale := flag.String("scale", "", "JSON line of the scale run")
	summaryPath := flag.String("summary", "", "write the medians and ratios here as JSON")
	flag.Parse()

	var scenarios []*scenario
	byID := map[string]*scenario{}
	var compares []compare
	if *results != "" {
		f, err := os.Open(*results)
		if err != nil {
			fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var r record
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				fatal(fmt.Errorf("%s: %v: %s", *results, err, sc.Text()))
			}
			if r.Compare != nil {
				compares = append(compares, *r.Compare)
				continue
			}
			if r.Result == nil {
				continue
			}
			s := byID[r.Scenario]
			if s == nil {
				s = &scenario{id: r.Scenario, label: r.Label}
				byID[r.Scenario] = s
				scenarios = append(scenarios, s)
			}
			l := s.leg(r.Leg)
			if l == nil {
				l = &leg{name: r.Leg, server: r.Server, rounds: map[int]measure{}}
				s.legs = append(s.legs, l)
			}
			l.rounds[r.Round] = *r.Result
		}
		f.Close()
	}

	var sum struct {
		Legs   []summaryLeg    `json:"legs"`
		Ratios []summaryRatio  `json:"ratios"`
		Micro  json.RawMessage `json:"micro,omitempty"`
		Scale  json.RawMessage `json:"scale,omitempty"`
	}

	var loads, bursts []*scenario
	for _, s := range scenarios {
		if s.burst() {
			bursts = append(bursts, s)
		} else {
			loads = append(loads, s)
		}
	}

	if len(loads) > 0 {
		fmt.Println("### Servers (medians over the rounds)")
		fmt.Println()
		syscalls := false
		for _, s := range loads {
			for _, l := range s.legs {
				for _, m := range l.rounds {
					syscalls = syscalls || m.Syscalls > 0
				}
			}
		}
		sysHead, sysRule := "", ""
		if syscalls {
			sysHead, sysRule = " syscalls/call |", "--:|"
		}
		fmt.Println("| scenario | server | rounds | calls/s | server CPU µs/call | p50 µs | p99 µs | busy: server / load gen. |" + sysHead + " errors |")
		fmt.Println("|---|---|--:|--:|--:|--:|--:|--:|" + sysRule + "--:|")
		for _, s := range loads {
			for _, l := range s.legs {
				sl := summaryLeg{Scenario: s.id, Leg: l.name, Server: l.server, Rounds: len(l.rounds),
					CallsPerS: median(l.values("rate")), CPUus: median(l.values("cpu")),
					P50us: median(l.values("p50")), P99us: median(l.values("p99")),
					SrvUtil: median(l.values("server_util")), CliUtil: median(l.values("client_util")), Errors: l.errors()}
				sysCell := ""
				if syscalls {
					sl.Syscalls = median(l.values("syscalls"))
					sysCell = fmt.Sprintf(" %.2f |", sl.Syscalls)
				}
				sum.Legs = append(sum.Legs, sl)
				fmt.Printf("| %s | %s | %d | %.0f | %.2f | %.0f | %.0f | %.0f%% / %.0f%% |%s %d |\n", s.label, l.server,
					sl.Rounds, sl.CallsPerS, sl.CPUus, sl.P50us, sl.P99us, 100*sl.SrvUtil, 100*sl.CliUtil, sysCell, sl.Errors)
			}
		}
		fmt.Println()
	}

	if len(bursts) > 0 {
		fmt.Println("### Bursts of blocking calls (medians over the rounds; each round's figure the median of its bursts)")
		fmt.Println()
		fmt.Println("| scenario | server | rounds | time for the burst ms | first burst ms | quick call ms | slowest quick call ms | burst calls pending at the quick call | server CPU ms/burst | server CPU µs/call | most threads | errors |")
		fmt.Println("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, s := range bursts {
			for _, l := range s.legs {
				sl := summaryLeg{Scenario: s.id, Leg: l.name, Server: l.server, Rounds: len(l.rounds),
					CPUus: median(l.values("cpu")), TotalMs: median(l.values("total")), QuickMs: median(l.values("quick")),
					CPUms: median(l.values("cpu_ms")), Errors: l.errors()}
				sum.Legs = append(sum.Legs, sl)
				fmt.Printf("| %s | %s | %d | %.0f | %.0f | %.1f | %.1f | %.0f | %.0f | %.2f | %.0f | %d |\n", s.label, l.server,
					sl.Rounds, sl.TotalMs, median(l.values("first")), sl.QuickMs, median(l.values("max_quick")),
					median(l.values("pending")), sl.CPUms, sl.CPUus, median(l.values("threads")), sl.Errors)
			}
		}
		fmt.Println()
	}

	if len(compares) > 0 {
		fmt.Println("### Ratios A / B (plugrpcd first; median of the per-round ratios, min–max over the rounds)")
		fmt.Println()
		fmt.Println("| scenario | compared | metric | ratio | min–max | target | |")
		fmt.Println("|---|---|---|--:|--:|--:|---|")
		for _, c := range compares {
			s := byID[c.Scenario]
			if s == nil {
				continue
			}
			a, b := s.leg(c.A), s.leg(c.B)
			if a == nil || b == nil {
				continue
			}
			var rs []float64
			for round, ma := range a.rounds {
				if mb, ok := b.rounds[round]; ok && metric(mb, c.Metric) > 0 {
					rs = append(rs, metric(ma, c.Metric)/metric(mb, c.Metric))
				}
			}
			if len(rs) == 0 {
				continue
			}
			sort.Float64s(rs)
			sr := summaryRatio{compare: c, Ratio: median(rs), Min: rs[0], Max: rs[len(rs)-1]}
			target, verdict := "—", ""
			if c.Target > 0 {
				met := sr.Ratio <= c.Target
				sr.Met = &met
				target = fmt.Sprintf("≤ %.2f", c.Target)
				verdict = "met"
				if !met {
					verdict = "**not met**"
				}
			}
			sum.Ratios = append(sum.Ratios, sr)
			what := fmt.Sprintf("%s / %s", a.server, b.server)
			if c.Note != "" {
				what += " (" + c.Note + ")"
			}
			fmt.Printf("| %s | %s | %s | %.2f | %.2f–%.2f | %s | %s |\n", s.label, what, metricName(c.Metric),
				sr.Ratio, sr.Min, sr.Max, target, verdict)
		}
		fmt.Println()
	}

	if *micro != "" {
		b, err := os.ReadFile(*micro)
		if err != nil {
			fatal(err)
		}
		var m struct {
			Benchmarks []struct {
				Name     string  `json:"name"`
				CPUTime  float64 `json:"cpu_time"`
				RealTime float64 `json:"real_time"`
				TimeUnit string  `json:"time_unit"`
				Error    string  `json:"error_message"`
				RunType  string  `json:"run_type"`
				Agg      string  `json:"aggregate_name"`
				RunName  string  `json:"run_name"`
				Allocs   float64 `json:"allocs/call"`
			} `json:"benchmarks"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			fatal(fmt.Errorf("%s: %v", *micro, err))
		}
		sum.Micro = b
		fmt.Println("### Microbenchmark: the call path without sockets (bench_micro)")
		fmt.Println()
		fmt.Println("| benchmark | ns per call (CPU) | allocations per call | target | |")
		fmt.Println("|---|--:|--:|--:|---|")
		for _, x := range m.Benchmarks {
			if x.RunType == "aggregate" {
				if x.Agg != "median" {
					continue
				}
				x.Name = x.RunName + " (median of repetitions)"
			}
			ns := x.CPUTime * unitNs(x.TimeUnit)
			target, verdict := "—", ""
			if !strings.HasPrefix(x.Name, "BM_Dispatch") {
				target, verdict = "< 1000", "met"
				if ns >= 1000 {
					verdict = "**not met**"
				}
			}
			if x.Error != "" {
				verdict = "error: " + x.Error
			}
			fmt.Printf("| %s | %.0f | %.1f | %s | %s |\n", strings.TrimPrefix(x.Name, "BM_"), ns, x.Allocs, target, verdict)
		}
		fmt.Println()
	}

	if *scale != "" {
		b, err := os.ReadFile(*scale)
		if err != nil {
			fatal(err)
		}
		var s struct {
			Conns       int     `json:"conns"`
			Protos      string  `json:"protos"`
			OpenErrors  int     `json:"open_errors"`
			Active      int     `json:"active"`
			DurationS   float64 `json:"duration_s"`
			CallsPerS   float64 `json:"calls_per_s"`
			P50us       float64 `json:"p50_us"`
			P99us       float64 `json:"p99_us"`
			Errors      int     `json:"errors"`
			FinalCalls  int     `json:"final_calls"`
			FinalErrors int     `json:"final_errors"`
			RSSBaseKiB  float64 `json:"rss_base_kib"`
			RSSOpenKiB  float64 `json:"rss_open_kib"`
			RSSEndKiB   float64 `json:"rss_end_kib"`
			HWMKiB      float64 `json:"hwm_kib"`
			KiBPerConn  float64 `json:"kib_per_conn"`
			CPUus       float64 `json:"server_cpu_us_per_call"`
		}
		if err := json.Unmarshal(b, &s); err != nil {
			fatal(fmt.Errorf("%s: %v", *scale, err))
		}
		sum.Scale = json.RawMessage(strings.TrimSpace(string(b)))
		verdict := "met"
		if s.HWMKiB > 100*1024 || s.Errors+s.FinalErrors+s.OpenErrors > 0 {
			verdict = "**not met**"
		}
		fmt.Println("### Scale: many connections to plugrpcd")
		fmt.Println()
		fmt.Println("| connections | active | calls/s | p50 µs | p99 µs | server CPU µs/call | errors | RSS idle → open → end MiB | peak (VmHWM) MiB | KiB/conn | target RSS ≤ 100 MiB, all answered |")
		fmt.Println("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
		fmt.Printf("| %d (%s) | %d for %.0fs | %.0f | %.0f | %.0f | %.2f | %d (+%d open, %d final of %d) | %.1f → %.1f → %.1f | %.1f | %.1f | %s |\n",
			s.Conns, s.Protos, s.Active, s.DurationS, s.CallsPerS, s.P50us, s.P99us, s.CPUus, s.Errors, s.OpenErrors,
			s.FinalErrors, s.FinalCalls+s.FinalErrors, s.RSSBaseKiB/1024, s.RSSOpenKiB/1024, s.RSSEndKiB/1024,
			s.HWMKiB/1024, s.KiBPerConn, verdict)
		fmt.Println()
	}

	if *summaryPath != "" {
		b, _ := json.MarshalIndent(sum, "", "  ")
		if err := os.WriteFile(*summaryPath, append(b, '\n'), 0o644); err != nil {
			fatal(err)
		}
	}
}

func metricName(m string) string {
	switch m {
	case "cpu":
		return "server CPU/call"
	case "p50":
		return "p50 latency"
	case "p99":
		return "p99 latency"
	case "rate":
		return "calls/s"
	case "total":
		return "time for the burst"
	case "quick":
		return "quick call latency"
	}
	return m
}

func unitNs(u string) float64 {
	switch u {
	case "us":
		return 1e3
	case "ms":
		return 1e6
	case "s":
		return 1e9
	}
	return 1
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(2)
}
