package ofp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/govs/govs/flowtable"
)

// Message is one OpenFlow message body: a pointer to one of the message
// types of this package. The set is closed; a switch dispatches with a
// type switch. The version and xid travel separately ([Encode], [Decode]).
type Message interface {
	// encode appends the whole message (header included, length and xid
	// zero) in e's version.
	encode(e *enc) error
}

// Encode returns m as an OpenFlow message of version v with the given xid.
// It fails when v cannot express m or m does not fit a message.
func Encode(v Version, xid uint32, m Message) ([]byte, error) {
	return EncodeTLV(v, xid, m, nil)
}

// EncodeTLV is [Encode] with the TLV map that lays out matches'
// tun_metadataN fields, so they are encoded (NXM_NX_TUN_METADATAn).
func EncodeTLV(v Version, xid uint32, m Message, tlv *flowtable.TLVMap) ([]byte, error) {
	if v < OF10 || v > OF15 {
		return nil, fmt.Errorf("encode %T: unsupported version %#x", m, uint8(v))
	}
	e := &enc{v: v, b: make([]byte, 0, 64), tlv: tlv}
	if err := m.encode(e); err != nil {
		return nil, fmt.Errorf("encode %T in %s: %w", m, v, err)
	}
	if len(e.b) > MaxMessageLen {
		return nil, fmt.Errorf("encode %T in %s: %d bytes exceed the maximum message length", m, v, len(e.b))
	}
	binary.BigEndian.PutUint16(e.b[2:], uint16(len(e.b)))
	binary.BigEndian.PutUint32(e.b[4:], xid)
	return e.b, nil
}

// Decode parses one whole message (b is exactly the header's length). On
// failure the error is an [*Error] whose Code is what a switch sends back;
// the header is returned whenever b holds one, so the reply can carry the
// xid. The returned message does not alias b.
func Decode(b []byte) (Header, Message, error) {
	return decode(b, &decodeCtx{})
}

// decode is [Decode] with c passed down to the message decoders.
func decode(b []byte, c *decodeCtx) (Header, Message, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return h, nil, err
	}
	if int(h.Length) != len(b) {
		return h, nil, errorf(BadRequestBadLen, "ofp_header length %d but message has %d bytes", h.Length, len(b))
	}
	body := b[HeaderLen:]
	if h.Type == tHello {
		m, err := decodeHello(h, body)
		return h, m, err
	}
	if h.Version < OF10 || h.Version > OF15 {
		return h, nil, errorf(BadRequestBadVersion, "version %#x", uint8(h.Version))
	}
	m, err := decodeBody(c, h, body)
	return h, m, err
}

// decodeBody dispatches on the message type of h.
func decodeBody(c *decodeCtx, h Header, body []byte) (Message, error) {
	v := h.Version
	if m, ok, err := decodeBundleMsg(h, body); ok {
		return m, err
	}
	if m, ok, err := decodeAsyncMsg(h, body); ok {
		return m, err
	}
	switch h.Type {
	case tError:
		return decodeError(v, body)
	case tEchoRequest:
		return &EchoRequest{Data: clone(body)}, nil
	case tEchoReply:
		return &EchoReply{Data: clone(body)}, nil
	case tVendor:
		return decodeVendor(c, v, body)
	case tFeaturesRequest:
		return empty(body, &FeaturesRequest{})
	case tFeaturesReply:
		return decodeFeaturesReply(v, body)
	case tPortStatus:
		return decodePortStatus(v, body)
	case tFlowMod:
		return decodeFlowMod(c, v, body)
	case tPacketIn:
		return decodePacketIn(c, v, body)
	case tFlowRemoved:
		return decodeFlowRemoved(c, v, body)
	case tPacketOut:
		return decodePacketOut(c, v, body)
	case tGetConfigRequest:
		return empty(body, &GetConfigRequest{})
	case tGetConfigReply:
		c, err := decodeSwitchConfig(body)
		return (*GetConfigReply)(c), err
	case tSetConfig:
		c, err := decodeSwitchConfig(body)
		return (*SetConfig)(c), err
	}
	switch {
	case h.Type == barrierRequestType(v):
		return empty(body, &BarrierRequest{})
	case h.Type == barrierRequestType(v)+1:
		return empty(body, &BarrierReply{})
	case h.Type == statsRequestType(v):
		return decodeStats(c, v, body, false)
	case h.Type == statsRequestType(v)+1:
		return decodeStats(c, v, body, true)
	case v >= OF11 && h.Type == t11GroupMod:
		return decodeGroupMod(c, v, body)
	case h.Type == t10PortMod && v == OF10, h.Type == t11PortMod && v >= OF11:
		return decodePortMod(v, body)
	case v >= OF11 && h.Type == t11TableMod:
		return decodeTableMod(v, body)
	case v >= OF13 && h.Type == t13MeterMod:
		return decodeMeterMod(v, body)
	case v >= OF12 && h.Type == t12RoleRequest:
		r, err := decodeRole(body)
		return (*RoleRequest)(r), err
	case v >= OF12 && h.Type == t12RoleReply:
		r, err := decodeRole(body)
		return (*RoleReply)(r), err
	}
	return nil, errorf(BadRequestBadType, "message type %d in %s", h.Type, v)
}

