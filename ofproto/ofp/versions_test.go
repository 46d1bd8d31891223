package ofp

import (
	"testing"
	"time"

	"github.com/govs/govs/flowtable"
)

// TestVersionsGolden covers the layouts that differ by version beyond the
// common ones: OpenFlow 1.1's standard match, actions and statistics,
// 1.2's table statistics and 1.5's packet-out.
func TestVersionsGolden(t *testing.T) {
	parse := func(text string, p flowtable.Protocol) flowtable.Flow {
		t.Helper()
		f, err := flowtable.ParseFlow(text, flowtable.FlowAdd, nil, p)
		if err != nil {
			t.Fatal(err)
		}
		return *f
	}
	// What OpenFlow 1.1's standard match and actions express.
	f11 := parse("table=1,priority=7,in_port=1,dl_vlan=5,dl_vlan_pcp=3,dl_src=00:01:02:00:00:00/ff:ff:ff:00:00:00,ip,nw_src=10.0.0.0/8,nw_tos=8,"+
		"actions=mod_vlan_vid:7,mod_vlan_pcp:2,mod_dl_src:00:01:02:03:04:05,mod_dl_dst:00:01:02:03:04:06,mod_nw_src:1.2.3.4,mod_nw_dst:5.6.7.8,"+
		"mod_nw_tos:8,mod_nw_ecn:2,strip_vlan,dec_ttl,output:2", flowtable.OpenFlow10)
	tcp11 := parse("cookie=0x5,tcp,tp_src=1,tp_dst=80,metadata=0x5/0xff,actions=mod_tp_src:9,mod_tp_dst:99,goto_table:3", flowtable.OpenFlow10)
	icmp11 := parse("icmp,icmp_type=8,icmp_code=0,dl_vlan=0xffff,actions=output:LOCAL", flowtable.OpenFlow10)
	arp11 := parse("arp,arp_op=1,arp_spa=10.0.0.1,actions=drop", flowtable.OpenFlow10)
	filter := statsFilter()
	filter.Table = 1
	filter.OutGroup = 4
	filter.CookieMatch, filter.CookieMask = 0x10, 0xf0
	filter.Match.SetExact(flowtable.FieldInPort, 1)
	var flows []FlowStats
	for i, f := range []flowtable.Flow{f11, tcp11, icmp11, arp11} {
		flows = append(flows, FlowStats{Flow: f, Duration: time.Duration(i) * time.Second, Packets: uint64(i), Bytes: uint64(64 * i)})
	}
	tables := []TableStats{
		{Table: 0, Match: 0xfbff, Wildcards: 0xfbff, Instructions: 0x3e, WriteActions: 0x01ffe7ff, ApplyActions: 0x01ffe7ff,
			MaxEntries: 1000000, Active: 2, Lookups: 10, Matched: 9},
		{Table: 253, Match: 0xfbff, Wildcards: 0xfbff, Instructions: 0x3c, WriteActions: 0x01ffe7ff, ApplyActions: 0x01ffe7ff, MaxEntries: 1000000},
	}
	tables12 := []TableStats{
		{Table: 0, Match: 0x0000101ffffffffd, Wildcards: 0x0000101ffffffffd, WriteActions: 0x03ff8001, ApplyActions: 0x03ff8001,
			WriteSetFields: 0xffffffbdd, ApplySetFields: 0xffffffbdd, MetadataMatch: ^uint64(0), MetadataWrite: ^uint64(0),
			Instructions: 0x3e, MaxEntries: 1000000, Active: 1},
	}
	pstats := []PortStats{{Port: 1, RxPackets: 10, TxPackets: 20, RxBytes: 1000, TxBytes: 2000, Collisions: 8},
		{Port: flowtable.PortLocal}}
	frame := []byte("\x00\x01\x02\x03\x04\x05\x00\x01\x02\x03\x04\x06\x08\x00" + "\x45\x00\x00\x14\x00\x00\x40\x00\x40\x11\x00\x00\x0a\x00\x00\x01\x0a\x00\x00\x02")
	cases := []goldenCase{
		{"flowmod-add-of11", OF11, &FlowMod{Command: flowtable.FlowAdd, Flow: f11, BufferID: NoBuffer}},
		{"flowmod-add-tcp-of11", OF11, &FlowMod{Command: flowtable.FlowAdd, Flow: tcp11, BufferID: NoBuffer}},
		{"flowmod-add-icmp-of11", OF11, &FlowMod{Command: flowtable.FlowAdd, Flow: icmp11, BufferID: NoBuffer}},
		{"flowmod-add-arp-of11", OF11, &FlowMod{Command: flowtable.FlowAdd, Flow: arp11, BufferID: NoBuffer}},
		{"flow-request-of11", OF11, &FlowStatsRequest{Filter: filter}},
		{"flow-reply-of11", OF11, &FlowStatsReply{Flows: flows}},
		{"aggregate-request-of11", OF11, &AggregateStatsRequest{Filter: filter}},
		{"aggregate-reply-of11", OF11, &AggregateStatsReply{Packets: 1, Bytes: 64, Flows: 2}},
		{"desc-request-of11", OF11, &DescStatsRequest{}},
		{"table-request-of11", OF11, &TableStatsRequest{}},
		{"table-reply-of11", OF11, &TableStatsReply{Tables: tables}},
		{"table-reply-of12", OF12, &TableStatsReply{Tables: tables12}},
		{"port-request-of11", OF11, &PortStatsRequest{Port: flowtable.PortNone}},
		{"port-reply-of11", OF11, &PortStatsReply{Ports: pstats}},
		{"port-desc-request-of11", OF11, &PortDescStatsRequest{Port: flowtable.PortNone}},
		{"packet-out-of11", OF11, &PacketOut{BufferID: NoBuffer, InPort: flowtable.PortLocal, Actions: f11.Actions, Data: frame}},
		{"packet-out-of15", OF15, &PacketOut{BufferID: NoBuffer, InPort: flowtable.PortLocal, Data: frame}},
		{"packet-out-of15-port", OF15, &PacketOut{BufferID: NoBuffer, InPort: 3, Actions: f11.Actions[:1], Data: frame}},
	}
	runGolden(t, "versions.golden", cases)
}
