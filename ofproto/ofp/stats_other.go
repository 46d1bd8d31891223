package ofp

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/govs/govs/flowtable"
)

// multipartReply is a statistics reply made of entries, which
// [EncodeReplies] may split over several messages.
type multipartReply interface {
	Message
	header(e *enc, more bool) error
	entries() int
	appendEntry(e *enc, i int) error
}

// statsFlagsOff is where a statistics message keeps its flags.
const statsFlagsOff = HeaderLen + 2

// EncodeReplies returns m as one or more messages of version v with the
// given xid. A statistics reply made of entries (flows, tables, ports)
// that does not fit one message is split as OVS splits it: each message
// takes as many entries as fit in 65535 bytes and all but the last have
// the more flag. Any other message is encoded as by [Encode].
func EncodeReplies(v Version, xid uint32, m Message) ([][]byte, error) {
	return EncodeRepliesTLV(v, xid, m, nil)
}

// EncodeRepliesTLV is [EncodeReplies] with a TLV map, as [EncodeTLV].
func EncodeRepliesTLV(v Version, xid uint32, m Message, tlv *flowtable.TLVMap) ([][]byte, error) {
	r, ok := m.(multipartReply)
	if !ok {
		b, err := EncodeTLV(v, xid, m, tlv)
		if err != nil {
			return nil, err
		}
		return [][]byte{b}, nil
	}
	if v < OF10 || v > OF15 {
		return nil, fmt.Errorf("encode %T: unsupported version %#x", m, uint8(v))
	}
	var out [][]byte
	e := &enc{v: v, tlv: tlv}
	if err := r.header(e, false); err != nil {
		return nil, fmt.Errorf("encode %T in %s: %w", m, v, err)
	}
	hdr := clone(e.b)
	finish := func(b []byte) {
		binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
		binary.BigEndian.PutUint32(b[4:], xid)
		out = append(out, b)
	}
	for i := range r.entries() {
		start := len(e.b)
		if err := r.appendEntry(e, i); err != nil {
			return nil, fmt.Errorf("encode %T in %s: %w", m, v, err)
		}
		if len(e.b) <= MaxMessageLen {
			continue
		}
		if start == len(hdr) {
			return nil, fmt.Errorf("encode %T in %s: entry %d of %d bytes does not fit a message", m, v, i, len(e.b)-start)
		}
		entry := e.b[start:]
		full := e.b[:start]
		binary.BigEndian.PutUint16(full[statsFlagsOff:], binary.BigEndian.Uint16(full[statsFlagsOff:])|statsMore)
		finish(full)
		e.b = append(append(make([]byte, 0, 1024), hdr...), entry...)
	}
	finish(e.b)
	return out, nil
}

// putString appends s NUL-padded to n bytes (truncated to n-1).
func (e *enc) putString(s string, n int) {
	b := make([]byte, n)
	copy(b[:n-1], s)
	e.bytes(b)
}

// DescStatsRequest is OFPST_DESC (OFPMP_DESC) request.
type DescStatsRequest struct{}

func (m *DescStatsRequest) encode(e *enc) error {
	e.statsHeader(false, statsDesc, 0)
	return nil
}

// Sizes of ofp_desc_stats' strings.
const (
	descStrLen    = 256
	serialNumLen  = 32
	descStatsSize = 4*descStrLen + serialNumLen
)

// DescStatsReply describes the switch (ofp_desc_stats); strings longer
// than their fields are cut.
type DescStatsReply struct {
	Manufacturer string
	Hardware     string
	Software     string
	SerialNum    string
	Datapath     string
}

func (m *DescStatsReply) encode(e *enc) error {
	e.statsHeader(true, statsDesc, 0)
	e.putString(m.Manufacturer, descStrLen)
	e.putString(m.Hardware, descStrLen)
	e.putString(m.Software, descStrLen)
	e.putString(m.SerialNum, serialNumLen)
	e.putString(m.Datapath, descStrLen)
	return nil
}

func decodeDescStats(b []byte) (Message, error) {
	if len(b) != descStatsSize {
		return nil, errorf(BadRequestBadLen, "description statistics of %d bytes", len(b))
	}
	return &DescStatsReply{
		Manufacturer: portName(b[:256]),
		Hardware:     portName(b[256:512]),
		Software:     portName(b[512:768]),
		SerialNum:    portName(b[768:800]),
		Datapath:     portName(b[800:]),
	}, nil
}

