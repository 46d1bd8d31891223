package ofproto

import (
	"bytes"
	"errors"
	"testing"

	"github.com/govs/govs/flowtable"
)

func TestPacketOut(t *testing.T) {
	frame := pkt{src: macA, dst: macB}.build(t)
	bcastFrame := pkt{src: macA, dst: bcast}.build(t)
	tests := []struct {
		name    string
		flows   []string
		in      flowtable.Port
		actions string
		frame   []byte
		want    []string
		wantErr error
	}{
		{name: "output to a port", in: 1, actions: "output:2", frame: frame, want: []string{"p2"}},
		{name: "output to the input port is skipped", in: 2, actions: "output:2", frame: frame},
		{name: "IN_PORT", in: 2, actions: "in_port", frame: frame, want: []string{"p2"}},
		{name: "from CONTROLLER, NORMAL floods everywhere", in: flowtable.PortController, actions: "NORMAL",
			frame: bcastFrame, want: []string{"p1", "p2", "p3", "br0"}},
		{name: "from NONE, FLOOD", in: flowtable.PortNone, actions: "FLOOD", frame: frame,
			want: []string{"p1", "p2", "p3", "br0"}},
		{name: "from LOCAL", in: flowtable.PortLocal, actions: "output:3", frame: frame, want: []string{"p3"}},
		{name: "TABLE runs the flow tables", flows: []string{"in_port=1,actions=output:3"},
			in: 1, actions: "TABLE", frame: frame, want: []string{"p3"}},
		{name: "TABLE with the packet's in_port", flows: []string{"in_port=1,actions=output:3", "in_port=2,actions=output:1"},
			in: 2, actions: "TABLE", frame: frame, want: []string{"p1"}},
		{name: "no actions drop", in: 1, frame: frame},
		{name: "bad in_port", in: flowtable.PortNormal, actions: "output:2", frame: frame, wantErr: ErrBadInPort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"}, PortConfig{Name: "p3"})
			d.flows(flowtable.OpenFlow10, tt.flows...)
			acts, err := flowtable.ParseFlowActions(tt.actions, d.br, nil, flowtable.OpenFlow10)
			if err != nil {
				t.Fatal(err)
			}
			err = d.br.PacketOut(tt.in, acts, tt.frame)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("PacketOut: %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			wantPorts(t, tt.name, d.outs, tt.want...)
			for _, o := range d.outs {
				if !bytes.Equal(o.frame, tt.frame) {
					t.Errorf("%s: frame changed on the way out", o.port)
				}
			}
		})
	}
}

func TestPacketOutWithoutDatapath(t *testing.T) {
	b := NewBridge("br0")
	if err := b.PacketOut(flowtable.PortController, nil, make([]byte, 60)); !errors.Is(err, ErrNoDatapath) {
		t.Fatalf("PacketOut on a bridge without a datapath: %v", err)
	}
}

