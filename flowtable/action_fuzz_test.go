package flowtable

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseActions checks that parsing never panics and that whatever
// parses prints as text that parses back to the same actions, both as
// ParseActions normalizes them and as OpenFlow 1.5 does. The seeds are
// the unit test inputs and the actions of every golden flow.
func FuzzParseActions(f *testing.F) {
	for _, tt := range actionRoundTripTests {
		f.Add(tt.in)
	}
	for _, name := range []string{"flows.golden", "errors.golden"} {
		data, _ := os.ReadFile(filepath.Join(*goldenDir, name))
		for _, line := range strings.Split(string(data), "\n") {
			if in, ok := strings.CutPrefix(line, "in "); ok {
				if actions, ok := actionsPart(in); ok {
					f.Add(actions)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		roundTrip(t, s, func(s string) (Actions, error) { return ParseActions(s, goldenPorts) })
		roundTrip(t, s, func(s string) (Actions, error) { return ParseFlowActions(s, goldenPorts, nil, OpenFlow15) })
	})
}

func roundTrip(t *testing.T, s string, parse func(string) (Actions, error)) {
	acts, err := parse(s)
	if err != nil {
		return
	}
	text := acts.Format(goldenPorts)
	again, err := parse(text)
	if err != nil && printsUnreadably(acts) {
		return
	}
	if err != nil {
		t.Fatalf("%q formatted as %q, which does not parse: %v", s, text, err)
	}
	if got := again.Format(goldenPorts); got != text {
		t.Fatalf("%q formatted as %q, reparsed and formatted as %q", s, text, got)
	}
	if !reflect.DeepEqual(acts, again) {
		t.Fatalf("%q: %#v reparsed from %q as %#v", s, acts, text, again)
	}
}

// printsUnreadably reports whether acts, or actions nested in them, print
// as ovs-ofctl prints them but in text it cannot read back:
//   - a set_field of part of a field that takes no mask in text (OpenFlow
//     1.5 turns load:0->in_port[0] into set_field:0/0x1->in_port);
//   - a set_field with an all-zero mask, printed as set_field:ANY->f;
//   - a set_field (as OVS prints a load in OpenFlow 1.5, or of an
//     experimenter field) of a value that set_field refuses: load takes
//     nsh_ttl 64 and arp_op 256;
//   - a learned match on a ct_state value, printed with every one of the
//     field's 32 bits, most of them "[Unknown]", or on a packet type,
//     printed as "eth" or "packet_type=(1,0x800)";
//   - goto_table:255, which OpenFlow 1.0 carries as a resubmit to no
//     table, printed as resubmit(,).
func printsUnreadably(acts Actions) bool {
	for _, a := range acts {
		switch a := a.(type) {
		case *SetField:
			if !a.Load && a.Mask != nil && (allBytes(a.Mask, 0) || !a.Field.Maskable && !isAllOnes(a.Mask, a.Field.Bits)) {
				return true
			}
			if !a.Load && !a.Field.validValue(a.Value) {
				return true
			}
		case *Resubmit:
			if a.InPort == PortInPort && a.Table == NoTable {
				return true
			}
		case *Learn:
			for _, spec := range a.Specs {
				if spec.Kind == LearnMatch && spec.Imm != nil && (spec.Dst.Field == FieldCTState || spec.Dst.Field == FieldPacketType) {
					return true
				}
			}
		case *WriteActions:
			if printsUnreadably(a.Actions) {
				return true
			}
		case *Clone:
			if printsUnreadably(a.Actions) {
				return true
			}
		case *CT:
			if printsUnreadably(a.Actions) {
				return true
			}
		}
	}
	return false
}
