package ofp

import "github.com/govs/govs/flowtable"

// Message types of packet-in and packet-out (the same in every version).
const (
	tPacketIn  = 10
	tPacketOut = 13
)

// nxtPacketIn is NXT_PACKET_IN's subtype.
const nxtPacketIn = 17

// PacketIn sends a packet to the controller: OFPT_PACKET_IN in OpenFlow
// 1.0 (in_port only), NXT_PACKET_IN (NXM metadata, table, cookie) or
// OFPT_PACKET_IN in OpenFlow 1.2+ (OXM metadata; the cookie from 1.3 on).
// Match holds the packet's metadata: in_port, and with NXM or OXM the
// tunnel, registers and the like.
type PacketIn struct {
	BufferID uint32
	TotalLen uint16
	Reason   uint8
	Table    uint8
	Cookie   uint64
	Match    flowtable.Match
	Data     []byte
	NXM      bool // OpenFlow 1.0: NXT_PACKET_IN
}

func (m *PacketIn) encode(e *enc) error {
	switch {
	case e.v == OF10 && !m.NXM:
		e.header(tPacketIn)
		e.u32(m.BufferID)
		e.u16(m.TotalLen)
		e.u16(uint16(flowtable.FieldInPort.Get(&m.Match.Key)))
		e.u8(m.Reason)
		e.u8(0)
	case e.v == OF10:
		e.nxHeader(nxtPacketIn)
		e.u32(m.BufferID)
		e.u16(m.TotalLen)
		e.u8(m.Reason)
		e.u8(m.Table)
		e.u64(m.Cookie)
		lenOff := len(e.b)
		e.u16(0)
		e.zeros(6)
		start := len(e.b)
		if err := appendMatchTLVs(e, &m.Match, formatNXM); err != nil {
			return err
		}
		e.put16(lenOff, uint16(len(e.b)-start))
		e.pad8(start)
		e.zeros(2)
	case e.v == OF11:
		return errorf(BadRequestBadVersion, "packet-in in %s is not supported", e.v)
	default:
		e.header(tPacketIn)
		e.u32(m.BufferID)
		e.u16(m.TotalLen)
		e.u8(m.Reason)
		e.u8(m.Table)
		if e.v >= OF13 {
			e.u64(m.Cookie)
		}
		if err := appendOXMMatch(e, &m.Match); err != nil {
			return err
		}
		e.zeros(2)
	}
	e.bytes(m.Data)
	return nil
}

func decodePacketIn(c *decodeCtx, v Version, body []byte) (Message, error) {
	d := newDec(v, body, BadRequestBadLen, "packet-in")
	m := &PacketIn{BufferID: d.u32(), TotalLen: d.u16()}
	switch {
	case v == OF10:
		in := d.u16()
		m.Reason = d.u8()
		d.skip(1)
		m.Match.SetExact(flowtable.FieldInPort, uint64(in))
	case v == OF11:
		return nil, errorf(BadRequestBadVersion, "packet-in in %s is not supported", v)
	default:
		m.Reason, m.Table = d.u8(), d.u8()
		if v >= OF13 {
			m.Cookie = d.u64()
		}
		if d.err != nil {
			return nil, d.err
		}
		match, rest, err := decodeOXMMatch(c, d.rest())
		if err != nil {
			return nil, err
		}
		m.Match = match
		d.b = rest
		d.skip(2)
	}
	if d.err != nil {
		return nil, d.err
	}
	m.Data = clone(d.rest())
	return m, nil
}

func decodeNXPacketIn(c *decodeCtx, body []byte) (Message, error) {
	d := newDec(OF10, body, BadRequestBadLen, "NXT_PACKET_IN")
	m := &PacketIn{BufferID: d.u32(), TotalLen: d.u16(), NXM: true}
	m.Reason, m.Table = d.u8(), d.u8()
	m.Cookie = d.u64()
	n := int(d.u16())
	d.skip(6)
	raw := d.take(n + padLen(n))
	d.skip(2)
	if d.err != nil {
		return nil, d.err
	}
	match, err := decodeMatchTLVs(c, raw[:n])
	if err != nil {
		return nil, err
	}
	m.Match = match
	m.Data = clone(d.rest())
	return m, nil
}

// PacketOut sends a packet through actions: OFPT_PACKET_OUT of OpenFlow
// 1.0 through 1.5 (1.5 carries the in_port in a match; other metadata
// there is not kept). The packet is BufferID's, or Data when BufferID is
// [NoBuffer].
type PacketOut struct {
	BufferID uint32
	InPort   flowtable.Port
	Actions  flowtable.Actions
	Data     []byte
}

func (m *PacketOut) encode(e *enc) error {
	e.header(tPacketOut)
	e.u32(m.BufferID)
	var lenOff int
	if e.v >= OF15 {
		lenOff = len(e.b)
		e.u16(0)
		e.zeros(2)
		var match flowtable.Match
		match.SetExact(flowtable.FieldInPort, uint64(m.InPort))
		if err := appendOXMMatch(e, &match); err != nil {
			return err
		}
	} else {
		e.port(m.InPort)
		lenOff = len(e.b)
		e.u16(0)
		if e.v != OF10 {
			e.zeros(6)
		}
	}
	start := len(e.b)
	if err := appendActions(e, m.Actions); err != nil {
		return err
	}
	if err := e.lenAt(lenOff, start); err != nil {
		return err
	}
	e.bytes(m.Data)
	return nil
}

func decodePacketOut(c *decodeCtx, v Version, body []byte) (Message, error) {
	d := newDec(v, body, BadRequestBadLen, "packet-out")
	m := &PacketOut{BufferID: d.u32()}
	var n int
	if v >= OF15 {
		n = int(d.u16())
		d.skip(2)
		if d.err != nil {
			return nil, d.err
		}
		// OVS decodes the metadata without its check of tun_metadataN
		// against the map, so an unmapped one is dropped, not refused.
		loose := &decodeCtx{dropUnmapped: true}
		if c != nil {
			loose.tlv = c.tlv
		}
		match, rest, err := decodeOXMMatch(loose, d.rest())
		if err != nil {
			return nil, err
		}
		m.InPort = flowtable.PortNone
		if !match.IsWildcard(flowtable.FieldInPort) {
			m.InPort = flowtable.Port(flowtable.FieldInPort.Get(&match.Key))
		}
		d.b = rest
	} else {
		m.InPort = d.port()
		n = int(d.u16())
		if v != OF10 {
			d.skip(6)
		}
	}
	raw := d.take(n)
	if d.err != nil {
		return nil, d.err
	}
	acts, err := decodeActions(c, v, raw)
	if err != nil {
		return nil, err
	}
	m.Actions = acts
	m.Data = clone(d.rest())
	return m, nil
}
