package ofproto

import (
	"github.com/govs/govs/flowtable"
)

// learn builds the flow a learn action describes from the current key.
// The flow is installed (add, or modify if the same match and priority
// exist) when the translation finishes, and only for a real packet: a
// trace suppresses side effects, as OVS's does. The fields the action
// reads are marked examined either way.
func (x *xlate) learn(l *flowtable.Learn) {
	for _, s := range l.Specs {
		if s.Src.Field != nil {
			x.markSubfield(s.Src)
		}
	}
	if !x.sideEffects {
		x.traceNote(">> suppressing side effects, so learn action ignored")
		return
	}
	f := &flowtable.Flow{
		Table: l.Table, Priority: l.Priority, Cookie: l.Cookie,
		IdleTimeout: l.IdleTimeout, HardTimeout: l.HardTimeout,
		OutPort: flowtable.PortNone, OutGroup: flowtable.GroupAny,
	}
	if l.SendFlowRem {
		f.Flags |= flowtable.FlagSendFlowRem
	}
	for _, s := range l.Specs {
		v := x.specValue(s)
		switch s.Kind {
		case flowtable.LearnMatch:
			writeSubfield(&f.Match.Key, s.Dst, v)
			s.Dst.SetMask(&f.Match.Mask)
		case flowtable.LearnLoad:
			var k, m flowtable.Key
			writeSubfield(&k, s.Dst, v)
			s.Dst.SetMask(&m)
			n := s.Dst.Field.Bytes()
			sf := &flowtable.SetField{Field: s.Dst.Field, Value: make([]byte, n), Mask: make([]byte, n), Load: true}
			s.Dst.Field.GetBytes(&k, sf.Value)
			s.Dst.Field.GetBytes(&m, sf.Mask)
			f.Actions = append(f.Actions, sf)
		case flowtable.LearnOutput:
			f.Actions = append(f.Actions, &flowtable.Output{Port: flowtable.Port(v[0])})
		}
	}
	x.learnFlows = append(x.learnFlows, f)
	if l.ResultDst != nil {
		l.ResultDst.Set(&x.key, 1)
	}
}

// specValue is a learn spec's source: a subfield of the key or the
// immediate, in readSubfield's chunks.
func (x *xlate) specValue(s flowtable.LearnSpec) []uint64 {
	if s.Src.Field != nil {
		return readSubfield(&x.key, s.Src)
	}
	v := make([]uint64, (len(s.Imm)*8+63)/64)
	for i := range s.Imm {
		byteFromLSB := len(s.Imm) - 1 - i
		v[byteFromLSB/8] |= uint64(s.Imm[i]) << (8 * (byteFromLSB % 8))
	}
	if len(v) == 0 {
		v = []uint64{0}
	}
	return v
}
