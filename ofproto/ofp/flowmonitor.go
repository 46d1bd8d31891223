package ofp

import (
	"encoding/binary"

	"github.com/govs/govs/flowtable"
)

// Flow monitors: a controller asks to hear about changes to the flows a
// filter selects. OVS speaks three dialects and so does govs:
//
//   - OpenFlow 1.0–1.2: Nicira's NXST_FLOW_MONITOR (a vendor statistics
//     request, NXM match, actions), NXT_FLOW_MONITOR_CANCEL/PAUSED/RESUMED;
//   - OpenFlow 1.3: the ONF extension ONFST_FLOW_MONITOR (same updates as
//     Nicira's but with OXM matches and instructions), ONFT_FLOW_MONITOR_*;
//   - OpenFlow 1.4+: OFPMP_FLOW_MONITOR, where cancelling is a request
//     with the delete command and pausing an update event.
//
// The Go types hold OpenFlow 1.4's numbering of flags and events, as OVS's
// ofputil layer does; the encoders translate.

// Statistics and message numbers of the three dialects.
const (
	statsFlowMonitor   = 16   // OFPMP_FLOW_MONITOR (1.4+)
	nxstFlowMonitor    = 2    // NXST_FLOW_MONITOR
	onfstFlowMonitor   = 1870 // ONFST_FLOW_MONITOR (1.3)
	nxtFlowMonCancel   = 21   // NXT_FLOW_MONITOR_CANCEL
	nxtFlowMonPaused   = 22
	nxtFlowMonResumed  = 23
	onftFlowMonCancel  = 1870 // ONFT_FLOW_MONITOR_CANCEL (1.3)
	onftFlowMonPaused  = 1871
	onftFlowMonResumed = 1872
)

// Flow monitor error codes.
const (
	MonitorUnknown    ErrorCode = "OFPMOFC_UNKNOWN_MONITOR"
	MonitorExists     ErrorCode = "OFPMOFC_MONITOR_EXISTS"
	MonitorBadFlags   ErrorCode = "OFPMOFC_BAD_FLAGS"
	MonitorBadCommand ErrorCode = "OFPMOFC_BAD_COMMAND"
	NXMustBeZero      ErrorCode = "NXBRC_MUST_BE_ZERO"
)

func init() {
	// OVS 3.1's ovs-ofctl print-error for each.
	errorTable[MonitorUnknown] = [6]wireError{{true, 0x2320, 1, 519}, {true, 0x2320, 1, 519}, {true, 0x2320, 8, 0}, {true, 0x2320, 8, 0}, {true, 0, 16, 3}, {true, 0, 16, 3}}
	errorTable[MonitorExists] = [6]wireError{{true, 0x2320, 1, 517}, {true, 0x2320, 1, 517}, {true, 0x2320, 6, 0}, {true, 0x2320, 6, 0}, {true, 0, 16, 1}, {true, 0, 16, 1}}
	errorTable[MonitorBadFlags] = [6]wireError{{true, 0x2320, 1, 518}, {true, 0x2320, 1, 518}, {true, 0x2320, 7, 0}, {true, 0x2320, 7, 0}, {true, 0, 16, 5}, {true, 0, 16, 5}}
	errorTable[MonitorBadCommand] = [6]wireError{{}, {}, {}, {}, {true, 0, 16, 4}, {true, 0, 16, 4}}
	errorTable[NXMustBeZero] = [6]wireError{{true, 0x2320, 1, 515}, {true, 0x2320, 1, 515}, {true, 0x2320, 4, 0}, {true, 0x2320, 4, 0}, {true, 0x2320, 4, 0}, {true, 0x2320, 4, 0}}
}

// FlowMonitorFlags say which changes a monitor reports and how
// (OFPFMF_*, OpenFlow 1.4's numbering).
type FlowMonitorFlags uint16

// Flow monitor flags.
const (
	MonitorInitial  FlowMonitorFlags = 1 << 0 // the flows that match now
	MonitorAdd      FlowMonitorFlags = 1 << 1 // flows added
	MonitorRemoved  FlowMonitorFlags = 1 << 2 // flows removed
	MonitorModify   FlowMonitorFlags = 1 << 3 // flows modified
	MonitorActions  FlowMonitorFlags = 1 << 4 // updates carry the actions
	MonitorNoAbbrev FlowMonitorFlags = 1 << 5 // (1.4+) own changes in full
	MonitorOwn      FlowMonitorFlags = 1 << 6 // own changes in full (Nicira) / only own (1.4+)
)

