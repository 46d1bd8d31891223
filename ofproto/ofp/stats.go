package ofp

import (
	"encoding/binary"
	"time"

	"github.com/govs/govs/flowtable"
)

// Statistics (multipart) types: OFPST_* in OpenFlow 1.0, OFPMP_* later.
const (
	statsDesc      = 0
	statsFlow      = 1
	statsAggregate = 2
	statsTable     = 3
	statsPort      = 4
	statsPortDesc  = 13 // OpenFlow 1.3+, and OVS's extension before
	statsVendor    = 0xffff
)

// Nicira statistics subtypes (OpenFlow 1.0 only, as in OVS).
const (
	nxstFlow      = 0
	nxstAggregate = 1
)

// statsMore is OFPSF_REPLY_MORE (OFPMPF_REPLY_MORE): more parts follow.
const statsMore = 1

// Header sizes of statistics messages: OpenFlow 1.0's ofp_stats_msg,
// OpenFlow 1.1+'s ofp_multipart_msg, and Nicira's OpenFlow 1.0 form.
const (
	stats10HeaderLen   = HeaderLen + 4
	stats11HeaderLen   = HeaderLen + 8
	nxStats10HeaderLen = stats10HeaderLen + 12
)

// statsHeader starts a statistics request or reply of type stype.
func (e *enc) statsHeader(reply bool, stype uint16, flags uint16) {
	t := statsRequestType(e.v)
	if reply {
		t++
	}
	e.header(t)
	e.u16(stype)
	e.u16(flags)
	if e.v != OF10 {
		e.zeros(4)
	}
}

// nxStatsHeader starts a Nicira statistics message (OpenFlow 1.0).
func (e *enc) nxStatsHeader(reply bool, subtype uint32, flags uint16) {
	e.statsHeader(reply, statsVendor, flags)
	e.u32(vendorNicira)
	e.u32(subtype)
	e.zeros(4)
}

// moreFlag is the reply flags for a part with more to follow.
func moreFlag(more bool) uint16 {
	if more {
		return statsMore
	}
	return 0
}

// decodeStats parses a statistics request or reply body. The flags of a
// request are not kept: OVS's OFPMPF_REQ_MORE is the connection's business.
func decodeStats(c *decodeCtx, v Version, body []byte, reply bool) (Message, error) {
	d := newDec(v, body, BadRequestBadLen, "stats")
	stype, flags := d.u16(), d.u16()
	if v != OF10 {
		d.skip(4)
	}
	if d.err != nil {
		return nil, d.err
	}
	more := reply && flags&statsMore != 0
	b := d.rest()
	if m, ok, err := decodeFlowMonitorStats(c, v, stype, b, reply, more); ok {
		return m, err
	}
	switch stype {
	case statsQueue:
		return decodeQueueStats(v, b, reply)
	case statsDesc:
		if !reply {
			return empty(b, &DescStatsRequest{})
		}
		return decodeDescStats(b)
	case statsFlow:
		if !reply {
			r, err := decodeFlowStatsRequest(c, v, b, false)
			return (*FlowStatsRequest)(r), err
		}
		return decodeFlowStatsReply(c, v, b, false, more)
	case statsAggregate:
		if !reply {
			r, err := decodeFlowStatsRequest(c, v, b, false)
			return (*AggregateStatsRequest)(r), err
		}
		return decodeAggregateReply(v, b, false)
	case statsTable:
		if !reply {
			return empty(b, &TableStatsRequest{})
		}
		return decodeTableStatsReply(v, b, more)
	case statsPort:
		if !reply {
			return decodePortStatsRequest(v, b)
		}
		return decodePortStatsReply(v, b, more)
	case statsPortDesc:
		if !reply {
			return decodePortDescRequest(v, b)
		}
		return decodePortDescReply(v, b, more)
	case statsTableFeatures:
		return decodeTableFeatures(v, b, reply, more)
	case statsTableDesc:
		return decodeTableDesc(v, b, reply, more)
	case statsGroup, statsGroupDesc, statsGroupFeat:
		if v == OF10 {
			break
		}
		return decodeGroupStats(c, v, stype, b, reply, more)
	case statsMeter, statsMeterConfig, statsMeterFeatures:
		if v < OF13 {
			break
		}
		return decodeMeterStats(v, stype, b, reply, more)
	case statsVendor:
		switch v {
		case OF10:
			return decodeNXStats(c, b, reply, more)
		case OF11:
			return decodeNXStats11(b, reply)
		}
	}
	return nil, errorf(BadRequestBadStat, "statistics type %d in %s", stype, v)
}

