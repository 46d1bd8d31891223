package ofproto

import (
	"slices"
	"testing"

	"github.com/govs/govs/datapath"
	"github.com/govs/govs/flowtable"
)

// TestTracePause: a trace has no packet to pause, so the walk stops at the
// pause with nothing sent, as real OVS 3.1 prints it (but for the
// megaflow's nw_frag, which govs' datapath does not need).
func TestTracePause(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"}, PortConfig{Name: "p3"})
	d.delFlows("")
	d.flows(flowtable.OpenFlow10, "in_port=1,actions=load:0x2a->NXM_NX_REG1[],controller(userdata=01.02,pause),resubmit(,1),output:3",
		"table=1,actions=output:2")
	got := d.br.Trace(pkt{src: "00:00:00:00:00:01", dst: "00:00:00:00:00:02", sport: 1, dport: 2}.key(t, 1))
	want := `Flow: udp,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,tp_src=1,tp_dst=2

bridge("br0")
-------------
 0. in_port=1, priority 32768
    load:0x2a->NXM_NX_REG1[]
    controller(userdata=01.02,pause)

Final flow: udp,reg1=0x2a,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,tp_src=1,tp_dst=2
Megaflow: recirc_id=0,eth,ip,in_port=1
Datapath actions: drop
`
	if got != want {
		t.Errorf("trace:\n%s\nwant:\n%s\ndiff at %q", got, want, firstDiff(got, want))
	}
}

func TestStackBytes(t *testing.T) {
	for _, v := range [][]uint64{{}, {0x2a}, {0x1122334455667788, 0x99}, {0, 1}} {
		b := stackBytes(v)
		if len(b) != 8*len(v) {
			t.Fatalf("%x: %d bytes", v, len(b))
		}
		if got := stackValue(b); !slices.Equal(got, v) {
			t.Fatalf("%x → %x → %x", v, b, got)
		}
	}
	// OVS sends a value in as few bytes as its field's width needs.
	if got := stackValue([]byte{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09}); !slices.Equal(got, []uint64{0x0203040506070809, 0x01}) {
		t.Fatalf("9 bytes read as %x", got)
	}
	if got := stackValue([]byte{0, 0x2a}); !slices.Equal(got, []uint64{0x2a}) {
		t.Fatalf("2 bytes read as %x", got)
	}
}

// TestPausePacketInNamesOutermostFlow: a pause's packet-in names the flow
// the translation started with (table 0's, here cookie 9), not the one
// that paused in table 1, as OVS 3.1's does; a packet-out that sends the
// packet into the tables has no flow (cookie all ones).
func TestPausePacketInNamesOutermostFlow(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"}, PortConfig{Name: "p3"})
	d.delFlows("")
	d.flows(flowtable.OpenFlow10, "table=0,cookie=9,in_port=1,actions=resubmit(,1),output:3",
		"table=1,cookie=5,actions=controller(pause),output:2")
	paused := func(tr *Translation) *datapath.Userspace {
		t.Helper()
		for _, a := range tr.Actions {
			if u, ok := a.(*datapath.Userspace); ok {
				return u
			}
		}
		t.Fatalf("no packet-in in %v", tr.Actions)
		return nil
	}
	k := pkt{src: "00:00:00:00:00:01", dst: "00:00:00:00:00:02", sport: 1, dport: 2}.key(t, 1)
	if u := paused(d.br.Translate(k, 60)); u.Table != 0 || u.Cookie != 9 {
		t.Errorf("packet's pause: table %d cookie %#x, want 0 and 0x9", u.Table, u.Cookie)
	}
	tr, err := d.br.TranslatePacketOut(1, flowtable.Actions{&flowtable.Output{Port: flowtable.PortTable}}, make([]byte, 60))
	if err != nil {
		t.Fatal(err)
	}
	if u := paused(tr); u.Table != 0 || u.Cookie != ^uint64(0) {
		t.Errorf("packet-out's pause: table %d cookie %#x, want 0 and all ones", u.Table, u.Cookie)
	}
}
