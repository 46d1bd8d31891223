package ofp

import (
	"encoding/binary"
	"fmt"

	"github.com/govs/govs/flowtable"
)

// OpenFlow action types: OpenFlow 1.0 (a10*), 1.1+ (a11*), shared (a*).
const (
	aOutput         = 0
	a10SetVLANVID   = 1
	a10SetVLANPCP   = 2
	a10StripVLAN    = 3
	a10SetDLSrc     = 4
	a10SetDLDst     = 5
	a10SetNwSrc     = 6
	a10SetNwDst     = 7
	a10SetNwTOS     = 8
	a10SetTpSrc     = 9
	a10SetTpDst     = 10
	a10Enqueue      = 11
	a11SetDLSrc     = 3 // OpenFlow 1.1 only, as are a11SetDLDst…a11SetNwECN
	a11SetDLDst     = 4
	a11SetNwSrc     = 5
	a11SetNwDst     = 6
	a11SetNwTOS     = 7
	a11SetNwECN     = 8
	a11SetMPLSTTL   = 15
	a11DecMPLSTTL   = 16
	a11PushVLAN     = 17
	a11PopVLAN      = 18
	a11PushMPLS     = 19
	a11PopMPLS      = 20
	a11SetQueue     = 21
	a11Group        = 22
	a11SetNwTTL     = 23
	a11DecNwTTL     = 24
	a12SetField     = 25
	a15CopyField    = 28
	a15Meter        = 29
	aVendor         = 0xffff
	actionHeaderLen = 4
	nxActionMinLen  = 16
)

// Nicira action subtypes (NXAST_*).
const (
	nxastResubmit        = 1
	nxastSetTunnel       = 2
	nxastSetQueue        = 4
	nxastPopQueue        = 5
	nxastRegMove         = 6
	nxastRegLoad         = 7
	nxastNote            = 8
	nxastSetTunnel64     = 9
	nxastMultipath       = 10
	nxastBundle          = 12
	nxastBundleLoad      = 13
	nxastResubmitTable   = 14
	nxastOutputReg       = 15
	nxastLearn           = 16
	nxastExit            = 17
	nxastDecTTL          = 18
	nxastFinTimeout      = 19
	nxastController      = 20
	nxastDecTTLCntIDs    = 21
	nxastWriteMetadata   = 22
	nxastPushMPLS        = 23
	nxastPopMPLS         = 24
	nxastSetMPLSTTL      = 25
	nxastDecMPLSTTL      = 26
	nxastStackPush       = 27
	nxastStackPop        = 28
	nxastSample          = 29
	nxastSetMPLSLabel    = 30
	nxastSetMPLSTC       = 31
	nxastRegLoad2        = 33
	nxastConjunction     = 34
	nxastCT              = 35
	nxastNAT             = 36
	nxastController2     = 37
	nxastSample2         = 38
	nxastOutputTrunc     = 39
	nxastGroup           = 40
	nxastSample3         = 41
	nxastClone           = 42
	nxastCTClear         = 43
	nxastResubmitTableCT = 44
	nxastCheckPktLarger  = 49
)

// actionEncoder appends actions in one version.
type actionEncoder struct{ *enc }

// start begins an action of the given type; finish fills in its length,
// zero-padding it to a multiple of 8 bytes.
func (e actionEncoder) start(typ uint16) int {
	off := len(e.b)
	e.u16(typ)
	e.u16(0)
	return off
}

func (e actionEncoder) finish(off int) error {
	e.pad8(off)
	return e.lenAt(off+2, off)
}

// nx begins a Nicira action.
func (e actionEncoder) nx(subtype uint16) int {
	off := e.start(aVendor)
	e.u32(vendorNicira)
	e.u16(subtype)
	return off
}

// ofsNBits packs a subfield's offset and width as NXM actions do.
func ofsNBits(sf flowtable.Subfield) uint16 { return uint16(sf.Ofs<<6 | (sf.NBits - 1)) }

// nxmHeader is the 32-bit NXM header naming a whole field, as NXAST
// actions carry it; a tun_metadataN's gives its option's length.
func nxmHeader(f *flowtable.Field) (uint32, error) {
	mf := nxmOf[f]
	if mf == nil {
		mf = tunMetadataTLV(f)
	}
	if mf == nil {
		return 0, fmt.Errorf("field %s has no NXM header", f.Name)
	}
	if mf.hdr.class == classExperimenter {
		return 0, fmt.Errorf("field %s needs an experimenter header", f.Name)
	}
	return uint32(mf.hdr.class)<<16 | uint32(mf.hdr.field)<<9 | uint32(mf.size), nil
}

// appendActions appends an action list (not instructions).
func appendActions(e *enc, acts flowtable.Actions) error {
	ae := actionEncoder{e}
	for _, a := range acts {
		if err := ae.action(a); err != nil {
			return fmt.Errorf("%s: %w", flowtable.Actions{a}, err)
		}
	}
	return nil
}

