package ofctl

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/govs/govs/ofproto/ofp"
)

// Table capabilities (OFPTC14_*) shown from OpenFlow 1.4 on.
const (
	tableEviction      = 1 << 2
	tableVacancyEvents = 1 << 3
)

// instructionNames are the instructions ovs-ofctl prints, in its order;
// instructionBits maps an OFPIT_* type to its index there.
var (
	instructionNames = []string{"meter", "apply_actions", "clear_actions", "write_actions", "write_metadata", "goto_table"}
	instructionBits  = map[uint16]uint{6: 0, 4: 1, 5: 2, 3: 3, 2: 4, 1: 5}
)

// actionNames are the OpenFlow 1.3-1.5 actions ovs-ofctl prints in table
// features, in its order; actionBits maps an OFPAT_* type to its index
// there. Types OVS does not implement (copy_ttl, PBB, ...) are not shown.
var (
	actionNames = []string{"output", "group", "set_field", "strip_vlan", "push_vlan", "mod_nw_ttl", "dec_ttl",
		"set_mpls_ttl", "dec_mpls_ttl", "push_mpls", "pop_mpls", "set_queue"}
	actionBits = map[uint16]uint{0: 0, 22: 1, 25: 2, 18: 3, 17: 4, 23: 5, 24: 6, 15: 7, 16: 8, 19: 9, 20: 10, 21: 11}
)

// tableFeatures is a table's features as ovs-ofctl reduces them before
// comparing and printing: known instructions, actions and fields only.
// It is comparable: == is OVS's test for "ditto", which leaves out the
// name, the mask and the wildcards.
type tableFeatures struct {
	metadataMatch, metadataWrite uint64
	eviction, vacancy            int8 // -1 before OpenFlow 1.4
	maxEntries                   uint32
	nonmiss, miss                instructionFeatures
	match                        fieldSet
}

// instructionFeatures is one set of per-flow properties, for the
// table-miss flow or the others.
type instructionFeatures struct {
	next         [4]uint64 // tables 0...254
	instructions uint8     // bits by instructionNames
	write, apply actionFeatures
}

func (f *instructionFeatures) empty() bool { return *f == instructionFeatures{} }

type actionFeatures struct {
	actions   uint16 // bits by actionNames
	setFields fieldSet
}

// tableMatching is what a table's flows may match, after OVS's fixes: a
// maskable field is matchable and wildcardable, and only a matchable
// field is wildcardable.
type tableMatching struct{ match, mask, wildcard fieldSet }

// newTableFeatures reduces t. missSeen has bit T set for each _MISS
// property type T the reply carried: OVS uses the other flows' set for
// the table-miss flow in place of a missing one.
func newTableFeatures(v ofp.Version, t *ofp.TableFeatures, missSeen uint32) (tableFeatures, tableMatching) {
	f := tableFeatures{metadataMatch: t.MetadataMatch, metadataWrite: t.MetadataWrite,
		eviction: -1, vacancy: -1, maxEntries: t.MaxEntries}
	if v >= ofp.OF14 {
		f.eviction, f.vacancy = bit8(t.Config&tableEviction != 0), bit8(t.Config&tableVacancyEvents != 0)
	}
	f.nonmiss = newInstructionFeatures(&t.Features)
	f.miss = newInstructionFeatures(&t.Miss)
	if missSeen&(1<<1) == 0 {
		f.miss.instructions = f.nonmiss.instructions
	}
	if missSeen&(1<<3) == 0 {
		f.miss.next = f.nonmiss.next
	}
	if missSeen&(1<<5) == 0 {
		f.miss.write.actions = f.nonmiss.write.actions
	}
	if missSeen&(1<<7) == 0 {
		f.miss.apply.actions = f.nonmiss.apply.actions
	}
	if missSeen&(1<<13) == 0 {
		f.miss.write.setFields = f.nonmiss.write.setFields
	}
	if missSeen&(1<<15) == 0 {
		f.miss.apply.setFields = f.nonmiss.apply.setFields
	}
	var m tableMatching
	for _, h := range t.Match {
		if i, masked := lookupField(h.Header, h.Experimenter); i >= 0 {
			m.match.add(i)
			if masked {
				m.mask.add(i)
			}
		}
	}
	m.wildcard = fieldsOf(t.Wildcards)
	m.match = m.match.or(m.mask)
	m.wildcard = m.wildcard.or(m.mask).and(m.match)
	f.match = m.match
	return f, m
}

func bit8(b bool) int8 {
	if b {
		return 1
	}
	return 0
}

func newInstructionFeatures(p *ofp.TableFeatureProps) instructionFeatures {
	var f instructionFeatures
	for _, t := range p.NextTables {
		if t < 255 {
			f.next[t/64] |= 1 << (t % 64)
		}
	}
	for _, t := range p.Instructions {
		if b, ok := instructionBits[t]; ok {
			f.instructions |= 1 << b
		}
	}
	f.write = actionFeatures{actions: actionsOf(p.WriteActions), setFields: fieldsOf(p.WriteSetfield)}
	f.apply = actionFeatures{actions: actionsOf(p.ApplyActions), setFields: fieldsOf(p.ApplySetfield)}
	return f
}

