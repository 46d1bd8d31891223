package ofp

import (
	"time"

	"github.com/govs/govs/flowtable"
)

// Flow removed messages: OFPT_FLOW_REMOVED with ofp_match (OpenFlow 1.0),
// NXT_FLOW_REMOVED with NXM (OpenFlow 1.0 after NXT_SET_FLOW_FORMAT),
// OFPT_FLOW_REMOVED with OXM (OpenFlow 1.2–1.4) and OpenFlow 1.5's
// OFPT_FLOW_REMOVED whose statistics travel as OXS fields.
const (
	tFlowRemoved   = 11
	nxtFlowRemoved = 14

	flowRemoved10Len = 88 // whole message, ofp_match included
	nxFlowRemovedLen = 40 // after the Nicira header, before the match
	flowRemoved12Len = 40 // after the header, before the match
)

// FlowRemovedReason says why a flow went away (ofp_flow_removed_reason).
type FlowRemovedReason uint8

// Flow removed reasons.
const (
	RemovedIdleTimeout FlowRemovedReason = 0
	RemovedHardTimeout FlowRemovedReason = 1
	RemovedDelete      FlowRemovedReason = 2
	RemovedGroupDelete FlowRemovedReason = 3 // OpenFlow 1.3+
	RemovedMeterDelete FlowRemovedReason = 4 // OpenFlow 1.4+
	RemovedEviction    FlowRemovedReason = 5 // OpenFlow 1.4+
)

// FlowRemoved tells a controller that a flow it asked to hear about
// (send_flow_rem) is gone, with its final statistics. Table is unknown
// (0xff) when decoded from OpenFlow 1.0's ofp_flow_removed; HardTimeout
// is not carried in OpenFlow 1.0 and NXM.
type FlowRemoved struct {
	Match       flowtable.Match
	Cookie      uint64
	Priority    uint16
	Reason      FlowRemovedReason
	Table       uint8
	Duration    time.Duration
	IdleTimeout uint16
	HardTimeout uint16
	Packets     uint64
	Bytes       uint64
	NXM         bool // OpenFlow 1.0: send as NXT_FLOW_REMOVED
}

// reasonIn maps a reason the version lacks to OFPRR_DELETE, as OVS does.
func (m *FlowRemoved) reasonIn(v Version) uint8 {
	switch {
	case m.Reason == RemovedGroupDelete && v < OF13,
		m.Reason >= RemovedMeterDelete && v < OF14:
		return uint8(RemovedDelete)
	}
	return uint8(m.Reason)
}

func (m *FlowRemoved) encode(e *enc) error {
	sec, nsec := durationParts(m.Duration)
	switch {
	case e.v == OF10 && m.NXM:
		e.nxHeader(nxtFlowRemoved)
		e.u64(m.Cookie)
		e.u16(m.Priority)
		e.u8(m.reasonIn(e.v))
		e.u8(m.Table + 1) // 0 means unknown
		e.u32(sec)
		e.u32(nsec)
		e.u16(m.IdleTimeout)
		lenOff := len(e.b)
		e.u16(0)
		e.u64(m.Packets)
		e.u64(m.Bytes)
		start := len(e.b)
		if err := appendMatchTLVs(e, &m.Match, formatNXM); err != nil {
			return err
		}
		e.put16(lenOff, uint16(len(e.b)-start))
		e.pad8(start)
	case e.v == OF10:
		e.header(tFlowRemoved)
		appendMatch10(e, &m.Match)
		e.u64(m.Cookie)
		e.u16(m.Priority)
		e.u8(m.reasonIn(e.v))
		e.zeros(1)
		e.u32(sec)
		e.u32(nsec)
		e.u16(m.IdleTimeout)
		e.zeros(2)
		e.u64(m.Packets)
		e.u64(m.Bytes)
	case e.v == OF11:
		return errorf(BadRequestBadVersion, "flow_removed in %s is not supported", e.v)
	case e.v >= OF15:
		e.header(tFlowRemoved)
		e.u8(m.Table)
		e.u8(m.reasonIn(e.v))
		e.u16(m.Priority)
		e.u16(m.IdleTimeout)
		e.u16(m.HardTimeout)
		e.u64(m.Cookie)
		if err := appendOXMMatch(e, &m.Match); err != nil {
			return err
		}
		appendOXS(e, &oxsStats{duration: m.Duration, hasDuration: true, idleAge: -1, packets: m.Packets, bytes: m.Bytes})
	default:
		e.header(tFlowRemoved)
		e.u64(m.Cookie)
		e.u16(m.Priority)
		e.u8(m.reasonIn(e.v))
		e.u8(m.Table)
		e.u32(sec)
		e.u32(nsec)
		e.u16(m.IdleTimeout)
		e.u16(m.HardTimeout)
		e.u64(m.Packets)
		e.u64(m.Bytes)
		if err := appendOXMMatch(e, &m.Match); err != nil {
			return err
		}
	}
	return nil
}