func (e actionEncoder) action(a flowtable.Action) error {
	v := e.v
	switch a := a.(type) {
	case *flowtable.Output:
		off := e.start(aOutput)
		e.port(a.Port)
		e.u16(0)
		return e.finish(off)
	case *flowtable.Controller:
		if a.IsOutput() {
			off := e.start(aOutput)
			e.port(flowtable.PortController)
			e.u16(a.MaxLen)
			return e.finish(off)
		}
		if len(a.Userdata) == 0 && !a.Pause && a.MeterID == 0 {
			off := e.nx(nxastController)
			e.u16(a.MaxLen)
			e.u16(a.ID)
			e.u8(uint8(a.Reason))
			return e.finish(off)
		}
		return e.controller2(a)
	case *flowtable.Enqueue:
		if v != OF10 {
			// OVS sends set_queue, output (max_len 65535), pop_queue.
			if err := e.action(&flowtable.SetQueue{ID: a.Queue}); err != nil {
				return err
			}
			off := e.start(aOutput)
			e.port(a.Port)
			e.u16(0xffff)
			if err := e.finish(off); err != nil {
				return err
			}
			return e.action(&flowtable.PopQueue{})
		}
		off := e.start(a10Enqueue)
		e.u16(uint16(a.Port))
		e.zeros(6)
		e.u32(a.Queue)
		return e.finish(off)
	case *flowtable.SetVLANVID:
		if v >= OF12 {
			return e.setField(flowtable.FieldVLANVID, uint64(a.VID)|flowtable.VLANCFI)
		}
		off := e.start(a10SetVLANVID)
		e.u16(a.VID)
		return e.finish(off)
	case *flowtable.SetVLANPCP:
		if v >= OF12 {
			return e.setField(flowtable.FieldVLANPCP, uint64(a.PCP))
		}
		off := e.start(a10SetVLANPCP)
		e.u8(a.PCP)
		return e.finish(off)
	case *flowtable.StripVLAN:
		if v == OF10 {
			return e.finish(e.start(a10StripVLAN))
		}
		return e.finish(e.start(a11PopVLAN))
	case *flowtable.PushVLAN:
		if v == OF10 {
			return fmt.Errorf("push_vlan has no encoding in %s", v)
		}
		off := e.start(a11PushVLAN)
		e.u16(a.EthType)
		return e.finish(off)
	case *flowtable.SetEthSrc:
		return e.setMAC(a10SetDLSrc, flowtable.FieldEthSrc, a.MAC)
	case *flowtable.SetEthDst:
		return e.setMAC(a10SetDLDst, flowtable.FieldEthDst, a.MAC)
	case *flowtable.SetIPv4Src:
		return e.setIPv4(a10SetNwSrc, flowtable.FieldIPSrc, a.Addr)
	case *flowtable.SetIPv4Dst:
		return e.setIPv4(a10SetNwDst, flowtable.FieldIPDst, a.Addr)
	case *flowtable.SetIPTOS:
		if v >= OF12 {
			return e.setField(flowtable.FieldIPDSCP, uint64(a.TOS>>2))
		}
		off := e.start(e.rewriteType(a10SetNwTOS))
		e.u8(a.TOS)
		return e.finish(off)
	case *flowtable.SetL4Src:
		return e.setTp(a10SetTpSrc, a.Port)
	case *flowtable.SetL4Dst:
		return e.setTp(a10SetTpDst, a.Port)
	case *flowtable.SetIPTTL:
		if v == OF10 {
			return e.regLoads(loadAction(flowtable.Subfield{Field: flowtable.FieldNwTTL, NBits: 8}, uint64(a.TTL)))
		}
		off := e.start(a11SetNwTTL)
		e.u8(a.TTL)
		return e.finish(off)
	case *flowtable.SetIPECN:
		if v >= OF12 {
			return e.setField(flowtable.FieldNwECN, uint64(a.ECN))
		}
		if v == OF11 {
			off := e.start(a11SetNwECN)
			e.u8(a.ECN)
			return e.finish(off)
		}
		return e.regLoads(loadAction(flowtable.Subfield{Field: flowtable.FieldNwECN, NBits: 2}, uint64(a.ECN)))
	case *flowtable.SetField:
		return e.setFieldAction(a)
	case *flowtable.Move:
		return e.move(a)
	case *flowtable.Resubmit:
		return e.resubmit(a.InPort, a.Table, a.CT)
	case *flowtable.GotoTable:
		if v != OF10 {
			return fmt.Errorf("goto_table is an instruction in %s", v)
		}
		return e.resubmit(flowtable.PortInPort, a.Table, false)
	case *flowtable.SetTunnel:
		if a.Wide || a.ID > 0xffffffff {
			off := e.nx(nxastSetTunnel64)
			e.zeros(6)
			e.u64(a.ID)
			return e.finish(off)
		}
		off := e.nx(nxastSetTunnel)
		e.zeros(2)
		e.u32(uint32(a.ID))
		return e.finish(off)
	case *flowtable.SetQueue:
		if v == OF10 {
			off := e.nx(nxastSetQueue)
			e.zeros(2)
			e.u32(a.ID)
			return e.finish(off)
		}
		off := e.start(a11SetQueue)
		e.u32(a.ID)
		return e.finish(off)
	case *flowtable.PopQueue:
		return e.finish(e.nx(nxastPopQueue))
	case *flowtable.Group:
		if v == OF10 {
			off := e.nx(nxastGroup)
			e.zeros(2)
			e.u32(a.ID)
			return e.finish(off)
		}
		off := e.start(a11Group)
		e.u32(a.ID)
		return e.finish(off)
	case *flowtable.Note:
		off := e.nx(nxastNote)
		e.bytes(a.Data)
		return e.finish(off)
	case *flowtable.Exit:
		return e.finish(e.nx(nxastExit))
	case *flowtable.CTClear:
		return e.finish(e.nx(nxastCTClear))
	case *flowtable.DecTTL:
		if a.IDs == nil {
			if v == OF10 {
				return e.finish(e.nx(nxastDecTTL))
			}
			return e.finish(e.start(a11DecNwTTL))
		}
		off := e.nx(nxastDecTTLCntIDs)
		e.u16(uint16(len(a.IDs)))
		e.zeros(4)
		for _, id := range a.IDs {
			e.u16(id)
		}
		return e.finish(off)
	case *flowtable.Conjunction:
		off := e.nx(nxastConjunction)
		e.u8(a.Clause - 1)
		e.u8(a.NClauses)
		e.u32(a.ID)
		return e.finish(off)
	case *flowtable.StackPush:
		return e.stack(nxastStackPush, a.Src)
	case *flowtable.StackPop:
		return e.stack(nxastStackPop, a.Dst)
	case *flowtable.WriteMetadata:
		if v != OF10 {
			return fmt.Errorf("write_metadata is an instruction in %s", v)
		}
		off := e.nx(nxastWriteMetadata)
		e.zeros(6)
		e.u64(a.Value)
		e.u64(a.Mask)
		return e.finish(off)
	case *flowtable.PushMPLS:
		return e.ethTypeAction(a11PushMPLS, nxastPushMPLS, a.EthType)
	case *flowtable.PopMPLS:
		return e.ethTypeAction(a11PopMPLS, nxastPopMPLS, a.EthType)
	case *flowtable.SetMPLSLabel:
		if v >= OF12 {
			return e.setField(flowtable.FieldMPLSLabel, uint64(a.Label))
		}
		off := e.nx(nxastSetMPLSLabel)
		e.zeros(2)
		e.u32(a.Label)
		return e.finish(off)
	case *flowtable.SetMPLSTC:
		if v >= OF12 {
			return e.setField(flowtable.FieldMPLSTC, uint64(a.TC))
		}
		off := e.nx(nxastSetMPLSTC)
		e.u8(a.TC)
		return e.finish(off)
	case *flowtable.SetMPLSTTL:
		if v == OF10 {
			off := e.nx(nxastSetMPLSTTL)
			e.u8(a.TTL)
			return e.finish(off)
		}
		off := e.start(a11SetMPLSTTL)
		e.u8(a.TTL)
		return e.finish(off)
	case *flowtable.DecMPLSTTL:
		if v == OF10 {
			return e.finish(e.nx(nxastDecMPLSTTL))
		}
		return e.finish(e.start(a11DecMPLSTTL))
	case *flowtable.FinTimeout:
		off := e.nx(nxastFinTimeout)
		e.u16(a.IdleTimeout)
		e.u16(a.HardTimeout)
		return e.finish(off)
	case *flowtable.OutputReg:
		return e.outputReg(a)
	case *flowtable.OutputTrunc:
		off := e.nx(nxastOutputTrunc)
		e.u16(uint16(a.Port))
		e.u32(a.MaxLen)
		return e.finish(off)
	case *flowtable.Meter:
		if v != OF15 {
			return fmt.Errorf("meter is an instruction in %s", v)
		}
		off := e.start(a15Meter)
		e.u32(a.ID)
		return e.finish(off)
	}
	return e.extAction(a)
}

