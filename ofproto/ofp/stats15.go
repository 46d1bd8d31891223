package ofp

import (
	"encoding/binary"
	"time"

	"github.com/govs/govs/flowtable"
)

// OXS (OpenFlow 1.5 flow statistics) fields, class OFPXSC_OPENFLOW_BASIC.
const (
	oxsClassOpenFlow = 0x8002
	oxsDuration      = 0 // seconds and nanoseconds, 8 bytes
	oxsIdleTime      = 1 // the same format
	oxsFlowCount     = 3 // 4 bytes
	oxsPacketCount   = 4 // 8 bytes
	oxsByteCount     = 5 // 8 bytes
)

// oxsStats is what an OpenFlow 1.5 ofp_stats carries for flow and
// aggregate statistics; a negative IdleAge is absent.
type oxsStats struct {
	duration       time.Duration
	idleAge        int
	packets, bytes uint64
	flows          uint32
	hasDuration    bool
	hasFlows       bool
}

// appendOXS appends an ofp_stats padded to 8 bytes, its fields in OVS's
// order: duration, idle time, packets, bytes, flow count.
func appendOXS(e *enc, s *oxsStats) {
	start := len(e.b)
	e.u16(0) // reserved
	e.u16(0)
	field := func(f uint8, n int) { e.u32(oxsClassOpenFlow<<16 | uint32(f)<<9 | uint32(n)) }
	if s.hasDuration {
		field(oxsDuration, 8)
		sec, nsec := durationParts(s.duration)
		e.u32(sec)
		e.u32(nsec)
	}
	if s.idleAge >= 0 {
		field(oxsIdleTime, 8)
		e.u32(uint32(s.idleAge))
		e.u32(0)
	}
	field(oxsPacketCount, 8)
	e.u64(s.packets)
	field(oxsByteCount, 8)
	e.u64(s.bytes)
	if s.hasFlows {
		field(oxsFlowCount, 4)
		e.u32(s.flows)
	}
	e.put16(start+2, uint16(len(e.b)-start))
	e.pad8(start)
}

