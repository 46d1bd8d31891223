package ofctl

import (
	"bufio"
	"encoding/hex"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/ofproto/ofp"
)

// dump-table-features scenarios, run by TestAgainstRealOvsOfctl against
// govs' switch, which announces its instructions, actions and fields.
func init() {
	scenarios["dump-table-features"] = []step{
		{args: "dump-table-features br0"},
		{args: "-O OpenFlow12 dump-table-features br0"},
		{args: "-O OpenFlow13 dump-table-features br0"},
		{args: "-O OpenFlow14 dump-table-features br0"},
		{args: "-O OpenFlow15 dump-table-features br0"},
		{args: "-O OpenFlow13 dump-table-features nobr"},
		{args: "-O OpenFlow13 dump-table-features br0 x"},
	}
}

// printTableFeatures prints a table features reply message as
// dump-table-features would, without the trailing newlines, as ofp-print
// does after its header line.
func printTableFeatures(t *testing.T, raw []byte) string {
	t.Helper()
	h, m, err := ofp.Decode(raw)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	p := &tableFeaturesPrinter{v: h.Version, firstDitto: -1}
	if !p.addReply(received{raw: raw, h: h, msg: m}) {
		t.Fatalf("decoded as %T", m)
	}
	return strings.TrimRight(p.String(), "\n")
}

// ofpPrintBody is ovs-ofctl ofp-print's text for a message without its
// first line (the message's name) and trailing blank lines.
func ofpPrintBody(text string) string {
	_, body, _ := strings.Cut(text, "\n")
	return strings.TrimRight(body, "\n")
}

// TestTableFeaturesOfpPrintGolden prints the table features replies whose
// real ovs-ofctl ofp-print output testdata/ofp/tablefeatures.golden holds.
func TestTableFeaturesOfpPrintGolden(t *testing.T) {
	f, err := os.Open("../../testdata/ofp/tablefeatures.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type record struct {
		name, hex string
		text      []string
	}
	var recs []*record
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), " ")
		switch key {
		case "name":
			recs = append(recs, &record{name: val})
		case "hex":
			recs[len(recs)-1].hex = val
		case "text":
			recs[len(recs)-1].text = append(recs[len(recs)-1].text, val)
		}
	}
	n := 0
	for _, r := range recs {
		if !strings.HasPrefix(r.name, "table-features-reply") {
			continue
		}
		n++
		raw, err := hex.DecodeString(r.hex)
		if err != nil {
			t.Fatal(err)
		}
		want := ofpPrintBody(strings.Join(r.text, "\n"))
		if got := printTableFeatures(t, raw); got != want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", r.name, got, want)
		}
	}
	if n == 0 {
		t.Fatal("no table features replies in the golden file")
	}
}