func (e actionEncoder) setMAC(typ uint16, f *flowtable.Field, mac [6]byte) error {
	if e.v >= OF12 {
		return e.setFieldBytes(f, mac[:])
	}
	off := e.start(e.rewriteType(typ))
	e.bytes(mac[:])
	return e.finish(off)
}

func (e actionEncoder) setIPv4(typ uint16, f *flowtable.Field, addr [4]byte) error {
	if e.v >= OF12 {
		return e.setFieldBytes(f, addr[:])
	}
	off := e.start(e.rewriteType(typ))
	e.bytes(addr[:])
	return e.finish(off)
}

func (e actionEncoder) setTp(typ uint16, port uint16) error {
	if e.v >= OF12 {
		return fmt.Errorf("mod_tp_src/dst need the flow's protocol in %s", e.v)
	}
	off := e.start(typ)
	e.u16(port)
	return e.finish(off)
}

func (e actionEncoder) ethTypeAction(typ11, nxast uint16, ethType uint16) error {
	off := 0
	if e.v == OF10 {
		off = e.nx(nxast)
	} else {
		off = e.start(typ11)
	}
	e.u16(ethType)
	return e.finish(off)
}

func (e actionEncoder) resubmit(inPort flowtable.Port, table uint8, ct bool) error {
	// OVS sends NXAST_RESUBMIT_TABLE even for a plain resubmit:N.
	subtype := uint16(nxastResubmitTable)
	if ct {
		subtype = nxastResubmitTableCT
	}
	off := e.nx(subtype)
	e.u16(uint16(inPort))
	e.u8(table)
	return e.finish(off)
}

