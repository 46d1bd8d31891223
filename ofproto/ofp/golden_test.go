package ofp

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/govs/govs/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite testdata/ofp golden files from ovs-ofctl")

// goldenDir holds captured and recorded bytes.
var goldenDir = filepath.Join("..", "..", "testdata", "ofp")

// goldenRecord is one message: its bytes and how `ovs-ofctl ofp-print`
// prints them.
type goldenRecord struct {
	hex  string
	text []string
}

// readGolden reads a golden file of records "name N", "hex H", "text T"...
func readGolden(t *testing.T, file string) map[string]goldenRecord {
	t.Helper()
	f, err := os.Open(filepath.Join(goldenDir, file))
	if err != nil {
		if *update && os.IsNotExist(err) {
			return map[string]goldenRecord{}
		}
		t.Fatalf("read golden: %v", err)
	}
	defer f.Close()
	recs := map[string]goldenRecord{}
	var name string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		kw, rest, _ := strings.Cut(sc.Text(), " ")
		r := recs[name]
		switch kw {
		case "name":
			name = rest
			continue
		case "hex":
			r.hex = rest
		case "text":
			r.text = append(r.text, rest)
		}
		recs[name] = r
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read golden: %v", err)
	}
	return recs
}

func writeGolden(t *testing.T, file string, recs map[string]goldenRecord) {
	t.Helper()
	var b bytes.Buffer
	names := make([]string, 0, len(recs))
	for n := range recs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "name %s\nhex %s\n", n, recs[n].hex)
		for _, l := range recs[n].text {
			fmt.Fprintf(&b, "text %s\n", l)
		}
		b.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(goldenDir, file), b.Bytes(), 0o644); err != nil {
		t.Fatalf("write golden: %v", err)
	}
}

// ofpPrint returns `ovs-ofctl ofp-print HEX` (with stderr) split in lines.
// It skips the test without ovs-ofctl, or fails it under CI.
func ofpPrint(t *testing.T, b []byte, verbosity ...string) []string {
	t.Helper()
	path := testutil.RequireCommand(t, "ovs-ofctl")
	out, err := exec.Command(path, append([]string{"ofp-print", hex.EncodeToString(b)}, verbosity...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ovs-ofctl ofp-print: %v\n%s", err, out)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}

// haveOfctl reports whether ovs-ofctl can be run.
func haveOfctl() bool {
	_, err := exec.LookPath("ovs-ofctl")
	return err == nil
}

// printErrorMarkers are what ofp-print writes for bytes it cannot decode.
var printErrorMarkers = []string{"***", "decode error", "unknown"}

func checkOfctlText(t *testing.T, lines []string) {
	t.Helper()
	for _, l := range lines {
		for _, m := range printErrorMarkers {
			if strings.Contains(l, m) {
				t.Errorf("ovs-ofctl ofp-print reports a problem: %q", l)
			}
		}
	}
}

// goldenCase is a message that must encode to the golden bytes, which
// ovs-ofctl must print as recorded and without complaint, and which must
// decode back to an equal encoding.
type goldenCase struct {
	name string
	v    Version
	msg  Message
}

// runGolden checks cases against a golden file (rewritten with -update).
func runGolden(t *testing.T, file string, cases []goldenCase) {
	t.Helper()
	recs := readGolden(t, file)
	if *update {
		testutil.RequireCommand(t, "ovs-ofctl")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Encode(tc.v, 0x10, tc.msg)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if *update {
				recs[tc.name] = goldenRecord{hex: hex.EncodeToString(got), text: ofpPrint(t, got)}
			}
			rec, ok := recs[tc.name]
			if !ok {
				t.Fatalf("no golden record (run go test -update)")
			}
			if h := hex.EncodeToString(got); h != rec.hex {
				t.Errorf("Encode\n got %s\nwant %s", h, rec.hex)
			}
			checkOfctlText(t, rec.text)
			_, m, err := Decode(got)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			again, err := Encode(tc.v, 0x10, m)
			if err != nil {
				t.Fatalf("re-Encode: %v", err)
			}
			if !bytes.Equal(again, got) {
				t.Errorf("decode/encode round trip\n got %x\nwant %x", again, got)
			}
		})
	}
	if *update {
		writeGolden(t, file, recs)
	}
}

// TestGoldenTextMatchesOfctl checks that the recorded ofp-print text of
// every golden file is what the installed ovs-ofctl prints today.
func TestGoldenTextMatchesOfctl(t *testing.T) {
	if !haveOfctl() && !testutil.InCI() {
		t.Skip("needs ovs-ofctl")
	}
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for name, rec := range readGolden(t, filepath.Base(f)) {
			b, err := hex.DecodeString(rec.hex)
			if err != nil {
				t.Fatalf("%s %s: %v", f, name, err)
			}
			if got := ofpPrint(t, b); !slices.Equal(got, rec.text) {
				t.Errorf("%s %s: ovs-ofctl prints\n%s\nrecorded\n%s", filepath.Base(f), name,
					strings.Join(got, "\n"), strings.Join(rec.text, "\n"))
			}
		}
	}
}
