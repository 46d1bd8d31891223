package flowtable

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// ParseActions parses an ovs-ofctl action list (the text after
// "actions=") and returns what an Open vSwitch switch holds after
// `ovs-ofctl add-flow` sent it with the default OpenFlow 1.0+NXM protocol:
// set_field becomes mod_dl_src, load and the like where OpenFlow 1.0 has
// no set_field, goto_table becomes resubmit, and instructions that
// OpenFlow 1.0 cannot carry vanish. A list that needs OpenFlow 1.1 or
// later (push_vlan, meter, write_metadata before goto_table) is normalized
// for OpenFlow 1.5 instead, as if sent with -O OpenFlow15. No prerequisite
// checks are made; [ParseFlowActions] makes them against a match.
//
// Normalizing here rather than when printing makes the result the single
// canonical value: Format prints it as ovs-ofctl dump-flows does, and
// parsing that text gives the same value back.
func ParseActions(s string, names PortNamer) (Actions, error) {
	acts, err := parseActionText(s, names)
	if err != nil {
		return nil, err
	}
	if acts.needsOpenFlow11() {
		return acts.openFlow15(nil), nil
	}
	return acts.openFlow10(), nil
}

// parseActionText parses the list without protocol normalization.
func parseActionText(s string, names PortNamer) (Actions, error) {
	p := actionParser{names: names}
	acts, err := p.parseList(s)
	if err != nil {
		return nil, err
	}
	if err := checkInstructionOrder(acts); err != nil {
		return nil, err
	}
	if err := checkConjunctionAlone(acts); err != nil {
		return nil, err
	}
	return acts, nil
}

// actionParser carries what changes the meaning of nested action text.
type actionParser struct {
	names PortNamer
	inCT  bool // inside ct(exec(...)), where ct_mark and ct_label are settable
	// parent names the action whose list this is (clone, write_actions,
	// ct), "" at the top; instructions are not allowed inside one.
	parent string
}

// parseList parses an action list, its items split as nextKeyValue
// splits them; "drop" must stand alone.
func (p *actionParser) parseList(s string) (Actions, error) {
	acts := Actions{}
	drop := false
	for {
		key, arg, delim, rest, ok := nextKeyValue(s)
		if !ok {
			break
		}
		s = rest
		if strings.EqualFold(key, "drop") {
			drop = true
			continue
		}
		parsed, err := p.parseOne(key, arg, delim == '(')
		if err != nil {
			return nil, err
		}
		if inst := instruction(parsed[0]); p.parent != "" && inst != instructionApplyActions {
			// OVS refuses meter, and everything inside ct, when it checks
			// the parent's actions, and the rest already when parsing.
			if _, isMeter := parsed[0].(*Meter); isMeter || p.parent == "ct" {
				return nil, fmt.Errorf("%s action doesn't support nested action %s", p.parent, instructionNames[inst])
			}
			return nil, fmt.Errorf("%s instruction not allowed here", instructionNames[inst])
		}
		acts = append(acts, parsed...)
	}
	if drop && len(acts) > 0 {
		return nil, errors.New(`"drop" must not be accompanied by any other action or instruction`)
	}
	return acts, nil
}

// subfield parses a subfield with the bridge's names (for tun_metadataN).
func (p *actionParser) subfield(s string) (Subfield, error) { return ParseSubfieldNames(s, p.names) }

// scanSubfield reads, with the bridge's names, a subfield that more text
// may follow.
func (p *actionParser) scanSubfield(s string) (Subfield, int, error) {
	return scanSubfield(s, p.names)
}

// nestedParser parses the action list inside the parent action.
func (p *actionParser) nestedParser(parent string) *actionParser {
	inner := *p
	inner.parent = parent
	return &inner
}

