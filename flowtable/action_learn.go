package flowtable

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
)

// Learn adds or modifies a flow built from the packet being processed.
type Learn struct {
	Table          uint8
	Priority       uint16
	IdleTimeout    uint16
	HardTimeout    uint16
	FinIdleTimeout uint16
	FinHardTimeout uint16
	Cookie         uint64
	SendFlowRem    bool      // the learned flow sends flow-removed messages
	DeleteLearned  bool      // learned flows go when this flow goes
	Limit          uint32    // maximum number of learned flows; 0 is none
	ResultDst      *Subfield // 1 bit set when learning succeeded; nil if unused
	Specs          []LearnSpec
}

// LearnSpecKind says what a learn spec contributes to the learned flow.
type LearnSpecKind uint8

// Learn spec kinds.
const (
	LearnMatch  LearnSpecKind = iota // match Dst against Src or Imm
	LearnLoad                        // load Src or Imm into Dst
	LearnOutput                      // output to the port in Src
)

// LearnSpec is one field spec of a learn action. The source is the
// packet's Src subfield, or, when Src.Field is nil, the immediate value
// Imm (big-endian, just wide enough for Dst.NBits).
type LearnSpec struct {
	Kind LearnSpecKind
	Src  Subfield
	Imm  []byte
	Dst  Subfield // unused for LearnOutput
}

// learnDefaultPriority is OpenFlow's default flow priority.
const learnDefaultPriority = 0x8000

