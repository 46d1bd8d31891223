package ofp

import (
	"encoding/binary"
	"fmt"
)

// Asynchronous message configuration: NXT_SET_CONTROLLER_ID,
// NXT_SET_ASYNC_CONFIG (OpenFlow 1.0–1.2's form of OFPT_SET_ASYNC),
// NXT_SET_ASYNC_CONFIG2 (its property form) and OFPT_SET_ASYNC /
// OFPT_GET_ASYNC_REQUEST / OFPT_GET_ASYNC_REPLY, as OVS 3.1 codes them.

// Message numbers.
const (
	nxtSetAsyncConfig  = 19
	nxtSetControllerID = 20
	nxtSetAsyncConfig2 = 27

	t13GetAsyncRequest = 26
	t13GetAsyncReply   = 27
	t13SetAsync        = 28
)

// Async errors OVS answers a bad configuration with.
const (
	AsyncConfigInvalid     ErrorCode = "OFPACFC_INVALID"
	AsyncConfigUnsupported ErrorCode = "OFPACFC_UNSUPPORTED"
)

func init() {
	errorTable[AsyncConfigInvalid] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2370, 0}, {true, 0, 15, 0}, {true, 0, 15, 0}}
	errorTable[AsyncConfigUnsupported] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2371, 0}, {true, 0, 15, 1}, {true, 0, 15, 1}}
}

// SetControllerID is NXT_SET_CONTROLLER_ID: the connection takes the
// packet-ins of controller actions with this id.
type SetControllerID struct{ ID uint16 }

func (m *SetControllerID) encode(e *enc) error {
	e.nxHeader(nxtSetControllerID)
	e.zeros(6)
	e.u16(m.ID)
	return nil
}

// AsyncType is one kind of asynchronous message a configuration masks.
type AsyncType int

// Asynchronous message kinds, in OVS's order (enum ofputil_async_msg_type).
const (
	AsyncPacketIn AsyncType = iota
	AsyncPortStatus
	AsyncFlowRemoved
	AsyncRoleStatus
	AsyncTableStatus
	AsyncRequestForward
	asyncNTypes
)

// Packet-in reasons beyond the wire's: a table-miss flow's controller
// action and a miss sent without one (OpenFlow 1.0–1.2), which the wire
// reports as no_match (or action), and OVS masks by bits of their own.
const (
	PinReasonExplicitMiss = 6
	PinReasonImplicitMiss = 7
)

// AsyncConfig holds, for the primary (master or equal) and secondary
// (slave) roles, a bitmap of the reasons each kind of message is sent for.
// Packet-in bits are OVS's reasons, with the two miss bits above.
type AsyncConfig struct {
	Primary, Secondary [asyncNTypes]uint32
}

// Reason bitmaps.
const (
	pinBits10 = 1<<0 | 1<<1 | 1<<2 // no_match, action, invalid_ttl
	pinBits14 = pinBits10 | 1<<3 | 1<<4 | 1<<5
	portBits  = 1<<0 | 1<<1 | 1<<2 // add, delete, modify
	frBits10  = 1<<0 | 1<<1 | 1<<2 // idle, hard, delete
	frBits13  = frBits10 | 1<<3    // group_delete
	frBits14  = frBits13 | 1<<4 | 1<<5
)

// DefaultAsyncConfig is the configuration a connection of version v has
// until it sets one (ofputil_async_cfg_default): packet-ins for every reason
// but invalid_ttl to the primary roles, port status to all, flow removed
// for the version's reasons to the primary roles.
func DefaultAsyncConfig(v Version) AsyncConfig {
	pin := uint32(pinBits14&^(1<<2)) | 1<<PinReasonExplicitMiss
	if v <= OF12 {
		pin |= 1 << PinReasonImplicitMiss
	}
	c := AsyncConfig{}
	c.Primary[AsyncPacketIn] = pin
	c.Primary[AsyncPortStatus] = portBits
	c.Secondary[AsyncPortStatus] = portBits
	switch {
	case v >= OF14:
		c.Primary[AsyncFlowRemoved] = frBits14
	case v == OF13:
		c.Primary[AsyncFlowRemoved] = frBits13
	default:
		c.Primary[AsyncFlowRemoved] = frBits10
	}
	return c
}

// asyncProp is one OpenFlow 1.4 async config property: its type, the
// message kind and role it sets, and the reasons it may name in
// OpenFlow 1.0–1.3 and 1.4+.
type asyncProp struct {
	typ                  uint16
	kind                 AsyncType
	primary              bool
	allowed10, allowed14 uint32
}

