package ofp

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to DecodeTLV, with a TLV map so that
// tun_metadata matches decode too: it must not panic, and whatever
// decodes must encode to bytes that decode to the same encoding.
func FuzzDecode(f *testing.F) {
	tlv := tunTestMap(f)
	for _, c := range tunCases(f, tlv) {
		if b, err := EncodeTLV(c.v, 1, c.msg, tlv); err == nil {
			f.Add(b)
		}
	}
	for _, file := range []string{"addflow-of10.txt", "addflow-of13.txt", "addflow-of15.txt", "basic.golden", "stats.golden", "dump-requests.txt", "tablefeatures.golden", "packet.golden", "flowremoved.golden", "meters.golden", "versions.golden", "groups.golden"} {
		data, err := os.ReadFile(filepath.Join(goldenDir, file))
		if err != nil {
			f.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			for _, kw := range []string{"msg ", "hex "} {
				if h, ok := strings.CutPrefix(l, kw); ok {
					if b, err := hex.DecodeString(h); err == nil {
						f.Add(b)
					}
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, m, err := DecodeTLV(b, tlv)
		if err != nil {
			return
		}
		once, err := EncodeTLV(h.Version, h.Xid, m, tlv)
		if err != nil {
			return // decodable but not encodable in this version, e.g. OpenFlow 1.0 flow_mod needing NXM
		}
		_, m2, err := DecodeTLV(once, tlv)
		if err != nil {
			t.Fatalf("re-Decode of %x: %v", once, err)
		}
		twice, err := EncodeTLV(h.Version, h.Xid, m2, tlv)
		if err != nil {
			t.Fatalf("re-Encode: %v", err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("encode/decode not stable:\n%x\n%x", once, twice)
		}
	})
}