func (e actionEncoder) stack(subtype uint16, sf flowtable.Subfield) error {
	h, err := nxmHeader(sf.Field)
	if err != nil {
		return err
	}
	off := e.nx(subtype)
	e.u16(uint16(sf.Ofs))
	e.u32(h)
	e.u16(uint16(sf.NBits))
	return e.finish(off)
}

func (e actionEncoder) move(a *flowtable.Move) error {
	if e.v >= OF15 {
		return e.copyField(a)
	}
	off := e.nx(nxastRegMove)
	e.u16(uint16(a.Src.NBits))
	e.u16(uint16(a.Src.Ofs))
	e.u16(uint16(a.Dst.Ofs))
	for _, f := range []*flowtable.Field{a.Src.Field, a.Dst.Field} {
		if err := e.moveHeader(f); err != nil {
			return err
		}
	}
	return e.finish(off)
}

// moveHeader writes the header naming f in NXAST_REG_MOVE: NXM's 32 bits
// or, for an experimenter field, the 64-bit OXM header OVS also takes
// there (the action is then padded to a multiple of 8).
func (e actionEncoder) moveHeader(f *flowtable.Field) error {
	if f.Experimenter() {
		mf := nxmOf[f]
		if mf == nil {
			return fmt.Errorf("field %s has no OXM header", f.Name)
		}
		mf.putHeader(e.enc, false)
		return nil
	}
	h, err := nxmHeader(f)
	if err != nil {
		return err
	}
	e.u32(h)
	return nil
}

func (e actionEncoder) outputReg(a *flowtable.OutputReg) error {
	h, err := nxmHeader(a.Src.Field)
	if err != nil {
		return err
	}
	off := e.nx(nxastOutputReg)
	e.u16(ofsNBits(a.Src))
	e.u32(h)
	e.u16(0xffff) // max_len, used only for the controller
	return e.finish(off)
}

// actionTLV is the TLV that names f in actions of version v: the match's
// OXM, except that in_port keeps its 16-bit NXM form and tun_metadataN
// its NXM one, as in OVS.
func actionTLV(f *flowtable.Field, v Version) *matchField {
	if mf := tunMetadataTLV(f); mf != nil {
		return mf
	}
	if f == flowtable.FieldInPort || v < OF12 {
		return nxmOf[f]
	}
	return fieldTLV(f, v)
}

// setField appends set_field of a whole field of at most 64 bits.
func (e actionEncoder) setField(f *flowtable.Field, v uint64) error {
	b := make([]byte, f.Bytes())
	putUintBE(b, v)
	return e.setFieldBytes(f, b)
}

// setFieldBytes appends OFPAT_SET_FIELD of a whole field.
func (e actionEncoder) setFieldBytes(f *flowtable.Field, v []byte) error {
	mf := actionTLV(f, e.v)
	if mf == nil {
		return fmt.Errorf("field %s has no OXM in %s", f.Name, e.v)
	}
	var k flowtable.Key
	f.SetBytes(&k, v)
	off := e.start(a12SetField)
	mf.putHeader(e.enc, false)
	mf.putValue(e.enc, &k)
	return e.finish(off)
}

