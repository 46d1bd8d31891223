package flowtable

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// goldenRecord is one flow from testdata/ofctl/flows.golden: what was given
// to real ovs-ofctl add-flow and what dump-flows printed back.
type goldenRecord struct {
	in, proto string
	out       []string // --no-stats lines, port numbers
	names     []string // the same with --names
	errs      []string // stderr of a refused flow
	line      int
}

func readGolden(t *testing.T, path string) []goldenRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open golden file: %v", err)
	}
	defer f.Close()
	var recs []goldenRecord
	var cur *goldenRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		tag, rest, _ := strings.Cut(line, " ")
		switch tag {
		case "in":
			recs = append(recs, goldenRecord{in: rest, line: n})
			cur = &recs[len(recs)-1]
		case "proto":
			cur.proto = rest
		case "out":
			cur.out = append(cur.out, rest)
		case "names":
			cur.names = append(cur.names, rest)
		case "err":
			cur.errs = append(cur.errs, rest)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read golden file: %v", err)
	}
	return recs
}

// goldenPorts are the names of the bridge the golden files were made on:
// its ports and the TLV map gen.sh installs.
var goldenPorts = Names{
	Ports: PortMap{"veth11": 1, "veth22": 2, "veth21": 3, "p4": 4, "br0": PortLocal},
	TLV:   goldenTLV,
}

// goldenNoPorts has the golden bridge's TLV map but prints port numbers.
var goldenNoPorts = Names{TLV: goldenTLV}

var goldenTLV = func() *TLVMap {
	t, err := NewTLVMap(
		TLVMapping{Class: 0xffff, Type: 0, Length: 4, Index: 0},
		TLVMapping{Class: 0xffff, Type: 1, Length: 8, Index: 1},
		TLVMapping{Class: 0x0102, Type: 0x80, Length: 16, Index: 2},
	)
	if err != nil {
		panic(err)
	}
	return t
}()
