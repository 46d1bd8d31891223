package ofproto

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/govs/govs/flowtable"
)

const (
	macA  = "0a:00:00:00:00:0a"
	macB  = "0a:00:00:00:00:0b"
	macC  = "0a:00:00:00:00:0c"
	bcast = "ff:ff:ff:ff:ff:ff"
)

func access(name string, tag uint16) PortConfig {
	return PortConfig{Name: name, VLAN: VLANConfig{Tag: tag, HasTag: true}}
}

func trunk(name string, vlans ...uint16) PortConfig {
	return PortConfig{Name: name, VLAN: VLANConfig{Trunks: vlans}}
}

func wantPorts(t *testing.T, what string, outs []egress, want ...string) {
	t.Helper()
	got := ports(outs)
	if !slices.Equal(got, want) {
		t.Errorf("%s: frame went out %v, want %v", what, got, want)
	}
}

// The seed lab: two access ports in VLAN 10 and one in VLAN 20 behind
// NORMAL; then the tutorial's drop flow on veth11, and its deletion.
func TestSeedLab(t *testing.T) {
	d := newTestDP(t, access("veth11", 10), access("veth21", 20), access("veth12", 10))
	ping := func(from, src, dst string) []egress {
		return d.inject(from, pkt{src: src, dst: dst, proto: layers.IPProtocolICMPv4}.build(t))
	}
	arp := pkt{src: macA, dst: bcast, arp: true}.build(t)
	wantPorts(t, "ARP broadcast from veth11 (VLAN 10)", d.inject("veth11", arp), "veth12", "br0")
	wantPorts(t, "reply from veth12 to the learned MAC", ping("veth12", macC, macA), "veth11")
	wantPorts(t, "veth11 to veth12, now learned", ping("veth11", macA, macC), "veth12")
	wantPorts(t, "VLAN 20 cannot reach VLAN 10's MAC", ping("veth21", macB, macA), "br0")
	if got := d.inject("veth11", arp); len(got) != 2 || !bytes.Equal(got[0].frame, arp) {
		t.Errorf("access port output is not the untagged frame unchanged: %v", ports(got))
	}

	d.flows(flowtable.OpenFlow10, "priority=2,in_port=veth11,actions=drop")
	wantPorts(t, "after the drop flow", ping("veth11", macA, macC))
	if a := d.last.Actions.String(); a != "drop" {
		t.Errorf("datapath actions %q, want drop", a)
	}
	wantPorts(t, "veth12 still reaches veth11", ping("veth12", macC, macA), "veth11")

	d.delFlows("in_port=veth11")
	wantPorts(t, "after deleting the drop flow", ping("veth11", macA, macC), "veth12")
	if d.br.Table(0).Len() != 1 {
		t.Errorf("loose delete by in_port left %d flows, want the NORMAL flow", d.br.Table(0).Len())
	}
}

