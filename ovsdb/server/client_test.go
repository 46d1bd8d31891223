package server

import (
	"encoding/json"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/govs/govs/internal/jsonrpc"
)

// testClient is a minimal pipelining JSON-RPC client for tests and
// benchmarks: requests go out as soon as they are made, replies and
// notifications are delivered to channels.
type testClient struct {
	conn    net.Conn
	enc     *jsonrpc.Encoder
	mu      sync.Mutex
	nextID  int
	pending map[string]chan *jsonrpc.Message
	notes   chan *jsonrpc.Message
	done    chan struct{}
}

func dialTest(tb testing.TB, network, addr string) *testClient {
	tb.Helper()
	conn, err := net.Dial(network, addr)
	if err != nil {
		tb.Fatal(err)
	}
	c := &testClient{
		conn: conn, enc: jsonrpc.NewEncoder(conn), pending: map[string]chan *jsonrpc.Message{},
		notes: make(chan *jsonrpc.Message, 1<<16), done: make(chan struct{}),
	}
	go c.read()
	tb.Cleanup(func() { conn.Close() })
	return c
}

func (c *testClient) read() {
	defer close(c.done)
	dec := jsonrpc.NewDecoder(c.conn)
	for {
		m, err := dec.Decode()
		if err != nil {
			c.mu.Lock()
			for id, ch := range c.pending {
				close(ch)
				delete(c.pending, id)
			}
			c.mu.Unlock()
			return
		}
		if m.Kind() != jsonrpc.KindReply {
			c.notes <- m
			continue
		}
		c.mu.Lock()
		ch := c.pending[string(m.ID)]
		delete(c.pending, string(m.ID))
		c.mu.Unlock()
		if ch != nil {
			ch <- m
		}
	}
}

// start sends a request and returns the channel its reply arrives on
// (closed without a reply if the connection drops).
func (c *testClient) start(method string, params ...any) (<-chan *jsonrpc.Message, error) {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan *jsonrpc.Message, 1)
	c.pending[fmt.Sprint(id)] = ch
	c.mu.Unlock()
	if params == nil {
		params = []any{}
	}
	req, err := jsonrpc.NewRequest(method, params, id)
	if err != nil {
		return nil, err
	}
	if err := c.enc.Encode(req); err != nil {
		return nil, err
	}
	return ch, c.enc.Flush()
}

// call sends a request and waits for its result, failing on an error reply.
func (c *testClient) call(tb testing.TB, method string, params ...any) json.RawMessage {
	tb.Helper()
	ch, err := c.start(method, params...)
	if err != nil {
		tb.Fatal(err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			tb.Fatalf("%s: connection closed", method)
		}
		if string(m.Error) != "null" && len(m.Error) > 0 {
			tb.Fatalf("%s: error %s", method, m.Error)
		}
		return m.Result
	case <-time.After(10 * time.Second):
		tb.Fatalf("%s: no reply", method)
	}
	return nil
}

// nextNote waits for a notification.
func (c *testClient) nextNote(tb testing.TB) *jsonrpc.Message {
	tb.Helper()
	select {
	case m := <-c.notes:
		return m
	case <-time.After(5 * time.Second):
		tb.Fatal("no notification")
	}
	return nil
}

// noNote checks that no notification arrives soon.
func (c *testClient) noNote(tb testing.TB) {
	tb.Helper()
	select {
	case m := <-c.notes:
		tb.Fatalf("unexpected notification %s %s", m.Method, m.Params)
	case <-time.After(50 * time.Millisecond):
	}
}