// nxMonitorFlags maps the Nicira (and ONF) bits to FlowMonitorFlags:
// NXFMF_INITIAL, ADD, DELETE, MODIFY, ACTIONS, OWN.
var nxMonitorFlags = [...]FlowMonitorFlags{MonitorInitial, MonitorAdd, MonitorRemoved, MonitorModify, MonitorActions, MonitorOwn}

func (f FlowMonitorFlags) toNX() uint16 {
	var nx uint16
	for i, bit := range nxMonitorFlags {
		if f&bit != 0 {
			nx |= 1 << i
		}
	}
	return nx
}

func monitorFlagsFromNX(nx uint16) FlowMonitorFlags {
	var f FlowMonitorFlags
	for i, bit := range nxMonitorFlags {
		if nx&(1<<i) != 0 {
			f |= bit
		}
	}
	return f
}

// FlowMonitorCommand is an OpenFlow 1.4 monitor request's command
// (OFPFMC_*); the older dialects only add.
type FlowMonitorCommand uint8

// Flow monitor commands.
const (
	MonitorCmdAdd    FlowMonitorCommand = 0
	MonitorCmdModify FlowMonitorCommand = 1
	MonitorCmdDelete FlowMonitorCommand = 2
)

// FlowMonitor is one monitor of a request: which flows (table, match
// loosely, out_port, out_group) and which of their changes.
type FlowMonitor struct {
	ID       uint32
	Command  FlowMonitorCommand
	Flags    FlowMonitorFlags
	OutPort  flowtable.Port // flowtable.PortNone: any
	OutGroup uint32         // flowtable.GroupAny: any (1.4+)
	Table    uint8          // flowtable.TableAll: every table
	Match    flowtable.Match
}

// FlowMonitorRequest is NXST_FLOW_MONITOR, ONFST_FLOW_MONITOR or
// OFPMP_FLOW_MONITOR, by version: one or more monitors.
type FlowMonitorRequest struct{ Monitors []FlowMonitor }

// FlowUpdateEvent is what a flow update reports (OFPFME_*, OpenFlow 1.4's
// numbering).
type FlowUpdateEvent uint16

// Flow update events.
const (
	EventInitial  FlowUpdateEvent = 0 // a flow that matched when the monitor was set (Nicira: added)
	EventAdded    FlowUpdateEvent = 1
	EventRemoved  FlowUpdateEvent = 2
	EventModified FlowUpdateEvent = 3
	EventAbbrev   FlowUpdateEvent = 4 // the monitor's own change, by the flow_mod's xid
	EventPaused   FlowUpdateEvent = 5 // (1.4+) updates stopped: the connection backed up
	EventResumed  FlowUpdateEvent = 6
)

// nxEvents are the Nicira event numbers (NXFME_ADDED, DELETED, MODIFIED,
// ABBREV) of each FlowUpdateEvent that has one.
var nxEvents = map[FlowUpdateEvent]uint16{EventInitial: 0, EventAdded: 0, EventRemoved: 1, EventModified: 2, EventAbbrev: 3}

// FlowUpdate is one entry of a flow monitor reply: a flow's state (Flow:
// table, priority, timeouts, cookie, match and, when the monitor asked,
// actions) and, for a removal, the reason (OFPRR_*); or, for an
// abbreviated update, only the xid of the flow_mod that made the change.
type FlowUpdate struct {
	Event  FlowUpdateEvent
	Reason FlowRemovedReason
	Flow   flowtable.Flow
	Xid    uint32
}

// FlowMonitorReply is the reply to a flow monitor request (its initial
// flows) and the asynchronous updates that follow, with xid 0.
type FlowMonitorReply struct {
	Updates []FlowUpdate
	More    bool
}

// FlowMonitorCancel is NXT_FLOW_MONITOR_CANCEL (ONFT_ in 1.3); OpenFlow
// 1.4+ cancels with a request whose command is delete, which encoding
// this message in those versions produces.
type FlowMonitorCancel struct{ ID uint32 }

