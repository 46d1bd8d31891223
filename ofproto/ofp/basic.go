package ofp

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Hello is OFPT_HELLO. Versions is the bitmap of versions the sender
// supports (bit N set: version N); a hello without a version bitmap element
// means every version up to the header's.
type Hello struct{ Versions uint32 }

// Hello elements.
const helloElemVersionBitmap = 1

// Encode sends the highest version in Versions in the header and adds a
// version bitmap element only when the versions are not all of 1.0 up to
// that one, as OVS does. Encode's v is ignored for Hello.
func (m *Hello) encode(e *enc) error {
	vs := m.Versions & 0x7e
	if vs == 0 {
		return fmt.Errorf("hello: no OpenFlow version in bitmap %#x", m.Versions)
	}
	e.v = Version(31 - bits.LeadingZeros32(vs))
	e.header(tHello)
	if vs != contiguousVersions(e.v) {
		e.u16(helloElemVersionBitmap)
		e.u16(8)
		e.u32(m.Versions)
	}
	return nil
}

// contiguousVersions is the bitmap of OpenFlow 1.0 through v.
func contiguousVersions(v Version) uint32 { return (uint32(1)<<(v+1) - 1) &^ 1 }

func decodeHello(h Header, body []byte) (Message, error) {
	m := &Hello{Versions: contiguousVersions(min(h.Version, 31))}
	for len(body) >= 4 {
		typ := binary.BigEndian.Uint16(body)
		n := int(binary.BigEndian.Uint16(body[2:]))
		if n < 4 || n > len(body) {
			return nil, errorf(BadRequestBadLen, "hello element of length %d in %d bytes", n, len(body))
		}
		if typ == helloElemVersionBitmap && n >= 8 {
			m.Versions = binary.BigEndian.Uint32(body[4:])
		}
		body = body[min(len(body), (n+7)/8*8):]
	}
	return m, nil
}

// Negotiate returns the version two hellos agree on: the highest version
// both support.
func Negotiate(ours, theirs uint32) (Version, error) {
	common := ours & theirs & 0x7e
	if common == 0 {
		return 0, &Error{Code: HelloIncompatible, Err: fmt.Errorf("no common version: ours %#x, theirs %#x", ours, theirs)}
	}
	return Version(31 - bits.LeadingZeros32(common)), nil
}

// EchoRequest is OFPT_ECHO_REQUEST.
type EchoRequest struct{ Data []byte }

// EchoReply is OFPT_ECHO_REPLY.
type EchoReply struct{ Data []byte }

func (m *EchoRequest) encode(e *enc) error {
	e.header(tEchoRequest)
	e.bytes(m.Data)
	return nil
}

func (m *EchoReply) encode(e *enc) error {
	e.header(tEchoReply)
	e.bytes(m.Data)
	return nil
}

// FeaturesRequest is OFPT_FEATURES_REQUEST.
type FeaturesRequest struct{}

func (m *FeaturesRequest) encode(e *enc) error {
	e.header(tFeaturesRequest)
	return nil
}

// FeaturesReply is OFPT_FEATURES_REPLY. Actions is OpenFlow 1.0's
// supported-actions bitmap and AuxiliaryID OpenFlow 1.3+'s; Ports are
// carried only up to OpenFlow 1.2 (later versions use port_desc).
type FeaturesReply struct {
	DatapathID   uint64
	NBuffers     uint32
	NTables      uint8
	AuxiliaryID  uint8
	Capabilities uint32
	Actions      uint32
	Ports        []PortDesc
}

func (m *FeaturesReply) encode(e *enc) error {
	e.header(tFeaturesReply)
	e.u64(m.DatapathID)
	e.u32(m.NBuffers)
	e.u8(m.NTables)
	if e.v >= OF13 {
		e.u8(m.AuxiliaryID)
		e.zeros(2)
	} else {
		e.zeros(3)
	}
	e.u32(m.Capabilities)
	if e.v == OF10 {
		e.u32(m.Actions)
	} else {
		e.u32(0)
	}
	if e.v >= OF13 {
		return nil
	}
	for i := range m.Ports {
		if err := m.Ports[i].encode(e); err != nil {
			return err
		}
	}
	return nil
}

func decodeFeaturesReply(v Version, body []byte) (Message, error) {
	d := newDec(v, body, BadRequestBadLen, "features reply")
	m := &FeaturesReply{DatapathID: d.u64(), NBuffers: d.u32(), NTables: d.u8()}
	if v >= OF13 {
		m.AuxiliaryID = d.u8()
		d.skip(2)
	} else {
		d.skip(3)
	}
	m.Capabilities = d.u32()
	if a := d.u32(); v == OF10 {
		m.Actions = a
	}
	if v >= OF13 {
		if len(d.b) != 0 {
			return nil, errorf(BadRequestBadLen, "features reply has %d extra bytes", len(d.b))
		}
		return m, d.err
	}
	for d.err == nil && len(d.b) > 0 {
		p, err := decodePortDesc(d)
		if err != nil {
			return nil, err
		}
		m.Ports = append(m.Ports, p)
	}
	return m, d.err
}

// GetConfigRequest is OFPT_GET_CONFIG_REQUEST.
type GetConfigRequest struct{}

func (m *GetConfigRequest) encode(e *enc) error {
	e.header(tGetConfigRequest)
	return nil
}

// SwitchConfig is the body of get_config reply and set_config: fragment
// handling flags and how many bytes of a packet a table-miss packet-in
// carries.
type SwitchConfig struct {
	Flags       uint16
	MissSendLen uint16
}

