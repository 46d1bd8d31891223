package ofp

import (
	"encoding/binary"
	"net/netip"

	"github.com/govs/govs/flowtable"
)

// NXAST_CONTROLLER2 properties.
const (
	nxac2MaxLen       = 0
	nxac2ControllerID = 1
	nxac2Reason       = 2
	nxac2Userdata     = 3
	nxac2Pause        = 4
	nxac2MeterID      = 5
)

// nxmInPort is NXM_OF_IN_PORT's header, bundle's member type.
const nxmInPort = 0x00000002

// NXAST_CT flags, NXAST_NAT flags and range bits.
const (
	ctCommit = 1 << 0
	ctForce  = 1 << 1

	natSrc        = 1 << 0
	natDst        = 1 << 1
	natPersistent = 1 << 2
	natHash       = 1 << 3
	natRandom     = 1 << 4

	natIPv4Min  = 1 << 0
	natIPv4Max  = 1 << 1
	natIPv6Min  = 1 << 2
	natIPv6Max  = 1 << 3
	natProtoMin = 1 << 4
	natProtoMax = 1 << 5
)

// extAction encodes the Nicira actions with structure: controller2,
// multipath, bundle, clone, ct, nat, sample, learn, check_pkt_larger.
func (e actionEncoder) extAction(a flowtable.Action) error {
	switch a := a.(type) {
	case *flowtable.Multipath:
		h, err := nxmHeader(a.Dst.Field)
		if err != nil {
			return err
		}
		off := e.nx(nxastMultipath)
		e.u16(uint16(a.Fields))
		e.u16(a.Basis)
		e.zeros(2)
		e.u16(uint16(a.Algorithm))
		e.u16(a.MaxLink)
		e.u32(a.Arg)
		e.zeros(2)
		e.u16(ofsNBits(a.Dst))
		e.u32(h)
		return e.finish(off)
	case *flowtable.Bundle:
		subtype, h, ofs := uint16(nxastBundle), uint32(0), uint16(0)
		if a.Dst != nil {
			var err error
			if h, err = nxmHeader(a.Dst.Field); err != nil {
				return err
			}
			subtype, ofs = nxastBundleLoad, ofsNBits(*a.Dst)
		}
		off := e.nx(subtype)
		e.u16(uint16(a.Algorithm))
		e.u16(uint16(a.Fields))
		e.u16(a.Basis)
		e.u32(nxmInPort)
		e.u16(uint16(len(a.Members)))
		e.u16(ofs)
		e.u32(h)
		e.zeros(4)
		for _, p := range a.Members {
			e.u16(uint16(p))
		}
		return e.finish(off)
	case *flowtable.Clone:
		off := e.nx(nxastClone)
		e.zeros(6)
		if err := appendActions(e.enc, a.Actions); err != nil {
			return err
		}
		return e.lenAt(off+2, off)
	case *flowtable.CT:
		return e.ct(a)
	case *flowtable.NAT:
		return e.nat(a)
	case *flowtable.Sample:
		subtype := uint16(nxastSample)
		switch {
		case a.Direction != flowtable.SampleDefault:
			subtype = nxastSample3
		case a.SamplingPort != flowtable.PortNone:
			subtype = nxastSample2
		}
		off := e.nx(subtype)
		e.u16(a.Probability)
		e.u32(a.CollectorSetID)
		e.u32(a.ObsDomainID)
		e.u32(a.ObsPointID)
		if subtype != nxastSample {
			e.u16(uint16(a.SamplingPort))
			if subtype == nxastSample3 {
				e.u8(uint8(a.Direction))
			}
		}
		return e.finish(off)
	case *flowtable.CheckPktLarger:
		h, err := nxmHeader(a.Dst.Field)
		if err != nil {
			return err
		}
		off := e.nx(nxastCheckPktLarger)
		e.u16(a.PktLen)
		e.u16(uint16(a.Dst.Ofs))
		e.u32(h)
		return e.finish(off)
	case *flowtable.Learn:
		return e.learn(a)
	}
	return errorf(BadActionBadType, "%s has no encoding in %s", flowtable.Actions{a}, e.v)
}