// FlowMonitorPaused is NXT_FLOW_MONITOR_PAUSED (ONFT_ in 1.3; a reply
// with a paused event in 1.4+): the switch stopped sending updates
// because the connection backed up.
type FlowMonitorPaused struct{}

// FlowMonitorResumed is NXT_FLOW_MONITOR_RESUMED: updates flow again
// (after the changes that were missed, summarized).
type FlowMonitorResumed struct{}

// monitorStatsHeader starts a flow monitor request or reply.
func (e *enc) monitorStatsHeader(reply bool, flags uint16) {
	switch {
	case e.v == OF10:
		e.nxStatsHeader(reply, nxstFlowMonitor, flags)
	case e.v <= OF12:
		e.statsHeader(reply, statsVendor, flags)
		e.u32(vendorNicira)
		e.u32(nxstFlowMonitor)
	case e.v == OF13:
		e.statsHeader(reply, statsVendor, flags)
		e.u32(vendorONF)
		e.u32(onfstFlowMonitor)
	default:
		e.statsHeader(reply, statsFlowMonitor, flags)
	}
}

// appendNXMatchPadded appends an NXM match padded to 8 bytes and returns
// its unpadded length.
func appendNXMatchPadded(e *enc, m *flowtable.Match) (int, error) {
	start := len(e.b)
	if err := appendMatchTLVs(e, m, formatNXM); err != nil {
		return 0, err
	}
	n := len(e.b) - start
	e.pad8(start)
	return n, nil
}

func (m *FlowMonitorRequest) encode(e *enc) error {
	e.monitorStatsHeader(false, 0)
	for i := range m.Monitors {
		fm := &m.Monitors[i]
		switch {
		case e.v <= OF12:
			e.u32(fm.ID)
			e.u16(fm.Flags.toNX())
			e.u16(uint16(fm.OutPort))
			lenOff := len(e.b)
			e.u16(0)
			e.u8(fm.Table)
			e.zeros(5)
			n, err := appendNXMatchPadded(e, &fm.Match)
			if err != nil {
				return err
			}
			e.put16(lenOff, uint16(n))
		case e.v == OF13:
			e.u32(fm.ID)
			e.u16(fm.Flags.toNX())
			lenOff := len(e.b)
			e.u16(0)
			e.u32(encodePort32(fm.OutPort))
			e.u8(fm.Table)
			e.zeros(3)
			mstart := len(e.b)
			if err := appendOXMMatch(e, &fm.Match); err != nil {
				return err
			}
			e.put16(lenOff, binary.BigEndian.Uint16(e.b[mstart+2:]))
		default:
			e.u32(fm.ID)
			e.u32(encodePort32(fm.OutPort))
			e.u32(fm.OutGroup)
			e.u16(uint16(fm.Flags))
			e.u8(fm.Table)
			e.u8(uint8(fm.Command))
			if err := appendOXMMatch(e, &fm.Match); err != nil {
				return err
			}
		}
	}
	return nil
}

// Sizes of the fixed parts.
const (
	nxMonitorRequestLen = 16 // nx_flow_monitor_request, onf_flow_monitor_request, ofp14_flow_monitor_request
	flowUpdateFullLen   = 24 // nx_flow_update_full, ofp_flow_update_full
	flowUpdateShortLen  = 8  // abbreviated, paused, resumed
)

