package flowtable

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

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

// parseOutput parses output's port, or, as OVS tries next, a subfield
// holding one (output:reg1 is output:NXM_NX_REG1[]).
func (p *actionParser) parseOutput(arg string) (Action, error) {
	if port, err := ParsePort(arg, p.names); err == nil {
		return outputToPort(port, 0), nil
	}
	if sf, err := p.subfield(arg); err == nil {
		return &OutputReg{Src: sf}, nil
	}
	return nil, fmt.Errorf("%s: output to unknown port", arg)
}

// minTruncateLen is the shortest truncation OVS allows: an Ethernet
// header.
const minTruncateLen = 14

// parseOutputTrunc parses "port=P,max_len=N".
func (p *actionParser) parseOutputTrunc(arg string) (Action, error) {
	a := &OutputTrunc{}
	var havePort, haveLen bool
	err := forEachKeyValue(arg, func(k, v string, _ bool) error {
		switch k {
		case "port":
			port, err := ParsePort(v, p.names)
			if err != nil {
				return fmt.Errorf("output to unknown truncate port: %s", v)
			}
			// Only ports that one packet goes out of take truncation.
			if port > PortMax && port != PortInPort && port != PortLocal {
				return fmt.Errorf("output to unsupported truncate port: %s", v)
			}
			a.Port, havePort = port, true
		case "max_len":
			n, err := parseUint32(v)
			if err != nil {
				return err
			}
			if n < minTruncateLen {
				return fmt.Errorf("max_len %d is less than the minimum value %d", n, minTruncateLen)
			}
			a.MaxLen, haveLen = n, true
		default:
			return fmt.Errorf("invalid key '%s' in output_trunc argument", k)
		}
		return nil
	})
	if err != nil {
		return nil, err
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
	if strings.Trim(arg, "0123456789") == "" {
		// Only digits: the max_len shorthand; anything else is keys.
		n, err := parseUint(arg, 16)
		if err != nil {
			return nil, fmt.Errorf("invalid max_len \"%s\"", arg)
		}
		c.MaxLen = uint16(n)
		return c, nil
	}
	err := forEachKeyValue(arg, func(k, v string, _ bool) error {
		var err error
		switch k {
		case "max_len", "id":
			n, perr := parseUint(v, 16)
			if perr != nil {
				return fmt.Errorf("invalid %s \"%s\"", k, v)
			}
			if k == "max_len" {
				c.MaxLen = uint16(n)
			} else {
				c.ID = uint16(n)
			}
		case "reason":
			c.Reason, err = parseControllerReason(v)
		case "userdata":
			c.Userdata, err = parseHexBytes(v, "`controller' action `userdata'")
			if len(c.Userdata) == 0 {
				c.Userdata = nil // empty userdata is no userdata
			}
		case "pause":
			c.Pause = true
		case "meter_id":
			c.MeterID, err = parseUint32(v)
		default:
			return fmt.Errorf("unknown key \"%s\" parsing controller action", k)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// parseControllerReason reads a reason's name, in any case; the empty
// name is the first reason that has it, as in ovs-ofctl.
func parseControllerReason(s string) (ControllerReason, error) {
	for r, name := range controllerReasonNames {
		if strings.EqualFold(name, s) {
			return ControllerReason(r), nil
		}
	}
	return 0, fmt.Errorf("unknown reason \"%s\"", s)
}

func (p *actionParser) parseEnqueue(arg string) (Action, error) {
	// OVS splits with strtok: the port ends at ':', 'q' or ',', the queue
	// is the rest.
	tok := cTokenizer{rest: arg}
	portStr, ok1 := tok.next(":q,")
	queueStr, ok2 := tok.next("")
	if !ok1 || !ok2 {
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

func parseDecTTL(arg string) (Action, error) {
	if arg == "" {
		return &DecTTL{}, nil
	}
	d := &DecTTL{}
	// OVS reads the ids with atoi: "x" is 0, 70000 is 4464.
	for _, s := range cTokens(arg) {
		d.IDs = append(d.IDs, uint16(cAtoi(s)))
	}
	if len(d.IDs) == 0 {
		return nil, errors.New("dec_ttl_cnt_ids: expected at least one controller id.")
	}
	return d, nil
}

// parseSetField parses "value[/mask]->field".
func (p *actionParser) parseSetField(arg string) (Action, error) {
	valueStr, name, ok := strings.Cut(arg, "->")
	switch {
	case !ok:
		return nil, fmt.Errorf("%s: missing `->'", arg)
	case name == "":
		return nil, fmt.Errorf("%s: missing field name following `->'", arg)
	}
	f, found := lookupField(name, p.names, false)
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
	value, mask, err := f.parseValueBytes(valueStr, p.names)
	if err != nil {
		return nil, err
	}
	if err := p.checkCTField(f); err != nil {
		return nil, err
	}
	if !f.validValue(value) {
		return nil, fmt.Errorf("%s is not a valid value for field %s", valueStr, name)
	}
	if mask == nil {
		mask = onesMask(f)
	}
	f.trimToBits(mask)
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

// parseLoad parses "value->dst[..]" into a load-style SetField. As OVS,
// it reads the destination first, then the number at the start of value
// (ignoring whatever follows it up to the arrow), as wide as the
// destination field's bytes.
func (p *actionParser) parseLoad(arg string) (Action, error) {
	valueStr, dstStr, ok := strings.Cut(arg, "->")
	if !ok {
		return nil, fmt.Errorf("%s: missing `->'", arg)
	}
	if dstStr == "" {
		return nil, fmt.Errorf("%s: missing field name following `->'", arg)
	}
	dst, err := p.subfield(dstStr)
	if err != nil {
		return nil, err
	}
	if err := p.checkCTField(dst.Field); err != nil {
		return nil, err
	}
	v, err := subfieldValue(valueStr, dst, false, arg)
	if err != nil {
		return nil, err
	}
	return subfieldLoad(dst, v), nil
}

// subfieldValue reads the integer that load (or a learned match) puts
// into dst, as OVS reads it: an integer of the field's bytes at the start
// of s, the whole of s if whole, and no wider than dst. Errors quote
// text.
func subfieldValue(s string, dst Subfield, whole bool, text string) (*big.Int, error) {
	v, n, err := scanIntString(s, dst.Field.Bytes())
	if err != nil || whole && n != len(s) {
		return nil, fmt.Errorf("%s: cannot parse integer value", text)
	}
	if err := dst.checkFits(v, text); err != nil {
		return nil, err
	}
	return v, nil
}

// subfieldLoad builds the SetField that writes v into dst.
func subfieldLoad(dst Subfield, v *big.Int) *SetField {
	n := dst.Field.Bytes()
	value := new(big.Int).Lsh(v, uint(dst.Ofs)).FillBytes(make([]byte, n))
	mask := dst.bits().FillBytes(make([]byte, n))
	return &SetField{Field: dst.Field, Value: value, Mask: mask, Load: true}
}

func (p *actionParser) parseMove(arg string) (Action, error) {
	src, dst, err := p.subfieldToSubfield(arg)
	if err != nil {
		return nil, err
	}
	return &Move{Src: src, Dst: dst}, nil
}

// subfieldToSubfield parses "src->dst", two subfields of one width, as
// move and learn's load read them.
func (p *actionParser) subfieldToSubfield(text string) (src, dst Subfield, err error) {
	src, n, err := p.scanSubfield(text)
	if err != nil {
		return src, dst, err
	}
	dstStr, ok := strings.CutPrefix(text[n:], "->")
	if !ok {
		return src, dst, fmt.Errorf("%s: missing `->' following source", text)
	}
	if dst, err = p.subfield(dstStr); err != nil {
		return src, dst, err
	}
	if src.NBits != dst.NBits {
		return src, dst, fmt.Errorf("%s: source field is %d bits wide but destination is %d bits wide",
			text, src.NBits, dst.NBits)
	}
	return src, dst, nil
}

// parseResubmit parses "port" (colon form) or "[port],[table][,ct]".
func (p *actionParser) parseResubmit(arg string, paren bool) (Action, error) {
	r := &Resubmit{InPort: PortInPort, Table: NoTable}
	portStr, tableStr, ctStr := arg, "", ""
	if paren {
		// OVS reads three comma-separated fields and ignores the rest.
		parts := append(strings.SplitN(arg, ",", 4), "", "")
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
		return nil, fmt.Errorf("%s: unknown parameter", ctStr)
	}
	if r.InPort == PortInPort && r.Table == NoTable {
		return nil, errors.New(`at least one "in_port" or "table" must be specified on resubmit`)
	}
	return r, nil
}

// parseTable parses a table number; OVS reads table numbers in decimal
// only, so "010" is table 10.
func parseTable(s string) (uint8, error) {
	t, ok := parsePortNumber(s)
	if !ok || t > 255 {
		return 0, fmt.Errorf("unknown table \"%s\"", s)
	}
	return uint8(t), nil
}

func parseWriteMetadata(arg string) (Action, error) {
	valueStr, maskStr, masked := strings.Cut(arg, "/")
	v, err := parseUint(valueStr, 64)
	if err != nil {
		return nil, err
	}
	w := &WriteMetadata{Value: v, Mask: ^uint64(0)}
	if masked {
		if w.Mask, err = parseUint(maskStr, 64); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// parseNote parses hex bytes and pads them as OVS pads the NXAST_NOTE
// action, to a multiple of 8 bytes including its 10-byte header.
func parseNote(arg string) (Action, error) {
	data, err := parseHexBytes(arg, "`note' argument")
	if err != nil {
		return nil, err
	}
	padded := (10+len(data)+7)/8*8 - 10
	return &Note{Data: append(data, make([]byte, padded-len(data))...)}, nil
}

// parseHexBytes parses pairs of hex digits, as ovs-ofctl does: dots and
// white space before any pair are skipped, and the text must end after
// the last one. what names the argument in the error, as OVS words it
// for the action.
func parseHexBytes(s, what string) ([]byte, error) {
	out := []byte{}
	for {
		s = strings.TrimLeft(s, " .\t\r\n")
		if s == "" {
			return out, nil
		}
		if len(s) < 2 || digitValue(s[0]) > 15 || digitValue(s[1]) > 15 {
			return nil, fmt.Errorf("bad hex digit in %s", what)
		}
		out = append(out, digitValue(s[0])<<4|digitValue(s[1]))
		s = s[2:]
	}
}

// parseConjunction parses "id,k/n" as OVS scans it (" %i , %hhu / %hhu ",
// see ovsScanInt): white space around the parts, the id in C's bases, k
// and n in decimal, each cut to its C type's width (so -1 is id
// 4294967295 and 256 is 0).
func parseConjunction(arg string) (Action, error) {
	syntax := errors.New(`"conjunction" syntax is "conjunction(id,i/n)"`)
	var nums [3]uint64
	rest := arg
	for i, sep := range []string{",", "/", ""} {
		base := 10
		if i == 0 {
			base = 0
		}
		v, n, ok := ovsScanInt(rest, base)
		if !ok {
			return nil, syntax
		}
		nums[i] = v
		if rest, ok = strings.CutPrefix(strings.TrimLeft(rest[n:], cSpace), sep); !ok {
			return nil, syntax
		}
	}
	if rest != "" {
		return nil, syntax
	}
	id, k, n := uint32(nums[0]), uint8(nums[1]), uint8(nums[2])
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
	return &Conjunction{ID: id, Clause: k, NClauses: n}, nil
}

func parseFinTimeout(arg string) (Action, error) {
	f := &FinTimeout{}
	if arg == "" {
		return f, nil
	}
	err := forEachKeyValue(arg, func(k, v string, _ bool) error {
		if k != "idle_timeout" && k != "hard_timeout" {
			return fmt.Errorf("invalid key '%s' in 'fin_timeout' argument", k)
		}
		n, err := parseUint(v, 16)
		if err != nil {
			return fmt.Errorf("invalid %s \"%s\"", k, v)
		}
		if k == "idle_timeout" {
			f.IdleTimeout = uint16(n)
		} else {
			f.HardTimeout = uint16(n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (p *actionParser) parseSample(arg string) (Action, error) {
	s := &Sample{SamplingPort: PortNone}
	err := forEachKeyValue(arg, func(k, v string, _ bool) error {
		var err error
		switch k {
		case "probability":
			n, perr := parseUint(v, 16)
			if perr != nil {
				return fmt.Errorf("invalid probability \"%s\"", v)
			}
			if n == 0 {
				return fmt.Errorf("invalid probability value \"%s\"", v)
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
			return fmt.Errorf("invalid key \"%s\" in \"sample\" argument", k)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.Probability == 0 {
		return nil, errors.New("non-zero \"probability\" must be specified on sample")
	}
	return s, nil
}

// parseCheckPktLarger parses "N->dst", or "N)->dst" as the "(N)->dst"
// form reaches it: the destination is read and checked before the
// length, as OVS does.
func (p *actionParser) parseCheckPktLarger(arg string) (Action, error) {
	lenStr, dstStr, ok := strings.Cut(arg, "->")
	switch {
	case !ok:
		return nil, fmt.Errorf("%s: missing `->'", arg)
	case dstStr == "":
		return nil, fmt.Errorf("%s: missing field name following `->'", arg)
	}
	dst, err := p.subfield(dstStr)
	if err != nil {
		return nil, err
	}
	if dst.NBits != 1 {
		return nil, errors.New("Only 1-bit destination field is allowed")
	}
	lenStr = strings.TrimSuffix(lenStr, ")")
	n, err := parseUint(lenStr, 16)
	if err != nil {
		// OVS names the argument with a null string, which glibc
		// prints as "(null)".
		return nil, fmt.Errorf("invalid (null) \"%s\"", lenStr)
	}
	return &CheckPktLarger{PktLen: uint16(n), Dst: dst}, nil
}

func parseHashFields(s string) (HashFields, bool) {
	for i, name := range hashFieldNames {
		if strings.EqualFold(name, s) {
			return HashFields(i), true
		}
	}
	return 0, false
}

// parseMultipath parses "fields,basis,algorithm,n_links,arg,dst".
func (p *actionParser) parseMultipath(arg string) (Action, error) {
	parts := cTokens(arg)
	if len(parts) < 6 {
		return nil, fmt.Errorf("%s: not enough arguments to multipath action", arg)
	}
	m := &Multipath{}
	fields, ok := parseHashFields(parts[0])
	if !ok {
		return nil, fmt.Errorf("%s: unknown fields `%s'", arg, parts[0])
	}
	m.Fields = fields
	// OVS reads the numbers with atoi and compares names without case.
	m.Basis = uint16(cAtoi(parts[1]))
	algo := -1
	for i, name := range multipathAlgorithmNames {
		if strings.EqualFold(name, parts[2]) {
			algo = i
		}
	}
	if algo < 0 {
		return nil, fmt.Errorf("%s: unknown algorithm `%s'", arg, parts[2])
	}
	m.Algorithm = MultipathAlgorithm(algo)
	nLinks := int(cAtoi(parts[3]))
	if nLinks < 1 || nLinks > 65536 {
		return nil, fmt.Errorf("%s: n_links %d is not in valid range 1 to 65536", arg, nLinks)
	}
	m.MaxLink = uint16(nLinks - 1)
	m.Arg = uint32(cAtoi(parts[4]))
	var err error
	if m.Dst, err = p.subfield(parts[5]); err != nil {
		return nil, err
	}
	if m.Dst.NBits < 16 && nLinks > 1<<m.Dst.NBits {
		return nil, fmt.Errorf("%s: %d-bit destination field has %d possible values, less than specified n_links %d",
			arg, m.Dst.NBits, 1<<m.Dst.NBits, nLinks)
	}
	return m, nil
}

// parseBundle parses "fields,basis,algorithm,ofport,[dst,]members:p,...",
// with OVS's strtok: commas and spaces both separate, empty items vanish.
func (p *actionParser) parseBundle(arg string, load bool) (Action, error) {
	want := 4
	if load {
		want = 5
	}
	t := cTokenizer{rest: arg}
	var parts []string
	for len(parts) < want {
		tok, ok := t.next(", ")
		if !ok {
			break
		}
		parts = append(parts, tok)
	}
	delim, ok := t.next(": ")
	if !ok {
		// OVS says "bundle" for bundle_load too.
		return nil, fmt.Errorf("%s: not enough arguments to bundle action", arg)
	}
	// OVS checks the "members" word and the member ports before the
	// fields, basis and algorithm, and compares names without case.
	if !strings.EqualFold(delim, "members") && !strings.EqualFold(delim, "slaves") {
		return nil, fmt.Errorf("%s: missing member delimiter, expected `members', got `%s'", arg, delim)
	}
	b := &Bundle{Members: []Port{}}
	for s, ok := t.next(", []"); ok; s, ok = t.next(", []") {
		port, err := ParsePort(s, p.names)
		if err != nil {
			return nil, fmt.Errorf("%s: bad port number", s)
		}
		b.Members = append(b.Members, port)
	}
	fields, ok := parseHashFields(parts[0])
	if !ok {
		return nil, fmt.Errorf("%s: unknown fields `%s'", arg, parts[0])
	}
	b.Fields = fields
	b.Basis = uint16(cAtoi(parts[1]))
	switch {
	case strings.EqualFold(parts[2], "active_backup"):
		b.Algorithm = BundleActiveBackup
	case strings.EqualFold(parts[2], "hrw"):
		b.Algorithm = BundleHRW
	default:
		return nil, fmt.Errorf("%s: unknown algorithm `%s'", arg, parts[2])
	}
	if !strings.EqualFold(parts[3], "ofport") {
		return nil, fmt.Errorf("%s: unknown member_type `%s'", arg, parts[3])
	}
	if load {
		dst, err := p.subfield(parts[4])
		if err != nil {
			return nil, err
		}
		b.Dst = &dst
	}
	return b, nil
}