func (e actionEncoder) controller2(a *flowtable.Controller) error {
	off := e.nx(nxastController2)
	e.zeros(6)
	prop := func(typ uint16, value []byte) {
		start := len(e.b)
		e.u16(typ)
		e.u16(uint16(4 + len(value)))
		e.bytes(value)
		e.pad8(start)
	}
	// OVS pads 16-bit property values to 32 bits inside the length.
	if a.MaxLen != 0xffff {
		prop(nxac2MaxLen, binary.BigEndian.AppendUint32(nil, uint32(a.MaxLen)<<16))
	}
	if a.ID != 0 {
		prop(nxac2ControllerID, binary.BigEndian.AppendUint32(nil, uint32(a.ID)<<16))
	}
	if a.Reason != flowtable.ReasonAction {
		prop(nxac2Reason, []byte{uint8(a.Reason)})
	}
	if len(a.Userdata) > 0 {
		prop(nxac2Userdata, a.Userdata)
	}
	if a.Pause {
		prop(nxac2Pause, nil)
	}
	if a.MeterID != 0 {
		prop(nxac2MeterID, binary.BigEndian.AppendUint32(nil, a.MeterID))
	}
	return e.lenAt(off+2, off)
}

func (e actionEncoder) ct(a *flowtable.CT) error {
	off := e.nx(nxastCT)
	var flags uint16
	if a.Commit {
		flags |= ctCommit
	}
	if a.Force {
		flags |= ctForce
	}
	e.u16(flags)
	if a.ZoneSrc.Field != nil {
		h, err := nxmHeader(a.ZoneSrc.Field)
		if err != nil {
			return err
		}
		e.u32(h)
		e.u16(ofsNBits(a.ZoneSrc))
	} else {
		e.u32(0)
		e.u16(a.Zone)
	}
	e.u8(a.Table)
	e.zeros(3)
	e.u16(a.Alg)
	if err := appendActions(e.enc, a.Actions); err != nil {
		return err
	}
	return e.lenAt(off+2, off)
}

func (e actionEncoder) nat(a *flowtable.NAT) error {
	off := e.nx(nxastNAT)
	e.zeros(2)
	var flags, ranges uint16
	for _, f := range []struct {
		set  bool
		flag uint16
	}{{a.Src, natSrc}, {a.Dst, natDst}, {a.Persistent, natPersistent}, {a.Hash, natHash}, {a.Random, natRandom}} {
		if f.set {
			flags |= f.flag
		}
	}
	if a.MinAddr.IsValid() {
		if a.MinAddr.Is4() {
			ranges |= natIPv4Min
			if a.MaxAddr.IsValid() {
				ranges |= natIPv4Max
			}
		} else {
			ranges |= natIPv6Min
			if a.MaxAddr.IsValid() {
				ranges |= natIPv6Max
			}
		}
	}
	if a.MinPort != 0 {
		ranges |= natProtoMin
		if a.MaxPort != 0 {
			ranges |= natProtoMax
		}
	}
	e.u16(flags)
	e.u16(ranges)
	for _, addr := range []netip.Addr{a.MinAddr, a.MaxAddr} {
		if addr.IsValid() {
			e.bytes(addr.AsSlice())
		}
	}
	if a.MinPort != 0 {
		e.u16(a.MinPort)
		if a.MaxPort != 0 {
			e.u16(a.MaxPort)
		}
	}
	return e.finish(off)
}