// AggregateStatsReply is the totals over the flows an
// [AggregateStatsRequest] selected.
type AggregateStatsReply struct {
	Packets, Bytes uint64
	Flows          uint32
	NXM            bool // OpenFlow 1.0: NXST_AGGREGATE
}

func (m *AggregateStatsReply) encode(e *enc) error {
	switch {
	case e.v == OF10 && m.NXM:
		e.nxStatsHeader(true, nxstAggregate, 0)
	default:
		e.statsHeader(true, statsAggregate, 0)
	}
	if e.v >= OF15 {
		appendOXS(e, &oxsStats{idleAge: -1, packets: m.Packets, bytes: m.Bytes, flows: m.Flows, hasFlows: true})
		return nil
	}
	e.u64(m.Packets)
	e.u64(m.Bytes)
	e.u32(m.Flows)
	e.zeros(4)
	return nil
}

func decodeAggregateReply(v Version, b []byte, nxm bool) (Message, error) {
	if v >= OF15 {
		st, rest, err := decodeOXS(b)
		if err != nil {
			return nil, err
		}
		if len(rest) != 0 {
			return nil, errorf(BadRequestBadLen, "aggregate statistics have %d extra bytes", len(rest))
		}
		return &AggregateStatsReply{Packets: st.packets, Bytes: st.bytes, Flows: st.flows}, nil
	}
	if len(b) != 24 {
		return nil, errorf(BadRequestBadLen, "aggregate statistics of %d bytes", len(b))
	}
	return &AggregateStatsReply{
		Packets: binary.BigEndian.Uint64(b),
		Bytes:   binary.BigEndian.Uint64(b[8:]),
		Flows:   binary.BigEndian.Uint32(b[16:]),
		NXM:     nxm,
	}, nil
}

// TableStatsRequest is OFPST_TABLE (OFPMP_TABLE) request.
type TableStatsRequest struct{}

func (m *TableStatsRequest) encode(e *enc) error {
	e.statsHeader(false, statsTable, 0)
	return nil
}

// TableStats is one table's statistics. Name, Wildcards and MaxEntries
// are carried by OpenFlow 1.0 to 1.2; OpenFlow 1.1 and 1.2 also describe
// the table's features (1.3 moved them to table features): the fields it
// matches (Match) and may wildcard, the instructions (a bitmap of
// instruction types), the actions (a bitmap of the version's action types)
// and, in 1.2, the fields set_field can set (OXM field numbers) and the
// metadata bits it matches and writes. OpenFlow 1.1's Match and Wildcards
// are 32 bits.
type TableStats struct {
	Table          uint8
	Name           string // at most 31 bytes
	Match          uint64
	Wildcards      uint64
	WriteActions   uint32
	ApplyActions   uint32
	WriteSetFields uint64
	ApplySetFields uint64
	MetadataMatch  uint64
	MetadataWrite  uint64
	Instructions   uint32
	Config         uint32
	MaxEntries     uint32
	Active         uint32
	Lookups        uint64
	Matched        uint64
}

// TableStatsReply is one part of a table statistics reply: ofp10_table_stats
// in OpenFlow 1.0, ofp11_table_stats and ofp12_table_stats in 1.1 and 1.2,
// ofp13_table_stats in 1.3+.
type TableStatsReply struct {
	Tables []TableStats
	More   bool
}

const (
	tableNameLen    = 32
	tableStats10Len = 64
	tableStats11Len = 88
	tableStats12Len = 128
	tableStats13Len = 24
)

func (m *TableStatsReply) encode(e *enc) error { return encodeMultipart(e, m, m.More) }

func (m *TableStatsReply) header(e *enc, more bool) error {
	e.statsHeader(true, statsTable, moreFlag(more))
	return nil
}

func (m *TableStatsReply) entries() int { return len(m.Tables) }

func (m *TableStatsReply) appendEntry(e *enc, i int) error {
	t := &m.Tables[i]
	e.u8(t.Table)
	switch e.v {
	case OF10:
		e.zeros(3)
		e.putString(t.Name, tableNameLen)
		e.u32(uint32(t.Wildcards))
		e.u32(t.MaxEntries)
	case OF11:
		e.zeros(7)
		e.putString(t.Name, tableNameLen)
		e.u32(uint32(t.Wildcards))
		e.u32(uint32(t.Match))
		e.u32(t.Instructions)
		e.u32(t.WriteActions)
		e.u32(t.ApplyActions)
		e.u32(t.Config)
		e.u32(t.MaxEntries)
	case OF12:
		e.zeros(7)
		e.putString(t.Name, tableNameLen)
		e.u64(t.Match)
		e.u64(t.Wildcards)
		e.u32(t.WriteActions)
		e.u32(t.ApplyActions)
		e.u64(t.WriteSetFields)
		e.u64(t.ApplySetFields)
		e.u64(t.MetadataMatch)
		e.u64(t.MetadataWrite)
		e.u32(t.Instructions)
		e.u32(t.Config)
		e.u32(t.MaxEntries)
	default:
		e.zeros(3)
	}
	e.u32(t.Active)
	e.u64(t.Lookups)
	e.u64(t.Matched)
	return nil
}