func actionsOf(types []uint16) uint16 {
	var bits uint16
	for _, t := range types {
		if b, ok := actionBits[t]; ok {
			bits |= 1 << b
		}
	}
	return bits
}

// fieldsOf returns the fields named without a mask in a property that
// takes no masks (OVS would refuse the whole reply over a masked one).
func fieldsOf(hs []ofp.FieldHeader) fieldSet {
	var s fieldSet
	for _, h := range hs {
		if i, masked := lookupField(h.Header, h.Experimenter); i >= 0 && !masked {
			s.add(i)
		}
	}
	return s
}

// missProps returns, for each table entry of a table features reply
// message, which _MISS property types (bit T for type T) it carries;
// ofp.TableFeatures does not tell a missing property from an empty one.
func missProps(raw []byte) []uint32 {
	var seen []uint32
	const headerLen = 16 // ofp_header and the multipart header
	if len(raw) < headerLen {
		return nil
	}
	for b := raw[headerLen:]; len(b) >= 64; {
		n := int(binary.BigEndian.Uint16(b))
		if n < 64 || n > len(b) {
			break
		}
		var bits uint32
		for p := b[64:n]; len(p) >= 4; {
			typ, l := binary.BigEndian.Uint16(p), int(binary.BigEndian.Uint16(p[2:]))
			if l < 4 {
				break
			}
			if typ < 32 && typ%2 == 1 {
				bits |= 1 << typ
			}
			l = (l + 7) &^ 7
			if l > len(p) {
				break
			}
			p = p[l:]
		}
		seen = append(seen, bits)
		b = b[n:]
	}
	return seen
}

// tableFeaturesPrinter writes tables as ovs-ofctl dump-table-features
// does: each table's differences from the one before it, and runs of
// unnamed tables identical to their predecessor folded into "tables
// A...B: ditto".
type tableFeaturesPrinter struct {
	b                     strings.Builder
	v                     ofp.Version
	prev                  *tableFeatures
	prevTable             int
	firstDitto, lastDitto int
}

func (p *tableFeaturesPrinter) finishDitto() {
	if p.firstDitto < 0 {
		return
	}
	if p.firstDitto == p.lastDitto {
		fmt.Fprintf(&p.b, "\n  table %d: ditto\n", p.firstDitto)
	} else {
		fmt.Fprintf(&p.b, "\n  tables %d...%d: ditto\n", p.firstDitto, p.lastDitto)
	}
	p.firstDitto = -1
}

func (p *tableFeaturesPrinter) add(t *ofp.TableFeatures, missSeen uint32) {
	f, m := newTableFeatures(p.v, t, missSeen)
	prev := p.prev
	if prev != nil && int(t.Table) == p.prevTable+1 {
		// OVS also takes as unchanged next tables that lack only this
		// table, which the previous one could go to: else the usual
		// "next tables: N+1-253" would spoil every "ditto".
		c := *prev
		sameNext(&c.nonmiss.next, &f.nonmiss.next, t.Table)
		sameNext(&c.miss.next, &f.miss.next, t.Table)
		prev = &c
	}
	p.prev, p.prevTable = &f, int(t.Table)
	same := prev != nil && f == *prev
	if same && t.Name == "" {
		if p.firstDitto < 0 {
			p.firstDitto = int(t.Table)
		}
		p.lastDitto = int(t.Table)
		return
	}
	p.finishDitto()
	fmt.Fprintf(&p.b, "\n  table %d", t.Table)
	if t.Name != "" {
		fmt.Fprintf(&p.b, " (\"%s\")", t.Name)
	}
	p.b.WriteByte(':')
	if same {
		p.b.WriteString(" ditto")
		return
	}
	p.b.WriteByte('\n')
	if f.metadataMatch != 0 || f.metadataWrite != 0 {
		fmt.Fprintf(&p.b, "    metadata: match=%s write=%s\n", cHex(f.metadataMatch), cHex(f.metadataWrite))
	}
	if f.eviction >= 0 {
		fmt.Fprintf(&p.b, "    eviction: %ssupported\n", notIf(f.eviction == 0))
		fmt.Fprintf(&p.b, "    vacancy events: %ssupported\n", notIf(f.vacancy == 0))
	}
	if f.maxEntries != 0 {
		fmt.Fprintf(&p.b, "    max_entries=%d\n", f.maxEntries)
	}

	var prevNonmiss, prevMiss *instructionFeatures
	if prev != nil {
		prevNonmiss, prevMiss = &prev.nonmiss, &prev.miss
	}
	switch {
	case prev != nil && f.nonmiss == prev.nonmiss && f.miss == prev.miss:
		if !f.nonmiss.empty() {
			p.b.WriteString("    (same instructions)\n")
		}
	case f.nonmiss != f.miss:
		p.b.WriteString("    instructions (other than table miss):\n")
		p.instructions(&f.nonmiss, prevNonmiss)
		p.b.WriteString("    instructions (table miss):\n")
		p.instructions(&f.miss, prevMiss)
	case !f.nonmiss.empty():
		p.b.WriteString("    instructions (table miss and others):\n")
		p.instructions(&f.nonmiss, prevNonmiss)
	}

	if m.match.empty() {
		return
	}
	if prev != nil && f.match == prev.match {
		p.b.WriteString("    (same matching)\n")
		return
	}
	p.b.WriteString("    matching:\n")
	for _, l := range []struct {
		title  string
		fields fieldSet
	}{
		{"arbitrary mask", m.match.and(m.mask)},
		{"exact match or wildcard", m.match.and(m.wildcard).andNot(m.mask)},
		{"must exact match", m.match.andNot(m.wildcard).andNot(m.mask)},
	} {
		if !l.fields.empty() {
			fmt.Fprintf(&p.b, "      %s: %s\n", l.title, fieldNames(l.fields))
		}
	}
}