// vendor decodes a Nicira action.
func (d actionDecoder) vendor(a []byte) (flowtable.Actions, error) {
	if len(a) < nxActionMinLen {
		return nil, errorf(BadActionBadLen, "vendor action of length %d", len(a))
	}
	if vendor := binary.BigEndian.Uint32(a[4:]); vendor != vendorNicira {
		return nil, errorf(BadActionBadVendor, "action vendor %#x", vendor)
	}
	subtype := binary.BigEndian.Uint16(a[8:])
	r := newDec(d.v, a[10:], BadActionBadLen, "Nicira action")
	one := func(act flowtable.Action, n int, name string) (flowtable.Actions, error) {
		if n != 0 {
			if err := fixedLen(a, n, name); err != nil {
				return nil, err
			}
		}
		if r.err != nil {
			return nil, r.err
		}
		return flowtable.Actions{act}, nil
	}
	switch subtype {
	case nxastResubmit, nxastResubmitTable, nxastResubmitTableCT:
		port := flowtable.Port(r.u16())
		table := r.u8()
		if subtype == nxastResubmit {
			table = flowtable.NoTable
		}
		return one(&flowtable.Resubmit{InPort: port, Table: table, CT: subtype == nxastResubmitTableCT}, 16, "resubmit")
	case nxastSetTunnel:
		r.skip(2)
		return one(&flowtable.SetTunnel{ID: uint64(r.u32())}, 16, "set_tunnel")
	case nxastSetTunnel64:
		r.skip(6)
		return one(&flowtable.SetTunnel{ID: r.u64(), Wide: true}, 24, "set_tunnel64")
	case nxastSetQueue:
		r.skip(2)
		return one(&flowtable.SetQueue{ID: r.u32()}, 16, "set_queue")
	case nxastPopQueue:
		return one(&flowtable.PopQueue{}, 16, "pop_queue")
	case nxastRegMove:
		// The headers are NXM's 32 bits or an experimenter OXM's 64.
		nbits, srcOfs, dstOfs := int(r.u16()), int(r.u16()), int(r.u16())
		src, err := d.c.oxmSubfield(r, srcOfs, nbits)
		if err != nil {
			return nil, err
		}
		dst, err := d.c.oxmSubfield(r, dstOfs, nbits)
		if err != nil {
			return nil, err
		}
		if !dst.Field.Writable {
			return nil, errorf(BadActionBadArgument, "move to read-only %s", dst.Field.Name)
		}
		n := 24
		if src.Field.Experimenter() || dst.Field.Experimenter() {
			n = 0 // padded to 8 bytes, checked by the action framing
		}
		return one(&flowtable.Move{Src: src, Dst: dst}, n, "reg_move")
	case nxastRegLoad:
		on := r.u16()
		sf, err := d.c.subfieldAt(r.u32(), int(on>>6), int(on&0x3f)+1)
		if err != nil {
			return nil, err
		}
		value := r.u64()
		if sf.NBits < 64 && value>>sf.NBits != 0 {
			return nil, errorf(BadActionBadArgument, "reg_load value %#x exceeds %d bits", value, sf.NBits)
		}
		if !sf.Field.Writable {
			return nil, errorf(BadActionBadArgument, "load to read-only %s", sf.Field.Name)
		}
		return one(loadAction(sf, value), 24, "reg_load")
	case nxastRegLoad2:
		mf, value, mask, err := d.c.decodeActionTLV(a[10:], true)
		if err != nil {
			return nil, err
		}
		return one(&flowtable.SetField{Field: mf.f, Value: value, Mask: mask}, 0, "reg_load2")
	case nxastNote:
		return one(&flowtable.Note{Data: clone(a[10:])}, 0, "note")
	case nxastGroup:
		r.skip(2)
		return one(&flowtable.Group{ID: r.u32()}, 16, "group")
	case nxastExit:
		return one(&flowtable.Exit{}, 16, "exit")
	case nxastCTClear:
		return one(&flowtable.CTClear{}, 16, "ct_clear")
	case nxastDecTTL:
		return one(&flowtable.DecTTL{}, 16, "dec_ttl")
	case nxastDecTTLCntIDs:
		n := int(r.u16())
		r.skip(4)
		if 16+2*n > len(a) {
			return nil, errorf(BadActionBadLen, "dec_ttl_cnt_ids with %d ids in %d bytes", n, len(a))
		}
		ids := make([]uint16, n)
		for i := range ids {
			ids[i] = r.u16()
		}
		return one(&flowtable.DecTTL{IDs: ids}, 0, "dec_ttl_cnt_ids")
	case nxastConjunction:
		clause, n, id := r.u8(), r.u8(), r.u32()
		if n < 2 || n > 64 || clause >= n {
			return nil, errorf("NXBAC_BAD_CONJUNCTION", "conjunction clause %d of %d", clause+1, n)
		}
		return one(&flowtable.Conjunction{ID: id, Clause: clause + 1, NClauses: n}, 16, "conjunction")
	case nxastStackPush, nxastStackPop:
		ofs := int(r.u16())
		h := r.u32()
		nbits := int(r.u16())
		sf, err := d.c.subfieldAt(h, ofs, nbits)
		if err != nil {
			return nil, err
		}
		if subtype == nxastStackPush {
			return one(&flowtable.StackPush{Src: sf}, 24, "stack_push")
		}
		return one(&flowtable.StackPop{Dst: sf}, 24, "stack_pop")
	case nxastWriteMetadata:
		r.skip(6)
		return one(&flowtable.WriteMetadata{Value: r.u64(), Mask: r.u64()}, 32, "write_metadata")
	case nxastPushMPLS:
		return one(&flowtable.PushMPLS{EthType: r.u16()}, 16, "push_mpls")
	case nxastPopMPLS:
		return one(&flowtable.PopMPLS{EthType: r.u16()}, 16, "pop_mpls")
	case nxastSetMPLSTTL:
		return one(&flowtable.SetMPLSTTL{TTL: r.u8()}, 16, "set_mpls_ttl")
	case nxastDecMPLSTTL:
		return one(&flowtable.DecMPLSTTL{}, 16, "dec_mpls_ttl")
	case nxastSetMPLSLabel:
		r.skip(2)
		return one(&flowtable.SetMPLSLabel{Label: r.u32()}, 16, "set_mpls_label")
	case nxastSetMPLSTC:
		return one(&flowtable.SetMPLSTC{TC: r.u8()}, 16, "set_mpls_tc")
	case nxastFinTimeout:
		return one(&flowtable.FinTimeout{IdleTimeout: r.u16(), HardTimeout: r.u16()}, 16, "fin_timeout")
	case nxastOutputReg:
		on := r.u16()
		sf, err := d.c.subfieldAt(r.u32(), int(on>>6), int(on&0x3f)+1)
		if err != nil {
			return nil, err
		}
		return one(&flowtable.OutputReg{Src: sf}, 24, "output_reg")
	case nxastOutputTrunc:
		return one(&flowtable.OutputTrunc{Port: flowtable.Port(r.u16()), MaxLen: r.u32()}, 16, "output_trunc")
	case nxastController:
		c := &flowtable.Controller{MaxLen: r.u16(), ID: r.u16(), Reason: flowtable.ControllerReason(r.u8())}
		return one(c, 16, "controller")
	case nxastController2:
		return d.controller2(a)
	case nxastMultipath:
		m := &flowtable.Multipath{Fields: flowtable.HashFields(r.u16()), Basis: r.u16()}
		r.skip(2)
		m.Algorithm = flowtable.MultipathAlgorithm(r.u16())
		m.MaxLink, m.Arg = r.u16(), r.u32()
		r.skip(2)
		on := r.u16()
		sf, err := d.c.subfieldAt(r.u32(), int(on>>6), int(on&0x3f)+1)
		if err != nil {
			return nil, err
		}
		m.Dst = sf
		return one(m, 32, "multipath")
	case nxastBundle, nxastBundleLoad:
		return d.bundle(subtype, r, len(a))
	case nxastClone:
		inner := d
		inner.depth++
		acts, err := inner.list(a[16:])
		if err != nil {
			return nil, err
		}
		return one(&flowtable.Clone{Actions: acts}, 0, "clone")
	case nxastCT:
		return d.ct(r, a)
	case nxastNAT:
		return d.nat(r)
	case nxastSample, nxastSample2, nxastSample3:
		s := &flowtable.Sample{Probability: r.u16(), CollectorSetID: r.u32(), ObsDomainID: r.u32(), ObsPointID: r.u32(), SamplingPort: flowtable.PortNone}
		n := 24
		if subtype != nxastSample {
			s.SamplingPort, n = flowtable.Port(r.u16()), 32
			if subtype == nxastSample3 {
				s.Direction = flowtable.SampleDirection(r.u8())
			}
		}
		return one(s, n, "sample")
	case nxastCheckPktLarger:
		c := &flowtable.CheckPktLarger{PktLen: r.u16()}
		ofs := int(r.u16())
		sf, err := d.c.subfieldAt(r.u32(), ofs, 1)
		if err != nil {
			return nil, err
		}
		c.Dst = sf
		return one(c, 24, "check_pkt_larger")
	case nxastLearn, nxastLearn2:
		return d.learn(r, subtype == nxastLearn2)
	}
	return nil, errorf(BadActionBadVendorType, "Nicira action subtype %d", subtype)
}

