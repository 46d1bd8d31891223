package flowtable

import (
	"encoding/hex"
	"testing"
)

// TestNSHAndPacketTypeMatching: NSH fields parsed from a frame meet flows
// on them, and a packet type other than Ethernet meets no Ethernet frame.
func TestNSHAndPacketTypeMatching(t *testing.T) {
	nshFrame, _ := hex.DecodeString("000000000002000000000001894f" + "0fc60103123456ff" + "00000001000000020000000300000004")
	ipFrame, _ := hex.DecodeString("000000000002000000000001080045000014000000004006000001020304050607080000")
	tests := []struct {
		match string
		frame []byte
		want  bool
	}{
		{"dl_type=0x894f,nsh_mdtype=1,nsh_spi=0x123456,nsh_si=255,nsh_c1=1,nsh_c4=4", nshFrame, true},
		{"dl_type=0x894f,nsh_ttl=63,nsh_np=3,nsh_flags=0", nshFrame, true},
		{"dl_type=0x894f,nsh_spi=0x123457", nshFrame, false},
		{"dl_type=0x894f,nsh_c2=0x2/0xff", nshFrame, true},
		{"packet_type=(1,0x894f),nsh_spi=0x123456", nshFrame, false}, // an Ethernet frame
		{"packet_type=(0,0),ip", ipFrame, true},
		{"packet_type=(1,0x800)", ipFrame, false},
		{"packet_type=(1,0x800),nw_src=1.2.3.4", ipFrame, false},
		{"ip,nw_src=1.2.3.4", ipFrame, true},
	}
	for _, tt := range tests {
		m, err := ParseMatch(tt.match, nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.match, err)
		}
		var k Key
		k.ParseFrame(tt.frame)
		if got := m.Matches(&k); got != tt.want {
			t.Errorf("%s: Matches = %v, want %v", tt.match, got, tt.want)
		}
	}
}

// TestPacketTypeSyntax: packet_type parses and prints as ovs-ofctl does,
// and (1,type) implies the Ethertype for the fields that need it.
func TestPacketTypeSyntax(t *testing.T) {
	tests := []struct{ in, out, err string }{
		{in: "packet_type=(0,0)", out: ""},
		{in: "packet_type=(1,0x800),nw_src=10.0.0.1", out: "packet_type=(1,0x800),nw_src=10.0.0.1"},
		{in: "packet_type=(1,0x806),arp_op=1", out: "packet_type=(1,0x806),arp_op=1"},
		{in: "packet_type=(3,16)", out: "packet_type=(3,0x10)"},
		{in: "packet_type=(2,5)", out: "packet_type=(2,5)"},
		{in: "packet_type=1", err: "1: bad syntax for packet type missing '('"},
		{in: "packet_type=(1 0x800)", err: "1 0x800): bad syntax for packet type missing ','"},
		{in: "packet_type=(1,x)", err: "x): bad syntax for packet type ns_type"},
		{in: "packet_type=(1,0x10000)", err: "0x10000): bad syntax for packet type ns_type"},
		{in: "packet_type=(0x10000,1)", err: "0x10000,1): bad syntax for packet type ns"},
		{in: "packet_type=(1,0x800,0)", err: "0x800,0): bad syntax for packet type missing ')'"},
	}
	for _, tt := range tests {
		m, err := ParseMatch(tt.in, nil)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if got := m.Format(nil); got != tt.out {
			t.Errorf("%s: prints %q, want %q", tt.in, got, tt.out)
		}
	}
}
