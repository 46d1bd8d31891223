package flowtable

import (
	"strings"
	"testing"
)

func TestTLVMapLayout(t *testing.T) {
	tlv, err := NewTLVMap(
		TLVMapping{Class: 0x0102, Type: 0x80, Length: 4, Index: 0}, // OVN's option
		TLVMapping{Class: 0xffff, Type: 1, Length: 8, Index: 5},
	)
	if err != nil {
		t.Fatal(err)
	}
	names := Names{TLV: tlv}
	m, err := ParseMatch("tun_metadata0=0x11223344,tun_metadata5=0x5/0xff", names)
	if err != nil {
		t.Fatal(err)
	}
	// Option 0 fills the area's first four bytes, option 5 the next eight.
	if got, want := m.Key[wTunMeta0], uint64(0x11223344_00000000); got != want {
		t.Errorf("word 0 = %#x, want %#x", got, want)
	}
	if got, want := m.Key[wTunMeta1], uint64(0x05_00000000); got != want {
		t.Errorf("word 1 = %#x, want %#x", got, want)
	}
	if got, want := m.Key[wTunMetaPresent], uint64(1|1<<5); got != want {
		t.Errorf("present map = %#x, want %#x (matching an option requires it)", got, want)
	}
	if got, want := m.Format(names), "tun_metadata0=0x11223344,tun_metadata5=0x5/0xff"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
	sf, err := ParseSubfieldNames("NXM_NX_TUN_METADATA0[16..30]", names)
	if err != nil {
		t.Fatal(err)
	}
	if got := sf.Get(&m.Key); got != 0x1122&0x7fff {
		t.Errorf("tun_metadata0[16..30] = %#x", got)
	}
	if _, err := ParseMatch("tun_metadata1=1", names); err == nil || !strings.Contains(err.Error(), "unknown keyword") {
		t.Errorf("unmapped tun_metadata1: err %v", err)
	}
	if _, err := ParseSubfield("NXM_NX_TUN_METADATA0[]"); err == nil {
		t.Error("tun_metadata0 resolved without a TLV map")
	}
}

func TestTLVMapLimits(t *testing.T) {
	tests := []struct {
		name string
		maps []TLVMapping
		err  string
	}{
		{"index out of range", []TLVMapping{{Index: 64, Length: 4}}, "index out of range"},
		{"length not a multiple of 4", []TLVMapping{{Index: 0, Length: 6}}, "not a multiple of 4"},
		{"index twice", []TLVMapping{{Index: 1, Length: 4}, {Index: 1, Type: 2, Length: 4}}, "mapped twice"},
		{"option twice", []TLVMapping{{Index: 1, Length: 4}, {Index: 2, Length: 4}}, "mapped twice"},
		{"bounded area", []TLVMapping{{Index: 0, Length: 60}, {Index: 1, Type: 1, Length: 8}}, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewTLVMap(tt.maps...)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err %v, want one containing %q", err, tt.err)
			}
		})
	}
}