// parseOne parses one action, key with its argument (paren for the
// "key(arg)" form); set_field to a wide field may yield several actions,
// every other action one.
func (p *actionParser) parseOne(key, arg string, paren bool) (Actions, error) {
	one := func(a Action, err error) (Actions, error) {
		if err != nil {
			return nil, err
		}
		return Actions{a}, nil
	}
	switch strings.ToLower(key) {
	case "output":
		if paren && strings.Contains(arg, "port") && strings.Contains(arg, "max_len") {
			// As in OVS, only these two words make output(...) a
			// truncating output; output(1) is output:1.
			return one(p.parseOutputTrunc(arg))
		}
		return one(p.parseOutput(arg))
	case "controller":
		return one(p.parseController(arg))
	case "enqueue":
		return one(p.parseEnqueue(arg))
	case "mod_vlan_vid":
		v, err := parseUint(arg, 16)
		if err != nil {
			return nil, fmt.Errorf("invalid VLAN VID \"%s\"", arg)
		}
		if v > 0xfff {
			return nil, fmt.Errorf("%s: not a valid VLAN VID", arg)
		}
		return one(&SetVLANVID{VID: uint16(v)}, nil)
	case "mod_vlan_pcp":
		v, err := parseUint(arg, 8)
		if err != nil {
			return nil, fmt.Errorf("invalid VLAN PCP \"%s\"", arg)
		}
		if v > 7 {
			return nil, fmt.Errorf("%s: not a valid VLAN PCP", arg)
		}
		return one(&SetVLANPCP{PCP: uint8(v)}, nil)
	case "strip_vlan", "pop_vlan":
		return one(&StripVLAN{Pop: strings.EqualFold(key, "pop_vlan")}, nil)
	case "push_vlan":
		v, err := parseUint(arg, 16)
		if err != nil {
			return nil, fmt.Errorf("invalid ethertype \"%s\"", arg)
		}
		if v != 0x8100 && v != 0x88a8 {
			return nil, fmt.Errorf("%s: not a valid VLAN ethertype", arg)
		}
		return one(&PushVLAN{EthType: uint16(v)}, nil)
	case "mod_dl_src", "mod_dl_dst":
		mac, _, ok := scanMAC(arg) // text after the address is ignored
		if !ok {
			return nil, fmt.Errorf("invalid mac address %s", arg)
		}
		if strings.EqualFold(key, "mod_dl_src") {
			return one(&SetEthSrc{MAC: mac}, nil)
		}
		return one(&SetEthDst{MAC: mac}, nil)
	case "mod_nw_src", "mod_nw_dst":
		// OVS reads these with inet_pton: four plain decimal bytes.
		a, err := netip.ParseAddr(arg)
		if err != nil || !a.Is4() {
			return nil, fmt.Errorf("%s: could not convert to IP address", arg)
		}
		if strings.EqualFold(key, "mod_nw_src") {
			return one(&SetIPv4Src{Addr: a.As4()}, nil)
		}
		return one(&SetIPv4Dst{Addr: a.As4()}, nil)
	case "mod_nw_tos":
		v, err := parseUint(arg, 8)
		if err != nil {
			return nil, fmt.Errorf("invalid TOS \"%s\"", arg)
		}
		if v&3 != 0 {
			return nil, fmt.Errorf("%s: not a valid TOS", arg)
		}
		return one(&SetIPTOS{TOS: uint8(v)}, nil)
	case "mod_nw_ecn":
		v, err := parseUint(arg, 8)
		if err != nil {
			return nil, fmt.Errorf("invalid ECN \"%s\"", arg)
		}
		if v > 3 {
			return nil, fmt.Errorf("%s: not a valid ECN", arg)
		}
		return one(&SetIPECN{ECN: uint8(v)}, nil)
	case "mod_nw_ttl":
		v, err := parseUint(arg, 8)
		if err != nil {
			return nil, fmt.Errorf("invalid TTL \"%s\"", arg)
		}
		return one(&SetIPTTL{TTL: uint8(v)}, nil)
	case "mod_tp_src", "mod_tp_dst":
		isSrc := strings.EqualFold(key, "mod_tp_src")
		v, err := parseUint(arg, 16)
		switch {
		case err != nil && isSrc:
			return nil, fmt.Errorf("invalid source port \"%s\"", arg)
		case err != nil:
			return nil, fmt.Errorf("invalid destination port \"%s\"", arg)
		case isSrc:
			return one(&SetL4Src{Port: uint16(v)}, nil)
		}
		return one(&SetL4Dst{Port: uint16(v)}, nil)
	case "dec_ttl":
		return one(parseDecTTL(arg))
	case "apply_actions":
		return nil, errors.New("apply_actions is the default instruction")
	case "set_field":
		return one(p.parseSetField(arg))
	case "load":
		return one(p.parseLoad(arg))
	case "move":
		return one(p.parseMove(arg))
	case "push", "pop":
		sf, n, err := p.scanSubfield(arg)
		if err != nil {
			return nil, err
		}
		if n < len(arg) {
			return nil, fmt.Errorf("%s: trailing garbage following push or pop", arg[n:])
		}
		if strings.EqualFold(key, "push") {
			return one(&StackPush{Src: sf}, nil)
		}
		return one(&StackPop{Dst: sf}, nil)
	case "resubmit":
		return one(p.parseResubmit(arg, paren))
	case "goto_table":
		t, err := parseTable(arg)
		if err != nil {
			return nil, err
		}
		return one(&GotoTable{Table: t}, nil)
	case "write_metadata":
		return one(parseWriteMetadata(arg))
	case "clear_actions":
		return one(&ClearActions{}, nil)
	case "write_actions":
		inner, err := p.nestedParser("write_actions").parseList(arg)
		if err != nil {
			return nil, err
		}
		return one(&WriteActions{Actions: inner}, nil)
	case "set_tunnel", "set_tunnel64":
		v, err := parseUint(arg, 64)
		if err != nil {
			return nil, err
		}
		return one(&SetTunnel{ID: v, Wide: strings.EqualFold(key, "set_tunnel64") || v > 0xffffffff}, nil)
	case "set_queue":
		v, err := parseUint32(arg)
		return one(&SetQueue{ID: v}, err)
	case "pop_queue":
		return one(&PopQueue{}, nil)
	case "group":
		v, err := parseUint32(arg)
		return one(&Group{ID: v}, err)
	case "meter":
		v, err := parseUint32(arg)
		return one(&Meter{ID: v}, err)
	case "note":
		return one(parseNote(arg))
	case "conjunction":
		return one(parseConjunction(arg))
	case "ct":
		return one(p.parseCT(arg))
	case "nat":
		if !p.inCT {
			return nil, errors.New("nat action only allowed within ct")
		}
		return one(parseNAT(arg))
	case "ct_clear":
		return one(&CTClear{}, nil)
	case "delete_field":
		f, found := lookupField(arg, p.names, false)
		if !found {
			return nil, fmt.Errorf("%s is not a valid tun_metadata field for delete_field", arg)
		}
		if _, isOption := TunMetadataIndex(f); !isOption {
			return nil, fmt.Errorf("%s is not a valid tun_metadata field for delete_field", arg)
		}
		return one(&DeleteField{Field: f}, nil)
	case "exit":
		return one(&Exit{}, nil)
	case "dec_mpls_ttl":
		return one(&DecMPLSTTL{}, nil)
	case "set_mpls_label":
		if arg == "" {
			return nil, errors.New("set_mpls_label: expected label.")
		}
		v, err := parseUint(arg, 32)
		switch {
		case err != nil:
			return nil, err
		case v > 0xfffff:
			return nil, fmt.Errorf("%s: not a valid MPLS label", arg)
		}
		return one(&SetMPLSLabel{Label: uint32(v)}, nil)
	case "set_mpls_tc":
		if arg == "" {
			return nil, errors.New("set_mpls_tc: expected tc.")
		}
		v, err := parseUint(arg, 8)
		switch {
		case err != nil:
			return nil, fmt.Errorf("invalid MPLS TC \"%s\"", arg)
		case v > 7:
			return nil, fmt.Errorf("%s: not a valid MPLS TC", arg)
		}
		return one(&SetMPLSTC{TC: uint8(v)}, nil)
	case "set_mpls_ttl":
		if arg == "" {
			return nil, errors.New("set_mpls_ttl: expected ttl.")
		}
		v, err := parseUint(arg, 8)
		if err != nil {
			return nil, fmt.Errorf("invalid MPLS TTL \"%s\"", arg)
		}
		return one(&SetMPLSTTL{TTL: uint8(v)}, nil)
	case "push_mpls", "pop_mpls":
		v, err := parseUint(arg, 16)
		if err != nil {
			return nil, fmt.Errorf("invalid %s \"%s\"", strings.ToLower(key), arg)
		}
		if strings.EqualFold(key, "push_mpls") {
			if v != EthTypeMPLS && v != EthTypeMPLSM {
				// ovs-ofctl sends it and the switch refuses it.
				return nil, fmt.Errorf("%s: push_mpls needs an MPLS ethertype (OFPBAC_BAD_ARGUMENT)", arg)
			}
			return one(&PushMPLS{EthType: uint16(v)}, nil)
		}
		return one(&PopMPLS{EthType: uint16(v)}, nil)
	case "fin_timeout":
		return one(parseFinTimeout(arg))
	case "sample":
		return one(p.parseSample(arg))
	case "check_pkt_larger":
		return one(p.parseCheckPktLarger(arg))
	case "clone":
		inner, err := p.nestedParser("clone").parseList(arg)
		if err != nil {
			return nil, err
		}
		return one(&Clone{Actions: inner}, nil)
	case "multipath":
		return one(p.parseMultipath(arg))
	case "bundle", "bundle_load":
		return one(p.parseBundle(arg, strings.EqualFold(key, "bundle_load")))
	case "learn":
		return one(p.parseLearn(arg))
	}
	// A port name or number alone is an output; OVS ignores any argument.
	if port, err := ParsePort(key, p.names); err == nil {
		return one(outputToPort(port, 0), nil)
	}
	return nil, fmt.Errorf("unknown action %s", key)
}