// decodeOXS reads an ofp_stats and returns what follows its padding.
// Unknown fields are skipped, as OVS does.
func decodeOXS(b []byte) (oxsStats, []byte, error) {
	s := oxsStats{idleAge: -1}
	if len(b) < 4 {
		return s, nil, errorf(BadRequestBadLen, "ofp_stats in %d bytes", len(b))
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	if n < 4 || n+padLen(n) > len(b) {
		return s, nil, errorf(BadRequestBadLen, "ofp_stats of length %d in %d bytes", n, len(b))
	}
	rest := b[n+padLen(n):]
	for p := b[4:n]; len(p) > 0; {
		if len(p) < 4 {
			return s, nil, errorf(BadRequestBadLen, "%d trailing bytes in ofp_stats", len(p))
		}
		h := binary.BigEndian.Uint32(p)
		size := int(h & 0xff)
		if 4+size > len(p) {
			return s, nil, errorf(BadRequestBadLen, "OXS field %#x of %d bytes in %d", h, size, len(p)-4)
		}
		v := p[4 : 4+size]
		p = p[4+size:]
		if h>>16 != oxsClassOpenFlow || h&0x100 != 0 {
			continue
		}
		switch f := uint8(h >> 9 & 0x7f); {
		case (f == oxsDuration || f == oxsIdleTime) && size == 8:
			d := time.Duration(binary.BigEndian.Uint32(v))*time.Second + time.Duration(binary.BigEndian.Uint32(v[4:]))
			if f == oxsDuration {
				s.duration, s.hasDuration = d, true
			} else {
				s.idleAge = int(d / time.Second)
			}
		case f == oxsPacketCount && size == 8:
			s.packets = binary.BigEndian.Uint64(v)
		case f == oxsByteCount && size == 8:
			s.bytes = binary.BigEndian.Uint64(v)
		case f == oxsFlowCount && size == 4:
			s.flows, s.hasFlows = binary.BigEndian.Uint32(v), true
		}
	}
	return s, rest, nil
}

// flowStats15Len is ofp15_flow_desc before its match.
const flowStats15Len = 24

// appendFlowDesc15 appends one ofp15_flow_desc: the flow's fields, its
// match, its statistics as OXS, then its instructions.
func appendFlowDesc15(e *enc, s *FlowStats) error {
	f := &s.Flow
	start := len(e.b)
	e.u16(0)
	e.zeros(2)
	e.u8(f.Table)
	e.u8(0) // reason: meaningful only in flow monitor updates
	e.u16(f.Priority)
	e.u16(f.IdleTimeout)
	e.u16(f.HardTimeout)
	e.u16(uint16(f.Flags))
	e.u16(f.Importance)
	e.u64(f.Cookie)
	if err := appendOXMMatch(e, &f.Match); err != nil {
		return err
	}
	appendOXS(e, &oxsStats{duration: s.Duration, hasDuration: true, idleAge: s.IdleAge,
		packets: s.Packets, bytes: s.Bytes})
	if err := appendInstructions(e, f.Actions); err != nil {
		return err
	}
	return e.lenAt(start, start)
}

// decodeFlowDesc15 reads one ofp15_flow_desc (b is exactly its length).
func decodeFlowDesc15(c *decodeCtx, b []byte) (FlowStats, error) {
	s := FlowStats{Flow: newFlow(), IdleAge: -1, HardAge: -1}
	f := &s.Flow
	d := newDec(OF15, b, BadRequestBadLen, "flow description")
	d.skip(4)
	f.Table = d.u8()
	d.skip(1)
	f.Priority, f.IdleTimeout, f.HardTimeout = d.u16(), d.u16(), d.u16()
	flags := d.u16()
	f.Importance = d.u16()
	f.Cookie = d.u64()
	if d.err != nil {
		return s, d.err
	}
	if flags&^0x1f != 0 {
		return s, errorf(FlowModBadFlags, "flow description flags %#x", flags)
	}
	f.Flags = flowtable.FlowFlags(flags)
	var err error
	var rest []byte
	if f.Match, rest, err = decodeOXMMatch(c, d.rest()); err != nil {
		return s, err
	}
	st, rest, err := decodeOXS(rest)
	if err != nil {
		return s, err
	}
	s.Duration, s.IdleAge, s.Packets, s.Bytes = st.duration, st.idleAge, st.packets, st.bytes
	f.Actions, err = decodeInstructions(c, OF15, rest)
	return s, err
}

// Sizes of OpenFlow 1.4+ port statistics.
const (
	portStats14Len      = 80 // ofp14_port_stats before its properties
	portStats14EthLen   = 40 // the Ethernet property
	portStats14Intel    = 0x0000aa01
	portStats14IntelLen = 184 // 16-byte header, 21 counters
)

// appendPortStats14 appends one ofp14_port_stats with its Ethernet
// property and, as OVS sends it, its RFC 2819 experimenter property with
// every counter unknown (all ones).
func appendPortStats14(e *enc, p *PortStats) {
	start := len(e.b)
	e.u16(0)
	e.zeros(2)
	e.u32(encodePort32(p.Port))
	sec, nsec := durationParts(p.Duration)
	e.u32(sec)
	e.u32(nsec)
	for _, c := range []uint64{p.RxPackets, p.TxPackets, p.RxBytes, p.TxBytes,
		p.RxDropped, p.TxDropped, p.RxErrors, p.TxErrors} {
		e.u64(c)
	}
	e.u16(0) // OFPPSPT14_ETHERNET
	e.u16(portStats14EthLen)
	e.zeros(4)
	for _, c := range []uint64{p.RxFrameErr, p.RxOverErr, p.RxCRCErr, p.Collisions} {
		e.u64(c)
	}
	e.u16(0xffff) // OFPPSPT14_EXPERIMENTER
	e.u16(portStats14IntelLen)
	e.u32(portStats14Intel)
	e.u32(1) // RFC 2819 statistics
	e.zeros(4)
	for range (portStats14IntelLen - 16) / 8 {
		e.u64(^uint64(0))
	}
	e.put16(start, uint16(len(e.b)-start))
}

// decodePortStats14 reads OpenFlow 1.4+ port statistics; properties other
// than the Ethernet one are skipped.
func decodePortStats14(b []byte, more bool) (Message, error) {
	m := &PortStatsReply{More: more}
	for len(b) > 0 {
		if len(b) < portStats14Len {
			return nil, errorf(BadRequestBadLen, "port statistics of %d bytes", len(b))
		}
		n := int(binary.BigEndian.Uint16(b))
		if n < portStats14Len || n > len(b) {
			return nil, errorf(BadRequestBadLen, "port statistics of length %d in %d bytes", n, len(b))
		}
		d := newDec(OF14, b[:n], BadRequestBadLen, "port statistics")
		d.skip(4)
		p := PortStats{Port: d.port()}
		sec, nsec := d.u32(), d.u32()
		p.Duration = time.Duration(sec)*time.Second + time.Duration(nsec)
		for _, c := range []*uint64{&p.RxPackets, &p.TxPackets, &p.RxBytes, &p.TxBytes,
			&p.RxDropped, &p.TxDropped, &p.RxErrors, &p.TxErrors} {
			*c = d.u64()
		}
		if d.err != nil {
			return nil, d.err
		}
		for props := d.rest(); len(props) > 0; {
			if len(props) < 4 {
				return nil, errorf(BadRequestBadLen, "%d trailing bytes in port statistics", len(props))
			}
			typ, pn := binary.BigEndian.Uint16(props), int(binary.BigEndian.Uint16(props[2:]))
			if pn < 4 || pn+padLen(pn) > len(props) {
				return nil, errorf(BadRequestBadLen, "port statistics property of length %d", pn)
			}
			if typ == 0 && pn == portStats14EthLen {
				pd := newDec(OF14, props[8:pn], BadRequestBadLen, "port statistics")
				for _, c := range []*uint64{&p.RxFrameErr, &p.RxOverErr, &p.RxCRCErr, &p.Collisions} {
					*c = pd.u64()
				}
			}
			props = props[pn+padLen(pn):]
		}
		m.Ports = append(m.Ports, p)
		b = b[n:]
	}
	return m, nil
}