// setFieldAction encodes a SetField as OVS does: NXAST_REG_LOAD (one per
// run of mask bits) in OpenFlow 1.0 and for "load:" before 1.5;
// set_field when the whole field is written or the version allows masks
// (1.5); else NXAST_REG_LOAD2. A tun_metadataN, which OVS treats as
// wider than NXAST_REG_LOAD's 64 bits, takes NXAST_REG_LOAD2 before 1.2.
func (e actionEncoder) setFieldAction(a *flowtable.SetField) error {
	f := a.Field
	full := onesCount(a.Mask) == f.Bits
	_, option := flowtable.TunMetadataIndex(f)
	if f.Experimenter() && e.v == OF10 {
		return e.regLoad2(a, full)
	}
	if !option && (e.v == OF10 || a.Load && e.v < OF15 && nxmOf[f] != nil && nxmOf[f].hdr.class != classExperimenter) {
		return e.regLoads(a)
	}
	if !full && e.v < OF15 || option && e.v < OF12 {
		return e.regLoad2(a, full)
	}
	mf := actionTLV(f, e.v)
	if mf == nil {
		return fmt.Errorf("field %s has no OXM in %s", f.Name, e.v)
	}
	var k, m flowtable.Key
	f.SetBytes(&k, a.Value)
	f.SetBytes(&m, a.Mask)
	off := e.start(a12SetField)
	mf.putHeader(e.enc, !full)
	mf.putValue(e.enc, &k)
	if !full {
		mf.putValue(e.enc, &m)
	}
	return e.finish(off)
}

// regLoads appends one NXAST_REG_LOAD per run of ones in the mask.
func (e actionEncoder) regLoads(a *flowtable.SetField) error {
	h, err := nxmHeader(a.Field)
	if err != nil {
		return err
	}
	var k flowtable.Key
	a.Field.SetBytes(&k, a.Value)
	for _, seg := range maskRuns(a.Field, a.Mask) {
		off := e.nx(nxastRegLoad)
		e.u16(ofsNBits(seg))
		e.u32(h)
		e.u64(seg.Get(&k))
		if err := e.finish(off); err != nil {
			return err
		}
	}
	return nil
}

// maskRuns splits a mask into runs of contiguous ones of at most 64
// bits, from the least significant bit up.
func maskRuns(f *flowtable.Field, mask []byte) []flowtable.Subfield {
	var runs []flowtable.Subfield
	bit := func(i int) bool { return mask[len(mask)-1-i/8]>>(i%8)&1 == 1 }
	for ofs := 0; ofs < f.Bits; {
		if !bit(ofs) {
			ofs++
			continue
		}
		end := ofs
		for end < f.Bits && end-ofs < 64 && bit(end) {
			end++
		}
		runs = append(runs, flowtable.Subfield{Field: f, Ofs: ofs, NBits: end - ofs})
		ofs = end
	}
	return runs
}

// regLoad2 appends NXAST_REG_LOAD2: an OXM TLV, masked unless full.
func (e actionEncoder) regLoad2(a *flowtable.SetField, full bool) error {
	mf := actionTLV(a.Field, e.v)
	if mf == nil {
		mf = nxmOf[a.Field]
	}
	if mf == nil {
		return fmt.Errorf("field %s has no TLV", a.Field.Name)
	}
	var k, m flowtable.Key
	a.Field.SetBytes(&k, a.Value)
	a.Field.SetBytes(&m, a.Mask)
	off := e.nx(nxastRegLoad2)
	mf.putHeader(e.enc, !full)
	mf.putValue(e.enc, &k)
	if !full {
		mf.putValue(e.enc, &m)
	}
	return e.finish(off)
}

// maxActionDepth bounds nesting (clone, write_actions, ct) on decode.
const maxActionDepth = 16

// actionDecoder parses actions of one version.
type actionDecoder struct {
	c     *decodeCtx // resolves tun_metadataN in field TLVs
	v     Version
	depth int
}

// decodeActions parses an action list; c's TLV map resolves the
// tun_metadataN fields that actions name.
func decodeActions(c *decodeCtx, v Version, b []byte) (flowtable.Actions, error) {
	return actionDecoder{c: c, v: v}.list(b)
}

func (d actionDecoder) list(b []byte) (flowtable.Actions, error) {
	if d.depth > maxActionDepth {
		return nil, errorf(BadActionBadArgument, "actions nested more than %d deep", maxActionDepth)
	}
	acts := flowtable.Actions{}
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, errorf(BadActionBadLen, "%d trailing bytes in action list", len(b))
		}
		typ := binary.BigEndian.Uint16(b)
		n := int(binary.BigEndian.Uint16(b[2:]))
		if n < 8 || n%8 != 0 || n > len(b) {
			return nil, errorf(BadActionBadLen, "action type %d of length %d in %d bytes", typ, n, len(b))
		}
		got, err := d.action(typ, b[:n])
		if err != nil {
			return nil, err
		}
		acts = append(acts, got...)
		b = b[n:]
	}
	return acts, nil
}

// fixedLen checks an action's length.
func fixedLen(a []byte, n int, name string) error {
	if len(a) != n {
		return errorf(BadActionBadLen, "%s of length %d, want %d", name, len(a), n)
	}
	return nil
}