// loadAction turns an NXAST_REG_LOAD into the SetField OVS holds.
func loadAction(sf flowtable.Subfield, value uint64) *flowtable.SetField {
	var k, m flowtable.Key
	sf.Set(&k, value)
	sf.SetMask(&m)
	v := make([]byte, sf.Field.Bytes())
	mask := make([]byte, sf.Field.Bytes())
	sf.Field.GetBytes(&k, v)
	sf.Field.GetBytes(&m, mask)
	return &flowtable.SetField{Field: sf.Field, Value: v, Mask: mask, Load: true}
}

// subfieldAt resolves an NXM header and a bit range.
func (c *decodeCtx) subfieldAt(h uint32, ofs, nbits int) (flowtable.Subfield, error) {
	th := tlvHeader{class: uint16(h >> 16), field: uint8(h >> 9 & 0x7f)}
	mf, variable, err := c.actionField(h, th)
	if err != nil {
		return flowtable.Subfield{}, err
	}
	if mf == nil || h&(1<<8) != 0 || !variable && int(h&0xff) != mf.size || mf.kind != kindPlain {
		return flowtable.Subfield{}, errorf(BadActionBadArgument, "subfield of unknown field %#08x", h)
	}
	return subfieldBits(mf, variable, ofs, nbits)
}