func TestNormalVLANModes(t *testing.T) {
	d := newTestDP(t,
		access("a10", 10),
		access("a20", 20),
		trunk("t-all"),
		trunk("t-10-30", 10, 30),
		PortConfig{Name: "nt", VLAN: VLANConfig{Mode: VLANModeNativeTagged, Tag: 10, HasTag: true, Trunks: []uint16{20}}},
		PortConfig{Name: "nu", VLAN: VLANConfig{Mode: VLANModeNativeUntagged, Tag: 20, HasTag: true, Trunks: []uint16{10}}},
	)
	tagOf := func(frame []byte) int {
		var k flowtable.Key
		k.ParseFrame(frame)
		tci := flowtable.FieldVLANTCI.Get(&k)
		if tci&flowtable.VLANCFI == 0 {
			return -1
		}
		return int(tci & 0xfff)
	}
	type out struct {
		port string
		tag  int
	}
	tests := []struct {
		name string
		in   string
		p    pkt
		want []out
	}{
		{"access 10 floods VLAN 10", "a10", pkt{src: macA, dst: bcast},
			[]out{{"t-all", 10}, {"t-10-30", 10}, {"nt", 10}, {"nu", 10}, {"br0", 10}}},
		{"access 20 floods VLAN 20", "a20", pkt{src: macA, dst: bcast},
			[]out{{"t-all", 20}, {"nt", 20}, {"nu", -1}, {"br0", 20}}},
		{"access port drops tagged frames", "a10", pkt{src: macA, dst: bcast, vlan: 10}, nil},
		{"access port takes priority-tagged frames", "a10", pkt{src: macA, dst: bcast, pcp: 3},
			[]out{{"t-all", 10}, {"t-10-30", 10}, {"nt", 10}, {"nu", 10}, {"br0", 10}}},
		{"trunk: untagged is VLAN 0", "t-all", pkt{src: macA, dst: bcast}, []out{{"br0", -1}}},
		{"trunk: tagged 30", "t-all", pkt{src: macA, dst: bcast, vlan: 30}, []out{{"t-10-30", 30}, {"br0", 30}}},
		{"trunk drops VLANs it does not trunk", "t-10-30", pkt{src: macA, dst: bcast, vlan: 20}, nil},
		{"trunk with a list drops untagged", "t-10-30", pkt{src: macA, dst: bcast}, nil},
		{"native-tagged: untagged in is the native VLAN", "nt", pkt{src: macA, dst: bcast},
			[]out{{"a10", -1}, {"t-all", 10}, {"t-10-30", 10}, {"nu", 10}, {"br0", 10}}},
		{"native-untagged: native VLAN leaves untagged", "t-all", pkt{src: macA, dst: bcast, vlan: 20},
			[]out{{"a20", -1}, {"nt", 20}, {"nu", -1}, {"br0", 20}}},
		{"native-untagged drops VLANs outside trunks", "nu", pkt{src: macA, dst: bcast, vlan: 30}, nil},
		{"reserved multicast is not forwarded", "a10", pkt{src: macA, dst: "01:80:c2:00:00:0e"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []out
			for _, o := range d.inject(tc.in, tc.p.build(t)) {
				got = append(got, out{o.port, tagOf(o.frame)})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v (datapath actions %v)", got, tc.want, d.last.Actions)
			}
		})
	}
}

func TestNormalLearningMovesAndAging(t *testing.T) {
	d := newTestDP(t, access("p1", 10), access("p2", 10), access("p3", 10))
	d.inject("p1", pkt{src: macA, dst: bcast}.build(t))
	wantPorts(t, "to A, learned on p1", d.inject("p2", pkt{src: macB, dst: macA}.build(t)), "p1")
	// A moves to p3.
	d.inject("p3", pkt{src: macA, dst: bcast}.build(t))
	wantPorts(t, "to A after it moved", d.inject("p2", pkt{src: macB, dst: macA}.build(t)), "p3")
	wantPorts(t, "to A from its own port", d.inject("p3", pkt{src: macC, dst: macA}.build(t)))
	d.advance(DefaultMACAgingTime + 1)
	wantPorts(t, "to A after aging", d.inject("p2", pkt{src: macB, dst: macA}.build(t)), "p1", "p3", "br0")
	if n := d.br.FDB().Expire(d.br.Now()); n != 2 {
		t.Errorf("expired %d entries (A and C aged, B just relearned), want 2", n)
	}
	d.advance(DefaultMACAgingTime)
	if n := d.br.FDB().Expire(d.br.Now()); n != 1 {
		t.Errorf("expired %d entries, want 1 (B)", n)
	}
}

