// interop runs one interop scenario: it starts plugrpcd (with the arith and
// kitchen plugins) and goserver (Go's own net/rpc server with the same
// services), runs the scenario against both with Go's own clients, and
// compares what each produced. It exits 0 when plugrpcd behaved as Go's
// server did, 1 otherwise, printing the difference and the daemon's log.
//
//	interop -plugrpcd BIN -plugin arith.so -plugin kitchen.so -bin DIR SCENARIO TRANSPORT
//	interop -server arith-server -bin DIR SCENARIO TRANSPORT
//
// With -server, the program under test is that binary, built on the server
// library, in place of plugrpcd; it is started with "tcp://127.0.0.1:0".
// The cppclient scenario runs the C++ client given by -cppclient; the cli
// scenario, the plugrpc CLI given by -cli.
//
// TRANSPORT is tcp (rpc.Dial), http (rpc.DialHTTP) or jsonrpc (jsonrpc.Dial).
// Every scenario is listed by -list.
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"
)

// A scenario runs against one server and returns its transcript: lines that
// must be identical for plugrpcd and Go's server. Lines starting with
// "FAIL" fail the scenario even when both servers print them.
type scenario func(t *target, transport string) []string

var scenarios = map[string]scenario{
	"arith":      arithScenario,
	"cli":        cliScenario,
	"cppclient":  cppClientScenario,
	"concurrent": concurrentScenario,
	"edges":      edgesScenario,
	"floats":     floatsScenario,
	"kitchen":    kitchenScenario,
	"mismatch":   mismatchScenario,
	"special":    specialScenario,
	"survive":    surviveScenario,
}

// Differences in Go's error texts that come from the Go server's own
// source, which plugrpcd cannot know, not from the protocol: Go's lines are
// rewritten before the comparison, and each rewrite is printed.
var goOnly = []struct {
	re   *regexp.Regexp
	with string
	why  string
}{
	{regexp.MustCompile(`wrong type \(int\) for received field Args\.`), "wrong type (int64) for received field Args.",
		"Go's Arith declares int; plugrpcd's arith plugin, std::int64_t, whose Go name is int64"},
	{regexp.MustCompile(`want struct type [A-Za-z0-9_]+\.`), "want struct type ",
		"Go qualifies its type with its package; a plugin's type has no Go package"},
	{regexp.MustCompile(`^(Stats whose mean is \+Inf): no reply within 3s$`), `$1: error "json: unsupported value: +Inf"`,
		"Go's jsonrpc server cannot encode the reply and sends nothing (net/rpc's sendResponse drops WriteResponse's " +
			"error), so the call waits forever; plugrpcd answers with the error Go's encoder gave"},
}

func rewriteGoLines(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l
		for _, r := range goOnly {
			if n := r.re.ReplaceAllString(out[i], r.with); n != out[i] {
				fmt.Printf("note: Go's line %d taken as %q (%s)\n", i+1, n, r.why)
				out[i] = n
			}
		}
	}
	return out
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

var binDir = flag.String("bin", "", "folder of goserver and arithclient")
var cppClient = flag.String("cppclient", "", "the C++ arith-client example (scenario cppclient)")
var cliBin = flag.String("cli", "", "the plugrpc CLI (scenario cli)")

func main() {
	daemon := flag.String("plugrpcd", "", "the plugrpcd binary")
	embedded := flag.String("server", "", "a program built on the server library, tested instead of plugrpcd")
	var plugins listFlag
	flag.Var(&plugins, "plugin", "a plugin .so to load (repeatable)")
	timeout := flag.Duration("timeout", 60*time.Second, "give up after this long")
	list := flag.Bool("list", false, "list the scenarios and exit")
	flag.Parse()
	if *list {
		var names []string
		for n := range scenarios {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Println(strings.Join(names, "\n"))
		return
	}
	if flag.NArg() != 2 || (*daemon == "") == (*embedded == "") || *binDir == "" {
		fmt.Fprintln(os.Stderr, "usage: interop (-plugrpcd BIN -plugin SO... | -server BIN) -bin DIR SCENARIO tcp|http|jsonrpc")
		os.Exit(2)
	}
	run, ok := scenarios[flag.Arg(0)]
	transport := flag.Arg(1)
	if !ok || (transport != "tcp" && transport != "http" && transport != "jsonrpc") {
		fmt.Fprintf(os.Stderr, "interop: unknown scenario %q or transport %q\n", flag.Arg(0), transport)
		os.Exit(2)
	}
	start := func() (*target, error) { return startPlugrpcd(*daemon, plugins) }
	if *embedded != "" {
		start = func() (*target, error) { return startEmbedded(*embedded) }
	}
	os.Exit(runScenario(run, transport, start, *timeout))
}

func runScenario(run scenario, transport string, start func() (*target, error), timeout time.Duration) int {
	watchdog := time.AfterFunc(timeout, func() {
		fmt.Printf("FAIL: the scenario did not finish within %v\n", timeout)
		killAll(true)
		os.Exit(1)
	})
	defer watchdog.Stop()
	defer killAll(false)

	ref, err := startGoServer(*binDir)
	if err != nil {
		fmt.Println("FAIL: starting Go's server:", err)
		return 1
	}
	ours, err := start()
	if err != nil {
		fmt.Println("FAIL: starting the server under test:", err)
		return 1
	}

	want := rewriteGoLines(run(ref, transport))
	got := run(ours, transport)

	failed := false
	if !sameLines(want, got) {
		failed = true
		fmt.Printf("FAIL: %s's transcript differs from Go's server's (- Go, + %s):\n", ours.name, ours.name)
		printDiff(want, got)
	}
	for _, l := range want {
		if strings.HasPrefix(l, "FAIL") {
			failed = true
			fmt.Println("FAIL against Go's own server (the test itself is wrong):", l)
		}
	}
	for _, l := range got {
		if strings.HasPrefix(l, "FAIL") {
			failed = true
		}
	}
	if !failed {
		fmt.Printf("%s and Go's server agree on %d lines:\n", ours.name, len(got))
		for _, l := range got {
			fmt.Println("  " + l)
		}
	}
	if status, err := ours.stop(); err != nil {
		failed = true
		fmt.Printf("FAIL: %s did not stop cleanly on SIGTERM: %v (%s)\n", ours.name, err, status)
	}
	if failed {
		fmt.Printf("---- %s log ----\n%s", ours.name, ours.log())
		return 1
	}
	fmt.Println("PASS")
	return 0
}

func sameLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// printDiff prints the lines that differ, position by position (the
// transcripts are one line per call, so positions line up).
func printDiff(want, got []string) {
	n := len(want)
	if len(got) > n {
		n = len(got)
	}
	for i := 0; i < n; i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w == g {
			fmt.Printf("  %3d   %s\n", i+1, w)
			continue
		}
		if i < len(want) {
			fmt.Printf("  %3d - %s\n", i+1, w)
		}
		if i < len(got) {
			fmt.Printf("  %3d + %s\n", i+1, g)
		}
	}
}
