package ofctl

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// msgName names a raw message as OVS's ofpraw names do ("OFPT_FLOW_MOD",
// "NXST_FLOW reply", "OFPST_PORT_DESC request").
func msgName(raw []byte) string {
	if len(raw) < ofp.HeaderLen {
		return "OFPT_UNKNOWN"
	}
	if name, ok := monitorMsgName(raw); ok {
		return name
	}
	v, t := ofp.Version(raw[0]), raw[1]
	statsReq, barrierReq := uint8(16), uint8(18)
	if v != ofp.OF10 {
		statsReq, barrierReq = 18, 20
	}
	switch {
	case t == 15 && v != ofp.OF10:
		return "OFPT_GROUP_MOD"
	case t == 16 && v != ofp.OF10:
		return "OFPT_PORT_MOD"
	case t == 29 && v >= ofp.OF13:
		return "OFPT_METER_MOD"
	case t == 17 && v != ofp.OF10:
		return "OFPT_TABLE_MOD"
	case t < uint8(len(typeNames)) && typeNames[t] != "" && t < 16:
		if t == 4 && len(raw) >= 16 {
			if name, ok := nxtNames[binary.BigEndian.Uint32(raw[12:])]; ok {
				return name
			}
		}
		return typeNames[t]
	case t == barrierReq:
		return "OFPT_BARRIER_REQUEST"
	case t == barrierReq+1:
		return "OFPT_BARRIER_REPLY"
	case t == statsReq || t == statsReq+1:
		dir := " request"
		if t == statsReq+1 {
			dir = " reply"
		}
		if len(raw) < 10 {
			return "OFPST_UNKNOWN" + dir
		}
		st := binary.BigEndian.Uint16(raw[8:])
		if st == 0xffff && v == ofp.OF10 && len(raw) >= 20 {
			switch binary.BigEndian.Uint32(raw[16:]) {
			case 0:
				return "NXST_FLOW" + dir
			case 1:
				return "NXST_AGGREGATE" + dir
			case 7:
				return "NXST_GROUP" + dir
			case 8:
				return "NXST_GROUP_DESC" + dir
			case 9:
				return "NXST_GROUP_FEATURES" + dir
			}
		}
		if name, ok := statsNames[st]; ok {
			return name + dir
		}
		return fmt.Sprintf("OFPST_%d", st) + dir
	}
	return fmt.Sprintf("OFPT_%d", t)
}

var typeNames = []string{
	"OFPT_HELLO", "OFPT_ERROR", "OFPT_ECHO_REQUEST", "OFPT_ECHO_REPLY", "OFPT_VENDOR",
	"OFPT_FEATURES_REQUEST", "OFPT_FEATURES_REPLY", "OFPT_GET_CONFIG_REQUEST", "OFPT_GET_CONFIG_REPLY",
	"OFPT_SET_CONFIG", "OFPT_PACKET_IN", "OFPT_FLOW_REMOVED", "OFPT_PORT_STATUS", "OFPT_PACKET_OUT",
	"OFPT_FLOW_MOD", "OFPT_PORT_MOD",
}

var nxtNames = map[uint32]string{
	10: "NXT_ROLE_REQUEST", 11: "NXT_ROLE_REPLY", 12: "NXT_SET_FLOW_FORMAT", 13: "NXT_FLOW_MOD",
	15: "NXT_FLOW_MOD_TABLE_ID", 16: "NXT_SET_PACKET_IN_FORMAT", 17: "NXT_PACKET_IN", 31: "NXT_GROUP_MOD",
	24: "NXT_TLV_TABLE_MOD", 25: "NXT_TLV_TABLE_REQUEST", 26: "NXT_TLV_TABLE_REPLY",
}