func decodeTableStatsReply(v Version, b []byte, more bool) (Message, error) {
	size := map[Version]int{OF10: tableStats10Len, OF11: tableStats11Len, OF12: tableStats12Len}[v]
	if size == 0 {
		size = tableStats13Len
	}
	if len(b)%size != 0 {
		return nil, errorf(BadRequestBadLen, "table statistics of %d bytes", len(b))
	}
	m := &TableStatsReply{More: more}
	for ; len(b) > 0; b = b[size:] {
		d := newDec(v, b[:size], BadRequestBadLen, "table statistics")
		t := TableStats{Table: d.u8()}
		switch v {
		case OF10:
			d.skip(3)
			t.Name = portName(d.take(tableNameLen))
			t.Wildcards, t.MaxEntries = uint64(d.u32()), d.u32()
		case OF11:
			d.skip(7)
			t.Name = portName(d.take(tableNameLen))
			t.Wildcards, t.Match = uint64(d.u32()), uint64(d.u32())
			t.Instructions, t.WriteActions, t.ApplyActions = d.u32(), d.u32(), d.u32()
			t.Config, t.MaxEntries = d.u32(), d.u32()
		case OF12:
			d.skip(7)
			t.Name = portName(d.take(tableNameLen))
			t.Match, t.Wildcards = d.u64(), d.u64()
			t.WriteActions, t.ApplyActions = d.u32(), d.u32()
			t.WriteSetFields, t.ApplySetFields = d.u64(), d.u64()
			t.MetadataMatch, t.MetadataWrite = d.u64(), d.u64()
			t.Instructions, t.Config, t.MaxEntries = d.u32(), d.u32(), d.u32()
		default:
			d.skip(3)
		}
		t.Active, t.Lookups, t.Matched = d.u32(), d.u64(), d.u64()
		m.Tables = append(m.Tables, t)
	}
	return m, nil
}

// encodeMultipart encodes a whole multipart reply as one message.
func encodeMultipart(e *enc, m multipartReply, more bool) error {
	if err := m.header(e, more); err != nil {
		return err
	}
	for i := range m.entries() {
		if err := m.appendEntry(e, i); err != nil {
			return err
		}
	}
	return nil
}

// PortStatsRequest asks for the statistics of one port, or of every port
// with flowtable.PortNone (OFPP_NONE, OFPP_ANY in OpenFlow 1.1+).
type PortStatsRequest struct{ Port flowtable.Port }

func (m *PortStatsRequest) encode(e *enc) error {
	e.statsHeader(false, statsPort, 0)
	e.port(m.Port)
	if e.v == OF10 {
		e.zeros(6)
	} else {
		e.zeros(4)
	}
	return nil
}

func decodePortStatsRequest(v Version, b []byte) (Message, error) {
	d := newDec(v, b, BadRequestBadLen, "port statistics request")
	m := &PortStatsRequest{Port: d.port()}
	if v == OF10 {
		d.skip(6)
	} else {
		d.skip(4)
	}
	if d.err == nil && len(d.b) != 0 {
		return nil, errorf(BadRequestBadLen, "port statistics request has %d extra bytes", len(d.b))
	}
	return m, d.err
}

// PortStats is one port's counters; Duration is carried from OpenFlow
// 1.3 on.
type PortStats struct {
	Port                  flowtable.Port
	RxPackets, TxPackets  uint64
	RxBytes, TxBytes      uint64
	RxDropped, TxDropped  uint64
	RxErrors, TxErrors    uint64
	RxFrameErr, RxOverErr uint64
	RxCRCErr, Collisions  uint64
	Duration              time.Duration
}

// PortStatsReply is one part of a port statistics reply (ofp10_port_stats,
// ofp11_port_stats, ofp13_port_stats, and from 1.4 on ofp14_port_stats
// with properties).
type PortStatsReply struct {
	Ports []PortStats
	More  bool
}