func TestMACTable(t *testing.T) {
	now := testTime
	tb := NewMACTable(0, 2) // forced up to OVS's minimum, 10
	a, b, c := [6]byte{5: 1}, [6]byte{5: 2}, [6]byte{5: 3}
	if !tb.Learn(a, 10, 1, now) || tb.Learn(a, 10, 1, now) {
		t.Error("Learn reports a new entry as unchanged or a refresh as a change")
	}
	tb.Learn(b, 10, 2, now.Add(time.Second))
	tb.Learn(a, 10, 1, now.Add(2*time.Second)) // a is now the most recent
	for i := range MinMACTableSize - 1 {       // fill up: evicts b only
		tb.Learn([6]byte{4: 1, 5: byte(i)}, 30, 5, now.Add(3*time.Second))
	}
	if _, ok := tb.Lookup(b, 10, now); ok {
		t.Error("the least recently used entry survived the size limit")
	}
	if p, ok := tb.Lookup(a, 10, now); !ok || p != 1 {
		t.Errorf("lookup a = %d, %v", p, ok)
	}
	if _, ok := tb.Lookup(a, 20, now); ok {
		t.Error("an address is shared across VLANs")
	}
	tb.Learn(a, 10, 7, now.Add(3*time.Second)) // moves
	tb.FlushPort(5)
	tb.Learn(c, 20, 3, now.Add(3*time.Second))
	tb.Learn([6]byte{5: 4}, 0, flowtable.PortLocal, now.Add(4*time.Second))
	want := " port  VLAN  MAC                Age\n" +
		"    7    10  00:00:00:00:00:01    7\n" +
		"    3    20  00:00:00:00:00:03    7\n" +
		"LOCAL     0  00:00:00:00:00:04    6\n"
	if got := tb.Format(now.Add(10 * time.Second)); got != want {
		t.Errorf("fdb/show:\n%s\nwant\n%s", got, want)
	}
	tb.Expire(now.Add(DefaultMACAgingTime + 3*time.Second)) // a and c age out
	wantStats := "Statistics for bridge \"br9\":\n" +
		"  Current/maximum MAC entries in the table: 1/10\n" +
		"  Current static MAC entries in the table : 0\n" +
		"  Total number of learned MAC entries     : 13\n" +
		"  Total number of expired MAC entries     : 2\n" +
		"  Total number of evicted MAC entries     : 1\n" +
		"  Total number of port moved MAC entries  : 1\n"
	if got := tb.FormatStats("br9"); got != wantStats {
		t.Errorf("fdb/stats-show:\n%s\nwant\n%s", got, wantStats)
	}
	tb.ClearStats()
	if s := tb.Stats(); s != (MACStats{}) {
		t.Errorf("stats after clear: %+v", s)
	}
}

// An L2 learning switch built from flows: table 0 learns "frames to this
// source go out its port" into table 10, whose default floods.
func TestLearnSwitch(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"}, PortConfig{Name: "p3"})
	d.delFlows("")
	d.flows(flowtable.OpenFlow10,
		"table=0,actions=learn(table=10,hard_timeout=60,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,10)",
		"table=10,priority=0,actions=FLOOD",
	)
	wantPorts(t, "A to B, nothing learned", d.inject("p1", pkt{src: macA, dst: macB}.build(t)), "p2", "p3", "br0")
	if d.br.Table(10).Len() != 2 {
		t.Fatalf("table 10 has %d flows after one packet, want 2", d.br.Table(10).Len())
	}
	wantPorts(t, "B to A", d.inject("p2", pkt{src: macB, dst: macA}.build(t)), "p1")
	wantPorts(t, "A to B", d.inject("p1", pkt{src: macA, dst: macB}.build(t)), "p2")
	var learned string
	d.br.Table(10).ForEach(func(r *flowtable.Rule) bool {
		if f := r.Flow(); f.Priority != 0 && flowtable.FieldEthDst.Get(&f.Match.Key) == 0x0a000000000a {
			learned = f.Format(d.br, flowtable.OpenFlow10)
		}
		return true
	})
	if want := "table=10, hard_timeout=60, dl_dst=0a:00:00:00:00:0a actions=output:p1"; learned != want {
		t.Errorf("learned flow %q, want %q", learned, want)
	}
	if got := d.last.Mask; flowtable.FieldEthSrc.Get(&got) == 0 {
		t.Error("learn's source field is not in the megaflow")
	}
	d.advance(61e9)
	if gone := d.br.Expire(d.br.Now()); len(gone) != 2 {
		t.Errorf("hard timeout expired %d flows, want 2", len(gone))
	}
}