// decodeNXStats11 parses the one Nicira statistics message OVS speaks in
// OpenFlow 1.1, NXST_GROUP_FEATURES, whose header lacks 1.0's padding.
func decodeNXStats11(b []byte, reply bool) (Message, error) {
	if len(b) < 8 {
		return nil, errorf(BadRequestBadLen, "vendor statistics of %d bytes", len(b))
	}
	if vendor := binary.BigEndian.Uint32(b); vendor != vendorNicira {
		return nil, errorf(BadRequestBadVendor, "statistics vendor %#x", vendor)
	}
	if subtype := binary.BigEndian.Uint32(b[4:]); subtype != nxstGroupFeat {
		return nil, errorf(BadRequestBadSubtype, "Nicira statistics subtype %d in %s", subtype, OF11)
	}
	return decodeGroupStats(nil, OF11, statsGroupFeat, b[8:], reply, false)
}

func decodeNXStats(c *decodeCtx, b []byte, reply, more bool) (Message, error) {
	if len(b) < 12 {
		return nil, errorf(BadRequestBadLen, "vendor statistics of %d bytes", len(b))
	}
	if vendor := binary.BigEndian.Uint32(b); vendor != vendorNicira {
		return nil, errorf(BadRequestBadVendor, "statistics vendor %#x", vendor)
	}
	subtype := binary.BigEndian.Uint32(b[4:])
	b = b[12:]
	switch {
	case subtype == nxstFlow && !reply:
		r, err := decodeFlowStatsRequest(c, OF10, b, true)
		return (*FlowStatsRequest)(r), err
	case subtype == nxstFlow:
		return decodeFlowStatsReply(c, OF10, b, true, more)
	case subtype == nxstAggregate && !reply:
		r, err := decodeFlowStatsRequest(c, OF10, b, true)
		return (*AggregateStatsRequest)(r), err
	case subtype == nxstAggregate:
		return decodeAggregateReply(OF10, b, true)
	case subtype == nxstFlowMonitor:
		return decodeMonitorBody(c, OF10, b, reply, more)
	case subtype == nxstGroup:
		return decodeGroupStats(c, OF10, statsGroup, b, reply, more)
	case subtype == nxstGroupDesc:
		return decodeGroupStats(c, OF10, statsGroupDesc, b, reply, more)
	case subtype == nxstGroupFeat:
		return decodeGroupStats(c, OF10, statsGroupFeat, b, reply, more)
	}
	return nil, errorf(BadRequestBadSubtype, "Nicira statistics subtype %d", subtype)
}

// flowStatsRequest is the body of flow and aggregate statistics requests.
type flowStatsRequest struct {
	// Filter selects flows as a delete does: Table (flowtable.TableAll
	// for every table), Match (loosely: flows at least as specific),
	// OutPort (flowtable.PortNone: any), and from OpenFlow 1.1 on
	// OutGroup (flowtable.GroupAny: any) and CookieMatch/CookieMask.
	// Priority, actions and the rest are not carried.
	Filter flowtable.Flow
	// NXM sends an OpenFlow 1.0 request as NXST_FLOW/NXST_AGGREGATE with
	// an NXM match, as ovs-ofctl dump-flows does.
	NXM bool
}

// FlowStatsRequest asks for the statistics of the flows its filter
// selects: OFPST_FLOW (OpenFlow 1.0 ofp_match), NXST_FLOW (OpenFlow 1.0
// with NXM) or OFPMP_FLOW (OpenFlow 1.2-1.4, OXM).
type FlowStatsRequest flowStatsRequest

// AggregateStatsRequest asks for the totals over the flows its filter
// selects: OFPST_AGGREGATE, NXST_AGGREGATE or OFPMP_AGGREGATE.
type AggregateStatsRequest flowStatsRequest

func (m *FlowStatsRequest) encode(e *enc) error {
	return (*flowStatsRequest)(m).encode(e, statsFlow, nxstFlow)
}

func (m *AggregateStatsRequest) encode(e *enc) error {
	return (*flowStatsRequest)(m).encode(e, statsAggregate, nxstAggregate)
}