// decodeFlowMonitorRequest parses a request body with OVS's checks: at
// least one of add, delete and modify, no unknown flags, zero padding.
func decodeFlowMonitorRequest(c *decodeCtx, v Version, b []byte) (*FlowMonitorRequest, error) {
	m := &FlowMonitorRequest{}
	for len(b) > 0 {
		if len(b) < nxMonitorRequestLen {
			return nil, errorf(BadRequestBadLen, "flow monitor request has %d leftover bytes at end", len(b))
		}
		fm := FlowMonitor{OutGroup: flowtable.GroupAny}
		d := newDec(v, b[:nxMonitorRequestLen], BadRequestBadLen, "flow monitor request")
		var flags uint16
		var err error
		var rest []byte
		switch {
		case v <= OF12:
			fm.ID, flags = d.u32(), d.u16()
			fm.OutPort = flowtable.Port(d.u16())
			matchLen := int(d.u16())
			fm.Table = d.u8()
			if !allZero(d.take(5)) {
				return nil, errorf(NXMustBeZero, "flow monitor request padding")
			}
			fm.Flags = monitorFlagsFromNX(flags)
			if err := checkMonitorFlags(fm.Flags, flags&^0x3f != 0); err != nil {
				return nil, err
			}
			b = b[nxMonitorRequestLen:]
			padded := matchLen + padLen(matchLen)
			if padded > len(b) {
				return nil, errorf(BadRequestBadLen, "flow monitor match of %d bytes in %d", matchLen, len(b))
			}
			if fm.Match, err = decodeMatchTLVs(c, b[:matchLen]); err != nil {
				return nil, err
			}
			rest = b[padded:]
		case v == OF13:
			fm.ID, flags = d.u32(), d.u16()
			d.skip(2) // match_len: the ofp_match says it again
			port := d.u32()
			fm.Table = d.u8()
			if !allZero(d.take(3)) {
				return nil, errorf(NXMustBeZero, "flow monitor request padding")
			}
			fm.Flags = monitorFlagsFromNX(flags)
			if err := checkMonitorFlags(fm.Flags, flags&^0x3f != 0); err != nil {
				return nil, err
			}
			if fm.OutPort, err = decodePort32(port); err != nil {
				return nil, err
			}
			if fm.Match, rest, err = decodeOXMMatch(c, b[nxMonitorRequestLen:]); err != nil {
				return nil, err
			}
		default:
			fm.ID = d.u32()
			port := d.u32()
			fm.OutGroup = d.u32()
			flags = d.u16()
			fm.Table = d.u8()
			fm.Command = FlowMonitorCommand(d.u8())
			fm.Flags = FlowMonitorFlags(flags)
			if fm.Command != MonitorCmdDelete {
				if err := checkMonitorFlags(fm.Flags, flags&^0x5f != 0); err != nil {
					return nil, err
				}
				if fm.OutPort, err = decodePort32(port); err != nil {
					return nil, err
				}
			}
			if fm.Match, rest, err = decodeOXMMatch(c, b[nxMonitorRequestLen:]); err != nil {
				return nil, err
			}
		}
		m.Monitors = append(m.Monitors, fm)
		b = rest
	}
	return m, nil
}

// checkMonitorFlags refuses a monitor that watches nothing or has unknown
// flags, as OVS does.
func checkMonitorFlags(f FlowMonitorFlags, unknown bool) error {
	if f&(MonitorAdd|MonitorRemoved|MonitorModify) == 0 || unknown {
		return errorf(MonitorBadFlags, "flow monitor has bad flags %#x", uint16(f))
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func (m *FlowMonitorReply) encode(e *enc) error { return encodeMultipart(e, m, m.More) }

func (m *FlowMonitorReply) header(e *enc, more bool) error {
	e.monitorStatsHeader(true, moreFlag(more))
	return nil
}

func (m *FlowMonitorReply) entries() int { return len(m.Updates) }

func (m *FlowMonitorReply) appendEntry(e *enc, i int) error {
	u := &m.Updates[i]
	start := len(e.b)
	event := uint16(u.Event)
	if e.v <= OF13 {
		nx, ok := nxEvents[u.Event]
		if !ok {
			return errorf(BadRequestBadType, "flow update event %d in %s", u.Event, e.v)
		}
		event = nx
	}
	e.u16(0)
	e.u16(event)
	switch u.Event {
	case EventAbbrev:
		e.u32(u.Xid)
		return e.lenAt(start, start)
	case EventPaused, EventResumed:
		e.zeros(4)
		return e.lenAt(start, start)
	}
	f := &u.Flow
	var err error
	switch {
	case e.v <= OF13:
		e.u16(uint16(u.Reason))
		e.u16(f.Priority)
		e.u16(f.IdleTimeout)
		e.u16(f.HardTimeout)
		lenOff := len(e.b)
		e.u16(0)
		e.u8(f.Table)
		e.u8(0)
		e.u64(f.Cookie)
		if e.v == OF13 {
			mstart := len(e.b)
			if err = appendOXMMatch(e, &f.Match); err != nil {
				return err
			}
			e.put16(lenOff, binary.BigEndian.Uint16(e.b[mstart+2:]))
			err = appendInstructions(e, f.Actions)
		} else {
			n, merr := appendNXMatchPadded(e, &f.Match)
			if merr != nil {
				return merr
			}
			e.put16(lenOff, uint16(n))
			err = appendActions(e, f.Actions)
		}
	default:
		e.u8(f.Table)
		e.u8(uint8(u.Reason))
		e.u16(f.IdleTimeout)
		e.u16(f.HardTimeout)
		e.u16(f.Priority)
		e.zeros(4)
		e.u64(f.Cookie)
		if err = appendOXMMatch(e, &f.Match); err != nil {
			return err
		}
		err = appendInstructions(e, f.Actions)
	}
	if err != nil {
		return err
	}
	return e.lenAt(start, start)
}

func decodeFlowMonitorReply(c *decodeCtx, v Version, b []byte, more bool) (*FlowMonitorReply, error) {
	m := &FlowMonitorReply{More: more}
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, errorf(BadRequestBadLen, "flow monitor reply has %d leftover bytes at end", len(b))
		}
		n := int(binary.BigEndian.Uint16(b))
		if n > len(b) || n%8 != 0 || n < flowUpdateShortLen {
			return nil, errorf(BadRequestBadLen, "flow update of length %d in %d bytes", n, len(b))
		}
		u, err := decodeFlowUpdate(c, v, b[:n])
		if err != nil {
			return nil, err
		}
		m.Updates = append(m.Updates, u)
		b = b[n:]
	}
	return m, nil
}