var statsNames = map[uint16]string{
	0: "OFPST_DESC", 1: "OFPST_FLOW", 2: "OFPST_AGGREGATE", 3: "OFPST_TABLE", 4: "OFPST_PORT",
	5: "OFPST_QUEUE", 6: "OFPST_GROUP", 7: "OFPST_GROUP_DESC", 8: "OFPST_GROUP_FEATURES",
	9: "OFPST_METER", 10: "OFPST_METER_CONFIG", 11: "OFPST_METER_FEATURES",
	12: "OFPST_TABLE_FEATURES", 13: "OFPST_PORT_DESC", 14: "OFPST_TABLE_DESC",
}

// header writes a message's first line's start: "NAME (OF1.3) (xid=0x2):".
func header(raw []byte, h ofp.Header) string {
	var b strings.Builder
	b.WriteString(msgName(raw))
	if h.Version != ofp.OF10 {
		fmt.Fprintf(&b, " (OF1.%d)", h.Version-1)
	}
	fmt.Fprintf(&b, " (xid=%#x):", h.Xid)
	return b.String()
}

// hexDump writes b as OVS's hex_dump does with offsets and ASCII.
func hexDump(b []byte) string {
	var s strings.Builder
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		fmt.Fprintf(&s, "%08x  ", off)
		for i := range 16 {
			switch {
			case i >= len(line):
				s.WriteString("   ")
			case i == 7:
				fmt.Fprintf(&s, "%02x-", line[i])
			default:
				fmt.Fprintf(&s, "%02x ", line[i])
			}
		}
		s.WriteByte('|')
		for _, ch := range line {
			if ch >= 32 && ch < 127 {
				s.WriteByte(ch)
			} else {
				s.WriteByte('.')
			}
		}
		s.WriteString(strings.Repeat(" ", 16-len(line)))
		s.WriteString("|\n")
	}
	return s.String()
}

// formatError writes an OFPT_ERROR as OVS prints it: the error's name,
// then the offending message, decoded when it is whole, else its header
// and a hex dump.
func (c *ctl) formatError(r received) string {
	m := r.msg.(*ofp.ErrorMsg)
	var b strings.Builder
	b.WriteString(header(r.raw, r.h))
	b.WriteByte(' ')
	if m.Code == "OFPBRC_IS_SECONDARY" && r.h.Version < ofp.OF12 {
		// OpenFlow 1.0 and 1.1 share (1,5) between the two; OVS
		// decodes it as OFPBRC_EPERM (ofp's lookup picks either).
		b.WriteString("OFPBRC_EPERM")
	} else if m.Code != "" {
		b.WriteString(string(m.Code))
	} else if m.Vendor != 0 {
		fmt.Fprintf(&b, "***decode error: vendor %#x type %d code %d***", m.Vendor, m.Type, m.Num)
	} else {
		fmt.Fprintf(&b, "***decode error: type %d code %d***", m.Type, m.Num)
	}
	b.WriteByte('\n')
	data := m.Data
	if len(data) < ofp.HeaderLen {
		b.WriteString(hexDump(data))
		return b.String()
	}
	dh, err := ofp.ParseHeader(data)
	if err == nil && int(dh.Length) > len(data) {
		fmt.Fprintf(&b, "%s\n(***truncated to %d bytes from %d***)\n", header(data, dh), len(data), dh.Length)
		b.WriteString(hexDump(data))
		return b.String()
	}
	dh, msg, err := ofp.Decode(data[:dh.Length])
	if err != nil && portDesc10Request(data) {
		// OVS's OpenFlow 1.0 port description request, which ofp does
		// not decode.
		port := flowtable.Port(binary.BigEndian.Uint16(data[12:]))
		fmt.Fprintf(&b, "%s port=%s\n", header(data, dh), flowtable.FormatPort(port, nil))
		return b.String()
	}
	if e, ok := err.(*ofp.Error); ok && msgName(data) == "NXT_TLV_TABLE_MOD" {
		// OVS prints the decode error after logging what was wrong.
		warn := ""
		if w := tlvDecodeWarning(data[:dh.Length]); w != "" {
			warn = c.warn("ofp_match", w)
		}
		fmt.Fprintf(&b, "%s ***decode error: %s***\n", header(data, dh), e.Code)
		b.WriteString(hexDump(data))
		return warn + b.String()
	}
	if err != nil {
		fmt.Fprintf(&b, "%s\n", header(data, dh))
		b.WriteString(hexDump(data))
		return b.String()
	}
	b.WriteString(c.formatMessage(received{raw: data, h: dh, msg: msg}))
	return b.String()
}