// sameNext sets prev to next when they differ only by table in prev.
func sameNext(prev, next *[4]uint64, table uint8) {
	p := *prev
	p[table/64] &^= 1 << (table % 64)
	if p == *next {
		*prev = *next
	}
}

// instructions prints one set of per-flow properties; prev, the same set
// of the table before (nil for the first), lets unchanged parts be
// printed as "(same ...)".
func (p *tableFeaturesPrinter) instructions(f, prev *instructionFeatures) {
	if f.next != [4]uint64{} {
		p.b.WriteString("      next tables: " + tableRanges(f.next) + "\n")
	}
	if f.instructions != 0 {
		if prev != nil && prev.instructions == f.instructions {
			p.b.WriteString("      (same instructions)\n")
		} else {
			p.b.WriteString("      instructions: " + bitNamesOf(uint64(f.instructions), instructionNames) + "\n")
		}
	}
	switch {
	case prev != nil && f.write == prev.write && f.apply == prev.apply && !f.write.setFields.empty():
		// OVS says so only when the write set-fields are not empty.
		p.b.WriteString("      (same actions)\n")
	case f.write != f.apply:
		p.b.WriteString("      Write-Actions features:\n")
		p.actions(&f.write)
		p.b.WriteString("      Apply-Actions features:\n")
		p.actions(&f.apply)
	case f.write != actionFeatures{}:
		p.b.WriteString("      Write-Actions and Apply-Actions features:\n")
		p.actions(&f.write)
	}
}

func (p *tableFeaturesPrinter) actions(f *actionFeatures) {
	if f.actions != 0 {
		p.b.WriteString("        actions: " + bitNamesOf(uint64(f.actions), actionNames) + "\n")
	}
	if !f.setFields.empty() {
		p.b.WriteString("        supported on Set-Field: " + fieldNames(f.setFields) + "\n")
	}
}

// bitNamesOf joins the names of the bits set in bits with spaces.
func bitNamesOf(bits uint64, names []string) string {
	var out []string
	for i, n := range names {
		if bits&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return strings.Join(out, " ")
}

// tableRanges writes the tables in a next-tables bitmap as OVS does:
// "1-3,5,7-8".
func tableRanges(next [4]uint64) string {
	has := func(t int) bool { return t < 255 && next[t/64]&(1<<(t%64)) != 0 }
	var parts []string
	for t := 0; t < 255; t++ {
		if !has(t) {
			continue
		}
		end := t
		for has(end + 1) {
			end++
		}
		if end == t {
			parts = append(parts, fmt.Sprint(t))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", t, end))
		}
		t = end
	}
	return strings.Join(parts, ",")
}

func notIf(b bool) string {
	if b {
		return "not "
	}
	return ""
}

// cHex is C's %#x: 0 without a prefix.
func cHex(x uint64) string {
	if x == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", x)
}

// addReply adds the tables of one part of a table features reply; it
// reports false for any other message.
func (p *tableFeaturesPrinter) addReply(r received) bool {
	m, ok := r.msg.(*ofp.TableFeaturesReply)
	if !ok {
		return false
	}
	seen := missProps(r.raw)
	for i := range m.Tables {
		var s uint32
		if i < len(seen) {
			s = seen[i]
		}
		p.add(&m.Tables[i], s)
	}
	return true
}

// String ends the output: a pending ditto, and no blank first line.
func (p *tableFeaturesPrinter) String() string {
	p.finishDitto()
	return strings.TrimPrefix(p.b.String(), "\n")
}

func (c *ctl) dumpTableFeatures(args []string) error {
	cn, err := c.open(args[0])
	if err != nil {
		return err
	}
	defer cn.close()
	if cn.v < ofp.OF13 {
		return fatalf("dump-table-features needs OpenFlow 1.3 or later ('-O OpenFlow13')")
	}
	parts, err := cn.dump(&ofp.TableFeaturesRequest{})
	p := &tableFeaturesPrinter{v: cn.v, firstDitto: -1}
	for _, r := range parts {
		if !p.addReply(r) {
			// An error or something unexpected: print it as it is.
			fmt.Fprint(c.out, c.formatMessage(r))
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(c.out, p.String())
	return nil
}