// Nicira extension message subtypes.
const (
	nxtRoleRequest       = 10
	nxtRoleReply         = 11
	nxtSetFlowFormat     = 12
	nxtFlowMod           = 13
	nxtFlowModTableID    = 15
	nxtSetPacketInFormat = 16
)

func decodeVendor(c *decodeCtx, v Version, body []byte) (Message, error) {
	if len(body) < 8 {
		return nil, errorf(BadRequestBadLen, "vendor message body of %d bytes", len(body))
	}
	if vendor := binary.BigEndian.Uint32(body); vendor != vendorNicira {
		return nil, errorf(BadRequestBadVendor, "vendor %#x", vendor)
	}
	subtype := binary.BigEndian.Uint32(body[4:])
	body = body[8:]
	if m, ok, err := decodeTLVMsg(subtype, body); ok {
		return m, err
	}
	if m, ok, err := decodeNXAsyncMsg(v, subtype, body); ok {
		return m, err
	}
	if m, ok, err := decodeNXPacketIn2Msg(c, subtype, body); ok {
		return m, err
	}
	if m, ok, err := decodeResumeMsg(c, subtype, body); ok {
		return m, err
	}
	if m, ok, err := decodeMonitorControl(subtype, false, body); ok {
		return m, err
	}
	switch subtype {
	case nxtSetFlowFormat:
		if len(body) != 4 {
			return nil, errorf(BadRequestBadLen, "NXT_SET_FLOW_FORMAT body of %d bytes", len(body))
		}
		return &SetFlowFormat{Format: FlowFormat(binary.BigEndian.Uint32(body))}, nil
	case nxtSetPacketInFormat:
		if len(body) != 4 {
			return nil, errorf(BadRequestBadLen, "NXT_SET_PACKET_IN_FORMAT body of %d bytes", len(body))
		}
		return &SetPacketInFormat{Format: PacketInFormat(binary.BigEndian.Uint32(body))}, nil
	case nxtFlowModTableID:
		if len(body) != 8 {
			return nil, errorf(BadRequestBadLen, "NXT_FLOW_MOD_TABLE_ID body of %d bytes", len(body))
		}
		return &FlowModTableID{Enable: body[0] != 0}, nil
	case nxtFlowMod:
		return decodeNXFlowMod(c, v, body)
	case nxtGroupMod:
		if v != OF10 {
			break
		}
		return decodeGroupMod(c, v, body)
	case nxtPacketIn:
		return decodeNXPacketIn(c, body)
	case nxtFlowRemoved:
		return decodeNXFlowRemoved(c, body)
	case nxtRoleRequest, nxtRoleReply:
		if len(body) != 4 {
			return nil, errorf(BadRequestBadLen, "NXT_ROLE body of %d bytes", len(body))
		}
		nx := binary.BigEndian.Uint32(body)
		if nx > 2 {
			return nil, errorf(RoleRequestBadRole, "Nicira role %d", nx)
		}
		r := &roleMsg{Role: Role(nx + 1)}
		if subtype == nxtRoleReply {
			return (*RoleReply)(r), nil
		}
		return (*RoleRequest)(r), nil
	}
	return nil, errorf(BadRequestBadSubtype, "Nicira message subtype %d", subtype)
}

// empty checks that a message that has no body has none.
func empty(body []byte, m Message) (Message, error) {
	if len(body) != 0 {
		return nil, errorf(BadRequestBadLen, "%T has a %d-byte body", m, len(body))
	}
	return m, nil
}

// Reader splits a byte stream into OpenFlow messages by their headers.
type Reader struct {
	r   io.Reader
	buf []byte
}

// NewReader returns a Reader reading from r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r, buf: make([]byte, 0, 512)} }

// ErrBadFraming is returned by [Reader.Next] for a header whose length is
// shorter than the header: the stream cannot be resynchronized and the
// connection must be closed.
var ErrBadFraming = errors.New("ofp: message length shorter than its header")

// Next returns the next message, header included. The slice is valid until
// the next call. A message that fails to [Decode] does not disturb framing.
func (r *Reader) Next() ([]byte, error) {
	r.buf = r.buf[:HeaderLen]
	if _, err := io.ReadFull(r.r, r.buf); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(r.buf[2:]))
	if n < HeaderLen {
		return nil, ErrBadFraming
	}
	if cap(r.buf) < n {
		r.buf = append(r.buf, make([]byte, n-HeaderLen)...)
	}
	r.buf = r.buf[:n]
	if _, err := io.ReadFull(r.r, r.buf[HeaderLen:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return r.buf, nil
}
