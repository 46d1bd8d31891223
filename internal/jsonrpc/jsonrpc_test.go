package jsonrpc

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestDecodeStream(t *testing.T) {
	// Messages back to back, with and without whitespace between them.
	stream := `{"method":"echo","params":[],"id":"echo"}{"method":"update","params":[null,{}],"id":null}` +
		"\n" + `{"id":1,"result":{"locked":true},"error":null} {"id":2,"result":null,"error":"unknown method"}`
	d := NewDecoder(strings.NewReader(stream))
	want := []Kind{KindRequest, KindNotification, KindReply, KindReply}
	for i, k := range want {
		m, err := d.Decode()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if m.Kind() != k {
			t.Errorf("message %d kind = %v, want %v", i, m.Kind(), k)
		}
	}
	if _, err := d.Decode(); !errors.Is(err, io.EOF) {
		t.Errorf("end of stream: %v, want io.EOF", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"not JSON", `{"method":`},
		{"not an object", `[1,2]`},
		{"neither request nor reply", `{"id":1}`},
		{"reply without id", `{"result":1,"error":null,"id":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewDecoder(strings.NewReader(tt.in)).Decode(); err == nil {
				t.Fatalf("Decode(%q) succeeded", tt.in)
			}
		})
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	e := NewEncoder(&buf)
	req, _ := NewRequest("transact", []any{"db", map[string]any{"op": "comment", "comment": "a<b"}}, 7)
	note, _ := NewNotification("update", []any{nil, map[string]any{}})
	reply, _ := NewReply([]byte(`"x"`), []any{})
	for _, m := range []*Message{req, note, reply} {
		if err := e.Encode(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `{"method":"transact","params":["db",{"comment":"a<b","op":"comment"}],"id":7}` +
		`{"method":"update","params":[null,{}],"id":null}{"result":[],"error":null,"id":"x"}`
	if buf.String() != want {
		t.Fatalf("encoded\n got %s\nwant %s", buf.String(), want)
	}
	d := NewDecoder(&buf)
	for _, k := range []Kind{KindRequest, KindNotification, KindReply} {
		m, err := d.Decode()
		if err != nil || m.Kind() != k {
			t.Fatalf("decode: %v kind %v, want %v", err, m.Kind(), k)
		}
	}
}

// FuzzJSONRPCDecode feeds arbitrary bytes to the decoder: it must never
// panic, and every message it accepts must re-encode and decode to the same
// kind.
func FuzzJSONRPCDecode(f *testing.F) {
	f.Add([]byte(`{"method":"echo","params":[],"id":0}`))
	f.Add([]byte(`{"method":"transact","params":["Open_vSwitch",{"op":"select","table":"Bridge","where":[]}],"id":1}{"id":1,"result":[],"error":null}`))
	f.Add([]byte(`{"method":"update","params":[null,{"Bridge":{}}],"id":null}`))
	f.Add([]byte(`{"id":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder(bytes.NewReader(data))
		for i := 0; i < 16; i++ {
			m, err := d.Decode()
			if err != nil {
				return
			}
			var buf bytes.Buffer
			e := NewEncoder(&buf)
			if err := e.Encode(m); err != nil {
				t.Fatalf("re-encode: %v", err)
			}
			e.Flush()
			m2, err := NewDecoder(&buf).Decode()
			if err != nil {
				t.Fatalf("re-decode %s: %v", buf.String(), err)
			}
			if m2.Kind() != m.Kind() {
				t.Fatalf("kind changed from %v to %v", m.Kind(), m2.Kind())
			}
		}
	})
}
