package ofp

import (
	"encoding/binary"

	"github.com/govs/govs/flowtable"
)

// OpenFlow 1.1+ instruction types.
const (
	instGotoTable     = 1
	instWriteMetadata = 2
	instWriteActions  = 3
	instApplyActions  = 4
	instClearActions  = 5
	instMeter         = 6
)

// Flow mod flags of OpenFlow 1.0 (1.1+ use flowtable.FlowFlags' values).
const (
	of10FlagSendFlowRem  = 1
	of10FlagCheckOverlap = 2
	of10FlagEmerg        = 4
)

// NoBuffer is the buffer id of a message that carries no buffered packet.
const NoBuffer = 0xffffffff

// ofpMatchOXM is ofp_match's type for OXM (OpenFlow 1.2+).
const ofpMatchOXM = 1

// FlowMod adds, modifies or deletes flows: OFPT_FLOW_MOD with ofp_match
// (OpenFlow 1.0), NXT_FLOW_MOD with NXM (OpenFlow 1.0 with NXM set by
// NXT_SET_FLOW_FORMAT), or OFPT_FLOW_MOD with OXM and instructions
// (OpenFlow 1.2+).
//
// In OpenFlow 1.0 the table travels in the command's high byte, which is
// meaningful only after NXT_FLOW_MOD_TABLE_ID; Decode always reads it
// there, and a 0 in a modify or delete becomes flowtable.TableAll (as
// ovs-ofctl means it), so a switch on a connection without the extension
// must refuse other tables itself.
type FlowMod struct {
	Command  flowtable.FlowCommand
	Flow     flowtable.Flow
	BufferID uint32
	NXM      bool // OpenFlow 1.0: send as NXT_FLOW_MOD
}

func (m *FlowMod) encode(e *enc) error {
	f := &m.Flow
	if e.v == OF10 {
		return m.encode10(e)
	}
	if e.v == OF11 {
		return errorf(BadRequestBadVersion, "flow_mod in %s is not supported", e.v)
	}
	e.header(tFlowMod)
	e.u64(f.Cookie)
	if m.Command == flowtable.FlowAdd {
		e.u64(0)
	} else {
		e.u64(f.CookieMask)
	}
	e.u8(f.Table)
	e.u8(uint8(m.Command))
	e.u16(f.IdleTimeout)
	e.u16(f.HardTimeout)
	e.u16(f.Priority)
	e.u32(m.BufferID)
	e.u32(encodePort32(f.OutPort))
	e.u32(f.OutGroup)
	e.u16(uint16(f.Flags))
	if e.v >= OF14 {
		e.u16(f.Importance)
	} else {
		e.u16(0)
	}
	if err := appendOXMMatch(e, &f.Match); err != nil {
		return err
	}
	return appendInstructions(e, f.Actions)
}

func (m *FlowMod) encode10(e *enc) error {
	f := &m.Flow
	cmd := uint16(m.Command)
	if f.Table != 0 && !(f.Table == flowtable.TableAll && m.Command != flowtable.FlowAdd) {
		cmd |= uint16(f.Table) << 8
	}
	var flags uint16
	if f.Flags&flowtable.FlagSendFlowRem != 0 {
		flags |= of10FlagSendFlowRem
	}
	if f.Flags&flowtable.FlagCheckOverlap != 0 {
		flags |= of10FlagCheckOverlap
	}
	if m.NXM {
		e.nxHeader(nxtFlowMod)
	} else {
		e.header(tFlowMod)
		appendMatch10(e, &f.Match)
	}
	e.u64(f.Cookie)
	e.u16(cmd)
	e.u16(f.IdleTimeout)
	e.u16(f.HardTimeout)
	e.u16(f.Priority)
	e.u32(m.BufferID)
	e.u16(uint16(f.OutPort))
	e.u16(flags)
	if m.NXM {
		lenOff := len(e.b)
		e.u16(0)
		e.zeros(6)
		start := len(e.b)
		if err := appendMatchTLVs(e, &f.Match, formatNXM); err != nil {
			return err
		}
		e.put16(lenOff, uint16(len(e.b)-start))
		e.pad8(start)
	} else if !FitsMatch10(&f.Match) {
		return errorf(BadMatchBadField, "match needs NXM")
	}
	return appendActions(e, f.Actions)
}

// appendOXMMatch appends ofp_match of type OXM, padded to 8 bytes.
func appendOXMMatch(e *enc, m *flowtable.Match) error {
	start := len(e.b)
	e.u16(ofpMatchOXM)
	e.u16(0)
	if err := appendMatchTLVs(e, m, e.v); err != nil {
		return err
	}
	e.put16(start+2, uint16(len(e.b)-start))
	e.pad8(start)
	return nil
}

// decodeOXMMatch reads ofp_match of type OXM and returns the rest.
func decodeOXMMatch(b []byte) (flowtable.Match, []byte, error) {
	if len(b) < 4 {
		return flowtable.Match{}, nil, errorf(BadRequestBadLen, "ofp_match in %d bytes", len(b))
	}
	typ, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
	if typ != ofpMatchOXM {
		return flowtable.Match{}, nil, errorf(BadMatchBadType, "ofp_match type %d", typ)
	}
	padded := n + padLen(n)
	if n < 4 || padded > len(b) {
		return flowtable.Match{}, nil, errorf(BadMatchBadLen, "ofp_match length %d in %d bytes", n, len(b))
	}
	m, err := decodeMatchTLVs(b[4:n])
	return m, b[padded:], err
}

