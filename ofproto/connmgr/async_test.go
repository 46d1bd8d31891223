package connmgr

import (
	"net"
	"testing"
	"time"

	"github.com/govs/govs/ofproto/ofp"
)

// TestAsyncConfigRouting: two connections take packet-ins as their
// controller ids and asynchronous configurations say, and read the
// configuration back with get_async.
func TestAsyncConfigRouting(t *testing.T) {
	frame := testFrame()
	actionOnly := ofp.AsyncConfig{}
	actionOnly.Primary[ofp.AsyncPacketIn] = 1 << 1
	actionOnly.Secondary[ofp.AsyncPacketIn] = 1 << 1
	noMatchOnly := ofp.AsyncConfig{}
	noMatchOnly.Primary[ofp.AsyncPacketIn] = 1
	tests := []struct {
		name   string
		flow   string
		setup  [2][]ofp.Message // what each connection sends first
		want   [2]bool          // which connection gets the packet-in
		getCfg *ofp.AsyncConfig // connection 0's get_async reply, if checked
	}{
		{name: "id 0 by default", flow: "in_port=1 actions=controller",
			want: [2]bool{true, true}},
		{name: "controller id picks the connection", flow: "in_port=1 actions=controller(id=5)",
			setup: [2][]ofp.Message{{&ofp.SetControllerID{ID: 5}}}, want: [2]bool{true, false}},
		{name: "set_async without action", flow: "in_port=1 actions=controller",
			setup: [2][]ofp.Message{{&ofp.SetAsync{Legacy: true, Config: noMatchOnly}}},
			want:  [2]bool{false, true}},
		{name: "secondary with a secondary mask", flow: "in_port=1 actions=controller",
			setup: [2][]ofp.Message{
				{&ofp.RoleRequest{Role: ofp.RoleSlave}, &ofp.SetAsync{Legacy: true, Config: actionOnly}},
				{&ofp.RoleRequest{Role: ofp.RoleSlave}}},
			want: [2]bool{true, false}},
		{name: "get_async reads the default", flow: "in_port=1 actions=controller",
			want: [2]bool{true, true}, getCfg: func() *ofp.AsyncConfig {
				c := ofp.DefaultAsyncConfig(ofp.OF13)
				// OpenFlow 1.3 carries no_match and action; no_match
				// reads back as the explicit miss too.
				c.Primary[ofp.AsyncPacketIn] = 1 | 1<<1 | 1<<ofp.PinReasonExplicitMiss
				return &c
			}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newSwitchRig(t)
			var cs [2]*testController
			for i := range cs {
				conn, err := net.Dial("unix", r.m.Path())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { conn.Close() })
				cs[i] = handshake(t, conn)
				cs[i].send(&ofp.SetConfig{MissSendLen: 0xffff})
				for _, m := range tt.setup[i] {
					cs[i].send(m)
				}
				for _, m := range cs[i].barrier() {
					if _, ok := m.(*ofp.RoleReply); !ok {
						t.Fatalf("connection %d: setup answered with %#v", i, m)
					}
				}
			}
			if tt.getCfg != nil {
				cs[0].send(&ofp.GetAsyncRequest{})
				reply, ok := cs[0].recv().(*ofp.GetAsyncReply)
				if !ok || reply.Config != *tt.getCfg {
					t.Fatalf("get_async reply %+v, want %+v", reply, tt.getCfg)
				}
			}
			cs[0].flowMod(tt.flow)
			r.inject(t, 1, frame)
			for i, c := range cs {
				if tt.want[i] {
					c.packetIn()
				}
			}
			// Packet-ins are queued when Inject returns; give the
			// writers a moment before looking for unwanted ones.
			time.Sleep(20 * time.Millisecond)
			for i, c := range cs {
				if msgs := c.barrier(); len(msgs) != 0 {
					t.Errorf("connection %d got %v", i, msgs)
				}
			}
		})
	}
}

// TestPacketIn2: a connection that chose NXT_PACKET_IN2 gets the
// controller action's packets with their table, cookie, reason, metadata
// and userdata.
func TestPacketIn2(t *testing.T) {
	frame := testFrame()
	tests := []struct {
		name     string
		v        ofp.Version
		flow     string
		dataLen  int
		reason   uint8
		userdata []byte
	}{
		{"OF1.0 userdata", ofp.OF10, "in_port=1 actions=controller(userdata=01.02.03)", len(frame), 1, []byte{1, 2, 3}},
		// OVS 3.1 sends the whole packet whatever max_len says.
		{"OF1.3 max_len", ofp.OF13, "in_port=1 actions=controller(max_len=20)", len(frame), 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newSwitchRig(t)
			conn, err := net.Dial("unix", r.m.Path())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			c := handshakeAt(t, conn, tt.v)
			c.send(&ofp.SetConfig{MissSendLen: 0xffff})
			c.send(&ofp.SetPacketInFormat{Format: ofp.PacketInNX2})
			c.flowMod(tt.flow)
			r.inject(t, 1, frame)
			m := c.recv()
			pin, ok := m.(*ofp.PacketIn2)
			if !ok {
				t.Fatalf("got %#v, want a packet-in2", m)
			}
			if len(pin.Data) != tt.dataLen || pin.TotalLen != uint32(len(frame)) || pin.Reason != tt.reason ||
				string(pin.Userdata) != string(tt.userdata) || pin.Cookie != 0 || pin.Continuation != nil {
				t.Errorf("packet-in2 %+v", pin)
			}
		})
	}
}
