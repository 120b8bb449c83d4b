// Package arith is the Arith service of Go's net/rpc documentation, served
// by the Go peers: the same service plugins/arith re-creates in C++.
package arith

import "errors"

// Args are the arguments of Multiply and Divide.
type Args struct {
	A, B int
}

// Quotient is the reply of Divide.
type Quotient struct {
	Quo, Rem int
}

// Arith is the service.
type Arith int

// Multiply sets *reply to A*B.
func (t *Arith) Multiply(args *Args, reply *int) error {
	*reply = args.A * args.B
	return nil
}

// Divide sets quo to A/B and A%B; B == 0 is an error.
func (t *Arith) Divide(args *Args, quo *Quotient) error {
	if args.B == 0 {
		return errors.New("divide by zero")
	}
	quo.Quo = args.A / args.B
	quo.Rem = args.A % args.B
	return nil
}