func (d actionDecoder) action(typ uint16, a []byte) (flowtable.Actions, error) {
	v := d.v
	body := a[actionHeaderLen:]
	one := func(act flowtable.Action, n int, name string) (flowtable.Actions, error) {
		if err := fixedLen(a, n, name); err != nil {
			return nil, err
		}
		return flowtable.Actions{act}, nil
	}
	u16 := func(off int) uint16 { return binary.BigEndian.Uint16(body[off:]) }
	u32 := func(off int) uint32 { return binary.BigEndian.Uint32(body[off:]) }
	if typ == aVendor {
		return d.vendor(a)
	}
	lens := actionLens11
	if v == OF10 {
		lens = actionLens10
	}
	if want, known := lens[typ]; known && len(a) != want {
		return nil, errorf(BadActionBadLen, "action type %d of length %d, want %d", typ, len(a), want)
	}
	if typ == aOutput {
		var port flowtable.Port
		var maxLen uint16
		if v == OF10 {
			port, maxLen = flowtable.Port(u16(0)), u16(2)
		} else {
			if err := fixedLen(a, 16, "output"); err != nil {
				return nil, err
			}
			p, err := decodePort32(u32(0))
			if err != nil {
				return nil, &Error{Code: BadActionBadOutPort, Err: err}
			}
			port, maxLen = p, u16(4)
		}
		if port == flowtable.PortController {
			return one(&flowtable.Controller{MaxLen: maxLen, Reason: flowtable.ReasonAction}, len(a), "output")
		}
		if port == flowtable.PortNone {
			return nil, errorf(BadActionBadOutPort, "output to port %d", port)
		}
		return one(&flowtable.Output{Port: port}, len(a), "output")
	}
	if v == OF11 {
		if typ == a11SetNwECN {
			if body[0] > 3 {
				return nil, errorf(BadActionBadArgument, "nw_ecn %d", body[0])
			}
			return one(&flowtable.SetIPECN{ECN: body[0]}, 8, "set_nw_ecn")
		}
		if t, ok := of11To10Action[typ]; ok {
			typ, v = t, OF10
		}
	}
	if v == OF10 {
		switch typ {
		case a10SetVLANVID:
			if u16(0) > 0xfff {
				return nil, errorf(BadActionBadArgument, "vlan id %d", u16(0))
			}
			return one(&flowtable.SetVLANVID{VID: u16(0)}, 8, "set_vlan_vid")
		case a10SetVLANPCP:
			if body[0] > 7 {
				return nil, errorf(BadActionBadArgument, "vlan pcp %d", body[0])
			}
			return one(&flowtable.SetVLANPCP{PCP: body[0]}, 8, "set_vlan_pcp")
		case a10StripVLAN:
			return one(&flowtable.StripVLAN{}, 8, "strip_vlan")
		case a10SetDLSrc:
			return one(&flowtable.SetEthSrc{MAC: [6]byte(body[:6])}, 16, "set_dl_src")
		case a10SetDLDst:
			return one(&flowtable.SetEthDst{MAC: [6]byte(body[:6])}, 16, "set_dl_dst")
		case a10SetNwSrc:
			return one(&flowtable.SetIPv4Src{Addr: [4]byte(body[:4])}, 8, "set_nw_src")
		case a10SetNwDst:
			return one(&flowtable.SetIPv4Dst{Addr: [4]byte(body[:4])}, 8, "set_nw_dst")
		case a10SetNwTOS:
			if body[0]&3 != 0 {
				return nil, errorf(BadActionBadArgument, "nw_tos %#x has ECN bits", body[0])
			}
			return one(&flowtable.SetIPTOS{TOS: body[0]}, 8, "set_nw_tos")
		case a10SetTpSrc:
			return one(&flowtable.SetL4Src{Port: u16(0)}, 8, "set_tp_src")
		case a10SetTpDst:
			return one(&flowtable.SetL4Dst{Port: u16(0)}, 8, "set_tp_dst")
		case a10Enqueue:
			if err := fixedLen(a, 16, "enqueue"); err != nil {
				return nil, err
			}
			return one(&flowtable.Enqueue{Port: flowtable.Port(u16(0)), Queue: u32(8)}, 16, "enqueue")
		}
		return nil, errorf(BadActionBadType, "action type %d in %s", typ, d.v)
	}
	switch typ {
	case a11SetMPLSTTL:
		return one(&flowtable.SetMPLSTTL{TTL: body[0]}, 8, "set_mpls_ttl")
	case a11DecMPLSTTL:
		return one(&flowtable.DecMPLSTTL{}, 8, "dec_mpls_ttl")
	case a11PushVLAN:
		if t := u16(0); t != flowtable.EthTypeVLAN && t != flowtable.EthTypeQinQ {
			return nil, errorf(BadActionBadArgument, "push_vlan ethertype %#x", t)
		}
		return one(&flowtable.PushVLAN{EthType: u16(0)}, 8, "push_vlan")
	case a11PopVLAN:
		return one(&flowtable.StripVLAN{Pop: true}, 8, "pop_vlan")
	case a11PushMPLS:
		return one(&flowtable.PushMPLS{EthType: u16(0)}, 8, "push_mpls")
	case a11PopMPLS:
		return one(&flowtable.PopMPLS{EthType: u16(0)}, 8, "pop_mpls")
	case a11SetQueue:
		return one(&flowtable.SetQueue{ID: u32(0)}, 8, "set_queue")
	case a11Group:
		return one(&flowtable.Group{ID: u32(0)}, 8, "group")
	case a11SetNwTTL:
		return one(&flowtable.SetIPTTL{TTL: body[0]}, 8, "set_nw_ttl")
	case a11DecNwTTL:
		return one(&flowtable.DecTTL{}, 8, "dec_nw_ttl")
	case a12SetField:
		if v >= OF12 {
			return d.setField(body)
		}
	case a15CopyField:
		if v >= OF15 {
			return d.copyField(a)
		}
	case a15Meter:
		if v >= OF15 {
			return one(&flowtable.Meter{ID: u32(0)}, 8, "meter")
		}
	}
	return nil, errorf(BadActionBadType, "action type %d in %s", typ, v)
}