func (m *flowStatsRequest) encode(e *enc, stype uint16, nxst uint32) error {
	f := &m.Filter
	switch {
	case e.v == OF10 && m.NXM:
		e.nxStatsHeader(false, nxst, 0)
		e.u16(uint16(f.OutPort))
		lenOff := len(e.b)
		e.u16(0)
		e.u8(f.Table)
		e.zeros(3)
		start := len(e.b)
		if err := appendMatchTLVs(e, &f.Match, formatNXM); err != nil {
			return err
		}
		appendNXCookie(e, f.CookieMatch, f.CookieMask)
		e.put16(lenOff, uint16(len(e.b)-start))
		e.pad8(start)
	case e.v == OF10:
		if f.CookieMask != 0 {
			return errorf(BadMatchBadField, "cookie filter needs NXM")
		}
		if !FitsMatch10(&f.Match) {
			return errorf(BadMatchBadField, "match needs NXM")
		}
		e.statsHeader(false, stype, 0)
		appendMatch10(e, &f.Match)
		e.u8(f.Table)
		e.u8(0)
		e.u16(uint16(f.OutPort))
	default:
		e.statsHeader(false, stype, 0)
		e.u8(f.Table)
		e.zeros(3)
		e.u32(encodePort32(f.OutPort))
		e.u32(f.OutGroup)
		e.zeros(4)
		e.u64(f.CookieMatch)
		e.u64(f.CookieMask)
		return appendMatch11Or12(e, &f.Match)
	}
	return nil
}

// statsFilter returns an empty filter: all tables, ports and groups.
func statsFilter() flowtable.Flow {
	f := newFlow()
	f.Table = flowtable.TableAll
	f.Priority = flowtable.DefaultPriority
	return f
}

func decodeFlowStatsRequest(c *decodeCtx, v Version, b []byte, nxm bool) (*flowStatsRequest, error) {
	m := &flowStatsRequest{Filter: statsFilter(), NXM: nxm}
	f := &m.Filter
	d := newDec(v, b, BadRequestBadLen, "flow statistics request")
	switch {
	case nxm:
		f.OutPort = flowtable.Port(d.u16())
		n := int(d.u16())
		f.Table = d.u8()
		d.skip(3)
		raw := d.take(n + padLen(n))
		if d.err != nil {
			return nil, d.err
		}
		tlvs, cookie, mask, err := splitNXCookie(raw[:n])
		if err != nil {
			return nil, err
		}
		f.CookieMatch, f.CookieMask = cookie, mask
		match, err := decodeMatchTLVs(c, tlvs)
		if err != nil {
			return nil, err
		}
		f.Match = match
	case v == OF10:
		raw := d.take(ofp10MatchLen)
		f.Table = d.u8()
		d.skip(1)
		f.OutPort = flowtable.Port(d.u16())
		if d.err != nil {
			return nil, d.err
		}
		f.Match = decodeMatch10(raw)
	default:
		f.Table = d.u8()
		d.skip(3)
		f.OutPort = d.port()
		f.OutGroup = d.u32()
		d.skip(4)
		f.CookieMatch, f.CookieMask = d.u64(), d.u64()
		if d.err != nil {
			return nil, d.err
		}
		match, rest, err := decodeMatch11Or12(c, v, d.rest())
		if err != nil {
			return nil, err
		}
		f.Match = match
		d.b = rest
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, errorf(BadRequestBadLen, "flow statistics request has %d extra bytes", len(d.b))
	}
	return m, nil
}

// FlowStats is one flow in a flow statistics reply.
type FlowStats struct {
	// Flow is the flow: its table, priority, cookie, timeouts, match and
	// actions, and from OpenFlow 1.3 on its flags (1.4: importance).
	Flow flowtable.Flow
	// Duration is how long the flow has been in its table.
	Duration time.Duration
	// IdleAge and HardAge are the seconds since the flow last matched a
	// packet and since it was added or last modified; -1 is unknown.
	// Only NXST_FLOW carries them.
	IdleAge, HardAge int
	Packets, Bytes   uint64
}

// FlowStatsReply is one part of a flow statistics reply. [EncodeReplies]
// splits the flows of a long reply over parts as OVS does, each with More
// set but the last.
type FlowStatsReply struct {
	Flows []FlowStats
	More  bool
	NXM   bool // OpenFlow 1.0: NXST_FLOW with NXM matches
}

// Fixed sizes of one flow in flow statistics replies.
const (
	flowStats10Len = 88 // ofp10_flow_stats, with its ofp_match
	nxFlowStatsLen = 48 // nx_flow_stats, before the NXM match
	flowStats11Len = 48 // ofp11_flow_stats, before the OXM match
)