func TestAbbreviateNames(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"reg0 reg1", "reg0 reg1"},
		{"reg0 reg1 reg2 reg5 reg6 reg7", "reg0...reg2 reg5...reg7"},
		{"nsh_c1 nsh_c2", "nsh_{c1,c2}"},
		{"nsh_c1 nsh_c2 nsh_c3", "nsh_c1...nsh_c3"},
		{"nsh_c1 nsh_c2 nsh_c3 nsh_c4 nsh_ttl", "nsh_{c1...c4,ttl}"},
		{"in_port in_port_oxm", "in_{port,port_oxm}"},
		{"tun_id tun_ipv6_src tun_ipv6_dst", "tun_{id,ipv6_{src,dst}}"},
		// OVS's own quirk: the first two names decide the prefix cut.
		{"tun_ipv6_src tun_ipv6_dst tun_flags tun_gbp_id", "tun_ipv6_{src,dst,,d}"},
		{"tun_metadata0 tun_metadata1 tun_metadata2 tun_metadata5 tun_metadata6", "tun_{metadata0...metadata2,metadata5,metadata6}"},
		{"nw_proto nw_tos ip_dscp nw_ecn nw_ttl", "nw_{proto,tos} ip_dscp nw_{ecn,ttl}"},
	} {
		if got := strings.Join(abbreviateNames(strings.Fields(tc.in)), " "); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

// randomTableFeatures returns n tables with random properties drawn from
// what ovs-ofctl knows (and a few it does not), often repeating the table
// before so that dittos and "(same ...)" lines show.
func randomTableFeatures(rng *rand.Rand, n int) []ofp.TableFeatures {
	fields := func(masks bool) []ofp.FieldHeader {
		var hs []ofp.FieldHeader
		start, p := rng.Intn(len(ovsFields)), rng.Float64()
		end := start + 1 + rng.Intn(len(ovsFields)-start)
		for i := start; i < end; i++ {
			f := ovsFields[i]
			if rng.Float64() > p {
				continue
			}
			id := f.ids[rng.Intn(len(f.ids))]
			size := f.size
			if size < 0 {
				size = 1 + rng.Intn(124)
			}
			masked := masks && rng.Intn(2) == 0
			if masked {
				size *= 2
			}
			h := ofp.FieldHeader{Header: uint32(id.class)<<16 | uint32(id.field)<<9 | uint32(size)}
			if id.class == 0xffff {
				h.Header += 4
				h.Experimenter = id.exp
			}
			if masked {
				h.Header |= 1 << 8
			}
			hs = append(hs, h)
		}
		if rng.Intn(8) == 0 { // a field nobody knows
			hs = append(hs, ofp.FieldHeader{Header: 0x0001fe04})
		}
		return hs
	}
	types := func(max int) []uint16 {
		var ts []uint16
		for t := 0; t < max; t++ {
			if rng.Intn(3) == 0 {
				ts = append(ts, uint16(t))
			}
		}
		return ts
	}
	props := func() ofp.TableFeatureProps {
		var p ofp.TableFeatureProps
		for t := 0; t < 255; t++ {
			if rng.Intn(4) == 0 {
				p.NextTables = append(p.NextTables, uint8(t))
			}
		}
		p.Instructions, p.WriteActions, p.ApplyActions = types(8), types(30), types(30)
		if rng.Intn(3) == 0 {
			p.ApplyActions = p.WriteActions
		}
		if rng.Intn(2) == 0 {
			p.WriteSetfield = fields(false)
		}
		p.ApplySetfield = p.WriteSetfield
		if rng.Intn(3) == 0 {
			p.ApplySetfield = fields(false)
		}
		return p
	}
	tables := make([]ofp.TableFeatures, n)
	for i := range tables {
		t := &tables[i]
		if i > 0 && rng.Intn(3) > 0 {
			*t = tables[i-1]
		} else {
			t.Features, t.Miss = props(), props()
			if rng.Intn(2) == 0 {
				t.Miss = t.Features
			}
			t.Match, t.Wildcards = fields(true), fields(false)
		}
		t.Table = uint8(i)
		t.Name = ""
		switch rng.Intn(8) {
		case 0:
			t.Name = "t"
		case 1:
			t.MaxEntries = uint32(rng.Intn(3))
		case 2:
			t.MetadataMatch, t.MetadataWrite = uint64(rng.Intn(2)), ^uint64(0)
		case 3:
			t.Config = uint32(rng.Intn(16))
		case 4:
			t.Features.NextTables = nil
		case 5:
			t.Match = fields(true)
		}
	}
	return tables
}

// TestTableFeaturesAgainstOfpPrint prints random table features replies
// and compares with the real ovs-ofctl ofp-print.
func TestTableFeaturesAgainstOfpPrint(t *testing.T) {
	path := testutil.RequireCommand(t, "ovs-ofctl")
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 60; i++ {
		v := ofp.OF13 + ofp.Version(i%3)
		raw, err := ofp.Encode(v, 0x10, &ofp.TableFeaturesReply{Tables: randomTableFeatures(rng, 1+rng.Intn(6))})
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(path, "ofp-print", hex.EncodeToString(raw)).CombinedOutput()
		if err != nil {
			t.Fatalf("ofp-print: %v\n%s", err, out)
		}
		if got, want := printTableFeatures(t, raw), ofpPrintBody(string(out)); got != want {
			t.Errorf("%x:\ngot:\n%s\nwant:\n%s", raw, got, want)
		}
	}
}

// TestTableFeaturesOmittedMiss prints a table whose reply leaves out the
// table-miss properties: OVS then gives the table-miss flow the others'.
func TestTableFeaturesOmittedMiss(t *testing.T) {
	// One OpenFlow 1.3 table with the required properties only: the
	// instruction apply_actions (4) and the apply action output (0).
	raw, err := hex.DecodeString("0413009000000010000c000000000000" + "0080000000000000" +
		strings.Repeat("00", 56) + "0000000800040004" + "0002000400000000" + "0004000400000000" +
		"000c000400000000" + "0006000800000004" + "000e000400000000" + "0008000400000000" + "000a000400000000")
	if err != nil {
		t.Fatal(err)
	}
	want := "  table 0:\n    instructions (table miss and others):\n      instructions: apply_actions\n" +
		"      Write-Actions features:\n      Apply-Actions features:\n        actions: output"
	if got := printTableFeatures(t, raw); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestTableFeaturesAgainstRealOVS runs both ovs-ofctl against Open
// vSwitch itself, whose reply names every field OVS matches, down to the
// NSH ones.
func TestTableFeaturesAgainstRealOVS(t *testing.T) {
	path := testutil.RequireCommand(t, "ovs-ofctl")
	dir := startRealOVS(t)
	for _, args := range []string{"dump-table-features br0", "-O OpenFlow13 dump-table-features br0",
		"-O OpenFlow14 dump-table-features br0", "-O OpenFlow15 dump-table-features br0"} {
		argv := strings.Fields(args)
		real, ours := runReal(t, path, dir, "", argv), runOurs(t, dir, "", argv)
		if real != ours {
			t.Errorf("%s:\n govs %+v\n real %+v", args, ours, real)
		}
		if strings.HasPrefix(args, "-O") && !strings.Contains(real.stdout, "nsh_") {
			t.Errorf("%s: real OVS named no nsh field:\n%s", args, real.stdout)
		}
	}
}
