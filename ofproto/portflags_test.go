package ofproto

import (
	"testing"

	"github.com/govs/govs/flowtable"
)

func setFlags(t *testing.T, d *testDP, port string, f PortFlags) {
	t.Helper()
	gen := d.br.Generation()
	if err := d.br.SetPortFlags(port, f); err != nil {
		t.Fatal(err)
	}
	if p, _ := d.br.Port(port); p.Flags() != f {
		t.Fatalf("%s flags %#x, want %#x", port, p.Flags(), f)
	}
	if d.br.Generation() == gen && f != 0 {
		t.Errorf("setting %s's flags did not bump the generation", port)
	}
}

func TestPortNoFwd(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"}, PortConfig{Name: "p3"})
	d.delFlows("")
	d.flows(flowtable.OpenFlow10,
		"in_port=p1,actions=output:p2,output:p3",
		"in_port=p2,actions=FLOOD",
		"in_port=p3,actions=ALL")
	frame := pkt{src: macA, dst: macB}.build(t)
	setFlags(t, d, "p2", PortNoFwd)
	wantPorts(t, "output to a NO_FWD port", d.inject("p1", frame), "p3")
	wantPorts(t, "ALL skips the NO_FWD port", d.inject("p3", frame), "p1", "br0")
	setFlags(t, d, "p2", 0)
	wantPorts(t, "after clearing NO_FWD", d.inject("p1", frame), "p2", "p3")

	// NORMAL: a learned destination behind a NO_FWD port is not reached,
	// and flooding leaves the port out too.
	d.delFlows("")
	d.flows(flowtable.OpenFlow10, "actions=NORMAL")
	d.inject("p2", pkt{src: macB, dst: bcast}.build(t))
	setFlags(t, d, "p2", PortNoFwd)
	wantPorts(t, "NORMAL to a learned NO_FWD port", d.inject("p1", frame))
	wantPorts(t, "NORMAL flood", d.inject("p1", pkt{src: macA, dst: bcast}.build(t)), "p3", "br0")
}

func TestPortNoFlood(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"}, PortConfig{Name: "p3"})
	d.delFlows("")
	d.flows(flowtable.OpenFlow10, "in_port=p1,actions=FLOOD", "in_port=p2,actions=ALL", "priority=0,actions=NORMAL")
	frame := pkt{src: macA, dst: bcast}.build(t)
	setFlags(t, d, "p3", PortNoFlood)
	wantPorts(t, "FLOOD leaves NO_FLOOD out", d.inject("p1", frame), "p2", "br0")
	wantPorts(t, "ALL includes NO_FLOOD", d.inject("p2", frame), "p1", "p3", "br0")
	wantPorts(t, "NORMAL flooding leaves NO_FLOOD out", d.inject("br0", frame), "p1", "p2")
	// Unicast to an address learned on the NO_FLOOD port still goes there.
	d.inject("p3", pkt{src: macC, dst: bcast}.build(t))
	wantPorts(t, "NORMAL to a learned NO_FLOOD port", d.inject("br0", pkt{src: macA, dst: macC}.build(t)), "p3")
}

// stpBPDU is an 802.3 frame carrying a configuration BPDU to the bridge
// group address.
func stpBPDU(t *testing.T) []byte {
	frame := append([]byte{0x01, 0x80, 0xc2, 0, 0, 0}, mac(t, macA)...)
	body := append([]byte{0x42, 0x42, 0x03}, make([]byte, 35)...) // LLC + BPDU
	frame = append(frame, byte(len(body)>>8), byte(len(body)))
	return append(frame, body...)
}

func TestPortNoRecv(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"})
	d.delFlows("")
	d.flows(flowtable.OpenFlow10, "priority=1,actions=output:p2", "in_port=p2,actions=output:p1")
	frame := pkt{src: macA, dst: macB}.build(t)
	bpdu := stpBPDU(t)
	setFlags(t, d, "p1", PortNoRecv)
	wantPorts(t, "NO_RECV", d.inject("p1", frame))
	if d.last.Actions.String() != "drop" {
		t.Errorf("NO_RECV actions %s, want drop", d.last.Actions)
	}
	if len(d.last.Rules) != 0 {
		t.Errorf("NO_RECV packet hit %d flows, want none", len(d.last.Rules))
	}
	wantPorts(t, "NO_RECV lets STP BPDUs in", d.inject("p1", bpdu), "p2")
	wantPorts(t, "p2 still forwards to the NO_RECV port", d.inject("p2", frame), "p1")
	if err := d.br.PacketOut(1, flowtable.Actions{&flowtable.Output{Port: 2}}, frame); err != nil {
		t.Fatal(err)
	}
	wantPorts(t, "packet-out from a NO_RECV port", d.outs)

	setFlags(t, d, "p1", PortNoRecvSTP)
	wantPorts(t, "NO_RECV_STP drops BPDUs", d.inject("p1", bpdu))
	wantPorts(t, "NO_RECV_STP lets others in", d.inject("p1", frame), "p2")

	// The verdict depends on the frame being a BPDU, so the megaflow
	// must look at the destination and EtherType.
	m := d.last.Mask
	if flowtable.FieldEthDst.Get(&m) == 0 || flowtable.FieldEthType.Get(&m) == 0 {
		t.Errorf("megaflow mask does not cover dl_dst/dl_type")
	}
}

func TestPortNoPacketIn(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"})
	d.delFlows("")
	d.flows(flowtable.OpenFlow10, "in_port=p2,actions=CONTROLLER")
	frame := pkt{src: macA, dst: macB}.build(t)
	setFlags(t, d, "p1", PortNoPacketIn)
	setFlags(t, d, "p2", PortNoPacketIn)

	// OVS's default miss behaviour does not consult NO_PACKET_IN.
	d.br.SetMissToController(true)
	d.inject("p1", frame)
	if len(d.upcalls) != 1 {
		t.Errorf("default miss from a NO_PACKET_IN port: %d packet-ins, want 1", len(d.upcalls))
	}
	d.br.SetMissToController(false)

	// A miss configured to go to the controller does.
	d.br.SetTableMiss(0, TableMissController)
	d.inject("p1", frame)
	if len(d.upcalls) != 0 {
		t.Errorf("controller miss from a NO_PACKET_IN port: %d packet-ins, want 0", len(d.upcalls))
	}
	setFlags(t, d, "p1", 0)
	d.inject("p1", frame)
	if len(d.upcalls) != 1 {
		t.Errorf("controller miss after clearing NO_PACKET_IN: %d packet-ins, want 1", len(d.upcalls))
	}
	// An explicit controller action is not a miss.
	d.inject("p2", frame)
	if len(d.upcalls) != 1 {
		t.Errorf("controller action from a NO_PACKET_IN port: %d packet-ins, want 1", len(d.upcalls))
	}
}