// A VLAN classifier across tables: table 0 maps ports (and the trunk's
// VLAN) to a VLAN in reg0 and resubmits; table 1 forwards within the VLAN.
func TestVLANClassifierWithRegisters(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"}, PortConfig{Name: "trunk"})
	d.delFlows("")
	d.flows(flowtable.OpenFlow10,
		"table=0,in_port=p1,actions=load:10->NXM_NX_REG0[0..11],resubmit(,1)",
		"table=0,in_port=p2,actions=load:20->NXM_NX_REG0[0..11],resubmit(,1)",
		"table=0,in_port=trunk,dl_vlan=10,actions=move:NXM_OF_VLAN_TCI[0..11]->NXM_NX_REG0[0..11],strip_vlan,resubmit(,1)",
		"table=0,priority=0,actions=drop",
		"table=1,reg0=10,in_port=p1,actions=mod_vlan_vid:10,output:trunk",
		"table=1,reg0=10,in_port=trunk,actions=output:p1",
		"table=1,reg0=20,actions=drop",
	)
	got := d.inject("p1", pkt{src: macA, dst: macB}.build(t))
	wantPorts(t, "p1 to trunk", got, "trunk")
	if want := (pkt{src: macA, dst: macB, vlan: 10}).build(t); len(got) == 1 && !bytes.Equal(got[0].frame, want) {
		t.Errorf("trunk got %x, want the frame tagged 10", got[0].frame)
	}
	got = d.inject("trunk", pkt{src: macB, dst: macA, vlan: 10}.build(t))
	wantPorts(t, "trunk VLAN 10 to p1", got, "p1")
	if want := (pkt{src: macB, dst: macA}).build(t); len(got) == 1 && !bytes.Equal(got[0].frame, want) {
		t.Errorf("p1 got %x, want the frame untagged", got[0].frame)
	}
	if a := d.last.Actions.String(); a != "pop_vlan,1" {
		t.Errorf("datapath actions %q, want pop_vlan,1", a)
	}
	wantPorts(t, "p2 (VLAN 20) is dropped", d.inject("p2", pkt{src: macB, dst: macA}.build(t)))
	wantPorts(t, "trunk VLAN 30 is dropped", d.inject("trunk", pkt{src: macB, dst: macA, vlan: 30}.build(t)))
	if m := d.last.Mask; m[flowtable.FieldReg[0].Word()] != 0 {
		t.Error("the megaflow mask includes registers")
	}
}

func addGroup(t *testing.T, d *testDP, g *Group) {
	t.Helper()
	if err := d.br.GroupMod(GroupAdd, g); err != nil {
		t.Fatal(err)
	}
}

func parseActions(t *testing.T, d *testDP, s string) flowtable.Actions {
	t.Helper()
	acts, err := flowtable.ParseActions(s, d.br)
	if err != nil {
		t.Fatal(err)
	}
	return acts
}

