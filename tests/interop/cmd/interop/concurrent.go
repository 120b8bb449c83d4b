package main

import (
	"fmt"
	"net/rpc"

	"plugrpc.test/interop/arith"
)

// concurrentScenario sends 200 calls with client.Go on one connection, all
// in flight at once — products, quotients, method errors and Kitchen sums
// mixed — and checks every reply against its own call.
func concurrentScenario(t *target, transport string) []string {
	client, err := t.dial(transport)
	if err != nil {
		return []string{fmt.Sprintf("FAIL dial %s: %v", t.name, err)}
	}
	defer client.Close()

	const n = 200
	type pending struct {
		call  *rpc.Call
		check func(*rpc.Call) string // "" when the reply is right
	}
	calls := make([]pending, 0, n)
	done := make(chan *rpc.Call, n)
	for i := 0; i < n; i++ {
		i := i
		a, b := i*1_000_003-77_000_000, i%13-6
		switch i % 5 {
		case 0, 1: // a product
			reply := new(int)
			calls = append(calls, pending{client.Go("Arith.Multiply", &arith.Args{A: a, B: b}, reply, done),
				func(c *rpc.Call) string {
					if c.Error != nil || *reply != a*b {
						return fmt.Sprintf("Multiply(%d, %d) = %d, %v; want %d", a, b, *reply, c.Error, a*b)
					}
					return ""
				}})
		case 2: // a quotient, or divide by zero when b is 0
			q := new(arith.Quotient)
			calls = append(calls, pending{client.Go("Arith.Divide", &arith.Args{A: a, B: b}, q, done),
				func(c *rpc.Call) string {
					if b == 0 {
						if c.Error == nil || c.Error.Error() != "divide by zero" {
							return fmt.Sprintf("Divide(%d, 0): error %v; want divide by zero", a, c.Error)
						}
						return ""
					}
					if c.Error != nil || q.Quo != a/b || q.Rem != a%b {
						return fmt.Sprintf("Divide(%d, %d) = %+v, %v; want {%d %d}", a, b, *q, c.Error, a/b, a%b)
					}
					return ""
				}})
		case 3: // an unknown method
			reply := new(int)
			calls = append(calls, pending{client.Go("Arith.Nope", &arith.Args{A: a, B: b}, reply, done),
				func(c *rpc.Call) string {
					if c.Error == nil || c.Error.Error() != "rpc: can't find method Arith.Nope" {
						return fmt.Sprintf("Arith.Nope: error %v", c.Error)
					}
					return ""
				}})
		case 4: // another service, a slice argument
			values := make([]int64, i%17)
			var want int64
			for j := range values {
				values[j] = int64(i*j - 1000)
				want += values[j]
			}
			sum := new(int64)
			calls = append(calls, pending{client.Go("Kitchen.Sum", values, sum, done),
				func(c *rpc.Call) string {
					if c.Error != nil || *sum != want {
						return fmt.Sprintf("Kitchen.Sum(%v) = %d, %v; want %d", values, *sum, c.Error, want)
					}
					return ""
				}})
		}
	}

	byCall := make(map[*rpc.Call]int, n)
	for i, p := range calls {
		byCall[p.call] = i
	}
	var lines []string
	failures, answered := 0, 0
	for answered < n {
		c := <-done
		answered++
		i, ok := byCall[c]
		if !ok {
			lines = append(lines, "FAIL a reply for a call never made")
			continue
		}
		if why := calls[i].check(c); why != "" {
			failures++
			lines = append(lines, fmt.Sprintf("FAIL call %d: %s", i, why))
		}
	}
	lines = append(lines, fmt.Sprintf("%d concurrent calls on one connection answered, %d wrong", answered, failures))

	// The connection is still good afterwards.
	var product int
	if err := client.Call("Arith.Multiply", &arith.Args{A: 6, B: 7}, &product); err != nil || product != 42 {
		lines = append(lines, fmt.Sprintf("FAIL after the burst: Multiply(6, 7) = %d, %v", product, err))
	} else {
		lines = append(lines, "after the burst: Multiply(6, 7) = 42")
	}
	return lines
}