// TestPacketInMetadata: a packet-in carries the pipeline's metadata at
// the controller action, and the packet as rewritten so far.
func TestPacketInMetadata(t *testing.T) {
	tests := []struct {
		name   string
		proto  flowtable.Protocol // 0: OpenFlow10
		flows  []string
		miss   bool
		reason flowtable.ControllerReason
		table  uint8
		cookie uint64
		md     map[*flowtable.Field]uint64
		userd  []byte
		// explicit: sent by a table-miss flow
		explicit bool
	}{
		{name: "table miss", flows: []string{"priority=1,in_port=2,actions=drop"}, miss: true,
			reason: flowtable.ReasonNoMatch, cookie: ^uint64(0), md: map[*flowtable.Field]uint64{}},
		{name: "miss after goto_table names that table", proto: flowtable.OpenFlow15, flows: []string{"cookie=0x5,actions=goto_table:4"}, miss: true,
			reason: flowtable.ReasonNoMatch, table: 4, cookie: ^uint64(0), md: map[*flowtable.Field]uint64{}},
		{name: "controller action with registers",
			flows: []string{"cookie=0x42,actions=load:5->NXM_NX_REG3[],load:0x77->OXM_OF_METADATA[],resubmit(,3)",
				"table=3,cookie=0x99,actions=controller(max_len=100,userdata=01.02)"},
			reason: flowtable.ReasonAction, table: 3, cookie: 0x99,
			md: map[*flowtable.Field]uint64{flowtable.FieldReg[3]: 5, flowtable.FieldMetadata: 0x77}, userd: []byte{1, 2}},
		{name: "table-miss flow", flows: []string{"priority=0,actions=CONTROLLER:65535"},
			reason: flowtable.ReasonAction, md: map[*flowtable.Field]uint64{}, explicit: true},
		{name: "controller action with OVS's explicit-miss reason", flows: []string{"ip,actions=controller(reason=)"},
			reason: flowtable.ReasonAction, md: map[*flowtable.Field]uint64{}, explicit: true},
		{name: "controller action with reason no_match is no miss", flows: []string{"ip,actions=controller(reason=no_match)"},
			reason: flowtable.ReasonNoMatch, md: map[*flowtable.Field]uint64{}},
		{name: "a priority 0 flow that matches is no table-miss flow", flows: []string{"priority=0,ip,actions=CONTROLLER:65535"},
			reason: flowtable.ReasonAction, md: map[*flowtable.Field]uint64{}},
		{name: "invalid TTL", flows: []string{"actions=dec_ttl,output:2"},
			reason: flowtable.ReasonInvalidTTL, md: map[*flowtable.Field]uint64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"})
			d.delFlows("")
			proto := tt.proto
			if proto == 0 {
				proto = flowtable.OpenFlow10
			}
			d.flows(proto, tt.flows...)
			d.br.SetMissToController(tt.miss)
			ttl := uint8(0)
			if tt.reason == flowtable.ReasonInvalidTTL {
				ttl = 1
			}
			frame := pkt{src: macA, dst: macB, ttl: ttl}.build(t)
			d.inject("p1", frame)
			if len(d.upcalls) != 1 {
				t.Fatalf("%d upcalls, want 1 (actions %s)", len(d.upcalls), d.last.Actions)
			}
			pin := d.upcalls[0].pin
			if pin.Reason != tt.reason || pin.Table != tt.table || pin.Cookie != tt.cookie ||
				!bytes.Equal(pin.Userdata, tt.userd) || pin.ExplicitMiss != tt.explicit || pin.ImplicitMiss != tt.miss {
				t.Errorf("packet-in %+v", pin)
			}
			if !bytes.Equal(pin.Packet, frame) {
				t.Error("packet-in data is not the frame")
			}
			if in := flowtable.FieldInPort.Get(&pin.Metadata.Key); in != 1 || !pin.Metadata.IsExact(flowtable.FieldInPort) {
				t.Errorf("in_port %d", in)
			}
			for _, f := range packetInFields {
				want, set := tt.md[f]
				if got := f.Get(&pin.Metadata.Key); got != want || pin.Metadata.IsExact(f) != set {
					t.Errorf("%s = %#x (exact %v), want %#x", f.Name, got, pin.Metadata.IsExact(f), want)
				}
			}
		})
	}
}

// TestOutputToControllerReason: an output to CONTROLLER names where it
// ran, as OVS does: a group bucket's own actions give group (not those of
// a flow the bucket resubmits to), the action set action_set, a
// packet-out packet_out, anything else action.
func TestOutputToControllerReason(t *testing.T) {
	tests := []struct {
		name   string
		flows  []string
		reason flowtable.ControllerReason
	}{
		{"flow", []string{"actions=CONTROLLER"}, flowtable.ReasonAction},
		{"group bucket", []string{"actions=group:1"}, flowtable.ReasonGroup},
		{"flow a bucket resubmits to", []string{"actions=group:2", "table=1,actions=CONTROLLER"}, flowtable.ReasonAction},
		{"action set", []string{"actions=write_actions(CONTROLLER)"}, flowtable.ReasonActionSet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"})
			d.delFlows("")
			addGroup(t, d, &Group{ID: 1, Type: GroupAll, Buckets: []Bucket{{Actions: parseActions(t, d, "CONTROLLER")}}})
			addGroup(t, d, &Group{ID: 2, Type: GroupAll, Buckets: []Bucket{{Actions: parseActions(t, d, "resubmit(,1)")}}})
			d.flows(flowtable.OpenFlow15, tt.flows...)
			d.inject("p1", pkt{src: macA, dst: macB}.build(t))
			if len(d.upcalls) != 1 {
				t.Fatalf("%d upcalls, want 1", len(d.upcalls))
			}
			if got := d.upcalls[0].pin.Reason; got != tt.reason {
				t.Errorf("reason %s, want %s", got, tt.reason)
			}
		})
	}
	t.Run("packet-out", func(t *testing.T) {
		d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"})
		acts, err := flowtable.ParseActions("CONTROLLER", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.br.PacketOut(flowtable.PortController, acts, pkt{src: macA, dst: macB}.build(t)); err != nil {
			t.Fatal(err)
		}
		if len(d.upcalls) != 1 || d.upcalls[0].pin.Reason != flowtable.ReasonPacketOut {
			t.Fatalf("upcalls %+v, want one packet_out packet-in", d.upcalls)
		}
	})
}
