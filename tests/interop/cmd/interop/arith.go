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
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(*binDir, "arithclient"), "-transport", transport, t.addr(transport))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if err != nil {
		lines = append(lines, fmt.Sprintf("FAIL arithclient against %s: %v: %s", t.name, err, strings.TrimSpace(stderr.String())))
	}
	// The acceptance lines of the issue, whatever Go's server says.
	seed := []string{"Arith: 17*8=136", "Arith: 17/8=2 remainder 1"}
	for i, want := range seed {
		if i >= len(lines) || lines[i] != want {
			lines = append(lines, fmt.Sprintf("FAIL against %s: line %d is not %q", t.name, i+1, want))
		}
	}
	return lines
}