// appendInstructions appends flowtable actions as OpenFlow 1.1+
// instructions, in the order OpenFlow requires: meter, apply_actions,
// clear_actions, write_actions, write_metadata, goto_table.
func appendInstructions(e *enc, acts flowtable.Actions) error {
	var apply flowtable.Actions
	var meter *flowtable.Meter
	var clear *flowtable.ClearActions
	var write *flowtable.WriteActions
	var md *flowtable.WriteMetadata
	var gotoTable *flowtable.GotoTable
	for _, a := range acts {
		switch a := a.(type) {
		case *flowtable.Meter:
			if e.v >= OF15 {
				apply = append(apply, a)
			} else {
				meter = a
			}
		case *flowtable.ClearActions:
			clear = a
		case *flowtable.WriteActions:
			write = a
		case *flowtable.WriteMetadata:
			md = a
		case *flowtable.GotoTable:
			gotoTable = a
		default:
			apply = append(apply, a)
		}
	}
	if meter != nil {
		e.u16(instMeter)
		e.u16(8)
		e.u32(meter.ID)
	}
	if len(apply) > 0 {
		if err := appendActionsInstruction(e, instApplyActions, apply); err != nil {
			return err
		}
	}
	if clear != nil {
		e.u16(instClearActions)
		e.u16(8)
		e.zeros(4)
	}
	if write != nil {
		if err := appendActionsInstruction(e, instWriteActions, write.Actions); err != nil {
			return err
		}
	}
	if md != nil {
		e.u16(instWriteMetadata)
		e.u16(24)
		e.zeros(4)
		e.u64(md.Value)
		e.u64(md.Mask)
	}
	if gotoTable != nil {
		e.u16(instGotoTable)
		e.u16(8)
		e.u8(gotoTable.Table)
		e.zeros(3)
	}
	return nil
}

func appendActionsInstruction(e *enc, typ uint16, acts flowtable.Actions) error {
	off := len(e.b)
	e.u16(typ)
	e.u16(0)
	e.zeros(4)
	if err := appendActions(e, acts); err != nil {
		return err
	}
	return e.lenAt(off+2, off)
}

// decodeInstructions parses OpenFlow 1.1+ instructions into flowtable's
// action list (instructions in the order of appendInstructions).
func decodeInstructions(v Version, b []byte) (flowtable.Actions, error) {
	var seen [instMeter + 1]bool
	var parts [instMeter + 1]flowtable.Actions
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, errorf(BadInstBadLen, "%d trailing bytes in instructions", len(b))
		}
		typ, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if n < 8 || n%8 != 0 || n > len(b) {
			return nil, errorf(BadInstBadLen, "instruction %d of length %d in %d bytes", typ, n, len(b))
		}
		body := b[4:n]
		b = b[n:]
		if typ == 0 || typ > instMeter || (typ == instMeter && v < OF13) {
			return nil, errorf(BadInstUnknown, "instruction type %d", typ)
		}
		if seen[typ] {
			return nil, errorf(BadInstDup, "instruction type %d twice", typ)
		}
		seen[typ] = true
		switch typ {
		case instGotoTable:
			if n != 8 {
				return nil, errorf(BadInstBadLen, "goto_table of length %d", n)
			}
			parts[typ] = flowtable.Actions{&flowtable.GotoTable{Table: body[0]}}
		case instWriteMetadata:
			if n != 24 {
				return nil, errorf(BadInstBadLen, "write_metadata of length %d", n)
			}
			parts[typ] = flowtable.Actions{&flowtable.WriteMetadata{
				Value: binary.BigEndian.Uint64(body[4:]), Mask: binary.BigEndian.Uint64(body[12:]),
			}}
		case instWriteActions, instApplyActions:
			acts, err := decodeActions(v, body[4:])
			if err != nil {
				return nil, err
			}
			if typ == instWriteActions {
				parts[typ] = flowtable.Actions{&flowtable.WriteActions{Actions: acts}}
			} else {
				parts[typ] = acts
			}
		case instClearActions:
			if n != 8 {
				return nil, errorf(BadInstBadLen, "clear_actions of length %d", n)
			}
			parts[typ] = flowtable.Actions{&flowtable.ClearActions{}}
		case instMeter:
			if n != 8 {
				return nil, errorf(BadInstBadLen, "meter of length %d", n)
			}
			parts[typ] = flowtable.Actions{&flowtable.Meter{ID: binary.BigEndian.Uint32(body)}}
		}
	}
	acts := flowtable.Actions{}
	for _, typ := range []int{instMeter, instApplyActions, instClearActions, instWriteActions, instWriteMetadata, instGotoTable} {
		acts = append(acts, parts[typ]...)
	}
	return acts, nil
}

