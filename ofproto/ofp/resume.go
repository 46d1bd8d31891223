package ofp

import (
	"encoding/binary"

	"github.com/govs/govs/flowtable"
)

// NXT_RESUME and the continuation that NXT_PACKET_IN2 carries for a
// controller(pause) action, laid out as OVS 3.1 lays them out, so that
// `ovs-ofctl monitor` prints govs' continuations and a controller can
// treat them as OVS's.

const nxtResume = 28

// Resume is NXT_RESUME: a controller hands back a paused packet (Data,
// possibly changed) with the pipeline metadata (Match, possibly changed)
// and the Continuation bytes of the NXT_PACKET_IN2 it came in, so the
// switch continues the pipeline after the controller(pause) action. It
// uses NXT_PACKET_IN2's properties; the switch reads only Data, Match and
// Continuation (a userdata property is accepted and ignored, as in OVS).
type Resume struct {
	Data         []byte
	TotalLen     uint32
	BufferID     uint32
	Table        uint8
	Cookie       uint64
	Reason       uint8
	Match        flowtable.Match
	Continuation []byte
}

func (m *Resume) encode(e *enc) error {
	e.nxHeader(nxtResume)
	p := PacketIn2{Data: m.Data, TotalLen: m.TotalLen, BufferID: m.BufferID, Table: m.Table,
		Cookie: m.Cookie, Reason: m.Reason, Match: m.Match, Continuation: m.Continuation}
	return p.encodeProps(e)
}

// decodeResumeMsg decodes NXT_RESUME.
func decodeResumeMsg(c *decodeCtx, subtype uint32, body []byte) (Message, bool, error) {
	if subtype != nxtResume {
		return nil, false, nil
	}
	m, err := decodePacketIn2(c, body)
	if err != nil {
		return nil, true, err
	}
	p := m.(*PacketIn2)
	return &Resume{Data: p.Data, TotalLen: p.TotalLen, BufferID: p.BufferID, Table: p.Table,
		Cookie: p.Cookie, Reason: p.Reason, Match: p.Match, Continuation: p.Continuation}, true, nil
}

// Continuation property types (OVS's NXCPT_*).
const (
	contBridge      = 0x8000
	contStack       = 0x8001
	contMirrors     = 0x8002
	contConntracked = 0x8003
	contTableID     = 0x8004
	contCookie      = 0x8005
	contActions     = 0x8006
	contActionSet   = 0x8007
	contODPPort     = 0x8008
)

// maxStackEntry is the largest value a stack entry holds (OVS's
// mf_subvalue).
const maxStackEntry = 128

// Continuation is the decoded state of a paused translation, as
// [EncodeContinuation] lays it out and [DecodeContinuation] reads it.
type Continuation struct {
	// Bridge identifies the bridge instance that paused (a UUID; OVS
	// sends it in host byte order, and so it is only compared).
	Bridge [16]byte
	// Stack holds the values push actions left, top first, each as
	// big-endian bytes.
	Stack [][]byte
	// Mirrors are the mirrors already output to (a bit each).
	Mirrors     uint32
	Conntracked bool
	// Frames are the actions left to run, innermost flow first: the rest
	// of the flow that paused, then the rest of each flow that resubmitted
	// to it.
	Frames []ContinuationFrame
	// ActionSet is the action set at the pause.
	ActionSet flowtable.Actions
	// ODPPort is the datapath port the packet arrived on.
	ODPPort uint32
}

// ContinuationFrame is what is left of one flow's actions: Table and
// Cookie are that flow's, for the packet-ins the actions may send.
type ContinuationFrame struct {
	Table   uint8
	Cookie  uint64
	Actions flowtable.Actions
}

// contEnc appends continuation properties.
type contEnc struct{ *enc }

// prop appends a property whose value is v.
func (e contEnc) prop(typ uint16, v []byte) {
	start := len(e.b)
	e.u16(typ)
	e.u16(uint16(4 + len(v)))
	e.bytes(v)
	e.pad8(start)
}

// actions appends a nested property holding acts as actions of e's
// version. A flow's instructions left after the pause are sent as the
// Nicira actions that stand for them: write_metadata as
// NXAST_WRITE_METADATA, goto_table as a resubmit to the table (as OVS
// does in OpenFlow 1.0); clear_actions and write_actions have no action
// form, and a continuation that still has them cannot be encoded.
func (e contEnc) actions(typ uint16, acts flowtable.Actions) error {
	start := len(e.b)
	e.u16(typ)
	e.u16(0)
	e.zeros(4)
	ae := actionEncoder{e.enc}
	for _, a := range acts {
		var err error
		switch a := a.(type) {
		case *flowtable.GotoTable:
			err = ae.resubmit(flowtable.PortInPort, a.Table, false)
		case *flowtable.WriteMetadata:
			off := ae.nx(nxastWriteMetadata)
			e.zeros(6)
			e.u64(a.Value)
			e.u64(a.Mask)
			err = ae.finish(off)
		default:
			err = appendActions(e.enc, flowtable.Actions{a})
		}
		if err != nil {
			return err
		}
	}
	return e.lenAt(start+2, start)
}