// parseUint reads all of s as an unsigned integer as OVS's checked
// readers do, with their message. Up to 16 bits (str_to_u8, str_to_u16)
// it is strtoll's reading, which must not be negative or exceed bits;
// at 32 or 64 bits (str_to_u32, str_to_u64) strtoull's, cut to bits, so
// -1 is all ones and 2^32 is 0 in 32 bits.
func parseUint(s string, bits int) (uint64, error) {
	if s == "" {
		return 0, errors.New("missing required numeric argument")
	}
	bad := fmt.Errorf("invalid numeric format %s", s)
	if bits <= 16 {
		v, n, overflow := strtoll(s, 0)
		if n == 0 || n != len(s) || overflow || v < 0 || v >= 1<<bits {
			return 0, bad
		}
		return uint64(v), nil
	}
	v, n, overflow := strtoull(s)
	if n == 0 || n != len(s) || overflow {
		return 0, bad
	}
	return v & lowBits(bits), nil
}

func parseUint32(s string) (uint32, error) {
	v, err := parseUint(s, 32)
	return uint32(v), err
}

// instruction ranks the OpenFlow 1.1+ instruction an action belongs to;
// instructions must appear in this order, each at most once, except that
// any number of actions make up apply_actions.
func instruction(a Action) int {
	switch a.(type) {
	case *Meter:
		return 0
	case *ClearActions:
		return 2
	case *WriteActions:
		return 3
	case *WriteMetadata:
		return 4
	case *GotoTable:
		return 5
	}
	return instructionApplyActions
}

