package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// The plugrpc option for each Go transport: the protocol Go's server
// speaks on that listener.
var cliProto = map[string]string{"tcp": "gob", "http": "gob-http", "jsonrpc": "json"}

// A plugrpc call and what of its outcome must match between the servers.
type cliCall struct {
	args     []string // after "call --proto P ADDR"
	exitOnly bool     // only the exit code: the texts are each server's own
}

var cliCalls = []cliCall{
	{args: []string{"Arith.Multiply", `{"A":7,"B":8}`}},
	{args: []string{"Arith.Multiply", `{"A":-3,"B":1000000000000}`}},
	{args: []string{"Arith.Divide", `{"A":17,"B":8}`}},
	{args: []string{"Arith.Divide", `{"A":1,"B":0}`}},
	{args: []string{"Arith.Nope", `{}`}},
	{args: []string{"Nope.Nope", `{}`}},
	// A bare scalar for a struct: refused, never B=0. plugrpc refuses it
	// against plugrpcd (it knows the type); Go's decoder against Go.
	{args: []string{"Arith.Multiply", `7`}, exitOnly: true},
	{args: []string{"Kitchen.Sum", `[1,2,3,-4]`}},
	{args: []string{"Kitchen.Concat", `["con","cat"]`}},
	{args: []string{"Kitchen.Stats", `[1.5,2.5,-4.25]`}},
	{args: []string{"Kitchen.Fail", `{"Message":"boom"}`}},
	// What JSON cannot say, given in Go's words.
	{args: []string{"--arg-type", "[]uint64", "Kitchen.SumUnsigned", `[1,18446744073709551615]`}},
	{args: []string{"--arg-type", "[]byte", "Kitchen.Reverse", `"AQID"`}},
	{args: []string{"--arg-type", "map[string]int64", "Kitchen.Keys", `{"b":1,"a":2}`}},
	{args: []string{"--arg-type", "struct{X, Y int32; Label string}", "Kitchen.Fail", `{"X":1}`}, exitOnly: true},
}

// cliScenario runs the plugrpc CLI (-cli) against the server over the
// transport's protocol; each call's exit code, stdout and stderr are the
// transcript. Against Go's server plugrpc has no rpc.discover: it derives
// the gob type from the JSON (or takes --arg-type) and detects Go's
// jsonrpc dialect.
func cliScenario(t *target, transport string) []string {
	if *cliBin == "" {
		return []string{"FAIL: the cli scenario needs -cli"}
	}
	var lines []string
	for _, c := range cliCalls {
		args := append([]string{"call", "--proto", cliProto[transport], t.addr(transport)}, c.args...)
		code, stdout, stderr, err := runCLI(args)
		if err != nil {
			lines = append(lines, fmt.Sprintf("FAIL plugrpc %s against %s: %v", strings.Join(args, " "), t.name, err))
			continue
		}
		line := fmt.Sprintf("%s -> exit %d", strings.Join(c.args, " "), code)
		if !c.exitOnly {
			line += fmt.Sprintf(" out %q err %q", stdout, stderr)
		} else if stderr == "" {
			line += " FAIL: no reason on stderr"
		}
		lines = append(lines, line)
	}
	return lines
}

func runCLI(args []string) (int, string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, *cliBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return 0, "", "", err
	}
	if ctx.Err() != nil {
		return 0, "", "", fmt.Errorf("no answer within 20s")
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String(), nil
}
