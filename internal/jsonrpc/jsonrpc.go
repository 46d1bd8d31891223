// Package jsonrpc owns the JSON-RPC 1.0 framing that OVSDB (RFC 7047)
// uses: a stream of JSON objects with no delimiters between them, each a
// request, a reply or a notification.
package jsonrpc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Message is one JSON-RPC message. A request has Method and a non-null ID;
// a notification has Method and a null ID; a reply has Result or Error and
// the ID of its request.
type Message struct {
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  json.RawMessage `json:"error,omitempty"`
	ID     json.RawMessage `json:"id"`
}

// Kind classifies a message.
type Kind int

// Message kinds.
const (
	KindInvalid Kind = iota
	KindRequest
	KindNotification
	KindReply
)

// Kind returns what m is, or KindInvalid for a malformed message.
func (m *Message) Kind() Kind {
	switch {
	case m.Method != "" && isNull(m.Result) && isNull(m.Error):
		if isNull(m.ID) {
			return KindNotification
		}
		return KindRequest
	case m.Method == "" && m.Result != nil && !isNull(m.ID):
		return KindReply
	}
	return KindInvalid
}

// isNull reports whether raw is absent or the JSON null.
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// MaxMessageSize bounds one incoming message, so a peer cannot make the
// reader buffer without limit.
const MaxMessageSize = 64 << 20

// Decoder reads messages from a stream.
type Decoder struct {
	lr  *io.LimitedReader
	br  *bufio.Reader
	dec *json.Decoder
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader) *Decoder {
	lr := &io.LimitedReader{R: r, N: MaxMessageSize}
	br := bufio.NewReaderSize(lr, 64<<10)
	return &Decoder{lr: lr, br: br, dec: json.NewDecoder(br)}
}

// Buffered reports whether input that has already arrived holds more than
// whitespace, so that the next Decode will not wait for the peer.
func (d *Decoder) Buffered() bool {
	if d.br.Buffered() > 0 {
		return true
	}
	rest, _ := io.ReadAll(d.dec.Buffered())
	return len(bytes.TrimSpace(rest)) > 0
}

// ErrMessageTooLarge is returned when a message exceeds MaxMessageSize.
var ErrMessageTooLarge = errors.New("jsonrpc: message too large")

// Decode reads the next message. Any error leaves the stream unusable: JSON
// text has no resynchronisation point, so the caller closes the
// connection, as ovsdb-server does.
func (d *Decoder) Decode() (*Message, error) {
	// Each message gets the full budget; the limit guards one message.
	d.lr.N = MaxMessageSize
	var m Message
	if err := d.dec.Decode(&m); err != nil {
		if d.lr.N <= 0 {
			return nil, ErrMessageTooLarge
		}
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("jsonrpc: decode: %w", err)
	}
	if m.Kind() == KindInvalid {
		return &m, fmt.Errorf("jsonrpc: message is not a request, notification or reply")
	}
	return &m, nil
}

// Encoder writes messages to a stream. It is safe for concurrent use.
type Encoder struct {
	mu  sync.Mutex
	w   *bufio.Writer
	buf []byte
}

// NewEncoder returns an Encoder writing to w.
func NewEncoder(w io.Writer) *Encoder {
	return &Encoder{w: bufio.NewWriterSize(w, 64<<10)}
}

// Encode buffers one message; call Flush to send buffered messages. The
// message's raw members must hold valid JSON (as every constructor here
// and the Decoder produce); they are copied without re-validation.
func (e *Encoder) Encode(m *Message) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.buf = m.AppendJSON(e.buf[:0])
	if _, err := e.w.Write(e.buf); err != nil {
		return fmt.Errorf("jsonrpc: write: %w", err)
	}
	return nil
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			q, _ := Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// AppendJSON appends m's encoding to b: the same members, in the same
// order, as encoding/json would produce for Message. Like Encode, it
// copies the raw members without re-validating them. It lets a writer
// batch several messages into one buffer of its own.
func (m *Message) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	if m.Method != "" {
		b = append(b, `"method":`...)
		b = appendString(b, m.Method)
		b = append(b, ',')
	}
	for _, member := range []struct {
		name string
		raw  json.RawMessage
	}{{`"params":`, m.Params}, {`"result":`, m.Result}, {`"error":`, m.Error}} {
		if len(member.raw) > 0 {
			b = append(b, member.name...)
			b = append(b, member.raw...)
			b = append(b, ',')
		}
	}
	b = append(b, `"id":`...)
	if len(m.ID) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, m.ID...)
	}
	return append(b, '}')
}

// Flush writes out buffered messages.
func (e *Encoder) Flush() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("jsonrpc: write: %w", err)
	}
	return nil
}

// Marshal encodes v compactly without HTML escaping, as OVS writes JSON.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// NewRequest builds a request with the given id.
func NewRequest(method string, params any, id any) (*Message, error) {
	p, err := Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("jsonrpc: request %s: %w", method, err)
	}
	i, err := Marshal(id)
	if err != nil {
		return nil, fmt.Errorf("jsonrpc: request %s: %w", method, err)
	}
	return &Message{Method: method, Params: p, ID: i}, nil
}

// NewNotification builds a notification (a request with a null id).
func NewNotification(method string, params any) (*Message, error) {
	p, err := Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("jsonrpc: notification %s: %w", method, err)
	}
	return &Message{Method: method, Params: p, ID: json.RawMessage("null")}, nil
}

// NewReply builds a successful reply to the request with id.
func NewReply(id json.RawMessage, result any) (*Message, error) {
	r, err := Marshal(result)
	if err != nil {
		return nil, fmt.Errorf("jsonrpc: reply: %w", err)
	}
	return &Message{Result: r, Error: json.RawMessage("null"), ID: id}, nil
}

// NewErrorReply builds an error reply to the request with id.
func NewErrorReply(id json.RawMessage, errValue any) (*Message, error) {
	e, err := Marshal(errValue)
	if err != nil {
		return nil, fmt.Errorf("jsonrpc: reply: %w", err)
	}
	return &Message{Result: json.RawMessage("null"), Error: e, ID: id}, nil
}