var asyncProps = func() []asyncProp {
	var ps []asyncProp
	pair := func(typ uint16, kind AsyncType, a10, a14 uint32) {
		if a14 == 0 {
			a14 = a10
		}
		ps = append(ps, asyncProp{typ, kind, false, a10, a14}, asyncProp{typ + 1, kind, true, a10, a14})
	}
	pair(0, AsyncPacketIn, pinBits10, pinBits14)
	pair(2, AsyncPortStatus, portBits, 0)
	pair(4, AsyncFlowRemoved, 1<<6-1, 0)
	pair(6, AsyncRoleStatus, 1<<3-1, 0)
	pair(8, AsyncTableStatus, 1<<3|1<<4, 0)
	pair(10, AsyncRequestForward, 1<<2-1, 0)
	return ps
}()

func (p *asyncProp) allowed(v Version) uint32 {
	if v >= OF14 {
		return p.allowed14
	}
	return p.allowed10
}

func (p *asyncProp) mask(c *AsyncConfig) *uint32 {
	if p.primary {
		return &c.Primary[p.kind]
	}
	return &c.Secondary[p.kind]
}

// set stores a wire mask; strict refuses reasons the version lacks.
func (p *asyncProp) set(c *AsyncConfig, v Version, mask uint32, strict bool) error {
	if bad := mask &^ p.allowed(v); bad != 0 {
		if strict {
			return errorf(AsyncConfigInvalid, "async config mask %#x (allowed %#x)", mask, p.allowed(v))
		}
		mask &= p.allowed(v)
	}
	if p.kind == AsyncPacketIn && mask&1 != 0 {
		mask |= 1 << PinReasonExplicitMiss
		if v < OF13 {
			mask |= 1 << PinReasonImplicitMiss
		}
	}
	*p.mask(c) = mask
	return nil
}

func (p *asyncProp) get(c *AsyncConfig, v Version) uint32 { return *p.mask(c) & p.allowed(v) }

func asyncPropFor(kind AsyncType, primary bool) *asyncProp {
	for i := range asyncProps {
		if asyncProps[i].kind == kind && asyncProps[i].primary == primary {
			return &asyncProps[i]
		}
	}
	return nil
}

// AsyncMask is one property of a property-form set async: the mask (on
// the wire's reasons) of one message kind for one role.
type AsyncMask struct {
	Type uint16 // OFPACPT_*
	Mask uint32
}

// SetAsync is a set async config request. Legacy (OFPT_SET_ASYNC of
// OpenFlow 1.3, NXT_SET_ASYNC_CONFIG) replaces the packet-in, port status
// and flow removed masks of both roles with Config; the property form
// (OpenFlow 1.4+, NXT_SET_ASYNC_CONFIG2) changes only the masks Props name.
type SetAsync struct {
	Legacy bool
	Config AsyncConfig // legacy form: the new configuration
	Props  []AsyncMask // property form
}

// Apply returns the configuration that m, received on a connection of
// version v whose configuration is basis, asks for, or the error OVS
// answers it with.
func (m *SetAsync) Apply(v Version, basis AsyncConfig) (AsyncConfig, error) {
	if m.Legacy {
		return m.Config, nil
	}
	c := basis
	for _, pm := range m.Props {
		p := asyncPropByType(pm.Type)
		if p == nil {
			return basis, errorf(AsyncConfigUnsupported, "async config property type %d", pm.Type)
		}
		if err := p.set(&c, v, pm.Mask, true); err != nil {
			return basis, err
		}
	}
	return c, nil
}

func asyncPropByType(t uint16) *asyncProp {
	for i := range asyncProps {
		if asyncProps[i].typ == t {
			return &asyncProps[i]
		}
	}
	return nil
}

func (m *SetAsync) encode(e *enc) error {
	switch {
	case m.Legacy && e.v >= OF14:
		return fmt.Errorf("OpenFlow %s has no legacy set async", e.v)
	case m.Legacy && e.v == OF13:
		e.header(t13SetAsync)
	case m.Legacy:
		e.nxHeader(nxtSetAsyncConfig)
	case e.v >= OF14:
		e.header(t13SetAsync)
	default:
		e.nxHeader(nxtSetAsyncConfig2)
	}
	if m.Legacy {
		encodeLegacyAsync(e, &m.Config)
		return nil
	}
	for _, p := range m.Props {
		e.u16(p.Type)
		e.u16(8)
		e.u32(p.Mask)
	}
	return nil
}

// legacyKinds are the kinds the 24-byte struct carries, in order.
var legacyKinds = [...]AsyncType{AsyncPacketIn, AsyncPortStatus, AsyncFlowRemoved}

func encodeLegacyAsync(e *enc, c *AsyncConfig) {
	for _, k := range legacyKinds {
		e.u32(asyncPropFor(k, true).get(c, e.v))
		e.u32(asyncPropFor(k, false).get(c, e.v))
	}
}

