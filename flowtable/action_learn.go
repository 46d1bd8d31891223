package flowtable

import (
	"fmt"
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
	items, err := splitTopLevel(arg)
	if err != nil {
		return nil, err
	}
	for _, item := range items {
		if item == "" {
			continue
		}
		if err := p.parseLearnItem(l, item, arg); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// parseLearnItem parses one comma-separated item of learn(arg): a flow
// property or a field spec.
func (p *actionParser) parseLearnItem(l *Learn, item, arg string) error {
	key, value, hasValue := strings.Cut(item, "=")
	num := func(bits int) (uint64, error) {
		v, err := parseUint(value, bits)
		if err != nil {
			return 0, fmt.Errorf("%s: invalid %s value \"%s\"", arg, key, value)
		}
		return v, nil
	}
	var err error
	var v uint64
	switch key {
	case "table":
		v, err = num(8)
		l.Table = uint8(v)
	case "priority":
		v, err = num(16)
		l.Priority = uint16(v)
	case "idle_timeout":
		v, err = num(16)
		l.IdleTimeout = uint16(v)
	case "hard_timeout":
		v, err = num(16)
		l.HardTimeout = uint16(v)
	case "fin_idle_timeout":
		v, err = num(16)
		l.FinIdleTimeout = uint16(v)
	case "fin_hard_timeout":
		v, err = num(16)
		l.FinHardTimeout = uint16(v)
	case "cookie":
		l.Cookie, err = num(64)
	case "limit":
		v, err = num(32)
		l.Limit = uint32(v)
	case "send_flow_rem":
		l.SendFlowRem = true
	case "delete_learned":
		l.DeleteLearned = true
	case "result_dst":
		var sf Subfield
		if sf, err = ParseSubfield(value); err == nil {
			if sf.NBits != 1 {
				return fmt.Errorf("%s: result_dst must be a 1-bit field", arg)
			}
			l.ResultDst = &sf
		}
	default:
		spec, err := p.parseLearnSpec(item, key, value, hasValue, arg)
		if err != nil {
			return err
		}
		l.Specs = append(l.Specs, spec)
	}
	return err
}

// parseLearnSpec parses "load:SRC->DST", "output:SRC", "DST=SRC",
// "field=value" or "DST".
func (p *actionParser) parseLearnSpec(item, key, value string, hasValue bool, arg string) (LearnSpec, error) {
	if rest, ok := strings.CutPrefix(item, "load:"); ok {
		srcStr, dstStr, ok := strings.Cut(rest, "->")
		if !ok {
			return LearnSpec{}, fmt.Errorf("%s: missing `->'", rest)
		}
		dst, err := ParseSubfield(dstStr)
		if err != nil {
			return LearnSpec{}, err
		}
		if err := p.checkWritable(dst.Field); err != nil {
			return LearnSpec{}, err
		}
		return learnSource(LearnSpec{Kind: LearnLoad, Dst: dst}, srcStr, rest)
	}
	if rest, ok := strings.CutPrefix(item, "output:"); ok {
		src, err := ParseSubfield(rest)
		if err != nil {
			return LearnSpec{}, err
		}
		return LearnSpec{Kind: LearnOutput, Src: src}, nil
	}
	if !hasValue {
		sf, err := ParseSubfield(item)
		if err != nil {
			return LearnSpec{}, fmt.Errorf("%s: unknown keyword %s", arg, item)
		}
		return LearnSpec{Kind: LearnMatch, Src: sf, Dst: sf}, nil
	}
	if f, ok := byName[key]; ok {
		// "field=value": an immediate match on the whole field, or a copy
		// from a subfield named by value.
		v, mask, err := f.ParseValue(value, p.names)
		if err == nil && mask == nil {
			return LearnSpec{Kind: LearnMatch, Imm: v, Dst: Subfield{Field: f, NBits: f.Bits}}, nil
		}
		src, serr := ParseSubfield(value)
		if serr == nil {
			return learnCopy(Subfield{Field: f, NBits: f.Bits}, src, item)
		}
		if err == nil {
			err = fmt.Errorf("%s: wildcards not allowed here", value)
		}
		return LearnSpec{}, fmt.Errorf("%s: %s value %s cannot be parsed as a subfield (%v) or an immediate value (%v)",
			arg, key, value, serr, err)
	}
	dst, err := ParseSubfield(key)
	if err != nil {
		return LearnSpec{}, fmt.Errorf("%s: unknown keyword %s", arg, key)
	}
	return learnSource(LearnSpec{Kind: LearnMatch, Dst: dst}, value, item)
}

// learnSource fills in the source of spec from text: a number or a
// subfield of the same width as spec.Dst.
func learnSource(spec LearnSpec, src, item string) (LearnSpec, error) {
	if startsWithDigit(src) {
		v, err := parseBigUint(src)
		if err != nil {
			return LearnSpec{}, err
		}
		if v.BitLen() > spec.Dst.NBits {
			return LearnSpec{}, fmt.Errorf("%s: value %s does not fit into %d bits", item, src, spec.Dst.NBits)
		}
		spec.Imm = v.FillBytes(make([]byte, (spec.Dst.NBits+7)/8))
		return spec, nil
	}
	sf, err := ParseSubfield(src)
	if err != nil {
		return LearnSpec{}, err
	}
	if spec.Kind == LearnMatch {
		return learnCopy(spec.Dst, sf, item)
	}
	if sf.NBits != spec.Dst.NBits {
		return LearnSpec{}, fmt.Errorf("%s: source field is %d bits wide but destination is %d bits wide",
			item, sf.NBits, spec.Dst.NBits)
	}
	spec.Src = sf
	return spec, nil
}

func learnCopy(dst, src Subfield, item string) (LearnSpec, error) {
	if src.NBits != dst.NBits {
		// OVS pairs each name with the other's width in this message.
		return LearnSpec{}, fmt.Errorf("%s: bit widths of %s (%d) and %s (%d) differ",
			item, dst, src.NBits, src, dst.NBits)
	}
	return LearnSpec{Kind: LearnMatch, Src: src, Dst: dst}, nil
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
		case s.Dst.Ofs == 0 && s.Dst.NBits == s.Dst.Field.Bits:
			b.WriteString(s.Dst.Field.Name + "=" + s.Dst.Field.FormatValue(s.Imm, nil, names))
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