// EncodeContinuation lays c out as the properties of a continuation, in
// version v (the actions' encoding depends on it; the NXT_RESUME that
// brings them back is decoded in its own version, so a controller must
// resume on a connection of the same version).
func EncodeContinuation(v Version, c *Continuation) ([]byte, error) {
	e := contEnc{&enc{v: v}}
	if c.Bridge != [16]byte{} {
		e.prop(contBridge, c.Bridge[:])
	}
	for _, s := range c.Stack {
		e.prop(contStack, s)
	}
	if c.Mirrors != 0 {
		e.prop(contMirrors, binary.BigEndian.AppendUint32(nil, c.Mirrors))
	}
	if c.Conntracked {
		e.prop(contConntracked, nil)
	}
	// Table and cookie are sent when they differ from the previous
	// frame's, starting from 0, as OVS sends them.
	var table uint8
	var cookie uint64
	for _, f := range c.Frames {
		if len(f.Actions) == 0 {
			continue
		}
		if f.Table != table {
			e.prop(contTableID, []byte{f.Table})
			table = f.Table
		}
		if f.Cookie != cookie {
			e.prop(contCookie, binary.BigEndian.AppendUint64(make([]byte, 4), f.Cookie))
			cookie = f.Cookie
		}
		if err := e.actions(contActions, f.Actions); err != nil {
			return nil, err
		}
	}
	if len(c.ActionSet) > 0 {
		if err := e.actions(contActionSet, c.ActionSet); err != nil {
			return nil, err
		}
	}
	if c.ODPPort != 0 {
		e.prop(contODPPort, binary.BigEndian.AppendUint32(nil, c.ODPPort))
	}
	return e.b, nil
}

// DecodeContinuation reads the continuation properties b of an
// NXT_RESUME of version v, with the errors OVS answers a malformed one
// with: OFPBPC_BAD_LEN for a bad property length, OFPBPC_BAD_TYPE for an
// unknown property, the action errors for bad actions. tlv is the
// bridge's TLV map, which gives the continuation's actions' tun_metadataN
// fields their lengths.
func DecodeContinuation(v Version, b []byte, tlv *flowtable.TLVMap) (*Continuation, error) {
	dc := &decodeCtx{tlv: tlv}
	c := &Continuation{}
	var table uint8
	var cookie uint64
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, errorf("OFPBPC_BAD_LEN", "continuation property of %d bytes", len(b))
		}
		t, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if n < 4 || n+padLen(n) > len(b) {
			return nil, errorf("OFPBPC_BAD_LEN", "continuation property %#x of length %d in %d bytes", t, n, len(b))
		}
		val := b[4:n]
		b = b[n+padLen(n):]
		fixed := map[uint16]int{contBridge: 16, contMirrors: 4, contTableID: 1, contCookie: 12, contODPPort: 4}
		if w, ok := fixed[t]; ok && len(val) != w {
			return nil, errorf("OFPBPC_BAD_LEN", "continuation property %#x of %d bytes", t, len(val))
		}
		switch t {
		case contBridge:
			copy(c.Bridge[:], val)
		case contStack:
			if len(val) > maxStackEntry {
				return nil, errorf("OFPBPC_BAD_LEN", "continuation stack entry of %d bytes", len(val))
			}
			c.Stack = append(c.Stack, append([]byte{}, val...))
		case contMirrors:
			c.Mirrors = binary.BigEndian.Uint32(val)
		case contConntracked:
			c.Conntracked = true
		case contTableID:
			table = val[0]
		case contCookie:
			cookie = binary.BigEndian.Uint64(val[4:])
		case contActions, contActionSet:
			if len(val) < 4 {
				return nil, errorf("OFPBPC_BAD_LEN", "continuation actions property of %d bytes", len(val))
			}
			acts, err := decodeActions(dc, v, val[4:])
			if err != nil {
				return nil, err
			}
			if t == contActionSet {
				c.ActionSet = append(c.ActionSet, acts...)
			} else {
				c.Frames = append(c.Frames, ContinuationFrame{Table: table, Cookie: cookie, Actions: acts})
			}
		case contODPPort:
			c.ODPPort = binary.BigEndian.Uint32(val)
		default:
			return nil, errorf("OFPBPC_BAD_TYPE", "continuation property type %#x", t)
		}
	}
	return c, nil
}
