package ofp

import (
	"bytes"
	"testing"
)

// TestUnencodableError: an error a version has no code for goes out as
// NXBRC_UNENCODABLE_ERROR with the offending message, as OVS sends it
// (checked against ovs-ofctl -O OpenFlow11 mod-table br0 254 drop).
func TestUnencodableError(t *testing.T) {
	data := []byte{2, 17, 0, 16, 0, 0, 0, 4, 254, 0, 0, 0, 0, 0, 0, 2}
	b, err := Encode(OF11, 4, &ErrorMsg{Code: TableModEPerm, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte{2, 1, 0, 0x1c, 0, 0, 0, 4, 0xb0, 0xc2, 0, 0, 0, 0, 0x23, 0x20, 0, 1, 2, 9}, data...)
	want[3] = byte(len(want))
	if !bytes.Equal(b, want) {
		t.Fatalf("encoded\n% x\nwant\n% x", b, want)
	}
	_, m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if e := m.(*ErrorMsg); e.Code != unencodableError || !bytes.Equal(e.Data, data) {
		t.Fatalf("decoded %+v", e)
	}
	if _, err := Encode(OF14, 4, &ErrorMsg{Code: "NO_SUCH_ERROR"}); err == nil {
		t.Fatal("an unknown error encoded")
	}
}
