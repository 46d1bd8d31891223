package ofp

import (
	"encoding/binary"

	"github.com/govs/govs/flowtable"
)

// NXT_PACKET_IN2: a packet-in made of properties, which NXT_SET_PACKET_IN_FORMAT
// nxt_packet_in2 selects, encoded as OVS 3.1 encodes it (whatever the
// connection's version).

const nxtPacketIn2 = 30

// NXT_PACKET_IN2 property types (NXPINT_*).
const (
	pin2Packet       = 0
	pin2FullLen      = 1
	pin2BufferID     = 2
	pin2TableID      = 3
	pin2Cookie       = 4
	pin2Reason       = 5
	pin2Metadata     = 6
	pin2Userdata     = 7
	pin2Continuation = 8
)

// PacketIn2 is NXT_PACKET_IN2. Data is the (possibly truncated) packet;
// TotalLen its full length (a full_len property is sent when they
// differ). BufferID is sent unless it is NoBuffer; Cookie unless it is all
// ones. Match holds the pipeline metadata; Userdata the controller
// action's; Continuation, if not nil, is the opaque state of a paused
// translation: the properties nested in NXPINT_CONTINUATION, which a
// controller copies into its NXT_RESUME ([Resume]) unchanged.
type PacketIn2 struct {
	Data         []byte
	TotalLen     uint32
	BufferID     uint32
	Table        uint8
	Cookie       uint64
	Reason       uint8
	Match        flowtable.Match
	Userdata     []byte
	Continuation []byte
}

// prop appends one property: header, value, padding to 8 bytes.
func (e *enc) pin2Prop(typ uint16, value []byte) {
	start := len(e.b)
	e.u16(typ)
	e.u16(uint16(4 + len(value)))
	e.bytes(value)
	e.pad8(start)
}

func (m *PacketIn2) encode(e *enc) error {
	e.nxHeader(nxtPacketIn2)
	if err := m.encodeProps(e); err != nil {
		return err
	}
	if len(m.Userdata) > 0 {
		e.pin2Prop(pin2Userdata, m.Userdata)
	}
	return nil
}

// encodeProps appends the properties NXT_PACKET_IN2 and NXT_RESUME share:
// all but the userdata, which OVS sends only in a packet-in.
func (m *PacketIn2) encodeProps(e *enc) error {
	e.pin2Prop(pin2Packet, m.Data)
	if int(m.TotalLen) != len(m.Data) {
		e.pin2Prop(pin2FullLen, binary.BigEndian.AppendUint32(nil, m.TotalLen))
	}
	if m.BufferID != NoBuffer {
		e.pin2Prop(pin2BufferID, binary.BigEndian.AppendUint32(nil, m.BufferID))
	}
	e.pin2Prop(pin2TableID, []byte{m.Table})
	if m.Cookie != ^uint64(0) {
		// A 64-bit property puts 4 bytes of padding before the value.
		e.pin2Prop(pin2Cookie, binary.BigEndian.AppendUint64(make([]byte, 4), m.Cookie))
	}
	e.pin2Prop(pin2Reason, []byte{m.Reason})
	start := len(e.b)
	e.u16(pin2Metadata)
	e.u16(0)
	if err := appendMatchTLVs(e, &m.Match, max(e.v, OF12)); err != nil {
		return err
	}
	e.put16(start+2, uint16(len(e.b)-start))
	e.pad8(start)
	if m.Continuation != nil {
		// A nested property: its properties start 8 bytes in.
		start := len(e.b)
		e.u16(pin2Continuation)
		e.u16(0)
		e.zeros(4)
		e.bytes(m.Continuation)
		if err := e.lenAt(start+2, start); err != nil {
			return err
		}
		e.pad8(start)
	}
	return nil
}

func decodePacketIn2(c *decodeCtx, body []byte) (Message, error) {
	m := &PacketIn2{BufferID: NoBuffer, Cookie: ^uint64(0)}
	fullLen := false
	for len(body) > 0 {
		if len(body) < 4 {
			return nil, errorf("OFPBPC_BAD_LEN", "packet-in2 property of %d bytes", len(body))
		}
		t, n := binary.BigEndian.Uint16(body), int(binary.BigEndian.Uint16(body[2:]))
		if n < 4 || n > len(body) {
			return nil, errorf("OFPBPC_BAD_LEN", "packet-in2 property length %d", n)
		}
		v := body[4:n]
		body = body[min(len(body), n+padLen(n)):]
		want := map[uint16]int{pin2FullLen: 4, pin2BufferID: 4, pin2TableID: 1, pin2Cookie: 12, pin2Reason: 1}
		if w, ok := want[t]; ok && len(v) != w {
			return nil, errorf("OFPBPC_BAD_LEN", "packet-in2 property %d of %d bytes", t, len(v))
		}
		switch t {
		case pin2Packet:
			m.Data = clone(v)
		case pin2FullLen:
			m.TotalLen, fullLen = binary.BigEndian.Uint32(v), true
		case pin2BufferID:
			m.BufferID = binary.BigEndian.Uint32(v)
		case pin2TableID:
			m.Table = v[0]
		case pin2Cookie:
			m.Cookie = binary.BigEndian.Uint64(v[4:])
		case pin2Reason:
			m.Reason = v[0]
		case pin2Metadata:
			match, err := decodeMatchTLVs(c, v)
			if err != nil {
				return nil, err
			}
			m.Match = match
		case pin2Userdata:
			m.Userdata = clone(v)
		case pin2Continuation:
			if len(v) < 4 {
				return nil, errorf("OFPBPC_BAD_LEN", "continuation property of %d bytes", len(v))
			}
			m.Continuation = append([]byte{}, v[4:]...)
		default:
			return nil, errorf("OFPBPC_BAD_TYPE", "packet-in2 property type %d", t)
		}
	}
	switch {
	case len(m.Data) == 0:
		return nil, errorf(BadRequestBadLen, "packet-in2 lacks packet")
	case !fullLen || m.TotalLen == 0:
		m.TotalLen = uint32(len(m.Data))
	case m.TotalLen < uint32(len(m.Data)):
		return nil, errorf(BadRequestBadLen, "packet-in2 full_len %d < %d bytes of packet", m.TotalLen, len(m.Data))
	}
	return m, nil
}

// decodeNXPacketIn2Msg decodes NXT_PACKET_IN2.
func decodeNXPacketIn2Msg(c *decodeCtx, subtype uint32, body []byte) (Message, bool, error) {
	if subtype != nxtPacketIn2 {
		return nil, false, nil
	}
	m, err := decodePacketIn2(c, body)
	return m, true, err
}
