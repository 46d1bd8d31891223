package ofproto

import (
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/govs/govs/flowtable"
)

// TestFailOpen: a bridge whose controller flushed the default flow and
// left only a drop switches NORMAL while fail-open is on, and obeys its
// tables again once it is off.
func TestFailOpen(t *testing.T) {
	d := newTestDP(t, access("veth11", 10), access("veth12", 10))
	d.br.FlushFlows()
	if n := d.br.Table(0).Len(); n != 0 {
		t.Fatalf("%d flows after FlushFlows", n)
	}
	d.flows(flowtable.OpenFlow10, "priority=5,actions=drop")
	ping := pkt{src: macA, dst: macC, proto: layers.IPProtocolICMPv4}.build(t)
	wantPorts(t, "drop flow in charge", d.inject("veth11", ping))

	d.br.SetFailOpen(true)
	wantPorts(t, "fail-open floods like NORMAL", d.inject("veth11", ping), "veth12", "br0")
	if tr := d.br.Trace(ping0Key(t)); tr == "" {
		t.Error("empty trace in fail-open")
	}
	d.br.SetFailOpen(false)
	wantPorts(t, "fail-open off: the drop flow again", d.inject("veth11", ping))
}

func ping0Key(t *testing.T) *flowtable.Key {
	return pkt{src: macA, dst: macC, proto: layers.IPProtocolICMPv4}.key(t, 1)
}

func TestEnsureDefaultFlow(t *testing.T) {
	b := NewBridge("br0")
	b.EnsureDefaultFlow() // already there: no duplicate, no churn
	if n := b.Table(0).Len(); n != 1 {
		t.Fatalf("%d flows, want the one default flow", n)
	}
	b.FlushFlows()
	b.EnsureDefaultFlow()
	var got []string
	b.Table(0).ForEach(func(r *flowtable.Rule) bool {
		got = append(got, r.Flow().Format(nil, flowtable.OpenFlow10))
		return true
	})
	if len(got) != 1 || got[0] != "priority=0 actions=NORMAL" {
		t.Fatalf("table 0 = %q", got)
	}
}

// TestControllerPauseStopsPipeline: actions after controller(pause) do not
// run (they would only run on a resume, which govs does not support yet).
func TestControllerPauseStopsPipeline(t *testing.T) {
	d := newTestDP(t, access("veth11", 10), access("veth12", 10))
	d.br.FlushFlows()
	d.flows(flowtable.OpenFlow10, "priority=5,actions=controller(pause),output:veth12")
	ping := pkt{src: macA, dst: macC, proto: layers.IPProtocolICMPv4}.build(t)
	wantPorts(t, "nothing goes out after the pause", d.inject("veth11", ping))
	if len(d.upcalls) != 1 {
		t.Fatalf("%d packet-ins, want 1", len(d.upcalls))
	}
}