// of11To10Action maps OpenFlow 1.1's header-rewrite actions, which 1.2
// replaced with set_field, to OpenFlow 1.0's types with the same layout.
var of11To10Action = map[uint16]uint16{
	a10SetVLANVID: a10SetVLANVID, a10SetVLANPCP: a10SetVLANPCP,
	a11SetDLSrc: a10SetDLSrc, a11SetDLDst: a10SetDLDst, a11SetNwSrc: a10SetNwSrc,
	a11SetNwDst: a10SetNwDst, a11SetNwTOS: a10SetNwTOS, a10SetTpSrc: a10SetTpSrc, a10SetTpDst: a10SetTpDst,
}

// rewriteType is the type of an OpenFlow 1.0 header-rewrite action in e's
// version (1.0 or 1.1).
func (e actionEncoder) rewriteType(typ10 uint16) uint16 {
	if e.v == OF11 {
		for t11, t10 := range of11To10Action {
			if t10 == typ10 {
				return t11
			}
		}
	}
	return typ10
}

// Fixed lengths of OpenFlow 1.0 and 1.1+ actions.
var (
	actionLens10 = map[uint16]int{
		aOutput: 8, a10SetVLANVID: 8, a10SetVLANPCP: 8, a10StripVLAN: 8, a10SetDLSrc: 16, a10SetDLDst: 16,
		a10SetNwSrc: 8, a10SetNwDst: 8, a10SetNwTOS: 8, a10SetTpSrc: 8, a10SetTpDst: 8, a10Enqueue: 16,
	}
	actionLens11 = map[uint16]int{
		aOutput: 16, a11SetMPLSTTL: 8, a11DecMPLSTTL: 8, a11PushVLAN: 8, a11PopVLAN: 8, a11PushMPLS: 8,
		a11PopMPLS: 8, a11SetQueue: 8, a11Group: 8, a11SetNwTTL: 8, a11DecNwTTL: 8, a15Meter: 8,
	}
)

// setField decodes OFPAT_SET_FIELD's OXM TLV (masked only in 1.5).
func (d actionDecoder) setField(body []byte) (flowtable.Actions, error) {
	mf, value, mask, err := d.c.decodeActionTLV(body, d.v >= OF15)
	if err != nil {
		return nil, err
	}
	return flowtable.Actions{&flowtable.SetField{Field: mf.f, Value: value, Mask: mask}}, nil
}

// decodeActionTLV reads the TLV at the start of b (the rest must be
// zero padding) and returns its field, value and mask (all ones when
// unmasked). Errors are OFPBAC_BAD_SET_*.
func (c *decodeCtx) decodeActionTLV(b []byte, allowMask bool) (*matchField, []byte, []byte, error) {
	if len(b) < 4 {
		return nil, nil, nil, errorf(BadActionBadSetLen, "set_field of %d bytes", len(b))
	}
	h := binary.BigEndian.Uint32(b)
	length := int(h & 0xff)
	hasMask := h&(1<<8) != 0
	th := tlvHeader{class: uint16(h >> 16), field: uint8(h >> 9 & 0x7f)}
	p := b[4:]
	if length > len(p) {
		return nil, nil, nil, errorf(BadActionBadSetLen, "set_field TLV of length %d in %d bytes", length, len(p))
	}
	p, pad := p[:length], p[length:]
	if !isZero(pad) {
		return nil, nil, nil, errorf(BadActionBadArgument, "set_field padding is not zero")
	}
	if th.class == classExperimenter {
		if len(p) < 4 {
			return nil, nil, nil, errorf(BadActionBadSetLen, "experimenter set_field TLV of length %d", length)
		}
		th.exp = binary.BigEndian.Uint32(p)
		p = p[4:]
	}
	mf, variable, err := c.actionField(h, th)
	if err != nil {
		return nil, nil, nil, err
	}
	if mf == nil || !mf.f.Writable {
		return nil, nil, nil, errorf(BadActionBadSetType, "set_field of field %#08x", h)
	}
	if hasMask && !allowMask {
		return nil, nil, nil, errorf(BadActionBadSetType, "masked set_field of %s", mf.name)
	}
	if variable {
		if p, err = fitOption(mf, p, hasMask); err != nil {
			return nil, nil, nil, err
		}
	}
	want := mf.size
	if hasMask {
		want *= 2
	}
	if len(p) != want {
		return nil, nil, nil, errorf(BadActionBadSetLen, "set_field of %s with %d bytes", mf.name, len(p))
	}
	value, err := mf.keyBytes(p[:mf.size])
	if err != nil {
		return nil, nil, nil, &Error{Code: BadActionBadSetArgument, Err: err}
	}
	mask := onesBytes(mf.f)
	if hasMask {
		if mask, err = mf.keyBytes(p[mf.size:]); err != nil {
			return nil, nil, nil, &Error{Code: BadActionBadSetArgument, Err: err}
		}
		for i := range value {
			value[i] &= mask[i]
		}
	}
	return mf, value, mask, nil
}

