package ofp

import (
	"github.com/govs/govs/flowtable"
)

// NXAST_LEARN flags and flow_mod_spec header bits.
const (
	learnSendFlowRem   = 1 << 0
	learnDeleteLearned = 1 << 1
	learnWriteResult   = 1 << 2

	learnSrcImmediate = 1 << 13
	learnDstLoad      = 1 << 11
	learnDstOutput    = 2 << 11
	learnNBitsMask    = 1<<11 - 1

	nxastLearn2 = 45
)

func (e actionEncoder) learn(a *flowtable.Learn) error {
	var off int
	learn2 := a.Limit != 0 || a.ResultDst != nil
	if learn2 {
		off = e.nx(nxastLearn2)
	} else {
		off = e.nx(nxastLearn)
	}
	var flags uint16
	if a.SendFlowRem {
		flags |= learnSendFlowRem
	}
	if a.DeleteLearned {
		flags |= learnDeleteLearned
	}
	if a.ResultDst != nil {
		flags |= learnWriteResult
	}
	e.u16(a.IdleTimeout)
	e.u16(a.HardTimeout)
	e.u16(a.Priority)
	e.u64(a.Cookie)
	e.u16(flags)
	e.u8(a.Table)
	e.u8(0)
	e.u16(a.FinIdleTimeout)
	e.u16(a.FinHardTimeout)
	if learn2 {
		e.u32(a.Limit)
		if a.ResultDst != nil {
			h, err := nxmHeader(a.ResultDst.Field)
			if err != nil {
				return err
			}
			e.u16(uint16(a.ResultDst.Ofs))
			e.zeros(2)
			e.u32(h)
		} else {
			e.zeros(4)
		}
	}
	for i := range a.Specs {
		if err := e.learnSpec(&a.Specs[i]); err != nil {
			return err
		}
	}
	return e.finish(off)
}

func (e actionEncoder) learnSpec(s *flowtable.LearnSpec) error {
	nbits := s.Dst.NBits
	var hdr uint16
	switch s.Kind {
	case flowtable.LearnLoad:
		hdr |= learnDstLoad
	case flowtable.LearnOutput:
		hdr |= learnDstOutput
		nbits = s.Src.NBits
	}
	if s.Src.Field == nil {
		hdr |= learnSrcImmediate
	}
	e.u16(hdr | uint16(nbits))
	if s.Src.Field == nil {
		width := (nbits + 15) / 16 * 2
		e.zeros(width - len(s.Imm))
		e.bytes(s.Imm)
	} else if err := e.subfield(s.Src); err != nil {
		return err
	}
	if s.Kind != flowtable.LearnOutput {
		return e.subfield(s.Dst)
	}
	return nil
}

// subfield appends a field's NXM header and a bit offset.
func (e actionEncoder) subfield(sf flowtable.Subfield) error {
	h, err := nxmHeader(sf.Field)
	if err != nil {
		return err
	}
	e.u32(h)
	e.u16(uint16(sf.Ofs))
	return nil
}

// maxLearnSpecs bounds a learn action's specs on decode.
const maxLearnSpecs = 256

func (d actionDecoder) learn(r *dec, learn2 bool) (flowtable.Actions, error) {
	l := &flowtable.Learn{IdleTimeout: r.u16(), HardTimeout: r.u16(), Priority: r.u16(), Cookie: r.u64()}
	flags := r.u16()
	l.Table = r.u8()
	r.skip(1)
	l.FinIdleTimeout, l.FinHardTimeout = r.u16(), r.u16()
	l.SendFlowRem = flags&learnSendFlowRem != 0
	l.DeleteLearned = flags&learnDeleteLearned != 0
	if r.err != nil {
		return nil, r.err
	}
	allowed := uint16(learnSendFlowRem | learnDeleteLearned)
	if learn2 {
		allowed |= learnWriteResult
		l.Limit = r.u32()
		ofs := int(r.u16())
		r.skip(2)
		if flags&learnWriteResult != 0 {
			sf, err := d.c.subfieldAt(r.u32(), ofs, 1)
			if err != nil {
				return nil, err
			}
			l.ResultDst = &sf
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if flags&^allowed != 0 {
		return nil, errorf(BadActionBadArgument, "learn flags %#x", flags)
	}
	if l.Table == 0xff {
		return nil, errorf(BadActionBadArgument, "learn into table 255")
	}
	for len(r.b) > 0 && len(l.Specs) < maxLearnSpecs {
		if len(r.b) < 2 || r.b[0] == 0 && r.b[1] == 0 {
			break
		}
		s, err := d.learnSpec(r)
		if err != nil {
			return nil, err
		}
		l.Specs = append(l.Specs, s)
	}
	if !isZero(r.b) {
		return nil, errorf(BadActionBadArgument, "learn has nonzero bytes after its specs")
	}
	return flowtable.Actions{l}, nil
}

func (d actionDecoder) learnSpec(r *dec) (flowtable.LearnSpec, error) {
	hdr := r.u16()
	nbits := int(hdr & learnNBitsMask)
	var s flowtable.LearnSpec
	switch hdr >> 11 & 3 {
	case 0:
		s.Kind = flowtable.LearnMatch
	case 1:
		s.Kind = flowtable.LearnLoad
	case 2:
		s.Kind = flowtable.LearnOutput
	default:
		return s, errorf(BadActionBadArgument, "learn spec destination type 3")
	}
	if hdr&^(learnSrcImmediate|3<<11|learnNBitsMask) != 0 || nbits == 0 {
		return s, errorf(BadActionBadArgument, "learn spec header %#x", hdr)
	}
	if hdr&learnSrcImmediate != 0 {
		if s.Kind == flowtable.LearnOutput {
			return s, errorf(BadActionBadArgument, "learn output from an immediate")
		}
		v := r.take((nbits + 15) / 16 * 2)
		if r.err != nil {
			return s, r.err
		}
		s.Imm = clone(v[len(v)-(nbits+7)/8:])
		if s.Imm == nil {
			s.Imm = []byte{}
		}
	} else {
		h, ofs := r.u32(), int(r.u16())
		if r.err != nil {
			return s, r.err
		}
		src, err := d.c.subfieldAt(h, ofs, nbits)
		if err != nil {
			return s, err
		}
		s.Src = src
	}
	if s.Kind != flowtable.LearnOutput {
		h, ofs := r.u32(), int(r.u16())
		if r.err != nil {
			return s, r.err
		}
		dst, err := d.c.subfieldAt(h, ofs, nbits)
		if err != nil {
			return s, err
		}
		s.Dst = dst
	}
	return s, nil
}