func (m *PortStatsReply) encode(e *enc) error { return encodeMultipart(e, m, m.More) }

func (m *PortStatsReply) header(e *enc, more bool) error {
	e.statsHeader(true, statsPort, moreFlag(more))
	return nil
}

func (m *PortStatsReply) entries() int { return len(m.Ports) }

func (p *PortStats) counters() []*uint64 {
	return []*uint64{&p.RxPackets, &p.TxPackets, &p.RxBytes, &p.TxBytes, &p.RxDropped, &p.TxDropped,
		&p.RxErrors, &p.TxErrors, &p.RxFrameErr, &p.RxOverErr, &p.RxCRCErr, &p.Collisions}
}

func (m *PortStatsReply) appendEntry(e *enc, i int) error {
	p := &m.Ports[i]
	if e.v >= OF14 {
		appendPortStats14(e, p)
		return nil
	}
	e.port(p.Port)
	if e.v == OF10 {
		e.zeros(6)
	} else {
		e.zeros(4)
	}
	for _, c := range p.counters() {
		e.u64(*c)
	}
	if e.v >= OF13 {
		sec, nsec := durationParts(p.Duration)
		e.u32(sec)
		e.u32(nsec)
	}
	return nil
}

func decodePortStatsReply(v Version, b []byte, more bool) (Message, error) {
	if v >= OF14 {
		return decodePortStats14(b, more)
	}
	size := 104
	if v >= OF13 {
		size = 112
	}
	if len(b)%size != 0 {
		return nil, errorf(BadRequestBadLen, "port statistics of %d bytes", len(b))
	}
	m := &PortStatsReply{More: more}
	for ; len(b) > 0; b = b[size:] {
		d := newDec(v, b[:size], BadRequestBadLen, "port statistics")
		p := PortStats{Port: d.port()}
		if v == OF10 {
			d.skip(6)
		} else {
			d.skip(4)
		}
		for _, c := range p.counters() {
			*c = d.u64()
		}
		if v >= OF13 {
			sec, nsec := d.u32(), d.u32()
			p.Duration = time.Duration(sec)*time.Second + time.Duration(nsec)
		}
		if d.err != nil {
			return nil, d.err
		}
		m.Ports = append(m.Ports, p)
	}
	return m, nil
}

// PortDescStatsRequest is OFPMP_PORT_DESC request (OpenFlow 1.3+, and
// OVS's OFPST_PORT_DESC with the same number in 1.0 to 1.2). From OpenFlow 1.5 on it names one port, or
// every port with flowtable.PortNone (ANY); earlier versions always ask for
// every port.
type PortDescStatsRequest struct{ Port flowtable.Port }

func (m *PortDescStatsRequest) encode(e *enc) error {
	e.statsHeader(false, statsPortDesc, 0)
	if e.v >= OF15 {
		e.u32(encodePort32(m.Port))
		e.zeros(4)
	}
	return nil
}

func decodePortDescRequest(v Version, b []byte) (Message, error) {
	if v < OF15 {
		return empty(b, &PortDescStatsRequest{Port: flowtable.PortNone})
	}
	d := newDec(v, b, BadRequestBadLen, "port description request")
	raw := d.u32()
	d.skip(4)
	if d.err != nil || len(d.b) != 0 {
		return nil, errorf(BadRequestBadLen, "port description request of %d bytes", len(b))
	}
	p, err := decodePort32(raw)
	if err != nil {
		return nil, err
	}
	return &PortDescStatsRequest{Port: p}, nil
}

// PortDescStatsReply is one part of an OFPMP_PORT_DESC reply.
type PortDescStatsReply struct {
	Ports []PortDesc
	More  bool
}

func (m *PortDescStatsReply) encode(e *enc) error { return encodeMultipart(e, m, m.More) }

func (m *PortDescStatsReply) header(e *enc, more bool) error {
	e.statsHeader(true, statsPortDesc, moreFlag(more))
	return nil
}

func (m *PortDescStatsReply) entries() int { return len(m.Ports) }

func (m *PortDescStatsReply) appendEntry(e *enc, i int) error { return m.Ports[i].encode(e) }

func decodePortDescReply(v Version, b []byte, more bool) (Message, error) {
	m := &PortDescStatsReply{More: more}
	d := newDec(v, b, BadRequestBadLen, "port description")
	for d.err == nil && len(d.b) > 0 {
		p, err := decodePortDesc(d)
		if err != nil {
			return nil, err
		}
		m.Ports = append(m.Ports, p)
	}
	return m, d.err
}