// GetConfigReply is OFPT_GET_CONFIG_REPLY.
type GetConfigReply SwitchConfig

// SetConfig is OFPT_SET_CONFIG.
type SetConfig SwitchConfig

func (m *GetConfigReply) encode(e *enc) error {
	e.header(tGetConfigReply)
	(*SwitchConfig)(m).append(e)
	return nil
}

func (m *SetConfig) encode(e *enc) error {
	e.header(tSetConfig)
	(*SwitchConfig)(m).append(e)
	return nil
}

func (c *SwitchConfig) append(e *enc) {
	e.u16(c.Flags)
	e.u16(c.MissSendLen)
}

func decodeSwitchConfig(body []byte) (*SwitchConfig, error) {
	if len(body) != 4 {
		return nil, errorf(BadRequestBadLen, "switch config body of %d bytes", len(body))
	}
	return &SwitchConfig{Flags: binary.BigEndian.Uint16(body), MissSendLen: binary.BigEndian.Uint16(body[2:])}, nil
}

// BarrierRequest is OFPT_BARRIER_REQUEST (type 18 in OpenFlow 1.0, 20
// later).
type BarrierRequest struct{}

// BarrierReply is OFPT_BARRIER_REPLY.
type BarrierReply struct{}

func (m *BarrierRequest) encode(e *enc) error {
	e.header(barrierRequestType(e.v))
	return nil
}

func (m *BarrierReply) encode(e *enc) error {
	e.header(barrierRequestType(e.v) + 1)
	return nil
}

// FlowFormat is the match format NXT_SET_FLOW_FORMAT selects for OpenFlow
// 1.0 flow messages.
type FlowFormat uint32

// Flow formats.
const (
	FlowFormatOpenFlow10 FlowFormat = 0 // ofp_match
	FlowFormatNXM        FlowFormat = 2 // NXM TLVs (NXT_FLOW_MOD, ...)
)

// SetFlowFormat is NXT_SET_FLOW_FORMAT.
type SetFlowFormat struct{ Format FlowFormat }

func (m *SetFlowFormat) encode(e *enc) error {
	e.nxHeader(nxtSetFlowFormat)
	e.u32(uint32(m.Format))
	return nil
}

// FlowModTableID is NXT_FLOW_MOD_TABLE_ID: when enabled, OpenFlow 1.0 flow
// mods carry a table id in the high byte of their command.
type FlowModTableID struct{ Enable bool }

func (m *FlowModTableID) encode(e *enc) error {
	e.nxHeader(nxtFlowModTableID)
	if m.Enable {
		e.u8(1)
	} else {
		e.u8(0)
	}
	e.zeros(7)
	return nil
}

// PacketInFormat is the packet-in format NXT_SET_PACKET_IN_FORMAT selects.
type PacketInFormat uint32

// Packet-in formats.
const (
	PacketInStandard PacketInFormat = 0 // the version's OFPT_PACKET_IN
	PacketInNXM      PacketInFormat = 1 // NXT_PACKET_IN
	PacketInNX2      PacketInFormat = 2 // NXT_PACKET_IN2
)

// SetPacketInFormat is NXT_SET_PACKET_IN_FORMAT.
type SetPacketInFormat struct{ Format PacketInFormat }

func (m *SetPacketInFormat) encode(e *enc) error {
	e.nxHeader(nxtSetPacketInFormat)
	e.u32(uint32(m.Format))
	return nil
}

// Role is a controller role in OpenFlow 1.2's numbering.
type Role uint32

// Controller roles.
const (
	RoleNoChange Role = 0
	RoleEqual    Role = 1
	RoleMaster   Role = 2
	RoleSlave    Role = 3
)

// roleMsg is the body of role request and reply: OFPT_ROLE_* in OpenFlow
// 1.2+, NXT_ROLE_* (role only, numbered from "other") before.
type roleMsg struct {
	Role         Role
	GenerationID uint64
}

// RoleRequest asks for a controller role. GenerationID is not carried by
// OpenFlow 1.0/1.1's Nicira form.
type RoleRequest roleMsg

// RoleReply answers a RoleRequest.
type RoleReply roleMsg

func (m *RoleRequest) encode(e *enc) error {
	return (*roleMsg)(m).encode(e, t12RoleRequest, nxtRoleRequest)
}
func (m *RoleReply) encode(e *enc) error { return (*roleMsg)(m).encode(e, t12RoleReply, nxtRoleReply) }

func (m *roleMsg) encode(e *enc, t uint8, nxt uint32) error {
	if e.v >= OF12 {
		e.header(t)
		e.u32(uint32(m.Role))
		e.zeros(4)
		e.u64(m.GenerationID)
		return nil
	}
	if m.Role < RoleEqual || m.Role > RoleSlave {
		return fmt.Errorf("role %d has no Nicira encoding", m.Role)
	}
	e.nxHeader(nxt)
	e.u32(uint32(m.Role) - 1)
	return nil
}

func decodeRole(body []byte) (*roleMsg, error) {
	if len(body) != 16 {
		return nil, errorf(BadRequestBadLen, "role message body of %d bytes", len(body))
	}
	r := &roleMsg{Role: Role(binary.BigEndian.Uint32(body)), GenerationID: binary.BigEndian.Uint64(body[8:])}
	if r.Role > RoleSlave {
		return nil, errorf(RoleRequestBadRole, "role %d", r.Role)
	}
	return r, nil
}
