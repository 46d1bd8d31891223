package ofp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/govs/govs/flowtable"
)

// parsedActions parses actions known to be good.
func parsedActions(s string) flowtable.Actions {
	acts, err := flowtable.ParseActions(s, nil)
	if err != nil {
		panic(err)
	}
	return acts
}

// testContinuation is the state OVS 3.1 froze for a pause in table 2
// (cookie 0x77) reached by resubmits from tables 0 and 1, after a push.
func testContinuation() *Continuation {
	return &Continuation{
		Bridge: [16]byte{0x55, 0x5c, 0x63, 0xfa, 0x5a, 0x40, 0x9d, 0x03, 0x8d, 0x9a, 0xcb, 0x9a, 0xd5, 0x2c, 0xac, 0x95},
		Stack:  [][]byte{{0, 0x2a}},
		Frames: []ContinuationFrame{
			{Table: 2, Cookie: 0x77, Actions: parsedActions("set_field:6->reg3,output:2")},
			{Table: 1, Actions: parsedActions("mod_dl_src:00:00:00:00:00:99,output:2")},
			{Table: 0, Actions: parsedActions("output:3")},
		},
		ActionSet: parsedActions("output:4"),
		ODPPort:   1,
	}
}

// TestContinuationOFPPrint checks the layout against OVS: real ovs-ofctl
// prints the continuation of a govs packet-in2 and resume as it prints
// its own switch's.
func TestContinuationOFPPrint(t *testing.T) {
	if _, err := exec.LookPath("ovs-ofctl"); err != nil {
		t.Skip("ovs-ofctl not installed")
	}
	cont, err := EncodeContinuation(OF13, testContinuation())
	if err != nil {
		t.Fatal(err)
	}
	var md flowtable.Match
	md.SetExact(flowtable.FieldInPort, 1)
	md.SetExact(flowtable.FieldReg[1], 0x2a)
	frame, _ := hex.DecodeString("000000000002000000000001080045000014000000004000000000000a0000010a000002")
	for _, m := range []Message{
		&PacketIn2{Data: frame, TotalLen: uint32(len(frame)), BufferID: NoBuffer, Cookie: 0x77, Table: 2, Reason: 1, Match: md, Userdata: []byte{1, 2}, Continuation: cont},
		&Resume{Data: frame, TotalLen: uint32(len(frame)), BufferID: NoBuffer, Cookie: 0x77, Table: 2, Reason: 1, Match: md, Continuation: cont},
	} {
		b, err := Encode(OF13, 0, m)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("ovs-ofctl", "ofp-print", hex.EncodeToString(b)).CombinedOutput()
		if err != nil {
			t.Fatalf("ofp-print: %v\n%s", err, out)
		}
		// The bridge UUID is printed from host-order words, so only its
		// presence is checked.
		for _, want := range []string{
			" continuation.bridge=",
			" continuation.stack=(top) 0x2a (bottom)\n",
			" continuation.actions=unroll_xlate(table=2, cookie=119),load:0x6->NXM_NX_REG3[],output:2,unroll_xlate(table=1, cookie=0),set_field:00:00:00:00:00:99->eth_src,output:2,unroll_xlate(table=0, cookie=0),output:3\n",
			" continuation.action_set=output:4\n",
			" continuation.odp_port=1\n",
			"reg1=0x2a,in_port=1 (via action) data_len=36 (unbuffered)",
		} {
			if !strings.Contains(string(out), want) {
				t.Errorf("%T: ofp-print lacks %q:\n%s", m, want, out)
			}
		}
	}
}

func TestResumeRoundTrip(t *testing.T) {
	c := testContinuation()
	for _, v := range []Version{OF10, OF13, OF15} {
		b, err := EncodeContinuation(v, c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeContinuation(v, b, nil)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		// Actions decode to their canonical form (mod_dl_src as
		// set_field from OpenFlow 1.2 on), so the decoded state is
		// compared by its encoding.
		again, err := EncodeContinuation(v, got)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("%s: re-encoded %x (%v), want %x", v, again, err, b)
		}
		if got.Bridge != c.Bridge || len(got.Frames) != 3 || got.Frames[0].Table != 2 || got.Frames[0].Cookie != 0x77 {
			t.Fatalf("%s: decoded %+v", v, got)
		}
		var md flowtable.Match
		md.SetExact(flowtable.FieldInPort, 3)
		md.SetExact(flowtable.FieldMetadata, 9)
		r := &Resume{Data: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, TotalLen: 14, BufferID: NoBuffer,
			Cookie: ^uint64(0), Match: md, Continuation: b}
		msg, err := Encode(v, 5, r)
		if err != nil {
			t.Fatal(err)
		}
		h, m, err := Decode(msg)
		if err != nil {
			t.Fatal(err)
		}
		if h.Xid != 5 || !reflect.DeepEqual(m, r) {
			t.Fatalf("%s: decoded %+v, want %+v", v, m, r)
		}
	}
}