// subfieldBits checks a bit range of mf. Bits beyond a tun_metadataN's
// option are OFPBAC_BAD_SET_LEN, as in OVS, whose ovs-ofctl cannot check
// them without the switch's map.
func subfieldBits(mf *matchField, variable bool, ofs, nbits int) (flowtable.Subfield, error) {
	if nbits <= 0 || ofs < 0 || ofs+nbits > mf.f.Bits {
		code := BadActionBadArgument
		if variable {
			code = BadActionBadSetLen
		}
		return flowtable.Subfield{}, errorf(code, "bits %d..%d of %d-bit %s", ofs, ofs+nbits-1, mf.f.Bits, mf.name)
	}
	return flowtable.Subfield{Field: mf.f, Ofs: ofs, NBits: nbits}, nil
}

func (d actionDecoder) controller2(a []byte) (flowtable.Actions, error) {
	c := &flowtable.Controller{MaxLen: 0xffff, Reason: flowtable.ReasonAction}
	b := a[16:]
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, errorf(BadActionBadLen, "controller2 property in %d bytes", len(b))
		}
		typ, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if n < 4 || (n+7)/8*8 > len(b) {
			return nil, errorf("OFPBPC_BAD_LEN", "controller2 property of length %d in %d bytes", n, len(b))
		}
		v := b[4:n]
		need := map[uint16]int{nxac2MaxLen: 4, nxac2ControllerID: 4, nxac2Reason: 1, nxac2Pause: 0, nxac2MeterID: 4}
		if want, ok := need[typ]; ok && len(v) != want {
			return nil, errorf("OFPBPC_BAD_LEN", "controller2 property %d of length %d", typ, n)
		}
		switch typ {
		case nxac2MaxLen:
			c.MaxLen = binary.BigEndian.Uint16(v)
		case nxac2ControllerID:
			c.ID = binary.BigEndian.Uint16(v)
		case nxac2Reason:
			c.Reason = flowtable.ControllerReason(v[0])
		case nxac2Userdata:
			c.Userdata = clone(v)
		case nxac2Pause:
			c.Pause = true
		case nxac2MeterID:
			c.MeterID = binary.BigEndian.Uint32(v)
		default:
			return nil, errorf("OFPBPC_BAD_TYPE", "controller2 property %d", typ)
		}
		b = b[(n+7)/8*8:]
	}
	return flowtable.Actions{c}, nil
}