func TestGroups(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"}, PortConfig{Name: "p3"}, PortConfig{Name: "p4"})
	addGroup(t, d, &Group{ID: 1, Type: GroupAll, Buckets: []Bucket{
		{Actions: parseActions(t, d, "output:p2")},
		{Actions: parseActions(t, d, "mod_dl_src:00:00:00:00:00:99,output:p3")},
	}})
	addGroup(t, d, &Group{ID: 2, Type: GroupSelect, Buckets: []Bucket{
		{Weight: 1, Actions: parseActions(t, d, "output:p2")},
		{Weight: 1, Actions: parseActions(t, d, "output:p3")},
		{Weight: 2, Actions: parseActions(t, d, "output:p4")},
	}})
	addGroup(t, d, &Group{ID: 3, Type: GroupFastFailover, Buckets: []Bucket{
		{WatchPort: 2, WatchGroup: flowtable.GroupAny, Actions: parseActions(t, d, "output:p2")},
		{WatchPort: 3, WatchGroup: flowtable.GroupAny, Actions: parseActions(t, d, "output:p3")},
	}})
	addGroup(t, d, &Group{ID: 4, Type: GroupIndirect, Buckets: []Bucket{{Actions: parseActions(t, d, "group:1")}}})
	d.flows(flowtable.OpenFlow15,
		"priority=10,in_port=p1,udp,udp_dst=1,actions=group:1,output:p4",
		"priority=10,in_port=p1,udp,udp_dst=2,actions=group:2",
		"priority=10,in_port=p1,udp,udp_dst=3,actions=group:3",
		"priority=10,in_port=p1,udp,udp_dst=4,actions=group:4",
	)

	t.Run("all", func(t *testing.T) {
		frame := pkt{src: macA, dst: macB, dport: 1}.build(t)
		got := d.inject("p1", frame)
		wantPorts(t, "group all", got, "p2", "p3", "p4")
		if want := "2,set(eth(src=00:00:00:00:00:99)),3,set(eth(src=0a:00:00:00:00:0a)),4"; d.last.Actions.String() != want {
			t.Errorf("datapath actions %s, want %s", d.last.Actions, want)
		}
		if len(got) == 3 && (!bytes.Equal(got[0].frame, frame) || !bytes.Equal(got[2].frame, frame) ||
			!bytes.Equal(got[1].frame[:6], frame[:6]) || got[1].frame[11] != 0x99) {
			t.Error("a bucket's rewrite leaked into the other outputs, or was not applied")
		}
		if g, _ := d.br.Group(1); func() bool { p, _ := g.Stats(); return p != 1 }() {
			t.Error("group 1 counted no packet")
		}
	})
	t.Run("indirect chaining to all", func(t *testing.T) {
		wantPorts(t, "group indirect", d.inject("p1", pkt{src: macA, dst: macB, dport: 4}.build(t)), "p2", "p3")
	})
	t.Run("select", func(t *testing.T) {
		count := map[string]int{}
		for sport := range 2000 {
			got := d.inject("p1", pkt{src: macA, dst: macB, sport: uint16(sport), dport: 2}.build(t))
			if len(got) != 1 {
				t.Fatalf("select sent a packet to %v", ports(got))
			}
			count[got[0].port]++
		}
		// Weights 1:1:2 → 500:500:1000 expected.
		for port, want := range map[string]int{"p2": 500, "p3": 500, "p4": 1000} {
			if c := count[port]; c < want*8/10 || c > want*12/10 {
				t.Errorf("select sent %d of 2000 flows to %s, want about %d", c, port, want)
			}
		}
		// The same flow always picks the same bucket, and the hash made
		// the transport ports part of the megaflow.
		a := ports(d.inject("p1", pkt{src: macA, dst: macB, sport: 7, dport: 2}.build(t)))
		b := ports(d.inject("p1", pkt{src: macA, dst: macB, sport: 7, dport: 2}.build(t)))
		if !slices.Equal(a, b) || flowtable.FieldUDPSrc.Get(&d.last.Mask) != 0xffff {
			t.Error("select is not stable per flow or its hash fields are not in the megaflow")
		}
		// A dead bucket's flows move; the others stay.
		d.br.SetPortLive("p4", false)
		defer d.br.SetPortLive("p4", true)
		g, _ := d.br.Group(2)
		g.Buckets[2].WatchPort, g.Buckets[2].WatchGroup = 4, flowtable.GroupAny
		defer func() { g.Buckets[2].WatchPort = 0 }()
		for sport := range 200 {
			got := d.inject("p1", pkt{src: macA, dst: macB, sport: uint16(sport), dport: 2}.build(t))
			if len(got) != 1 || got[0].port == "p4" {
				t.Fatalf("select with p4 dead sent to %v", ports(got))
			}
		}
	})
	t.Run("fast_failover", func(t *testing.T) {
		frame := pkt{src: macA, dst: macB, dport: 3}.build(t)
		wantPorts(t, "both live", d.inject("p1", frame), "p2")
		d.br.SetPortLive("p2", false)
		wantPorts(t, "p2 down", d.inject("p1", frame), "p3")
		d.br.SetPortLive("p3", false)
		wantPorts(t, "both down", d.inject("p1", frame))
		d.br.SetPortLive("p2", true)
		d.br.SetPortLive("p3", true)
	})
	t.Run("errors", func(t *testing.T) {
		if err := d.br.GroupMod(GroupAdd, &Group{ID: 1, Type: GroupAll}); !errors.Is(err, ErrGroupExists) {
			t.Errorf("adding group 1 twice: %v", err)
		}
		f, _ := flowtable.ParseFlow("actions=group:99", flowtable.FlowAdd, nil, flowtable.OpenFlow15)
		if _, err := d.br.FlowMod(f, flowtable.FlowAdd); !errors.Is(err, ErrBadOutGroup) {
			t.Errorf("flow to a missing group: %v", err)
		}
		if err := d.br.GroupMod(GroupModify, &Group{ID: 1, Type: GroupAll, Buckets: []Bucket{{Actions: parseActions(t, d, "group:4")}}}); !errors.Is(err, ErrGroupChainingLoop) {
			t.Errorf("group loop: %v", err)
		}
		if err := d.br.GroupMod(GroupDelete, &Group{ID: 2}); err != nil {
			t.Fatal(err)
		}
		wantPorts(t, "after deleting group 2 its flow is gone, NORMAL floods",
			d.inject("p1", pkt{src: macA, dst: macB, dport: 2}.build(t)), "p2", "p3", "p4", "br0")
	})
}

