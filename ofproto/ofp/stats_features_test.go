package ofp

import (
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"

	"github.com/govs/govs/internal/testutil"
)

// TestTableFeaturesPrintedByOfctl encodes a table features reply and has
// the real ovs-ofctl print it, then checks the round trip.
func TestTableFeaturesPrintedByOfctl(t *testing.T) {
	reply := &TableFeaturesReply{Tables: []TableFeatures{
		{Table: 0, Name: "classifier", MetadataMatch: ^uint64(0), MetadataWrite: ^uint64(0), MaxEntries: 1000000},
		{Table: 1, Name: "table1", MetadataMatch: ^uint64(0), MetadataWrite: ^uint64(0), MaxEntries: 1000000},
	}}
	for _, v := range []Version{OF13, OF14, OF15} {
		b, err := Encode(v, 7, reply)
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: decode: %v", v, err)
		}
		back, _ := Encode(v, 7, got)
		if string(back) != string(b) {
			t.Fatalf("%s: round trip differs", v)
		}
		req, _ := Encode(v, 8, &TableFeaturesRequest{})
		if _, m, err := Decode(req); err != nil || m == nil {
			t.Fatalf("%s: request: %v", v, err)
		}
		ofctl := testutil.RequireCommand(t, "ovs-ofctl")
		out, err := exec.Command(ofctl, "ofp-print", hexBytes(b)).CombinedOutput()
		if err != nil || !strings.Contains(string(out), `table 1 ("table1")`) || strings.Contains(string(out), "decode error") {
			t.Fatalf("%s: ovs-ofctl ofp-print: %v\n%s", v, err, out)
		}
	}
}

func hexBytes(b []byte) string { return hex.EncodeToString(b) }