// TestContinuationInstructions: what is left of a flow's instructions
// travels as Nicira actions.
func TestContinuationInstructions(t *testing.T) {
	c := &Continuation{Frames: []ContinuationFrame{{Actions: flowtable.Actions{
		&flowtable.WriteMetadata{Value: 1, Mask: 3}, &flowtable.GotoTable{Table: 4}}}}}
	b, err := EncodeContinuation(OF13, c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeContinuation(OF13, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := flowtable.Actions{&flowtable.WriteMetadata{Value: 1, Mask: 3},
		&flowtable.Resubmit{InPort: flowtable.PortInPort, Table: 4}}
	if !reflect.DeepEqual(got.Frames[0].Actions, want) {
		t.Fatalf("got %s, want %s", got.Frames[0].Actions, want)
	}
	c.Frames[0].Actions = flowtable.Actions{&flowtable.WriteActions{Actions: parsedActions("output:1")}}
	if _, err := EncodeContinuation(OF13, c); err == nil {
		t.Fatal("write_actions encoded as an action")
	}
}

func TestContinuationErrors(t *testing.T) {
	tests := []struct {
		name, hex string
		code      ErrorCode
	}{
		{"short header", "8000", "OFPBPC_BAD_LEN"},
		{"length below header", "80000002", "OFPBPC_BAD_LEN"},
		{"length past end", "8000001400000000", "OFPBPC_BAD_LEN"},
		{"missing padding", "80040005", "OFPBPC_BAD_LEN"},
		{"bridge of 4 bytes", "8000000800000000", "OFPBPC_BAD_LEN"},
		{"table of 2 bytes", "8004000600000000", "OFPBPC_BAD_LEN"},
		{"unknown property", "8009000400000000", "OFPBPC_BAD_TYPE"},
		{"actions without padding", "80060004" + "00000000", "OFPBPC_BAD_LEN"},
		{"bad action", "8006001000000000" + "0063000800000000", "OFPBAC_BAD_TYPE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := hex.DecodeString(tc.hex)
			_, err := DecodeContinuation(OF13, b, nil)
			var oe *Error
			if !errors.As(err, &oe) || oe.Code != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
		})
	}
	// A stack entry larger than any field.
	b, err := EncodeContinuation(OF13, &Continuation{Stack: [][]byte{make([]byte, maxStackEntry+1)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeContinuation(OF13, b, nil); err == nil {
		t.Fatal("oversized stack entry accepted")
	}
}

func TestResumeErrors(t *testing.T) {
	// An NXT_RESUME without a packet is refused as OVS refuses it.
	b, err := Encode(OF13, 1, &Resume{BufferID: NoBuffer, Cookie: ^uint64(0)})
	if err != nil {
		t.Fatal(err)
	}
	var oe *Error
	if _, _, err := Decode(b); !errors.As(err, &oe) || oe.Code != BadRequestBadLen {
		t.Fatalf("error %v, want OFPBRC_BAD_LEN", err)
	}
	// A truncated nested continuation.
	msg := "0404000000000001000023200000001c" + "0000000e010203040506070809100000" + "00080004"
	raw, _ := hex.DecodeString(msg)
	raw[3] = byte(len(raw))
	if _, _, err := Decode(raw); !errors.As(err, &oe) || oe.Code != "OFPBPC_BAD_LEN" {
		t.Fatalf("error %v, want OFPBPC_BAD_LEN", err)
	}
}

// FuzzResume feeds NXT_RESUME messages and continuations to the decoders:
// they must not panic, and whatever decodes must encode back to what
// decodes the same.
func FuzzResume(f *testing.F) {
	for _, v := range []Version{OF10, OF13, OF15} {
		cont, err := EncodeContinuation(v, testContinuation())
		if err != nil {
			f.Fatal(err)
		}
		var md flowtable.Match
		md.SetExact(flowtable.FieldInPort, 1)
		md.SetExact(flowtable.FieldReg[1], 0x2a)
		msg, err := Encode(v, 1, &Resume{Data: make([]byte, 14), TotalLen: 14, BufferID: NoBuffer,
			Cookie: ^uint64(0), Match: md, Continuation: cont})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(v), msg)
		f.Add(uint8(v), cont)
	}
	f.Fuzz(func(t *testing.T, version uint8, b []byte) {
		v := Version(version%6 + 1)
		if c, err := DecodeContinuation(v, b, nil); err == nil {
			again, err := EncodeContinuation(v, c)
			if err != nil {
				// Decoded actions that cannot be encoded again are
				// the action codec's business, not the continuation's.
				return
			}
			c2, err := DecodeContinuation(v, again, nil)
			if err != nil {
				t.Fatalf("re-encoded continuation %x does not decode: %v", again, err)
			}
			if third, err := EncodeContinuation(v, c2); err != nil || !bytes.Equal(third, again) {
				t.Fatalf("continuation encoding not stable: %x then %x (%v)", again, third, err)
			}
		}
		_, m, err := Decode(b)
		if r, ok := m.(*Resume); ok && err == nil {
			_, _ = DecodeContinuation(v, r.Continuation, nil)
		}
	})
}