// OpenFlow 1.3-style pipelines: goto_table, write_metadata and the action
// set.
func TestGotoTableAndActionSet(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"}, PortConfig{Name: "p3"}, PortConfig{Name: "p4"})
	d.delFlows("")
	addGroup(t, d, &Group{ID: 7, Type: GroupIndirect, Buckets: []Bucket{{Actions: parseActions(t, d, "output:p4")}}})
	d.flows(flowtable.OpenFlow15,
		"table=0,in_port=p1,actions=write_actions(output:p2),write_metadata:0x5/0xff,goto_table:1",
		"table=1,metadata=0x5/0xff,udp,actions=set_field:0x1->reg3,write_actions(set_field:00:00:00:00:00:77->eth_src),goto_table:2",
		"table=1,metadata=0x5/0xff,tcp,actions=clear_actions,goto_table:2",
		"table=2,reg3=1,actions=write_actions(output:p3)",
		"table=2,priority=0,actions=drop",
		"table=0,in_port=p2,actions=output:p1,write_actions(output:p3,group:7)",
		"table=0,in_port=p3,actions=write_actions(output:p1),goto_table:3",
	)
	got := d.inject("p1", pkt{src: macA, dst: macB}.build(t))
	wantPorts(t, "udp: the action set's output was replaced by table 2's", got, "p3")
	if want := "set(eth(src=00:00:00:00:00:77)),3"; d.last.Actions.String() != want {
		t.Errorf("datapath actions %s, want %s", d.last.Actions, want)
	}
	wantPorts(t, "tcp: clear_actions", d.inject("p1", pkt{src: macA, dst: macB, proto: layers.IPProtocolTCP}.build(t)))
	wantPorts(t, "group in the action set wins over output", d.inject("p2", pkt{src: macA, dst: macB}.build(t)), "p1", "p4")
	wantPorts(t, "goto an empty table: miss drops, the action set still runs", d.inject("p3", pkt{src: macA, dst: macB}.build(t)), "p1")
	if f := d.last.Final; flowtable.FieldMetadata.Get(&f) != 0 {
		t.Error("metadata leaked into an unrelated translation")
	}
}

func TestControllerAndTableMiss(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"})
	d.delFlows("")
	d.flows(flowtable.OpenFlow10,
		"cookie=0x42,in_port=p1,actions=controller(reason=action,max_len=128,userdata=01.02),output:p2")
	frame := pkt{src: macA, dst: macB}.build(t)
	wantPorts(t, "p1", d.inject("p1", frame), "p2")
	if len(d.upcalls) != 1 {
		t.Fatalf("%d upcalls, want 1", len(d.upcalls))
	}
	u := d.upcalls[0]
	if u.u.Reason != uint8(flowtable.ReasonAction) || u.u.MaxLen != 128 || u.u.Cookie != 0x42 ||
		!bytes.Equal(u.u.Userdata, []byte{1, 2}) || !bytes.Equal(u.frame, frame) {
		t.Errorf("upcall %+v", u.u)
	}

	d.inject("p2", frame)
	if len(d.upcalls) != 0 || d.last.Actions.String() != "drop" {
		t.Errorf("table miss by default: %v, %d upcalls; want drop", d.last.Actions, len(d.upcalls))
	}
	d.br.SetMissToController(true)
	d.inject("p2", frame)
	if len(d.upcalls) != 1 || d.upcalls[0].u.Reason != uint8(flowtable.ReasonNoMatch) {
		t.Errorf("table miss with an OpenFlow 1.0 controller: %v", d.last.Actions)
	}
	d.br.SetMissToController(false)
	d.br.SetTableMiss(0, TableMissContinue)
	d.flows(flowtable.OpenFlow10, "table=1,actions=output:p1")
	wantPorts(t, "table 0 miss continues to table 1", d.inject("p2", frame), "p1")
}

func TestDecTTL(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"})
	d.flows(flowtable.OpenFlow10, "priority=10,ip,actions=dec_ttl,output:p2")
	in := pkt{src: macA, dst: macB, proto: layers.IPProtocolTCP, ttl: 64, sport: 5, dport: 6}
	got := d.inject("p1", in.build(t))
	in.ttl = 63
	if len(got) != 1 || !bytes.Equal(got[0].frame, in.build(t)) {
		t.Errorf("dec_ttl: got %v, want the frame with TTL 63 and its checksum fixed", ports(got))
	}
	if want := "set(ipv4(ttl=63)),2"; d.last.Actions.String() != want {
		t.Errorf("datapath actions %s, want %s", d.last.Actions, want)
	}
	in.ttl = 1
	if got := d.inject("p1", in.build(t)); len(got) != 0 || len(d.upcalls) != 1 ||
		d.upcalls[0].u.Reason != uint8(flowtable.ReasonInvalidTTL) {
		t.Errorf("TTL 1: outputs %v and %d upcalls, want only an invalid_ttl upcall", ports(got), len(d.upcalls))
	}
	wantPorts(t, "non-IP ignores dec_ttl", d.inject("p1", pkt{src: macA, dst: macB, arp: true}.build(t)), "p2", "br0")
}