// portDesc10Request reports whether raw is an OpenFlow 1.0
// OFPST_PORT_DESC request (stats type 13, a 2-byte port and padding).
func portDesc10Request(raw []byte) bool {
	return len(raw) == 20 && raw[0] == byte(ofp.OF10) && raw[1] == 16 && binary.BigEndian.Uint16(raw[8:]) == 13
}

// formatMessage writes a message as ovs-ofctl prints it, ending in a
// newline.
func (c *ctl) formatMessage(r received) string {
	var b strings.Builder
	b.WriteString(header(r.raw, r.h))
	v := r.h.Version
	switch m := r.msg.(type) {
	case *ofp.ErrorMsg:
		return c.formatError(r)
	case *ofp.FeaturesReply:
		formatFeatures(&b, v, m)
	case *ofp.GetConfigReply:
		fmt.Fprintf(&b, " frags=%s miss_send_len=%d\n", fragNames[m.Flags&3], m.MissSendLen)
	case *ofp.DescStatsReply:
		fmt.Fprintf(&b, "\nManufacturer: %s\nHardware: %s\nSoftware: %s\nSerial Num: %s\nDP Description: %s\n",
			m.Manufacturer, m.Hardware, m.Software, m.SerialNum, m.Datapath)
	case *ofp.AggregateStatsReply:
		fmt.Fprintf(&b, " packet_count=%d byte_count=%d flow_count=%d\n", m.Packets, m.Bytes, m.Flows)
	case *ofp.PortStatsReply:
		formatPortStats(&b, v, m, c.portNames())
	case *ofp.PortDescStatsReply:
		b.WriteByte('\n')
		formatPorts(&b, v, m.Ports)
	case *ofp.FlowStatsReply:
		b.WriteByte('\n')
		for i := range m.Flows {
			b.WriteString(c.formatFlowStats(&m.Flows[i], v, true, true))
			b.WriteByte('\n')
		}
	case *ofp.GroupDescStatsReply:
		b.WriteByte('\n')
		for i := range m.Groups {
			b.WriteByte(' ')
			formatGroup(&b, v, &m.Groups[i], c.portNames())
			b.WriteByte('\n')
		}
	case *ofp.GroupStatsReply:
		b.WriteByte('\n')
		for i := range m.Groups {
			b.WriteByte(' ')
			formatGroupStats(&b, v, &m.Groups[i])
			b.WriteByte('\n')
		}
	case *ofp.GroupMod:
		fmt.Fprintf(&b, "\n %s ", groupCommandNames[m.Command])
		formatGroup(&b, v, &m.Group, c.portNames())
		b.WriteByte('\n')
	case *ofp.FlowMod:
		c.formatFlowMod(&b, m, v)
	case *ofp.PortMod:
		b.WriteString(m.String())
		b.WriteByte('\n')
	case *ofp.PacketOut:
		formatPacketOut(&b, m, c.portNames())
	case *ofp.TLVTableMod:
		b.WriteByte('\n')
		b.WriteString(m.String())
		b.WriteByte('\n')
	case *ofp.TLVTableReply:
		b.WriteByte('\n')
		b.WriteString(m.String())
		b.WriteByte('\n')
	case *ofp.GroupFeaturesReply:
		formatGroupFeatures(&b, m)
	case *ofp.PortDescStatsRequest:
		fmt.Fprintf(&b, " port=%s\n", flowtable.FormatPort(m.Port, nil))
	case *ofp.PortStatsRequest:
		fmt.Fprintf(&b, " port_no=%s\n", flowtable.FormatPort(m.Port, nil))
	case *ofp.FlowStatsRequest:
		b.WriteString(formatFilter(&m.Filter))
	case *ofp.AggregateStatsRequest:
		b.WriteString(formatFilter(&m.Filter))
	default:
		if !formatMeterMessage(&b, r.msg) && !c.formatAsyncMessage(&b, r) && !formatTableMessage(&b, r.msg) {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// formatFilter writes a flow or aggregate statistics request's filter.
func formatFilter(f *flowtable.Flow) string {
	var parts []string
	if f.Table != flowtable.TableAll {
		parts = append(parts, fmt.Sprintf("table=%d", f.Table))
	}
	if f.OutPort != flowtable.PortNone {
		parts = append(parts, "out_port="+flowtable.FormatPort(f.OutPort, nil))
	}
	if m := f.Match.Format(nil); m != "" {
		parts = append(parts, m)
	}
	if len(parts) == 0 {
		return "\n"
	}
	return " " + strings.Join(parts, " ") + "\n"
}

var fragNames = []string{"normal", "drop", "reassemble", "nx-match"}

// bitNames writes the names of the set bits of x, space-separated, with
// unnamed bits in hex, or "0" for none.
func bitNames(x uint32, names map[uint32]string) string {
	if x == 0 {
		return "0"
	}
	var out []string
	for bit := uint32(1); bit != 0; bit <<= 1 {
		if x&bit == 0 {
			continue
		}
		if name, ok := names[bit]; ok {
			out = append(out, name)
		} else {
			out = append(out, fmt.Sprintf("0x%x", bit))
		}
	}
	return strings.Join(out, " ")
}

var capabilityNames10 = map[uint32]string{
	1: "FLOW_STATS", 2: "TABLE_STATS", 4: "PORT_STATS", 8: "STP", 0x20: "IP_REASM", 0x40: "QUEUE_STATS", 0x80: "ARP_MATCH_IP",
}

var capabilityNames11 = map[uint32]string{
	1: "FLOW_STATS", 2: "TABLE_STATS", 4: "PORT_STATS", 8: "GROUP_STATS", 0x20: "IP_REASM", 0x40: "QUEUE_STATS", 0x100: "PORT_BLOCKED",
}

// actionNames10 are OpenFlow 1.0's action bits in the order OVS prints
// them, with their bit numbers.
var actionNames10 = []struct {
	bit  uint
	name string
}{
	{0, "output"}, {11, "enqueue"}, {1, "set_vlan_vid"}, {2, "set_vlan_pcp"}, {3, "strip_vlan"},
	{4, "mod_dl_src"}, {5, "mod_dl_dst"}, {6, "mod_nw_src"}, {7, "mod_nw_dst"}, {8, "mod_nw_tos"},
	{9, "mod_tp_src"}, {10, "mod_tp_dst"},
}

func formatFeatures(b *strings.Builder, v ofp.Version, m *ofp.FeaturesReply) {
	fmt.Fprintf(b, " dpid:%016x\n", m.DatapathID)
	fmt.Fprintf(b, "n_tables:%d, n_buffers:%d\n", m.NTables, m.NBuffers)
	if m.AuxiliaryID != 0 {
		fmt.Fprintf(b, "auxiliary_id:%d\n", m.AuxiliaryID)
	}
	names := capabilityNames11
	known := uint32(0x16f)
	if v == ofp.OF10 {
		names, known = capabilityNames10, 0xef
	}
	caps := m.Capabilities & known
	b.WriteString("capabilities: ")
	b.WriteString(bitNames(caps, names))
	b.WriteByte('\n')
	if v == ofp.OF10 {
		var acts []string
		for _, a := range actionNames10 {
			if m.Actions&(1<<a.bit) != 0 {
				acts = append(acts, a.name)
			}
		}
		b.WriteString("actions: " + strings.Join(acts, " ") + "\n")
	}
	if v < ofp.OF13 {
		formatPorts(b, v, m.Ports)
	}
}

var portConfigNames = map[uint32]string{
	1: "PORT_DOWN", 2: "NO_STP", 4: "NO_RECV", 8: "NO_RECV_STP", 0x10: "NO_FLOOD", 0x20: "NO_FWD", 0x40: "NO_PACKET_IN",
}

var portStateNames = map[uint32]string{1: "LINK_DOWN", 2: "BLOCKED", 4: "LIVE"}

// featureNames names port feature bits as ofp.PortDesc holds them
// (OpenFlow 1.1's, whatever the version on the wire).
var featureNames = map[uint32]string{
	1: "10MB-HD", 2: "10MB-FD", 4: "100MB-HD", 8: "100MB-FD", 0x10: "1GB-HD", 0x20: "1GB-FD", 0x40: "10GB-FD",
	0x80: "40GB-FD", 0x100: "100GB-FD", 0x200: "1TB-FD", 0x400: "OTHER",
	0x800: "COPPER", 0x1000: "FIBER", 0x2000: "AUTO_NEG", 0x4000: "AUTO_PAUSE", 0x8000: "AUTO_PAUSE_ASYM",
}

// speedOf10 is the fastest speed (kbps) in an OpenFlow 1.0 feature set.
func speedOf10(features uint32) uint32 {
	for _, s := range []struct{ bits, kbps uint32 }{
		{0x40, 10000000}, {0x30, 1000000}, {0xc, 100000}, {0x3, 10000},
	} {
		if features&s.bits != 0 {
			return s.kbps
		}
	}
	return 0
}

// formatPorts writes port descriptions sorted by port number.
func formatPorts(b *strings.Builder, v ofp.Version, ports []ofp.PortDesc) {
	ports = append([]ofp.PortDesc(nil), ports...)
	sort.SliceStable(ports, func(i, j int) bool { return ports[i].Port < ports[j].Port })
	features := featureNames
	for _, p := range ports {
		fmt.Fprintf(b, " %s(%s): addr:%02x:%02x:%02x:%02x:%02x:%02x\n", flowtable.FormatPort(p.Port, nil), p.Name,
			p.HWAddr[0], p.HWAddr[1], p.HWAddr[2], p.HWAddr[3], p.HWAddr[4], p.HWAddr[5])
		config := p.Config
		if v != ofp.OF10 {
			config &^= 0x2 | 0x8 | 0x10
		}
		fmt.Fprintf(b, "     config:     %s\n", bitNames(config, portConfigNames))
		state := p.State
		stp := ""
		if v == ofp.OF10 {
			stp = []string{"", "STP_LEARN", "STP_FORWARD", "STP_BLOCK"}[state>>8&3]
			state &^= 0x300
		}
		switch {
		case stp != "" && state != 0:
			fmt.Fprintf(b, "     state:      %s %s\n", stp, bitNames(state, portStateNames))
		case stp != "":
			fmt.Fprintf(b, "     state:      %s\n", stp)
		default:
			fmt.Fprintf(b, "     state:      %s\n", bitNames(state, portStateNames))
		}
		for _, f := range []struct {
			label string
			bits  uint32
		}{{"current:    ", p.Curr}, {"advertised: ", p.Advertised}, {"supported:  ", p.Supported}, {"peer:       ", p.Peer}} {
			if f.bits != 0 {
				fmt.Fprintf(b, "     %s%s\n", f.label, bitNames(f.bits, features))
			}
		}
		cur, max := p.CurrSpeed, p.MaxSpeed
		if v == ofp.OF10 {
			cur, max = speedOf10(p.Curr), speedOf10(p.Supported)
		}
		fmt.Fprintf(b, "     speed: %d Mbps now, %d Mbps max\n", cur/1000, max/1000)
	}
}

// formatDuration writes seconds and nanoseconds as OVS does: no decimals
// for whole seconds, three for whole milliseconds, else as many as needed.
func formatDuration(d time.Duration) string {
	sec, nsec := int64(d/time.Second), int64(d%time.Second)
	s := fmt.Sprintf("%d", sec)
	if nsec > 0 {
		if nsec%1000000 == 0 {
			s += fmt.Sprintf(".%03d", nsec/1000000)
		} else {
			s += strings.TrimRight(fmt.Sprintf(".%09d", nsec), "0")
		}
	}
	return s + "s"
}

// counter writes a statistics counter; all ones means "unknown".
func counter(x uint64) string {
	if x == ^uint64(0) {
		return "?"
	}
	return fmt.Sprintf("%d", x)
}

func formatPortStats(b *strings.Builder, v ofp.Version, m *ofp.PortStatsReply, names flowtable.PortNamer) {
	fmt.Fprintf(b, " %d ports\n", len(m.Ports))
	for _, p := range m.Ports {
		name := flowtable.FormatPort(p.Port, names)
		if len(name) == 1 {
			name = " " + name
		}
		fmt.Fprintf(b, "  port %s: rx pkts=%s, bytes=%s, drop=%s, errs=%s, frame=%s, over=%s, crc=%s\n", name,
			counter(p.RxPackets), counter(p.RxBytes), counter(p.RxDropped), counter(p.RxErrors),
			counter(p.RxFrameErr), counter(p.RxOverErr), counter(p.RxCRCErr))
		fmt.Fprintf(b, "           tx pkts=%s, bytes=%s, drop=%s, errs=%s, coll=%s\n",
			counter(p.TxPackets), counter(p.TxBytes), counter(p.TxDropped), counter(p.TxErrors), counter(p.Collisions))
		if v >= ofp.OF13 {
			fmt.Fprintf(b, "           duration=%s\n", formatDuration(p.Duration))
		}
	}
}

// protocolOf is the flowtable protocol whose action text a version's
// flows print in.
func protocolOf(v ofp.Version) flowtable.Protocol {
	if v == ofp.OF10 {
		return flowtable.OpenFlow10
	}
	return flowtable.OpenFlow15
}

// formatFlowStats writes one flow of a flow statistics reply as
// ovs-ofctl dump-flows does (without the leading space); ages are
// printed when withAges is set (the unsorted dump).
func (c *ctl) formatFlowStats(fs *ofp.FlowStats, v ofp.Version, stats, withAges bool) string {
	names := c.portNames()
	f := fs.Flow
	proto := protocolOf(v)
	tailFlow := flowtable.Flow{Priority: f.Priority, Match: f.Match, Actions: f.Actions}
	tail := tailFlow.Format(names, proto)
	var b strings.Builder
	b.WriteByte(' ')
	if !stats {
		b.WriteString(f.Format(names, proto))
		return b.String()
	}
	fmt.Fprintf(&b, "cookie=%#x, duration=%s, table=%d, n_packets=%d, n_bytes=%d, ",
		f.Cookie, formatDuration(fs.Duration), f.Table, fs.Packets, fs.Bytes)
	mid := f
	mid.Cookie, mid.Table = 0, 0
	b.WriteString(strings.TrimSuffix(mid.Format(names, proto), tail))
	if withAges && fs.IdleAge >= 0 {
		fmt.Fprintf(&b, "idle_age=%d, ", fs.IdleAge)
	}
	if withAges && fs.HardAge >= 0 && fs.HardAge != int(fs.Duration/time.Second) {
		fmt.Fprintf(&b, "hard_age=%d, ", fs.HardAge)
	}
	b.WriteString(tail)
	return b.String()
}
