package client

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

type pending struct {
	a, b int64
	sent time.Time
}

// json2 is a hand-written JSON-RPC 2.0 client over a byte stream.
type json2 struct {
	nc   net.Conn
	w    *bufio.Writer
	dec  *json.Decoder
	buf  []byte
	next uint64
	wait map[uint64]pending
}

func dialJSON2(addr string, o Options) (Conn, error) {
	nc, err := o.Dialer.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &json2{nc: nc, w: bufio.NewWriterSize(nc, 64<<10), dec: json.NewDecoder(nc), next: 1,
		wait: make(map[uint64]pending, o.MaxBusy)}, nil
}

// appendRequest writes {"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":a,"B":b},"id":id}.
func appendRequest(buf []byte, a, b int64, id uint64) []byte {
	buf = append(buf, `{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":`...)
	buf = strconv.AppendInt(buf, a, 10)
	buf = append(buf, `,"B":`...)
	buf = strconv.AppendInt(buf, b, 10)
	buf = append(buf, `},"id":`...)
	buf = strconv.AppendUint(buf, id, 10)
	return append(buf, '}')
}

func (j *json2) Send(a, b int64) error {
	id := j.next
	j.next++
	j.wait[id] = pending{a, b, time.Now()}
	j.buf = append(appendRequest(j.buf[:0], a, b, id), '\n')
	_, err := j.w.Write(j.buf)
	return err
}

func (j *json2) Flush() error { return j.w.Flush() }

// Ready: the decoder holds a byte that is not whitespace between values.
func (j *json2) Ready() bool {
	r, ok := j.dec.Buffered().(io.ByteReader)
	if !ok {
		return false
	}
	for {
		c, err := r.ReadByte()
		if err != nil {
			return false
		}
		if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
			return true
		}
	}
}

type reply2 struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      *uint64         `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (j *json2) Recv() (Reply, error) {
	var m reply2
	if err := j.dec.Decode(&m); err != nil {
		return Reply{}, err
	}
	if m.ID == nil {
		return Reply{}, errors.New("jsonrpc2: reply without a numeric id")
	}
	p, ok := j.wait[*m.ID]
	if !ok {
		return Reply{}, fmt.Errorf("jsonrpc2: reply to unknown id %d", *m.ID)
	}
	delete(j.wait, *m.ID)
	r := Reply{A: p.a, B: p.b, Sent: p.sent}
	switch {
	case m.JSONRPC != "2.0":
		r.Err = fmt.Errorf(`jsonrpc2: reply without "jsonrpc":"2.0"`)
	case m.Error != nil:
		r.Err = fmt.Errorf("jsonrpc2: error %d: %s", m.Error.Code, m.Error.Message)
	default:
		n, err := strconv.ParseInt(string(m.Result), 10, 64)
		if err != nil {
			r.Err = fmt.Errorf("jsonrpc2: result %q is not an integer", m.Result)
		}
		r.Result = n
	}
	return r, nil
}

func (j *json2) Close() error { return j.nc.Close() }
