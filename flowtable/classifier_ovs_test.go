package flowtable

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

var (
	ovsRefOut   = flag.String("ovsref.out", "", "write a lookup benchmark's rules and keys to this file, for bench/ovs-classifier")
	ovsRefRules = flag.Int("ovsref.rules", 10_000, "the benchmark's number of rules")
	ovsRefMasks = flag.Int("ovsref.masks", 20, "the benchmark's number of masks")
	ovsRefPrio  = flag.String("ovsref.prio", "mask", "the benchmark's priorities: mask or random")
)

// ovsRefFields returns the fields bench rules and keys use, in the order
// bench/ovs-classifier/clsbench.c reads them.
func ovsRefFields() []*Field {
	return []*Field{FieldInPort, FieldEthDst, FieldReg[0], FieldMetadata, FieldEthType, FieldIPSrc, FieldIPDst, FieldNwProto, FieldTCPSrc, FieldTCPDst}
}

// TestWriteOVSRefRules writes the rules and keys (in lookup order) of one
// BenchmarkClassifierLookup case, so that bench/ovs-classifier can time
// Open vSwitch's own classifier on the same lookups. It runs only when
// asked to with -ovsref.out.
func TestWriteOVSRefRules(t *testing.T) {
	if *ovsRefOut == "" {
		t.Skip("writes a file for bench/ovs-classifier only when given -ovsref.out")
	}
	f, err := os.Create(*ovsRefOut)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	// The same random sequence as BenchmarkClassifierLookup.
	rng := rand.New(rand.NewPCG(1, 2))
	rules, keys := benchRules(rng, *ovsRefRules, *ovsRefMasks, *ovsRefPrio == "mask")
	order := rng.Perm(len(keys))
	fields := ovsRefFields()
	for _, r := range rules {
		fmt.Fprintf(w, "R %d", r.priority)
		for _, fl := range fields {
			fmt.Fprintf(w, " %x/%x", fl.Get(&r.match.Key), fl.Get(&r.match.Mask))
		}
		fmt.Fprintln(w)
	}
	for _, i := range order {
		fmt.Fprint(w, "K")
		for _, fl := range fields {
			fmt.Fprintf(w, " %x", fl.Get(&keys[i]))
		}
		fmt.Fprintln(w)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestClassifierMegaflowsMatchOVS looks up the keys of two lookup
// benchmark cases (2 000 rules over 20 masks, priorities by mask and
// random) and checks every megaflow mask against the one Open vSwitch
// 3.1's own classifier reports for the same rules and key, with its
// default prefix tracking (nw_dst, nw_src). bench/ovs-classifier/run.sh
// regenerates the files from an OVS build.
func TestClassifierMegaflowsMatchOVS(t *testing.T) {
	for _, prio := range []string{"mask", "random"} {
		t.Run(prio, func(t *testing.T) {
			f, err := os.Open(fmt.Sprintf("../testdata/megaflow/ovs-2000-20-%s.txt", prio))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rng := rand.New(rand.NewPCG(1, 2))
			c, keys := benchClassifier(rng, 2000, 20, prio == "mask")
			order := rng.Perm(len(keys))
			fields := ovsRefFields()
			sc := bufio.NewScanner(f)
			bad := 0
			for n, i := range order {
				if !sc.Scan() {
					t.Fatalf("the OVS file ends after %d of %d keys", n, len(order))
				}
				want := strings.Fields(sc.Text())
				if len(want) != len(fields) {
					t.Fatalf("line %d: %d fields, want %d", n+1, len(want), len(fields))
				}
				var wc Mask
				if _, ok := c.Lookup(&keys[i], &wc); !ok {
					t.Fatalf("key %d: no rule matched", i)
				}
				for j, fl := range fields {
					if got := strconv.FormatUint(fl.Get(&wc), 16); got != want[j] {
						if bad++; bad <= 10 {
							t.Errorf("key %d (line %d): %s mask %s, OVS %s", i, n+1, fl.Name, got, want[j])
						}
					}
				}
			}
			if bad > 10 {
				t.Errorf("... %d differences in all", bad)
			}
		})
	}
}
