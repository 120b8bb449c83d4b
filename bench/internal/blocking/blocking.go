// Package blocking is the Blocking service of bench/run's `blocking`
// scenario, served by the Go peers: the method bench/blocking re-creates as
// a plugrpcd plugin registered as blocking. Go's net/rpc runs each call in
// a goroutine of its own, so sleeping calls wait side by side.
package blocking

import (
	"errors"
	"time"
)

// Args is the argument of Sleep.
type Args struct {
	Millis int64
}

// Blocking is the service.
type Blocking int

// Sleep sleeps Millis milliseconds (0 to 1000) and replies Millis.
func (t *Blocking) Sleep(args *Args, reply *int64) error {
	if args.Millis < 0 {
		return errors.New("negative Millis")
	}
	ms := args.Millis
	if ms > 1000 {
		ms = 1000
	}
	time.Sleep(time.Duration(ms) * time.Millisecond)
	*reply = args.Millis
	return nil
}