func decodeFlowUpdate(c *decodeCtx, v Version, b []byte) (FlowUpdate, error) {
	u := FlowUpdate{Flow: newFlow()}
	raw := binary.BigEndian.Uint16(b[2:])
	if v <= OF13 {
		switch raw {
		case 0:
			u.Event = EventAdded
		case 1:
			u.Event = EventRemoved
		case 2:
			u.Event = EventModified
		case 3:
			u.Event = EventAbbrev
		default:
			return u, errorf("NXBRC_FM_BAD_EVENT", "flow update event %d", raw)
		}
	} else {
		if raw > uint16(EventResumed) {
			return u, errorf("NXBRC_FM_BAD_EVENT", "flow update event %d", raw)
		}
		u.Event = FlowUpdateEvent(raw)
	}
	switch u.Event {
	case EventAbbrev, EventPaused, EventResumed:
		if len(b) != flowUpdateShortLen {
			return u, errorf(BadRequestBadLen, "flow update event %d of %d bytes", raw, len(b))
		}
		u.Xid = binary.BigEndian.Uint32(b[4:])
		if u.Event != EventAbbrev {
			u.Xid = 0
		}
		return u, nil
	}
	if len(b) < flowUpdateFullLen {
		return u, errorf(BadRequestBadLen, "flow update of %d bytes", len(b))
	}
	f := &u.Flow
	d := newDec(v, b[4:flowUpdateFullLen], BadRequestBadLen, "flow update")
	var err error
	if v <= OF13 {
		u.Reason = FlowRemovedReason(d.u16())
		f.Priority, f.IdleTimeout, f.HardTimeout = d.u16(), d.u16(), d.u16()
		matchLen := int(d.u16())
		f.Table = d.u8()
		d.skip(1)
		f.Cookie = d.u64()
		body := b[flowUpdateFullLen:]
		if v == OF13 {
			var rest []byte
			if f.Match, rest, err = decodeOXMMatch(c, body); err != nil {
				return u, err
			}
			f.Actions, err = decodeInstructions(c, v, rest)
			return u, err
		}
		padded := matchLen + padLen(matchLen)
		if padded > len(body) {
			return u, errorf(BadRequestBadLen, "flow update match of %d bytes in %d", matchLen, len(body))
		}
		if f.Match, err = decodeMatchTLVs(c, body[:matchLen]); err != nil {
			return u, err
		}
		f.Actions, err = decodeActions(c, v, body[padded:])
		return u, err
	}
	f.Table = d.u8()
	u.Reason = FlowRemovedReason(d.u8())
	f.IdleTimeout, f.HardTimeout, f.Priority = d.u16(), d.u16(), d.u16()
	d.skip(4)
	f.Cookie = d.u64()
	var rest []byte
	if f.Match, rest, err = decodeOXMMatch(c, b[flowUpdateFullLen:]); err != nil {
		return u, err
	}
	f.Actions, err = decodeInstructions(c, v, rest)
	return u, err
}