// newFlow returns a flow with OpenFlow's defaults for what a message does
// not carry.
func newFlow() flowtable.Flow {
	return flowtable.Flow{OutPort: flowtable.PortNone, OutGroup: flowtable.GroupAny}
}

func decodeFlowMod(v Version, body []byte) (Message, error) {
	if v == OF10 {
		if len(body) < ofp10MatchLen {
			return nil, errorf(BadRequestBadLen, "flow_mod of %d bytes", len(body))
		}
		m := &FlowMod{}
		m.Flow = newFlow()
		m.Flow.Match = decodeMatch10(body)
		return m.decode10Rest(body[ofp10MatchLen:], false)
	}
	if v == OF11 {
		return nil, errorf(BadRequestBadVersion, "flow_mod in %s is not supported", v)
	}
	d := newDec(v, body, BadRequestBadLen, "flow_mod")
	m := &FlowMod{}
	f := &m.Flow
	*f = newFlow()
	f.Cookie, f.CookieMask = d.u64(), d.u64()
	f.Table = d.u8()
	cmd := d.u8()
	f.IdleTimeout, f.HardTimeout, f.Priority = d.u16(), d.u16(), d.u16()
	m.BufferID = d.u32()
	f.OutPort = d.port()
	f.OutGroup = d.u32()
	flags := d.u16()
	importance := d.u16()
	if d.err != nil {
		return nil, d.err
	}
	if v >= OF14 {
		f.Importance = importance
	}
	if cmd > uint8(flowtable.FlowDeleteStrict) {
		return nil, errorf(FlowModBadCommand, "flow_mod command %d", cmd)
	}
	m.Command = flowtable.FlowCommand(cmd)
	if m.Command == flowtable.FlowAdd {
		f.CookieMask = 0
	}
	if flags&^0x1f != 0 {
		return nil, errorf(FlowModBadFlags, "flow_mod flags %#x", flags)
	}
	f.Flags = flowtable.FlowFlags(flags)
	match, rest, err := decodeOXMMatch(d.rest())
	if err != nil {
		return nil, err
	}
	f.Match = match
	if f.Actions, err = decodeInstructions(v, rest); err != nil {
		return nil, err
	}
	return m, nil
}

// decode10Rest reads the part of an OpenFlow 1.0 or NXT flow_mod after
// the ofp_match (or the Nicira header).
func (m *FlowMod) decode10Rest(b []byte, nxm bool) (Message, error) {
	d := newDec(OF10, b, BadRequestBadLen, "flow_mod")
	f := &m.Flow
	m.NXM = nxm
	var cookieMatch, cookieMask uint64
	f.Cookie = d.u64()
	cmd := d.u16()
	f.IdleTimeout, f.HardTimeout, f.Priority = d.u16(), d.u16(), d.u16()
	m.BufferID = d.u32()
	f.OutPort = flowtable.Port(d.u16())
	flags := d.u16()
	if nxm {
		n := int(d.u16())
		d.skip(6)
		raw := d.take(n + padLen(n))
		if d.err != nil {
			return nil, d.err
		}
		tlvs, cookie, mask, err := splitNXCookie(raw[:n])
		if err != nil {
			return nil, err
		}
		match, err := decodeMatchTLVs(tlvs)
		if err != nil {
			return nil, err
		}
		f.Match = match
		cookieMatch, cookieMask = cookie, mask
	}
	if d.err != nil {
		return nil, d.err
	}
	if cmd&0xff > uint16(flowtable.FlowDeleteStrict) {
		return nil, errorf(FlowModBadCommand, "flow_mod command %#x", cmd)
	}
	m.Command = flowtable.FlowCommand(cmd & 0xff)
	f.Table = uint8(cmd >> 8)
	if f.Table == 0 && m.Command != flowtable.FlowAdd {
		f.Table = flowtable.TableAll
	}
	// OpenFlow 1.0 has no cookie mask: as in OVS, its modifies and
	// deletes select flows whatever their cookie, and a modify's cookie
	// is the one to set (all ones: keep each flow's). NXM selects by
	// cookie with NXM_NX_COOKIE(_W) in the match; the selecting cookie
	// then takes the place of the new one, as the OpenFlow 1.1+ codecs
	// carry it.
	f.CookieMask = 0
	if cookieMask != 0 && m.Command != flowtable.FlowAdd {
		f.Cookie, f.CookieMask = cookieMatch, cookieMask
	}
	if flags&^(of10FlagSendFlowRem|of10FlagCheckOverlap|of10FlagEmerg) != 0 {
		return nil, errorf(FlowModBadFlags, "flow_mod flags %#x", flags)
	}
	if flags&of10FlagSendFlowRem != 0 {
		f.Flags |= flowtable.FlagSendFlowRem
	}
	if flags&of10FlagCheckOverlap != 0 {
		f.Flags |= flowtable.FlagCheckOverlap
	}
	var err error
	if f.Actions, err = decodeActions(OF10, d.rest()); err != nil {
		return nil, err
	}
	return m, nil
}

func decodeNXFlowMod(v Version, body []byte) (Message, error) {
	m := &FlowMod{}
	m.Flow = newFlow()
	return m.decode10Rest(body, true)
}