// instructionApplyActions is what instruction returns for plain actions.
const instructionApplyActions = 1

var instructionNames = [...]string{"meter", "apply_actions", "clear_actions", "write_actions", "write_metadata", "goto_table"}

func checkInstructionOrder(acts Actions) error {
	last := -1
	for _, a := range acts {
		inst := instruction(a)
		switch {
		case inst < last:
			return fmt.Errorf("invalid instruction ordering: %s must appear before %s, for OpenFlow 1.1+ compatibility",
				instructionNames[inst], instructionNames[last])
		case inst == last && inst != instructionApplyActions:
			return fmt.Errorf("duplicate %s instruction not allowed, for OpenFlow 1.1+ compatibility",
				instructionNames[inst])
		}
		last = inst
	}
	return nil
}

// checkConjunctionAlone enforces that conjunction actions share a flow
// only with notes.
func checkConjunctionAlone(acts Actions) error {
	hasConj := false
	for _, a := range acts {
		if _, ok := a.(*Conjunction); ok {
			hasConj = true
		}
	}
	if !hasConj {
		return nil
	}
	for _, a := range acts {
		switch a.(type) {
		case *Conjunction, *Note:
			continue
		}
		return fmt.Errorf("\"conjunction\" actions may be used along with \"note\" but not any other kind of action (such as the \"%s\" action used here)",
			actionName(a))
	}
	return nil
}