// maxBundleMembers bounds a bundle's member list on decode.
const maxBundleMembers = 1024

func (d actionDecoder) bundle(subtype uint16, r *dec, n int) (flowtable.Actions, error) {
	b := &flowtable.Bundle{Algorithm: flowtable.BundleAlgorithm(r.u16()), Fields: flowtable.HashFields(r.u16()), Basis: r.u16()}
	memberType := r.u32()
	count := int(r.u16())
	on := r.u16()
	h := r.u32()
	r.skip(4)
	if r.err != nil {
		return nil, r.err
	}
	if memberType != nxmInPort {
		return nil, errorf(BadActionBadArgument, "bundle member type %#x", memberType)
	}
	if count > maxBundleMembers || 32+2*count > n {
		return nil, errorf(BadActionBadLen, "bundle with %d members in %d bytes", count, n)
	}
	if subtype == nxastBundleLoad {
		sf, err := d.c.subfieldAt(h, int(on>>6), int(on&0x3f)+1)
		if err != nil {
			return nil, err
		}
		b.Dst = &sf
	}
	b.Members = make([]flowtable.Port, count)
	for i := range b.Members {
		b.Members[i] = flowtable.Port(r.u16())
	}
	return flowtable.Actions{b}, r.err
}

func (d actionDecoder) ct(r *dec, a []byte) (flowtable.Actions, error) {
	flags := r.u16()
	zoneSrc := r.u32()
	zone := r.u16()
	ct := &flowtable.CT{Commit: flags&ctCommit != 0, Force: flags&ctForce != 0, Table: r.u8()}
	r.skip(3)
	ct.Alg = r.u16()
	if r.err != nil {
		return nil, r.err
	}
	if flags&^(ctCommit|ctForce) != 0 {
		return nil, errorf(BadActionBadArgument, "ct flags %#x", flags)
	}
	if zoneSrc != 0 {
		sf, err := d.c.subfieldAt(zoneSrc, int(zone>>6), int(zone&0x3f)+1)
		if err != nil {
			return nil, err
		}
		ct.ZoneSrc = sf
	} else {
		ct.Zone = zone
	}
	inner := d
	inner.depth++
	acts, err := inner.list(a[24:])
	if err != nil {
		return nil, err
	}
	if len(acts) > 0 {
		ct.Actions = acts
	}
	return flowtable.Actions{ct}, nil
}

func (d actionDecoder) nat(r *dec) (flowtable.Actions, error) {
	r.skip(2)
	flags, ranges := r.u16(), r.u16()
	n := &flowtable.NAT{
		Src: flags&natSrc != 0, Dst: flags&natDst != 0, Persistent: flags&natPersistent != 0,
		Hash: flags&natHash != 0, Random: flags&natRandom != 0,
	}
	addr := func(size int) netip.Addr {
		a, _ := netip.AddrFromSlice(r.take(size))
		return a
	}
	if ranges&natIPv4Min != 0 {
		n.MinAddr = addr(4)
		if ranges&natIPv4Max != 0 {
			n.MaxAddr = addr(4)
		}
	} else if ranges&natIPv6Min != 0 {
		n.MinAddr = addr(16)
		if ranges&natIPv6Max != 0 {
			n.MaxAddr = addr(16)
		}
	}
	if ranges&natProtoMin != 0 {
		n.MinPort = r.u16()
		if ranges&natProtoMax != 0 {
			n.MaxPort = r.u16()
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return flowtable.Actions{n}, nil
}