func TestSetFieldRewrites(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"})
	tests := []struct {
		name    string
		match   string
		actions string
		in      pkt
		want    pkt
		dp      string
	}{
		{"ip and tcp", "tcp", "set_field:192.168.0.1->ip_src,set_field:8080->tcp_dst,output:p2",
			pkt{proto: layers.IPProtocolTCP, sport: 1000, dport: 80},
			pkt{proto: layers.IPProtocolTCP, ipSrc: "192.168.0.1", ipDst: "10.0.0.2", sport: 1000, dport: 8080},
			"set(ipv4(src=192.168.0.1)),set(tcp(dst=8080)),2"},
		{"udp ports and ip dst", "udp", "mod_nw_dst:172.16.1.1,mod_tp_src:53,output:p2",
			pkt{sport: 1000, dport: 53},
			pkt{ipSrc: "10.0.0.1", ipDst: "172.16.1.1", sport: 53, dport: 53},
			"set(ipv4(dst=172.16.1.1)),set(udp(src=53)),2"},
		{"ethernet and tos", "ip", "mod_dl_src:0a:00:00:00:00:ff,mod_dl_dst:0a:00:00:00:00:ee,mod_nw_tos:32,output:p2",
			pkt{sport: 1, dport: 2},
			pkt{src: "0a:00:00:00:00:ff", dst: "0a:00:00:00:00:ee", tos: 32, sport: 1, dport: 2},
			"set(eth(src=0a:00:00:00:00:ff,dst=0a:00:00:00:00:ee)),set(ipv4(tos=0x20/0xfc)),2"},
		{"a write of the same value emits nothing", "ip", "mod_dl_src:" + macA + ",output:p2",
			pkt{sport: 1, dport: 2}, pkt{sport: 1, dport: 2}, "2"},
		{"partial load", "ip", "load:0x7->NXM_OF_IP_SRC[0..7],output:p2",
			pkt{sport: 1, dport: 2}, pkt{ipSrc: "10.0.0.7", ipDst: "10.0.0.2", sport: 1, dport: 2},
			"set(ipv4(src=0.0.0.7/0.0.0.255)),2"},
		{"vlan push then set", "ip", "push_vlan:0x8100,set_field:4101->vlan_vid,output:p2",
			pkt{sport: 1, dport: 2}, pkt{vlan: 5, sport: 1, dport: 2}, "push_vlan(vid=5,pcp=0),2"},
		{"move and stack", "ip", "push:NXM_OF_IP_SRC[],move:NXM_OF_IP_DST[]->NXM_OF_IP_SRC[],pop:NXM_OF_IP_DST[],output:p2",
			pkt{sport: 1, dport: 2}, pkt{ipSrc: "10.0.0.2", ipDst: "10.0.0.1", sport: 1, dport: 2},
			"set(ipv4(src=10.0.0.2,dst=10.0.0.1)),2"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range []*pkt{&tc.in, &tc.want} {
				if p.src == "" {
					p.src, p.dst = macA, macB
				}
			}
			d.t = t
			d.delFlows("")
			d.flows(flowtable.OpenFlow15, "in_port=p1,"+tc.match+",actions="+tc.actions)
			got := d.inject("p1", tc.in.build(t))
			if len(got) != 1 || !bytes.Equal(got[0].frame, tc.want.build(t)) {
				t.Errorf("case %d: got %v, want the rewritten frame with correct checksums", i, got)
			}
			if s := d.last.Actions.String(); s != tc.dp {
				t.Errorf("datapath actions %s, want %s", s, tc.dp)
			}
		})
	}
}