func (p *actionParser) parseLearn(arg string) (Action, error) {
	l := &Learn{Table: 1, Priority: learnDefaultPriority}
	err := forEachKeyValue(arg, func(key, value string, hasValue bool) error {
		return p.parseLearnItem(l, key, value, hasValue, arg)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// parseLearnItem parses one item of learn(arg), key=value or a bare key:
// a flow property or a field spec. An empty value counts as none. OVS
// reads the numbers of the properties with atoi (strtoull for the
// cookie), so garbage there reads as 0 rather than failing.
func (p *actionParser) parseLearnItem(l *Learn, key, value string, hasValue bool, arg string) error {
	var err error
	switch key {
	case "table":
		v, ok := parsePortNumber(value)
		switch {
		case !ok || v > 255:
			return fmt.Errorf("unknown table \"%s\"", value)
		case v == NoTable:
			return fmt.Errorf("%s=%s: table id 255 not valid for `learn' action", key, value)
		}
		l.Table = uint8(v)
	case "priority":
		l.Priority = uint16(cAtoi(value))
	case "idle_timeout":
		l.IdleTimeout = uint16(cAtoi(value))
	case "hard_timeout":
		l.HardTimeout = uint16(cAtoi(value))
	case "fin_idle_timeout":
		l.FinIdleTimeout = uint16(cAtoi(value))
	case "fin_hard_timeout":
		l.FinHardTimeout = uint16(cAtoi(value))
	case "cookie":
		var overflow bool
		if l.Cookie, _, overflow = strtoull(value); overflow {
			l.Cookie = math.MaxUint64 // strtoull's saturation
		}
	case "limit":
		l.Limit = uint32(cAtoi(value))
	case "send_flow_rem":
		l.SendFlowRem = true
	case "delete_learned":
		l.DeleteLearned = true
	case "result_dst":
		var sf Subfield
		if sf, err = p.subfield(value); err == nil {
			if sf.NBits != 1 {
				return errors.New("result_dst in 'learn' action must be a single bit")
			}
			l.ResultDst = &sf
		}
	default:
		spec, err := p.parseLearnSpec(key, value, hasValue, arg)
		if err != nil {
			return err
		}
		l.Specs = append(l.Specs, spec)
	}
	return err
}

// parseLearnSpec parses "load:SRC->DST", "output:SRC", "DST=SRC" or
// "DST", where DST is a field name or a subfield and SRC a subfield or an
// immediate value.
func (p *actionParser) parseLearnSpec(key, value string, hasValue bool, arg string) (LearnSpec, error) {
	item := key + "=" + value
	if rest := value; key == "load" {
		srcStr, _, ok := strings.Cut(rest, "->")
		switch {
		case !ok:
			return LearnSpec{}, fmt.Errorf("load: missing `->' in `%s'", rest)
		case srcStr == "":
			return LearnSpec{}, fmt.Errorf("load: missing source before `->' in `%s'", rest)
		}
		// A number if one reads, else a subfield. OVS reads the number
		// into its widest subfield value, of learnImmediateBytes.
		if v, n, err := scanIntString(rest, learnImmediateBytes); err == nil {
			dstStr, ok := strings.CutPrefix(rest[n:], "->")
			if !ok {
				return LearnSpec{}, fmt.Errorf("load: garbage before `->' in `%s'", rest)
			}
			dst, err := p.subfield(dstStr)
			if err != nil {
				return LearnSpec{}, err
			}
			if !learnable(dst.Field) {
				return LearnSpec{}, fmt.Errorf("%s: experimenter OXM field '%s' not supported", rest, dstStr)
			}
			if v.BitLen() > dst.NBits {
				return LearnSpec{}, fmt.Errorf("%s: value does not fit into %d bits", rest, dst.NBits)
			}
			imm := v.FillBytes(make([]byte, (dst.NBits+7)/8))
			return LearnSpec{Kind: LearnLoad, Dst: dst, Imm: imm}, nil
		}
		src, dst, err := p.subfieldToSubfield(rest)
		if err != nil {
			return LearnSpec{}, err
		}
		return LearnSpec{Kind: LearnLoad, Src: src, Dst: dst}, nil
	}
	if rest := value; key == "output" {
		src, err := p.subfield(rest)
		if err != nil {
			return LearnSpec{}, err
		}
		return LearnSpec{Kind: LearnOutput, Src: src}, nil
	}
	dst, err := p.subfield(key)
	if err != nil {
		return LearnSpec{}, fmt.Errorf("%s: unknown keyword %s", arg, key)
	}
	if !learnable(dst.Field) {
		return LearnSpec{}, fmt.Errorf("%s: experimenter OXM field '%s' not supported", arg, key)
	}
	if !hasValue {
		return LearnSpec{Kind: LearnMatch, Src: dst, Dst: dst}, nil
	}
	src, serr := p.subfield(value)
	if serr == nil {
		if src.NBits != dst.NBits {
			// OVS pairs each name with the other's width in this message.
			return LearnSpec{}, fmt.Errorf("%s: bit widths of %s (%d) and %s (%d) differ",
				item, key, src.NBits, value, dst.NBits)
		}
		return LearnSpec{Kind: LearnMatch, Src: src, Dst: dst}, nil
	}
	imm, ierr := p.learnImmediate(dst, value, item)
	if ierr != nil {
		return LearnSpec{}, fmt.Errorf("%s: %s value %s cannot be parsed as a subfield (%v) or an immediate value (%v)",
			arg, key, value, serr, ierr)
	}
	return LearnSpec{Kind: LearnMatch, Imm: imm, Dst: dst}, nil
}

// learnable reports whether a learned flow may match or load f: learn
// names its fields by 32-bit NXM or OXM headers, which some fields lack,
// having none (dl_vlan, dl_vlan_pcp, tun_tos, tun_ttl) or only an
// experimenter OXM's (ERSPAN, GTP-U, NSH, actset_output). Like ovs-ofctl,
// the parser checks the fields a spec writes to, not those it reads.
func learnable(f *Field) bool {
	return f.NXMName != "" && !f.Experimenter() && !strings.HasPrefix(f.NXMName, "ONFOXM_")
}

// learnImmediateBytes is how wide a number learn's load reads before it
// checks the destination's width: OVS's buffer for any subfield's value.
const learnImmediateBytes = 128

// parsedExact reports whether text, which f.ParseValue read as mask, is
// an exact value to OVS: one with no mask or an all-ones one, or for a
// flag field, the "a|b" form, which names the flags set and clears the
// others (OVS reads "+a-b" and "value/mask" as masked).
func parsedExact(f *Field, text string, mask []byte) bool {
	if flagNames(f.Format) != nil {
		return !strings.HasPrefix(text, "+") && !strings.HasPrefix(text, "-") && !strings.Contains(text, "/")
	}
	return mask == nil || isAllOnes(mask, f.Bits)
}

// learnImmediate parses the value a learned flow matches dst against: in
// the field's own syntax when dst is the whole field (ip_src=10.0.0.1),
// else as an integer.
func (p *actionParser) learnImmediate(dst Subfield, value, item string) ([]byte, error) {
	if f := dst.Field; dst.Ofs == 0 && dst.NBits == f.SubfieldBits() {
		v, mask, err := f.ParseValue(value, p.names)
		if err != nil {
			return nil, err
		}
		if !parsedExact(f, value, mask) {
			return nil, fmt.Errorf("%s: wildcards not allowed here", value)
		}
		return v, nil
	}
	v, err := subfieldValue(value, dst, true, item)
	if err != nil {
		return nil, err
	}
	return v.FillBytes(make([]byte, (dst.NBits+7)/8)), nil
}

func (a *Learn) appendText(b *strings.Builder, names PortNamer) {
	fmt.Fprintf(b, "learn(table=%d", a.Table)
	for _, opt := range []struct {
		name  string
		value uint16
	}{
		{"idle_timeout", a.IdleTimeout},
		{"hard_timeout", a.HardTimeout},
		{"fin_idle_timeout", a.FinIdleTimeout},
		{"fin_hard_timeout", a.FinHardTimeout},
	} {
		if opt.value != 0 {
			fmt.Fprintf(b, ",%s=%d", opt.name, opt.value)
		}
	}
	if a.Priority != learnDefaultPriority {
		fmt.Fprintf(b, ",priority=%d", a.Priority)
	}
	if a.SendFlowRem {
		b.WriteString(",send_flow_rem")
	}
	if a.DeleteLearned {
		b.WriteString(",delete_learned")
	}
	if a.Cookie != 0 {
		b.WriteString(",cookie=" + hex0(a.Cookie))
	}
	if a.Limit != 0 {
		fmt.Fprintf(b, ",limit=%d", a.Limit)
	}
	if a.ResultDst != nil {
		b.WriteString(",result_dst=" + a.ResultDst.String())
	}
	for _, s := range a.Specs {
		b.WriteByte(',')
		s.appendText(b, names)
	}
	b.WriteByte(')')
}

func (s *LearnSpec) appendText(b *strings.Builder, names PortNamer) {
	switch s.Kind {
	case LearnOutput:
		b.WriteString("output:" + s.Src.String())
	case LearnLoad:
		b.WriteString("load:")
		if s.Src.Field == nil {
			b.WriteString(formatHex(s.Imm))
		} else {
			b.WriteString(s.Src.String())
		}
		b.WriteString("->" + s.Dst.String())
	case LearnMatch:
		switch {
		case s.Src.Field != nil && s.Src == s.Dst:
			b.WriteString(s.Src.String())
		case s.Src.Field != nil:
			b.WriteString(s.Dst.String() + "=" + s.Src.String())
		case s.Dst.Ofs == 0 && s.Dst.NBits == s.Dst.Field.SubfieldBits():
			b.WriteString(s.Dst.Field.Name + "=" + s.Dst.Field.formatGeneric(s.Imm, names))
		default:
			b.WriteString(s.Dst.String() + "=" + formatHex(s.Imm))
		}
	}
}

// learnedMatch accumulates what the learned flow's immediate match specs
// pin down, so later specs' prerequisites can be checked against it.
func learnedMatch(specs []LearnSpec, upTo int) *Match {
	m := &Match{}
	for _, s := range specs[:upTo] {
		if s.Kind != LearnMatch || s.Src.Field != nil || s.Dst.NBits > 64 {
			continue
		}
		v := new(big.Int).SetBytes(s.Imm).Uint64()
		s.Dst.Set(&m.Key, v)
		s.Dst.SetMask(&m.Mask)
	}
	return m
}