func decodeFlowRemoved(c *decodeCtx, v Version, body []byte) (Message, error) {
	m := &FlowRemoved{}
	switch v {
	case OF10:
		if len(body)+HeaderLen != flowRemoved10Len {
			return nil, errorf(BadRequestBadLen, "flow_removed of %d bytes", len(body)+HeaderLen)
		}
		m.Match = decodeMatch10(body)
		d := newDec(v, body[ofp10MatchLen:], BadRequestBadLen, "flow_removed")
		m.Cookie, m.Priority, m.Reason = d.u64(), d.u16(), FlowRemovedReason(d.u8())
		d.skip(1)
		m.Table = 0xff
		sec, nsec := d.u32(), d.u32()
		m.Duration = time.Duration(sec)*time.Second + time.Duration(nsec)
		m.IdleTimeout = d.u16()
		d.skip(2)
		m.Packets, m.Bytes = d.u64(), d.u64()
		return m, d.err
	case OF11:
		return nil, errorf(BadRequestBadVersion, "flow_removed in %s is not supported", v)
	}
	d := newDec(v, body, BadRequestBadLen, "flow_removed")
	var rest []byte
	if v >= OF15 {
		m.Table, m.Reason = d.u8(), FlowRemovedReason(d.u8())
		m.Priority, m.IdleTimeout, m.HardTimeout = d.u16(), d.u16(), d.u16()
		m.Cookie = d.u64()
		if d.err != nil {
			return nil, d.err
		}
		match, after, err := decodeOXMMatch(c, d.rest())
		if err != nil {
			return nil, err
		}
		m.Match = match
		var st oxsStats
		if st, rest, err = decodeOXS(after); err != nil {
			return nil, err
		}
		m.Duration, m.Packets, m.Bytes = st.duration, st.packets, st.bytes
	} else {
		m.Cookie, m.Priority = d.u64(), d.u16()
		m.Reason, m.Table = FlowRemovedReason(d.u8()), d.u8()
		sec, nsec := d.u32(), d.u32()
		m.Duration = time.Duration(sec)*time.Second + time.Duration(nsec)
		m.IdleTimeout, m.HardTimeout = d.u16(), d.u16()
		m.Packets, m.Bytes = d.u64(), d.u64()
		if d.err != nil {
			return nil, d.err
		}
		match, after, err := decodeOXMMatch(c, d.rest())
		if err != nil {
			return nil, err
		}
		m.Match, rest = match, after
	}
	if len(rest) != 0 {
		return nil, errorf(BadRequestBadLen, "flow_removed has %d extra bytes", len(rest))
	}
	return m, nil
}

func decodeNXFlowRemoved(c *decodeCtx, body []byte) (Message, error) {
	d := newDec(OF10, body, BadRequestBadLen, "NXT_FLOW_REMOVED")
	m := &FlowRemoved{NXM: true}
	m.Cookie, m.Priority = d.u64(), d.u16()
	m.Reason, m.Table = FlowRemovedReason(d.u8()), d.u8()-1
	sec, nsec := d.u32(), d.u32()
	m.Duration = time.Duration(sec)*time.Second + time.Duration(nsec)
	m.IdleTimeout = d.u16()
	n := int(d.u16())
	m.Packets, m.Bytes = d.u64(), d.u64()
	raw := d.take(n + padLen(n))
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, errorf(BadRequestBadLen, "NXT_FLOW_REMOVED has %d extra bytes", len(d.b))
	}
	match, err := decodeMatchTLVs(c, raw[:n])
	if err != nil {
		return nil, err
	}
	m.Match = match
	return m, nil
}
