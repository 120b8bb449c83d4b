package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// arithScenario runs arithclient — Go's Arith example client and every
// error case — as its own process, and takes its output as the transcript.
func arithScenario(t *target, transport string) []string {
	lines := runClient(t, filepath.Join(*binDir, "arithclient"), "-transport", transport, t.addr(transport))
	// The acceptance lines of the issue, whatever Go's server says.
	return expectLines(t, lines, "Arith: 17*8=136", "Arith: 17/8=2 remainder 1")
}

// runClient runs a client program to its end; its output lines are the
// transcript, with a FAIL line if it failed.
func runClient(t *target, bin string, args ...string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if err != nil {
		lines = append(lines, fmt.Sprintf("FAIL %s against %s: %v: %s", filepath.Base(bin), t.name, err, strings.TrimSpace(stderr.String())))
	}
	return lines
}

// expectLines adds a FAIL line for each of `want` that does not open the transcript.
func expectLines(t *target, lines []string, want ...string) []string {
	for i, w := range want {
		if i >= len(lines) || lines[i] != w {
			lines = append(lines, fmt.Sprintf("FAIL against %s: line %d is not %q", t.name, i+1, w))
		}
	}
	return lines
}

// cppClientScenario runs the C++ arith-client example (Go's doc client:
// DialHTTP, a synchronous Call, an asynchronous one) against the target's
// HTTP address; its output is the transcript. Only over http: that is the
// transport the example dials.
func cppClientScenario(t *target, transport string) []string {
	if transport != "http" {
		return []string{"FAIL: the cppclient scenario runs over http only"}
	}
	lines := runClient(t, *cppClient, t.addr(transport))
	return expectLines(t, lines, "Arith: 17*8=136", "Arith: 17/8=2 remainder 1", "Arith: 1/0: divide by zero")
}