func (m *FlowStatsReply) encode(e *enc) error { return encodeMultipart(e, m, m.More) }

func (m *FlowStatsReply) header(e *enc, more bool) error {
	switch {
	case e.v == OF10 && m.NXM:
		e.nxStatsHeader(true, nxstFlow, moreFlag(more))
	default:
		e.statsHeader(true, statsFlow, moreFlag(more))
	}
	return nil
}

func (m *FlowStatsReply) entries() int { return len(m.Flows) }

// nxAge encodes an age in seconds as nx_flow_stats does: one more than
// the age, 0 for unknown, saturating.
func nxAge(age int) uint16 {
	switch {
	case age < 0:
		return 0
	case age >= 0xffff:
		return 0xffff
	}
	return uint16(age + 1)
}

// durationParts splits d into OpenFlow's seconds and nanoseconds.
func durationParts(d time.Duration) (uint32, uint32) {
	if d < 0 {
		d = 0
	}
	return uint32(d / time.Second), uint32(d % time.Second)
}

func (m *FlowStatsReply) appendEntry(e *enc, i int) error {
	s := &m.Flows[i]
	f := &s.Flow
	if e.v >= OF15 {
		return appendFlowDesc15(e, s)
	}
	sec, nsec := durationParts(s.Duration)
	start := len(e.b)
	switch {
	case e.v == OF10 && m.NXM:
		e.u16(0)
		e.u8(f.Table)
		e.zeros(1)
		e.u32(sec)
		e.u32(nsec)
		e.u16(f.Priority)
		e.u16(f.IdleTimeout)
		e.u16(f.HardTimeout)
		lenOff := len(e.b)
		e.u16(0)
		e.u16(nxAge(s.IdleAge))
		e.u16(nxAge(s.HardAge))
		e.u64(f.Cookie)
		e.u64(s.Packets)
		e.u64(s.Bytes)
		mstart := len(e.b)
		if err := appendMatchTLVs(e, &f.Match, formatNXM); err != nil {
			return err
		}
		e.put16(lenOff, uint16(len(e.b)-mstart))
		e.pad8(mstart)
		if err := appendActions(e, f.Actions); err != nil {
			return err
		}
	case e.v == OF10:
		if !FitsMatch10(&f.Match) {
			return errorf(BadMatchBadField, "match needs NXM")
		}
		e.u16(0)
		e.u8(f.Table)
		e.zeros(1)
		appendMatch10(e, &f.Match)
		e.u32(sec)
		e.u32(nsec)
		e.u16(f.Priority)
		e.u16(f.IdleTimeout)
		e.u16(f.HardTimeout)
		e.zeros(6)
		e.u64(f.Cookie)
		e.u64(s.Packets)
		e.u64(s.Bytes)
		if err := appendActions(e, f.Actions); err != nil {
			return err
		}
	default:
		e.u16(0)
		e.u8(f.Table)
		e.zeros(1)
		e.u32(sec)
		e.u32(nsec)
		e.u16(f.Priority)
		e.u16(f.IdleTimeout)
		e.u16(f.HardTimeout)
		if e.v >= OF13 {
			e.u16(uint16(f.Flags))
		} else {
			e.u16(0)
		}
		if e.v >= OF14 {
			e.u16(f.Importance)
		} else {
			e.u16(0)
		}
		e.zeros(2)
		e.u64(f.Cookie)
		e.u64(s.Packets)
		e.u64(s.Bytes)
		if err := appendOXMMatch(e, &f.Match); err != nil {
			return err
		}
		if err := appendInstructions(e, f.Actions); err != nil {
			return err
		}
	}
	return e.lenAt(start, start)
}

func decodeFlowStatsReply(c *decodeCtx, v Version, b []byte, nxm, more bool) (Message, error) {
	m := &FlowStatsReply{More: more, NXM: nxm}
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errorf(BadRequestBadLen, "%d trailing bytes in flow statistics", len(b))
		}
		n := int(binary.BigEndian.Uint16(b))
		if n > len(b) {
			return nil, errorf(BadRequestBadLen, "flow statistics of length %d in %d bytes", n, len(b))
		}
		decodeEntry := decodeFlowStatsEntry
		if v >= OF15 {
			decodeEntry = func(c *decodeCtx, _ Version, b []byte, _ bool) (FlowStats, error) { return decodeFlowDesc15(c, b) }
		}
		s, err := decodeEntry(c, v, b[:n], nxm)
		if err != nil {
			return nil, err
		}
		m.Flows = append(m.Flows, s)
		b = b[n:]
	}
	return m, nil
}