func decodeLegacyAsync(v Version, body []byte, what string) (AsyncConfig, error) {
	var c AsyncConfig
	if len(body) != 24 {
		return c, errorf(BadRequestBadLen, "%s body of %d bytes", what, len(body))
	}
	for i, k := range legacyKinds {
		asyncPropFor(k, true).set(&c, v, binary.BigEndian.Uint32(body[8*i:]), false)
		asyncPropFor(k, false).set(&c, v, binary.BigEndian.Uint32(body[8*i+4:]), false)
	}
	return c, nil
}

func decodeAsyncProps(body []byte) ([]AsyncMask, error) {
	var ps []AsyncMask
	for len(body) > 0 {
		if len(body) < 4 {
			return nil, errorf(ErrorCode("OFPBPC_BAD_LEN"), "async config property of %d bytes", len(body))
		}
		t, n := binary.BigEndian.Uint16(body), int(binary.BigEndian.Uint16(body[2:]))
		if n < 4 || n > len(body) {
			return nil, errorf(ErrorCode("OFPBPC_BAD_LEN"), "async config property length %d", n)
		}
		if n != 8 {
			if asyncPropByType(t) == nil {
				return nil, errorf(AsyncConfigUnsupported, "async config property type %d", t)
			}
			return nil, errorf(ErrorCode("OFPBPC_BAD_LEN"), "async config property length %d", n)
		}
		ps = append(ps, AsyncMask{Type: t, Mask: binary.BigEndian.Uint32(body[4:])})
		body = body[(n+7)/8*8:]
	}
	return ps, nil
}

// GetAsyncRequest is OFPT_GET_ASYNC_REQUEST (OpenFlow 1.3+).
type GetAsyncRequest struct{}

func (m *GetAsyncRequest) encode(e *enc) error {
	if e.v < OF13 {
		return fmt.Errorf("OpenFlow %s has no get async request", e.v)
	}
	e.header(t13GetAsyncRequest)
	return nil
}

// GetAsyncReply is OFPT_GET_ASYNC_REPLY: the legacy struct in OpenFlow
// 1.3, every property (both roles, all kinds) from 1.4.
type GetAsyncReply struct{ Config AsyncConfig }

func (m *GetAsyncReply) encode(e *enc) error {
	if e.v < OF13 {
		return fmt.Errorf("OpenFlow %s has no get async reply", e.v)
	}
	e.header(t13GetAsyncReply)
	if e.v == OF13 {
		encodeLegacyAsync(e, &m.Config)
		return nil
	}
	for i := range asyncProps {
		e.u16(asyncProps[i].typ)
		e.u16(8)
		e.u32(asyncProps[i].get(&m.Config, e.v))
	}
	return nil
}

// decodeAsyncMsg decodes the standard messages of this file.
func decodeAsyncMsg(h Header, body []byte) (Message, bool, error) {
	v := h.Version
	if v < OF13 {
		return nil, false, nil
	}
	switch h.Type {
	case t13GetAsyncRequest:
		m, err := empty(body, &GetAsyncRequest{})
		return m, true, err
	case t13GetAsyncReply:
		if v == OF13 {
			c, err := decodeLegacyAsync(v, body, "OFPT_GET_ASYNC_REPLY")
			return &GetAsyncReply{Config: c}, true, err
		}
		ps, err := decodeAsyncProps(body)
		if err != nil {
			return nil, true, err
		}
		var c AsyncConfig
		for _, p := range ps {
			if ap := asyncPropByType(p.Type); ap != nil {
				ap.set(&c, v, p.Mask, false)
			}
		}
		return &GetAsyncReply{Config: c}, true, nil
	case t13SetAsync:
		if v == OF13 {
			c, err := decodeLegacyAsync(v, body, "OFPT_SET_ASYNC")
			return &SetAsync{Legacy: true, Config: c}, true, err
		}
		ps, err := decodeAsyncProps(body)
		return &SetAsync{Props: ps}, true, err
	}
	return nil, false, nil
}

// decodeNXAsyncMsg decodes the Nicira messages of this file.
func decodeNXAsyncMsg(v Version, subtype uint32, body []byte) (Message, bool, error) {
	switch subtype {
	case nxtSetControllerID:
		if len(body) != 8 {
			return nil, true, errorf(BadRequestBadLen, "NXT_SET_CONTROLLER_ID body of %d bytes", len(body))
		}
		return &SetControllerID{ID: binary.BigEndian.Uint16(body[6:])}, true, nil
	case nxtSetAsyncConfig:
		c, err := decodeLegacyAsync(v, body, "NXT_SET_ASYNC_CONFIG")
		return &SetAsync{Legacy: true, Config: c}, true, err
	case nxtSetAsyncConfig2:
		if v >= OF14 {
			return nil, true, errorf(BadRequestBadSubtype, "NXT_SET_ASYNC_CONFIG2 in %s", v)
		}
		ps, err := decodeAsyncProps(body)
		return &SetAsync{Props: ps}, true, err
	}
	return nil, false, nil
}
