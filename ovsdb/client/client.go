// Package client is an OVSDB (RFC 7047) client for long-lived users such as
// vswitchd: one connection with concurrent requests, echo answered,
// "monitor" updates kept in a local replica of the tables it watches. It
// works against govs' server and against a real ovsdb-server.
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/govs/govs/internal/jsonrpc"
	"github.com/govs/govs/ovsdb"
)

// Client is one connection to an OVSDB server.
type Client struct {
	conn net.Conn
	dec  *jsonrpc.Decoder

	writeMu sync.Mutex // serializes encoder use
	enc     *jsonrpc.Encoder

	mu       sync.Mutex
	nextID   int
	pending  map[string]chan *jsonrpc.Message
	monitors map[string]func(json.RawMessage)
	err      error // why the connection ended

	done chan struct{}
}

// Dial connects to an OVSDB remote: "unix:PATH" or "tcp:HOST:PORT".
func Dial(ctx context.Context, remote string) (*Client, error) {
	network, addr, ok := strings.Cut(remote, ":")
	if !ok || (network != "unix" && network != "tcp") {
		return nil, fmt.Errorf("ovsdb client: unsupported remote %q", remote)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("ovsdb client: connect to %s: %w", remote, err)
	}
	c := &Client{
		conn:     conn,
		dec:      jsonrpc.NewDecoder(conn),
		enc:      jsonrpc.NewEncoder(conn),
		pending:  map[string]chan *jsonrpc.Message{},
		monitors: map[string]func(json.RawMessage){},
		done:     make(chan struct{}),
	}
	go c.readLoop()
	return c, nil
}

// Close ends the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Done is closed when the connection ends; Err then says why.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err is why the connection ended, once Done is closed.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *Client) readLoop() {
	var err error
	for {
		var m *jsonrpc.Message
		if m, err = c.dec.Decode(); err != nil {
			break
		}
		switch m.Kind() {
		case jsonrpc.KindReply:
			c.mu.Lock()
			ch := c.pending[string(m.ID)]
			delete(c.pending, string(m.ID))
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			}
		case jsonrpc.KindRequest:
			if m.Method == "echo" {
				reply, _ := jsonrpc.NewReply(m.ID, json.RawMessage(m.Params))
				c.send(reply)
			}
		case jsonrpc.KindNotification:
			if m.Method == "update" {
				c.deliverUpdate(m.Params)
			}
		}
	}
	c.mu.Lock()
	c.err = fmt.Errorf("ovsdb client: connection lost: %w", err)
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
	c.mu.Unlock()
	close(c.done)
}

// deliverUpdate hands an "update" notification's table updates to the
// monitor it names.
func (c *Client) deliverUpdate(params json.RawMessage) {
	var p []json.RawMessage
	if json.Unmarshal(params, &p) != nil || len(p) != 2 {
		return
	}
	c.mu.Lock()
	fn := c.monitors[string(p[0])]
	c.mu.Unlock()
	if fn != nil {
		fn(p[1])
	}
}

func (c *Client) send(m *jsonrpc.Message) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := c.enc.Encode(m); err != nil {
		return err
	}
	return c.enc.Flush()
}

// Call sends a request and waits for its result.
func (c *Client) Call(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, c.err
	}
	c.nextID++
	id := c.nextID
	req, err := jsonrpc.NewRequest(method, params, id)
	if err != nil {
		c.mu.Unlock()
		return nil, fmt.Errorf("ovsdb client: %s: %w", method, err)
	}
	ch := make(chan *jsonrpc.Message, 1)
	c.pending[string(req.ID)] = ch
	c.mu.Unlock()
	if err := c.send(req); err != nil {
		return nil, fmt.Errorf("ovsdb client: %s: send: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return nil, c.Err()
		}
		if len(m.Error) > 0 && string(m.Error) != "null" {
			return nil, fmt.Errorf("ovsdb client: %s: %s", method, m.Error)
		}
		return m.Result, nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, string(req.ID))
		c.mu.Unlock()
		return nil, ctx.Err()
	}
}

// Schema fetches a database's schema.
func (c *Client) Schema(ctx context.Context, db string) (*ovsdb.DatabaseSchema, error) {
	raw, err := c.Call(ctx, "get_schema", db)
	if err != nil {
		return nil, err
	}
	return ovsdb.ParseSchema(raw)
}

// OpError is an operation of a transaction that the server refused.
type OpError struct {
	Index   int
	Kind    string // the RFC 7047 error name, e.g. "constraint violation"
	Details string
}

func (e *OpError) Error() string {
	return fmt.Sprintf("ovsdb transaction: operation %d: %s: %s", e.Index, e.Kind, e.Details)
}

// Transact runs operations (RFC 7047 operation objects) as one transaction
// and returns each operation's result; any refused operation is an
// *OpError.
func (c *Client) Transact(ctx context.Context, db string, ops ...any) ([]json.RawMessage, error) {
	raw, err := c.Call(ctx, "transact", append([]any{db}, ops...)...)
	if err != nil {
		return nil, err
	}
	var results []json.RawMessage
	if err := json.Unmarshal(raw, &results); err != nil {
		return nil, fmt.Errorf("ovsdb transaction: bad reply: %w", err)
	}
	for i, r := range results {
		var e struct {
			Error   string `json:"error"`
			Details string `json:"details"`
		}
		if json.Unmarshal(r, &e) == nil && e.Error != "" {
			return results, &OpError{Index: i, Kind: e.Error, Details: e.Details}
		}
	}
	return results, nil
}

// ErrNoTable is returned by Monitor for a table the schema lacks.
var ErrNoTable = errors.New("ovsdb client: no such table")