// monitorControl encodes cancel, paused and resumed in each dialect.
func (e *enc) monitorControl(nx, onf uint32) {
	if e.v == OF13 {
		e.header(tVendor)
		e.u32(vendorONF)
		e.u32(onf)
		return
	}
	e.nxHeader(nx)
}

func (m *FlowMonitorCancel) encode(e *enc) error {
	if e.v >= OF14 {
		e.monitorStatsHeader(false, 0)
		e.u32(m.ID)
		e.zeros(12)
		// The command byte (last of the 16) is delete; an empty match.
		e.b[len(e.b)-1] = uint8(MonitorCmdDelete)
		e.u16(ofpMatchOXM)
		e.u16(4)
		e.zeros(4)
		return nil
	}
	e.monitorControl(nxtFlowMonCancel, onftFlowMonCancel)
	e.u32(m.ID)
	return nil
}

func (m *FlowMonitorPaused) encode(e *enc) error {
	if e.v >= OF14 {
		return (&FlowMonitorReply{Updates: []FlowUpdate{{Event: EventPaused}}}).encode(e)
	}
	e.monitorControl(nxtFlowMonPaused, onftFlowMonPaused)
	return nil
}

func (m *FlowMonitorResumed) encode(e *enc) error {
	if e.v >= OF14 {
		return (&FlowMonitorReply{Updates: []FlowUpdate{{Event: EventResumed}}}).encode(e)
	}
	e.monitorControl(nxtFlowMonResumed, onftFlowMonResumed)
	return nil
}

// decodeMonitorControl decodes the cancel, paused and resumed messages
// (Nicira subtype or ONF type sub); ok says whether sub was one of them.
func decodeMonitorControl(sub uint32, onf bool, body []byte) (Message, bool, error) {
	cancel, paused, resumed := uint32(nxtFlowMonCancel), uint32(nxtFlowMonPaused), uint32(nxtFlowMonResumed)
	if onf {
		cancel, paused, resumed = onftFlowMonCancel, onftFlowMonPaused, onftFlowMonResumed
	}
	switch sub {
	case cancel:
		if len(body) != 4 {
			return nil, true, errorf(BadRequestBadLen, "flow monitor cancel body of %d bytes", len(body))
		}
		return &FlowMonitorCancel{ID: binary.BigEndian.Uint32(body)}, true, nil
	case paused, resumed:
		if len(body) != 0 {
			return nil, true, errorf(BadRequestBadLen, "flow monitor pause body of %d bytes", len(body))
		}
		if sub == paused {
			return &FlowMonitorPaused{}, true, nil
		}
		return &FlowMonitorResumed{}, true, nil
	}
	return nil, false, nil
}

// decodeFlowMonitorStats decodes a flow monitor request or reply body
// (after the statistics header) of statistics type stype; ok says
// whether it was one. The 1.4+ form of cancel, a request with only a
// delete, decodes as [FlowMonitorCancel].
func decodeFlowMonitorStats(c *decodeCtx, v Version, stype uint16, b []byte, reply, more bool) (Message, bool, error) {
	switch {
	case stype == statsFlowMonitor && v >= OF14:
	case stype == statsVendor && v >= OF11 && v <= OF13 && len(b) >= 8:
		vendor, sub := binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
		if !(v <= OF12 && vendor == vendorNicira && sub == nxstFlowMonitor) &&
			!(v == OF13 && vendor == vendorONF && sub == onfstFlowMonitor) {
			return nil, false, nil
		}
		b = b[8:]
	default:
		return nil, false, nil
	}
	m, err := decodeMonitorBody(c, v, b, reply, more)
	return m, true, err
}

// decodeMonitorBody decodes the monitors or updates of a flow monitor
// request or reply.
func decodeMonitorBody(c *decodeCtx, v Version, b []byte, reply, more bool) (Message, error) {
	if reply {
		m, err := decodeFlowMonitorReply(c, v, b, more)
		if err != nil {
			return nil, err
		}
		return m, nil
	}
	m, err := decodeFlowMonitorRequest(c, v, b)
	if err != nil {
		return nil, err
	}
	if len(m.Monitors) == 1 && m.Monitors[0].Command == MonitorCmdDelete {
		return &FlowMonitorCancel{ID: m.Monitors[0].ID}, nil
	}
	return m, nil
}