// The megaflow of a NORMAL switch with one in_port flow covers in_port and
// what NORMAL looks at (Ethernet addresses, VLAN), no L3 or L4 bit.
func TestMegaflowNormal(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"})
	d.flows(flowtable.OpenFlow10, "priority=2,in_port=p2,actions=drop")
	d.inject("p1", pkt{src: macA, dst: macB, proto: layers.IPProtocolTCP, sport: 1, dport: 2}.build(t))
	m := d.last.Mask
	for _, f := range []*flowtable.Field{flowtable.FieldInPort, flowtable.FieldEthSrc, flowtable.FieldEthDst, flowtable.FieldEthType} {
		if f.Get(&m) != 1<<f.Bits-1 {
			t.Errorf("megaflow does not cover %s", f.Name)
		}
	}
	if flowtable.FieldVLANTCI.Get(&m)&0x1fff != 0x1fff {
		t.Error("megaflow does not cover the VLAN ID and tag presence")
	}
	for w := flowtable.FieldIPSrc.Word(); w < flowtable.NumWords; w++ {
		if m[w] != 0 {
			t.Errorf("megaflow covers L3/L4 word %d: %#x", w, m[w])
		}
	}
	if got, want := FormatMegaflow(&flowtable.Key{}, &m), "recirc_id=0,eth,in_port=0,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,dl_type=0x0000"; got != want {
		t.Errorf("megaflow text %q, want %q", got, want)
	}
}

func TestConjunction(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"}, PortConfig{Name: "p3"})
	d.delFlows("")
	d.flows(flowtable.OpenFlow10,
		"priority=5,ip,nw_src=10.0.0.1,actions=conjunction(9,1/2)",
		"priority=5,ip,nw_src=10.0.0.3,actions=conjunction(9,1/2)",
		"priority=5,tcp,tp_dst=80,actions=conjunction(9,2/2)",
		"priority=5,conj_id=9,ip,actions=output:p2",
		"priority=1,actions=output:p3",
	)
	tests := []struct {
		src   string
		dport uint16
		want  []string
	}{
		{"10.0.0.1", 80, []string{"p2"}},
		{"10.0.0.3", 80, []string{"p2"}},
		{"10.0.0.1", 81, []string{"p3"}},
		{"10.0.0.2", 80, []string{"p3"}},
	}
	for _, tc := range tests {
		got := d.inject("p1", pkt{src: macA, dst: macB, proto: layers.IPProtocolTCP, ipSrc: tc.src, ipDst: "10.0.0.9", dport: tc.dport}.build(t))
		wantPorts(t, tc.src+":"+string(rune('0'+tc.dport%10)), got, tc.want...)
		if m := d.last.Mask; flowtable.FieldConjID.Get(&m) != 0 {
			t.Error("conj_id in the megaflow mask")
		}
	}
}

func TestResubmitLoopIsDropped(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"})
	d.flows(flowtable.OpenFlow10, "priority=10,actions=output:p2,resubmit(,0)")
	got := d.inject("p1", pkt{src: macA, dst: macB}.build(t))
	if len(got) != 0 || !errors.Is(d.last.Err, ErrTooDeep) {
		t.Errorf("resubmit loop: outputs %v, error %v; want a drop with ErrTooDeep", ports(got), d.last.Err)
	}
}

func TestCountersAndCredit(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"})
	frame := pkt{src: macA, dst: macB}.build(t)
	d.inject("p1", frame)
	var normal *flowtable.Rule
	d.br.Table(0).ForEach(func(r *flowtable.Rule) bool { normal = r; return false })
	if p, b := normal.Stats(); p != 1 || b != uint64(len(frame)) {
		t.Errorf("NORMAL flow stats %d packets %d bytes", p, b)
	}
	d.last.Credit(9, 900, d.br.Now())
	if p, _ := normal.Stats(); p != 10 {
		t.Errorf("after crediting a megaflow's 9 packets: %d", p)
	}
	if l, m := d.br.TableStats(0); l != 1 || m != 1 {
		t.Errorf("table 0 stats: %d lookups, %d matched", l, m)
	}
	p1, _ := d.br.Port("p1")
	p2, _ := d.br.Port("p2")
	if p1.Stats().RxPackets.Load() != 1 || p2.Stats().TxPackets.Load() != 1 {
		t.Error("port counters not updated")
	}
	before := d.br.Generation()
	d.flows(flowtable.OpenFlow10, "actions=drop")
	if d.br.Generation() == before {
		t.Error("a flow_mod did not bump the generation")
	}
	if s := d.br.Trace(pkt{src: macA, dst: macB}.key(t, 1)); !strings.Contains(s, "Datapath actions: drop") {
		t.Errorf("trace after the drop flow:\n%s", s)
	}
	if p, _ := normal.Stats(); p != 10 {
		t.Error("a trace counted a packet")
	}
}

var testTime = time.Unix(1_000_000, 0)
