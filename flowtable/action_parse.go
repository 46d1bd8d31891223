package flowtable

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
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

// parseList parses a comma-separated action list; "drop" must stand alone.
func (p *actionParser) parseList(s string) (Actions, error) {
	items, err := splitTopLevel(s)
	if err != nil {
		return nil, err
	}
	acts := Actions{}
	drop := false
	for _, item := range items {
		if item == "" {
			continue
		}
		if strings.EqualFold(item, "drop") {
			drop = true
			continue
		}
		parsed, err := p.parseOne(item)
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

// splitTopLevel splits s at commas outside parentheses and brackets,
// trimming white space around each item.
func splitTopLevel(s string) ([]string, error) {
	var items []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("%s: unbalanced parentheses", s)
			}
		case ',':
			if depth == 0 {
				items = append(items, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("%s: unbalanced parentheses", s)
	}
	return append(items, strings.TrimSpace(s[start:])), nil
}

// splitKeyValue splits an item into its keyword and argument: "key:arg",
// "key=arg", "key(arg)rest" or a bare "key". paren reports the "(...)"
// form, whose trailing text (only check_pkt_larger has any) is rest.
func splitKeyValue(item string) (key, arg, rest string, paren bool) {
	i := strings.IndexAny(item, ":=(")
	if i < 0 {
		return item, "", "", false
	}
	if item[i] != '(' {
		return item[:i], item[i+1:], "", false
	}
	depth := 0
	for j := i; j < len(item); j++ {
		switch item[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return item[:i], item[i+1 : j], item[j+1:], true
			}
		}
	}
	return item[:i], item[i+1:], "", true
}

// nestedParser parses the action list inside the parent action.
func (p *actionParser) nestedParser(parent string) *actionParser {
	inner := *p
	inner.parent = parent
	return &inner
}

// parseOne parses one item; set_field to a wide field may yield several
// actions, every other item yields one.
func (p *actionParser) parseOne(item string) (Actions, error) {
	key, arg, rest, paren := splitKeyValue(item)
	if rest != "" && !strings.EqualFold(key, "check_pkt_larger") {
		return nil, fmt.Errorf("%s: unexpected text after `)'", item)
	}
	one := func(a Action, err error) (Actions, error) {
		if err != nil {
			return nil, err
		}
		return Actions{a}, nil
	}
	switch strings.ToLower(key) {
	case "output":
		if paren {
			return one(p.parseOutputTrunc(arg))
		}
		return one(p.parseOutput(arg))
	case "controller":
		return one(p.parseController(arg))
	case "enqueue":
		return one(p.parseEnqueue(arg))
	case "mod_vlan_vid":
		v, err := parseUint(arg, 16)
		if err != nil || v > 0xfff {
			return nil, fmt.Errorf("%s: not a valid VLAN VID", arg)
		}
		return one(&SetVLANVID{VID: uint16(v)}, nil)
	case "mod_vlan_pcp":
		v, err := parseUint(arg, 8)
		if err != nil || v > 7 {
			return nil, fmt.Errorf("%s: not a valid VLAN PCP", arg)
		}
		return one(&SetVLANPCP{PCP: uint8(v)}, nil)
	case "strip_vlan", "pop_vlan":
		return one(&StripVLAN{Pop: strings.EqualFold(key, "pop_vlan")}, nil)
	case "push_vlan":
		v, err := parseUint(arg, 16)
		if err != nil || (v != 0x8100 && v != 0x88a8) {
			return nil, fmt.Errorf("%s: not a valid VLAN ethertype", arg)
		}
		return one(&PushVLAN{EthType: uint16(v)}, nil)
	case "mod_dl_src", "mod_dl_dst":
		b, err := parseEthernet(arg)
		if err != nil {
			return nil, fmt.Errorf("invalid mac address %s", arg)
		}
		if strings.EqualFold(key, "mod_dl_src") {
			return one(&SetEthSrc{MAC: [6]byte(b)}, nil)
		}
		return one(&SetEthDst{MAC: [6]byte(b)}, nil)
	case "mod_nw_src", "mod_nw_dst":
		b, err := parseIPv4(arg)
		if err != nil {
			return nil, fmt.Errorf("%s: could not convert to IP address", arg)
		}
		if strings.EqualFold(key, "mod_nw_src") {
			return one(&SetIPv4Src{Addr: [4]byte(b)}, nil)
		}
		return one(&SetIPv4Dst{Addr: [4]byte(b)}, nil)
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
		if err != nil || v > 3 {
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
		v, err := parseUint(arg, 16)
		if err != nil {
			return nil, fmt.Errorf("invalid numeric format %s", arg)
		}
		if strings.EqualFold(key, "mod_tp_src") {
			return one(&SetL4Src{Port: uint16(v)}, nil)
		}
		return one(&SetL4Dst{Port: uint16(v)}, nil)
	case "dec_ttl":
		return one(parseDecTTL(arg, paren))
	case "set_field":
		return one(p.parseSetField(arg))
	case "load":
		return one(p.parseLoad(arg))
	case "move":
		return one(parseMove(arg))
	case "push", "pop":
		sf, err := ParseSubfield(arg)
		if err != nil {
			return nil, err
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
			return nil, fmt.Errorf("invalid numeric format %s", arg)
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
		return one(parseNAT(arg, paren))
	case "ct_clear":
		return one(&CTClear{}, nil)
	case "exit":
		return one(&Exit{}, nil)
	case "dec_mpls_ttl":
		return one(&DecMPLSTTL{}, nil)
	case "set_mpls_label":
		v, err := parseUint(arg, 20)
		if err != nil {
			return nil, fmt.Errorf("%s: not a valid MPLS label", arg)
		}
		return one(&SetMPLSLabel{Label: uint32(v)}, nil)
	case "set_mpls_tc":
		v, err := parseUint(arg, 3)
		if err != nil {
			return nil, fmt.Errorf("%s: not a valid MPLS TC", arg)
		}
		return one(&SetMPLSTC{TC: uint8(v)}, nil)
	case "set_mpls_ttl":
		v, err := parseUint(arg, 8)
		if err != nil {
			return nil, fmt.Errorf("invalid TTL \"%s\"", arg)
		}
		return one(&SetMPLSTTL{TTL: uint8(v)}, nil)
	case "push_mpls", "pop_mpls":
		v, err := parseUint(arg, 16)
		if err != nil {
			return nil, fmt.Errorf("invalid numeric format %s", arg)
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
		return one(parseCheckPktLarger(arg, rest))
	case "clone":
		inner, err := p.nestedParser("clone").parseList(arg)
		if err != nil {
			return nil, err
		}
		return one(&Clone{Actions: inner}, nil)
	case "multipath":
		return one(parseMultipath(arg))
	case "bundle", "bundle_load":
		return one(p.parseBundle(arg, strings.EqualFold(key, "bundle_load")))
	case "learn":
		return one(p.parseLearn(arg))
	}
	if arg == "" && !paren {
		if port, err := ParsePort(key, p.names); err == nil {
			return one(outputToPort(port, 0), nil)
		}
	}
	return nil, fmt.Errorf("unknown action %s", key)
}

// outputToPort builds an output to port; output to CONTROLLER is a
// controller action, as OVS treats it.
func outputToPort(port Port, maxLen uint16) Action {
	if port == PortController {
		if maxLen == 0 {
			maxLen = 0xffff
		}
		return &Controller{MaxLen: maxLen, Reason: ReasonAction}
	}
	return &Output{Port: port}
}

func (p *actionParser) parseOutput(arg string) (Action, error) {
	if strings.Contains(arg, "[") {
		if sf, err := ParseSubfield(arg); err == nil {
			return &OutputReg{Src: sf}, nil
		}
	}
	port, err := ParsePort(arg, p.names)
	if err != nil {
		return nil, fmt.Errorf("%s: output to unknown port", arg)
	}
	return outputToPort(port, 0), nil
}

// minTruncateLen is the shortest truncation OVS allows: an Ethernet
// header.
const minTruncateLen = 14

// parseOutputTrunc parses "port=P,max_len=N".
func (p *actionParser) parseOutputTrunc(arg string) (Action, error) {
	a := &OutputTrunc{}
	var havePort, haveLen bool
	for _, kv := range strings.Split(arg, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "port":
			port, err := ParsePort(v, p.names)
			if err != nil {
				if strings.Contains(v, "[") {
					return nil, fmt.Errorf("output to unknown truncate port: %s", v)
				}
				return nil, fmt.Errorf("%s: output to unknown port", arg)
			}
			a.Port, havePort = port, true
		case "max_len":
			n, err := parseUint32(v)
			if err != nil {
				return nil, err
			}
			if n < minTruncateLen {
				return nil, fmt.Errorf("max_len %d is less than the minimum value %d", n, minTruncateLen)
			}
			a.MaxLen, haveLen = n, true
		default:
			return nil, fmt.Errorf("%s: output to unknown port", arg)
		}
	}
	if !havePort || !haveLen {
		return nil, fmt.Errorf("%s: output to unknown port", arg)
	}
	return a, nil
}

func (p *actionParser) parseController(arg string) (Action, error) {
	c := &Controller{MaxLen: 0xffff, Reason: ReasonAction}
	if arg == "" {
		return c, nil
	}
	if !strings.ContainsAny(arg, "=,") && arg != "pause" {
		n, err := parseUint(arg, 16)
		if err != nil {
			return nil, fmt.Errorf("invalid numeric format %s", arg)
		}
		c.MaxLen = uint16(n)
		return c, nil
	}
	for _, kv := range strings.Split(arg, ",") {
		k, v, _ := strings.Cut(kv, "=")
		var err error
		switch k {
		case "max_len":
			var n uint64
			n, err = parseUint(v, 16)
			c.MaxLen = uint16(n)
		case "reason":
			c.Reason, err = parseControllerReason(v)
		case "id":
			var n uint64
			n, err = parseUint(v, 16)
			c.ID = uint16(n)
		case "userdata":
			c.Userdata, err = parseHexBytes(v, "userdata")
			if len(c.Userdata) == 0 {
				c.Userdata = nil // empty userdata is no userdata
			}
		case "pause":
			c.Pause = true
		case "meter_id":
			c.MeterID, err = parseUint32(v)
		default:
			return nil, fmt.Errorf("%s: unknown controller action argument", k)
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

func parseControllerReason(s string) (ControllerReason, error) {
	for r, name := range controllerReasonNames {
		if name == s {
			return ControllerReason(r), nil
		}
	}
	return 0, fmt.Errorf("unknown reason \"%s\"", s)
}

func (p *actionParser) parseEnqueue(arg string) (Action, error) {
	portStr, queueStr, ok := strings.Cut(arg, ":")
	if !ok {
		portStr, queueStr, ok = strings.Cut(arg, ",")
	}
	if !ok {
		return nil, errors.New(`"enqueue" syntax is "enqueue:PORT:QUEUE" or "enqueue(PORT,QUEUE)"`)
	}
	port, err := ParsePort(portStr, p.names)
	if err != nil {
		return nil, fmt.Errorf("%s: enqueue to unknown port", portStr)
	}
	q, err := parseUint32(queueStr)
	if err != nil {
		return nil, err
	}
	return &Enqueue{Port: port, Queue: q}, nil
}

func parseDecTTL(arg string, paren bool) (Action, error) {
	if !paren || arg == "" {
		return &DecTTL{}, nil
	}
	d := &DecTTL{}
	for _, s := range strings.Split(arg, ",") {
		if s == "" {
			return nil, errors.New("dec_ttl_cnt_ids: expected at least one controller id.")
		}
		id, err := parseUint(s, 16)
		if err != nil {
			return nil, fmt.Errorf("invalid numeric format %s", s)
		}
		d.IDs = append(d.IDs, uint16(id))
	}
	return d, nil
}

// parseSetField parses "value[/mask]->field".
func (p *actionParser) parseSetField(arg string) (Action, error) {
	valueStr, name, ok := strings.Cut(arg, "->")
	if !ok {
		return nil, fmt.Errorf("%s: missing `->'", arg)
	}
	f, found := fieldByMatchName(name)
	switch name {
	// In a match, tp_src and tp_dst mean the L4 port of whatever nw_proto
	// selects, so they are no field's name; as a set_field destination
	// OVS takes them as TCP's.
	case "tp_src":
		f, found = FieldTCPSrc, true
	case "tp_dst":
		f, found = FieldTCPDst, true
	}
	if !found {
		return nil, fmt.Errorf("%s is not a valid OXM field name", name)
	}
	if !f.Writable {
		return nil, fmt.Errorf("%s is read-only", f.Name)
	}
	if err := p.checkCTField(f); err != nil {
		return nil, err
	}
	value, mask, err := f.ParseValue(valueStr, p.names)
	if err != nil {
		return nil, err
	}
	if mask == nil {
		mask = onesMask(f)
	}
	return &SetField{Field: f, Value: value, Mask: mask}, nil
}

// checkCTField keeps set_field and load from writing ct_mark and
// ct_label outside ct, where they would not reach the connection.
func (p *actionParser) checkCTField(f *Field) error {
	if isCTField(f) && !p.inCT {
		return errors.New("cannot set CT fields outside of ct action")
	}
	return nil
}

func isCTField(f *Field) bool { return f == FieldCTMark || f == FieldCTLabel }

// onesMask is an exact-match mask for f.
func onesMask(f *Field) []byte {
	m := make([]byte, f.Bytes())
	for j := 0; j < f.Bits; j++ {
		m[len(m)-1-j/8] |= 1 << (j % 8)
	}
	return m
}

// parseLoad parses "value->dst[..]" into a load-style SetField.
func (p *actionParser) parseLoad(arg string) (Action, error) {
	valueStr, dstStr, ok := strings.Cut(arg, "->")
	if !ok {
		return nil, fmt.Errorf("%s: missing `->'", arg)
	}
	dst, err := ParseSubfield(dstStr)
	if err != nil {
		return nil, err
	}
	if err := p.checkCTField(dst.Field); err != nil {
		return nil, err
	}
	v, err := parseBigUint(valueStr)
	if err != nil {
		return nil, err
	}
	if v.BitLen() > dst.NBits {
		return nil, fmt.Errorf("%s: value %s does not fit into %d bits", arg, valueStr, dst.NBits)
	}
	return subfieldLoad(dst, v), nil
}

// subfieldLoad builds the SetField that writes v into dst.
func subfieldLoad(dst Subfield, v *big.Int) *SetField {
	n := dst.Field.Bytes()
	value := new(big.Int).Lsh(v, uint(dst.Ofs)).FillBytes(make([]byte, n))
	ones := new(big.Int).Lsh(big.NewInt(1), uint(dst.NBits))
	ones.Sub(ones, big.NewInt(1))
	mask := ones.Lsh(ones, uint(dst.Ofs)).FillBytes(make([]byte, n))
	return &SetField{Field: dst.Field, Value: value, Mask: mask, Load: true}
}

// parseBigUint parses a decimal or 0x-hex integer of any width.
func parseBigUint(s string) (*big.Int, error) {
	v, ok := new(big.Int), false
	if hex, isHex := strings.CutPrefix(strings.ToLower(s), "0x"); isHex {
		_, ok = v.SetString(hex, 16)
	} else if s != "" && s[0] >= '0' && s[0] <= '9' {
		_, ok = v.SetString(s, 10)
	}
	if !ok || v.Sign() < 0 {
		return nil, fmt.Errorf("%s: invalid numeric format", s)
	}
	return v, nil
}

func parseMove(arg string) (Action, error) {
	srcStr, dstStr, ok := strings.Cut(arg, "->")
	if !ok {
		return nil, fmt.Errorf("%s: missing `->' following source", arg)
	}
	src, err := ParseSubfield(srcStr)
	if err != nil {
		return nil, err
	}
	dst, err := ParseSubfield(dstStr)
	if err != nil {
		return nil, err
	}
	if src.NBits != dst.NBits {
		return nil, fmt.Errorf("%s: source field is %d bits wide but destination is %d bits wide",
			arg, src.NBits, dst.NBits)
	}
	return &Move{Src: src, Dst: dst}, nil
}

// parseResubmit parses "port" (colon form) or "[port],[table][,ct]".
func (p *actionParser) parseResubmit(arg string, paren bool) (Action, error) {
	r := &Resubmit{InPort: PortInPort, Table: NoTable}
	portStr, tableStr, ctStr := arg, "", ""
	if paren {
		parts := strings.Split(arg, ",")
		if len(parts) > 3 {
			return nil, fmt.Errorf("%s: too many arguments to resubmit", arg)
		}
		parts = append(parts, "", "")
		portStr, tableStr, ctStr = parts[0], parts[1], parts[2]
	}
	if portStr != "" {
		port, err := ParsePort(portStr, p.names)
		if err != nil {
			return nil, fmt.Errorf("%s: resubmit to unknown port", portStr)
		}
		r.InPort = port
	}
	if tableStr != "" {
		t, err := parseTable(tableStr)
		if err != nil {
			return nil, fmt.Errorf("%s: resubmit to unknown table", tableStr)
		}
		r.Table = t
	}
	switch ctStr {
	case "":
	case "ct":
		r.CT = true
	default:
		return nil, fmt.Errorf("%s: unknown resubmit argument", ctStr)
	}
	if r.InPort == PortInPort && r.Table == NoTable {
		return nil, errors.New(`at least one "in_port" or "table" must be specified on resubmit`)
	}
	return r, nil
}

// parseTable parses a table number; OVS reads table numbers in decimal
// only, so "010" is table 10.
func parseTable(s string) (uint8, error) {
	t, err := strconv.ParseUint(s, 10, 32)
	if err != nil || t > 254 {
		return 0, fmt.Errorf("unknown table \"%s\"", s)
	}
	return uint8(t), nil
}

func parseWriteMetadata(arg string) (Action, error) {
	valueStr, maskStr, masked := strings.Cut(arg, "/")
	v, err := parseUint(valueStr, 64)
	if err != nil {
		return nil, fmt.Errorf("invalid numeric format %s", valueStr)
	}
	w := &WriteMetadata{Value: v, Mask: ^uint64(0)}
	if masked {
		if w.Mask, err = parseUint(maskStr, 64); err != nil {
			return nil, fmt.Errorf("invalid numeric format %s", maskStr)
		}
	}
	return w, nil
}

// parseNote parses hex bytes and pads them as OVS pads the NXAST_NOTE
// action, to a multiple of 8 bytes including its 10-byte header.
func parseNote(arg string) (Action, error) {
	data, err := parseHexBytes(arg, "note")
	if err != nil {
		return nil, err
	}
	padded := (10+len(data)+7)/8*8 - 10
	return &Note{Data: append(data, make([]byte, padded-len(data))...)}, nil
}

// parseHexBytes parses pairs of hex digits, optionally separated by dots.
func parseHexBytes(s, what string) ([]byte, error) {
	out := []byte{}
	for i := 0; i < len(s); {
		if s[i] == '.' {
			i++
			continue
		}
		if i+1 >= len(s) {
			return nil, fmt.Errorf("bad hex digit in `%s' argument", what)
		}
		b, err := strconv.ParseUint(s[i:i+2], 16, 8)
		if err != nil {
			return nil, fmt.Errorf("bad hex digit in `%s' argument", what)
		}
		out = append(out, byte(b))
		i += 2
	}
	return out, nil
}

func parseConjunction(arg string) (Action, error) {
	idStr, clauses, ok := strings.Cut(arg, ",")
	kStr, nStr, ok2 := strings.Cut(clauses, "/")
	id, err1 := parseUint(idStr, 32)
	k, err2 := parseUint(kStr, 8)
	n, err3 := parseUint(nStr, 8)
	if !ok || !ok2 || err1 != nil || err2 != nil || err3 != nil {
		return nil, fmt.Errorf("\"conjunction\" syntax is \"conjunction(id,i/n)\"")
	}
	switch {
	case n < 2:
		return nil, errors.New("conjunction must have at least 2 clauses")
	case n > 64:
		return nil, errors.New("conjunction must have at most 64 clauses")
	case k < 1:
		return nil, errors.New("clause index must be positive")
	case k > n:
		return nil, errors.New("clause index must be less than or equal to number of clauses")
	}
	return &Conjunction{ID: uint32(id), Clause: uint8(k), NClauses: uint8(n)}, nil
}

func parseFinTimeout(arg string) (Action, error) {
	f := &FinTimeout{}
	if arg == "" {
		return f, nil
	}
	for _, kv := range strings.Split(arg, ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := parseUint(v, 16)
		if err != nil {
			return nil, fmt.Errorf("invalid %s \"%s\"", k, v)
		}
		switch k {
		case "idle_timeout":
			f.IdleTimeout = uint16(n)
		case "hard_timeout":
			f.HardTimeout = uint16(n)
		default:
			return nil, fmt.Errorf("invalid key '%s' in 'fin_timeout' argument", k)
		}
	}
	return f, nil
}

func (p *actionParser) parseSample(arg string) (Action, error) {
	s := &Sample{SamplingPort: PortNone}
	for _, kv := range strings.Split(arg, ",") {
		k, v, _ := strings.Cut(kv, "=")
		var err error
		switch k {
		case "probability":
			var n uint64
			n, err = parseUint(v, 16)
			if err != nil {
				return nil, fmt.Errorf("invalid probability \"%s\"", v)
			}
			if n == 0 {
				return nil, fmt.Errorf("invalid probability value \"%s\"", v)
			}
			s.Probability = uint16(n)
		case "collector_set_id":
			s.CollectorSetID, err = parseUint32(v)
		case "obs_domain_id":
			s.ObsDomainID, err = parseUint32(v)
		case "obs_point_id":
			s.ObsPointID, err = parseUint32(v)
		case "sampling_port":
			s.SamplingPort, err = ParsePort(v, p.names)
		case "ingress":
			s.Direction = SampleIngress
		case "egress":
			s.Direction = SampleEgress
		default:
			return nil, fmt.Errorf("invalid key \"%s\" in \"sample\" argument", k)
		}
		if err != nil {
			return nil, err
		}
	}
	if s.Probability == 0 {
		return nil, errors.New("non-zero \"probability\" must be specified on sample")
	}
	return s, nil
}

// parseCheckPktLarger parses "(N)->dst": arg is N, rest is "->dst".
func parseCheckPktLarger(arg, rest string) (Action, error) {
	n, err := parseUint(arg, 16)
	if err != nil {
		return nil, fmt.Errorf("invalid numeric format %s", arg)
	}
	dstStr, ok := strings.CutPrefix(rest, "->")
	if !ok {
		return nil, fmt.Errorf("%s: missing `->'", arg)
	}
	dst, err := ParseSubfield(dstStr)
	if err != nil {
		return nil, err
	}
	if dst.NBits != 1 {
		return nil, errors.New("Only 1-bit destination field is allowed")
	}
	return &CheckPktLarger{PktLen: uint16(n), Dst: dst}, nil
}

func parseHashFields(s string) (HashFields, bool) {
	for i, name := range hashFieldNames {
		if name == s {
			return HashFields(i), true
		}
	}
	return 0, false
}

// parseMultipath parses "fields,basis,algorithm,n_links,arg,dst".
func parseMultipath(arg string) (Action, error) {
	parts := strings.Split(arg, ",")
	if len(parts) != 6 {
		return nil, fmt.Errorf("%s: not enough arguments to multipath action", arg)
	}
	m := &Multipath{}
	fields, ok := parseHashFields(parts[0])
	if !ok {
		return nil, fmt.Errorf("%s: unknown fields `%s'", arg, parts[0])
	}
	m.Fields = fields
	basis, err := parseUint(parts[1], 16)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid basis `%s'", arg, parts[1])
	}
	m.Basis = uint16(basis)
	algo := -1
	for i, name := range multipathAlgorithmNames {
		if name == parts[2] {
			algo = i
		}
	}
	if algo < 0 {
		return nil, fmt.Errorf("%s: unknown algorithm `%s'", arg, parts[2])
	}
	m.Algorithm = MultipathAlgorithm(algo)
	nLinks, err := strconv.Atoi(parts[3])
	if err != nil || nLinks < 1 || nLinks > 65536 {
		return nil, fmt.Errorf("%s: n_links %s is not in valid range 1 to 65536", arg, parts[3])
	}
	m.MaxLink = uint16(nLinks - 1)
	a, err := parseUint(parts[4], 32)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid arg `%s'", arg, parts[4])
	}
	m.Arg = uint32(a)
	if m.Dst, err = ParseSubfield(parts[5]); err != nil {
		return nil, err
	}
	if m.Dst.NBits < 16 && nLinks > 1<<m.Dst.NBits {
		return nil, fmt.Errorf("%s: %d-bit destination field has %d possible values, less than specified n_links %d",
			arg, m.Dst.NBits, 1<<m.Dst.NBits, nLinks)
	}
	return m, nil
}

// parseBundle parses "fields,basis,algorithm,ofport,[dst,]members:p,...".
func (p *actionParser) parseBundle(arg string, load bool) (Action, error) {
	name := "bundle"
	want := 5
	if load {
		name, want = "bundle_load", 6
	}
	parts := strings.SplitN(arg, ",", want)
	if len(parts) < want {
		return nil, fmt.Errorf("%s: not enough arguments to %s action", arg, name)
	}
	b := &Bundle{}
	fields, ok := parseHashFields(parts[0])
	if !ok {
		return nil, fmt.Errorf("%s: unknown fields `%s'", arg, parts[0])
	}
	b.Fields = fields
	basis, err := parseUint(parts[1], 16)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid basis `%s'", arg, parts[1])
	}
	b.Basis = uint16(basis)
	switch parts[2] {
	case "active_backup":
		b.Algorithm = BundleActiveBackup
	case "hrw":
		b.Algorithm = BundleHRW
	default:
		return nil, fmt.Errorf("%s: unknown algorithm `%s'", arg, parts[2])
	}
	if parts[3] != "ofport" {
		return nil, fmt.Errorf("%s: unknown member_type `%s'", arg, parts[3])
	}
	if load {
		dst, err := ParseSubfield(parts[4])
		if err != nil {
			return nil, err
		}
		b.Dst = &dst
	}
	list := parts[want-1]
	key, ports, ok := strings.Cut(list, ":")
	if !ok || (key != "members" && key != "slaves") {
		return nil, fmt.Errorf("%s: missing member delimiter, expected `members', got `%s'", arg, key)
	}
	b.Members = []Port{}
	if ports != "" {
		for _, s := range strings.Split(ports, ",") {
			port, err := ParsePort(s, p.names)
			if err != nil {
				return nil, fmt.Errorf("%s: bad port number", s)
			}
			b.Members = append(b.Members, port)
		}
	}
	return b, nil
}

// parseUint parses an unsigned integer as C's strtoull with base 0 does
// (decimal, 0x hex, leading-0 octal) and checks that it fits in bits.
func parseUint(s string, bits int) (uint64, error) {
	base, digits := 10, s
	switch {
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, digits = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, digits = 8, s[1:]
	}
	v, err := strconv.ParseUint(digits, base, bits)
	if err != nil || strings.ContainsAny(digits, "+-_") {
		return 0, fmt.Errorf("invalid numeric format %s", s)
	}
	return v, nil
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
