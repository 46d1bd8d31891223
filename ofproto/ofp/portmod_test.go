package ofp

import (
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"

	"github.com/govs/govs/internal/testutil"
)

var portModCases = []struct {
	name string
	v    Version
	msg  *PortMod
	hex  string
}{
	{"down10", OF10, &PortMod{Port: 1, HWAddr: [6]byte{0xaa, 0x55, 0, 0, 0, 1}, Config: PortConfigDown, Mask: PortConfigDown},
		"010f002000000003" + "0001aa5500000001" + "0000000100000001" + "0000000000000000"},
	{"nostp10", OF10, &PortMod{Port: 0xfffe, Config: PortConfigNoSTP | PortConfigNoFlood, Mask: 0x7f, Advertise: 0x2841},
		"010f002000000003" + "fffe000000000000" + "000000120000007f" + "000002c100000000"},
	{"up11", OF11, &PortMod{Port: 2, HWAddr: [6]byte{1, 2, 3, 4, 5, 6}, Mask: PortConfigDown | PortConfigNoSTP},
		"0210002800000003" + "0000000200000000" + "0102030405060000" + "0000000000000001" + "0000000000000000"},
	{"recv13", OF13, &PortMod{Port: 0xfffe, Config: PortConfigNoRecv, Mask: PortConfigNoRecv | PortConfigNoFlood, Advertise: 0x20},
		"0410002800000003" + "fffffffe00000000" + "0000000000000000" + "0000000400000004" + "0000002000000000"},
	{"fwd14", OF14, &PortMod{Port: 7, Config: 0, Mask: PortConfigNoFwd},
		"0510002000000003" + "0000000700000000" + "0000000000000000" + "0000000000000020"},
	{"adv15", OF15, &PortMod{Port: 7, Config: PortConfigNoPacketIn, Mask: PortConfigNoPacketIn, Advertise: 0x8008},
		"0610002800000003" + "0000000700000000" + "0000000000000000" + "0000004000000040" + "0000000800008008"},
}

func TestPortModCodec(t *testing.T) {
	for _, c := range portModCases {
		t.Run(c.name, func(t *testing.T) {
			b, err := Encode(c.v, 3, c.msg)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(b); got != c.hex {
				t.Fatalf("encoded %s, want %s", got, c.hex)
			}
			_, m, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			want := *c.msg
			all := uint32(portConfig10All)
			if c.v != OF10 {
				all = portConfig11All
			}
			want.Config &= all
			want.Mask &= all
			if c.v == OF10 {
				want.Advertise = features10To11(features11To10(want.Advertise))
			}
			if got := *m.(*PortMod); got != want {
				t.Fatalf("decoded %+v, want %+v", got, want)
			}
		})
	}
}

// TestPortModPrintedByOfctl checks the bytes and String against ovs-ofctl
// ofp-print.
func TestPortModPrintedByOfctl(t *testing.T) {
	ofctl := testutil.RequireCommand(t, "ovs-ofctl")
	for _, c := range portModCases {
		t.Run(c.name, func(t *testing.T) {
			out, err := exec.Command(ofctl, "ofp-print", c.hex).CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			first, body, _ := strings.Cut(strings.TrimRight(string(out), "\n"), "(xid=0x3):")
			if !strings.HasPrefix(first, "OFPT_PORT_MOD") {
				t.Fatalf("ofp-print: %s", out)
			}
			_, m, err := Decode(mustHex(t, c.hex))
			if err != nil {
				t.Fatal(err)
			}
			if got := m.(*PortMod).String(); body != got {
				t.Fatalf("ofp-print:\n%q\nours:\n%q", body, got)
			}
		})
	}
}

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPortModDecodeErrors(t *testing.T) {
	ofctl := testutil.RequireCommand(t, "ovs-ofctl")
	for _, c := range []struct {
		name, hex string
		code      ErrorCode
		loose     bool // ovs-ofctl ofp-print decodes loosely and accepts it
	}{
		{"short10", "010f001800000003" + "0001aa5500000001" + "0000000100000001", BadRequestBadLen, false},
		{"long13", "0410003000000003" + "fffffffe00000000" + "0000000000000000" + "0000000400000004" + "0000002000000000" + "0000000000000000", BadRequestBadLen, false},
		{"badprop14", "0510002800000003" + "0000000700000000" + "0000000000000000" + "0000000000000020" + "0005000800000000", BadPropType, true},
		{"proplen14", "0510002800000003" + "0000000700000000" + "0000000000000000" + "0000000000000020" + "0000000c00000000", BadPropLen, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := mustHex(t, c.hex)
			_, _, err := Decode(b)
			e, ok := err.(*Error)
			if !ok || e.Code != c.code {
				t.Fatalf("Decode: %v, want %s", err, c.code)
			}
			if c.loose {
				return
			}
			out, _ := exec.Command(ofctl, "ofp-print", c.hex).CombinedOutput()
			if !strings.Contains(string(out), string(c.code)) {
				t.Errorf("ovs-ofctl ofp-print does not report %s:\n%s", c.code, out)
			}
		})
	}
}