func decodeFlowStatsEntry(c *decodeCtx, v Version, b []byte, nxm bool) (FlowStats, error) {
	s := FlowStats{Flow: newFlow(), IdleAge: -1, HardAge: -1}
	f := &s.Flow
	d := newDec(v, b, BadRequestBadLen, "flow statistics")
	d.skip(2)
	f.Table = d.u8()
	d.skip(1)
	var raw10 []byte
	if v == OF10 && !nxm {
		raw10 = d.take(ofp10MatchLen)
	}
	sec, nsec := d.u32(), d.u32()
	s.Duration = time.Duration(sec)*time.Second + time.Duration(nsec)
	f.Priority, f.IdleTimeout, f.HardTimeout = d.u16(), d.u16(), d.u16()
	var matchLen int
	switch {
	case nxm:
		matchLen = int(d.u16())
		if a := d.u16(); a != 0 {
			s.IdleAge = int(a) - 1
		}
		if a := d.u16(); a != 0 {
			s.HardAge = int(a) - 1
		}
	case v == OF10:
		d.skip(6)
	default:
		flags, importance := d.u16(), d.u16()
		d.skip(2)
		if v >= OF13 {
			if flags&^0x1f != 0 {
				d.fail(errorf(FlowModBadFlags, "flow statistics flags %#x", flags))
			}
			f.Flags = flowtable.FlowFlags(flags & 0x1f)
		}
		if v >= OF14 {
			f.Importance = importance
		}
	}
	f.Cookie = d.u64()
	s.Packets, s.Bytes = d.u64(), d.u64()
	if d.err != nil {
		return s, d.err
	}
	var err error
	switch {
	case nxm:
		raw := d.take(matchLen + padLen(matchLen))
		if d.err != nil {
			return s, d.err
		}
		if f.Match, err = decodeMatchTLVs(c, raw[:matchLen]); err != nil {
			return s, err
		}
		f.Actions, err = decodeActions(c, v, d.rest())
	case v == OF10:
		f.Match = decodeMatch10(raw10)
		f.Actions, err = decodeActions(c, v, d.rest())
	default:
		var rest []byte
		if f.Match, rest, err = decodeOXMMatch(c, d.rest()); err != nil {
			return s, err
		}
		f.Actions, err = decodeInstructions(c, v, rest)
	}
	return s, err
}

// NXM_NX_COOKIE and NXM_NX_COOKIE_W: the cookie filter that NXM requests
// carry after the match's fields (OVS tells them from NXM_NX_MPLS_TTL,
// which has the same field number, by their length).
const (
	nxmCookie  = 0x00013c08
	nxmCookieW = 0x00013d10
)

// appendNXCookie appends the cookie filter as OVS does: nothing without a
// mask, no mask when it is all ones.
func appendNXCookie(e *enc, value, mask uint64) {
	switch mask {
	case 0:
	case ^uint64(0):
		e.u32(nxmCookie)
		e.u64(value)
	default:
		e.u32(nxmCookieW)
		e.u64(value)
		e.u64(mask)
	}
}

// splitNXCookie removes a cookie filter from NXM TLVs; malformed TLVs are
// left for decodeMatchTLVs to report.
func splitNXCookie(b []byte) (rest []byte, value, mask uint64, err error) {
	seen := false
	for p := b; len(p) >= 4; {
		h := binary.BigEndian.Uint32(p)
		n := 4 + int(h&0xff)
		if n > len(p) {
			break
		}
		if h == nxmCookie || h == nxmCookieW {
			if seen {
				return nil, 0, 0, errorf(BadMatchDupField, "NXM_NX_COOKIE appears twice")
			}
			seen = true
			value, mask = binary.BigEndian.Uint64(p[4:]), ^uint64(0)
			if h == nxmCookieW {
				mask = binary.BigEndian.Uint64(p[12:])
				if value&^mask != 0 {
					return nil, 0, 0, errorf(BadMatchBadWildcards, "NXM_NX_COOKIE value has bits outside its mask")
				}
			}
		} else {
			rest = append(rest, p[:n]...)
		}
		p = p[n:]
		if len(p) < 4 && len(p) > 0 {
			rest = append(rest, p...)
		}
	}
	if !seen {
		return b, 0, 0, nil
	}
	return rest, value, mask, nil
}