// fitOption right-aligns a tun_metadataN set_field payload (value, then
// mask if masked), which may be shorter than the option, in the option's
// length: OVS sends only the bytes the value and mask need.
func fitOption(mf *matchField, p []byte, hasMask bool) ([]byte, error) {
	parts := [][]byte{p}
	if hasMask {
		if len(p)%2 != 0 {
			return nil, errorf(BadActionBadSetLen, "masked set_field of %s with %d bytes", mf.name, len(p))
		}
		parts = [][]byte{p[:len(p)/2], p[len(p)/2:]}
	}
	var out []byte
	for _, part := range parts {
		if len(part) == 0 || len(part) > mf.size {
			return nil, errorf(BadActionBadSetLen, "set_field of %d-byte %s with %d bytes", mf.size, mf.name, len(part))
		}
		fitted, _ := fitTo(part, mf.size)
		out = append(out, fitted...)
	}
	return out, nil
}

// onesBytes is the all-ones big-endian mask of f.
func onesBytes(f *flowtable.Field) []byte {
	var k flowtable.Key
	f.SetAllOnes(&k)
	b := make([]byte, f.Bytes())
	f.GetBytes(&k, b)
	return b
}

// copyField appends OpenFlow 1.5's OFPAT_COPY_FIELD.
func (e actionEncoder) copyField(a *flowtable.Move) error {
	src, dst := actionTLV(a.Src.Field, e.v), actionTLV(a.Dst.Field, e.v)
	if src == nil || dst == nil {
		return fmt.Errorf("move of a field without an OXM header in %s", e.v)
	}
	off := e.start(a15CopyField)
	e.u16(uint16(a.Src.NBits))
	e.u16(uint16(a.Src.Ofs))
	e.u16(uint16(a.Dst.Ofs))
	e.zeros(2)
	src.putHeader(e.enc, false)
	dst.putHeader(e.enc, false)
	return e.finish(off)
}

// copyField decodes OFPAT_COPY_FIELD.
func (d actionDecoder) copyField(a []byte) (flowtable.Actions, error) {
	r := newDec(d.v, a[actionHeaderLen:], BadActionBadLen, "copy_field")
	nbits, srcOfs, dstOfs := int(r.u16()), int(r.u16()), int(r.u16())
	r.skip(2)
	src, err := d.c.oxmSubfield(r, srcOfs, nbits)
	if err != nil {
		return nil, err
	}
	dst, err := d.c.oxmSubfield(r, dstOfs, nbits)
	if err != nil {
		return nil, err
	}
	if !isZero(r.rest()) {
		return nil, errorf(BadActionBadArgument, "copy_field padding is not zero")
	}
	if !dst.Field.Writable {
		return nil, errorf(BadActionBadArgument, "copy_field to read-only %s", dst.Field.Name)
	}
	return flowtable.Actions{&flowtable.Move{Src: src, Dst: dst}}, nil
}

// oxmSubfield reads an OXM header (experimenter ones included) naming a
// field and resolves a bit range of it.
func (c *decodeCtx) oxmSubfield(r *dec, ofs, nbits int) (flowtable.Subfield, error) {
	h := r.u32()
	th := tlvHeader{class: uint16(h >> 16), field: uint8(h >> 9 & 0x7f)}
	if th.class == classExperimenter {
		th.exp = r.u32()
	}
	if r.err != nil {
		return flowtable.Subfield{}, r.err
	}
	mf, variable, err := c.actionField(h, th)
	if err != nil {
		return flowtable.Subfield{}, err
	}
	if mf == nil || mf.kind != kindPlain && mf.f != flowtable.FieldInPort {
		return flowtable.Subfield{}, errorf(BadActionBadArgument, "copy_field of unknown field %#08x", h)
	}
	return subfieldBits(mf, variable, ofs, nbits)
}
