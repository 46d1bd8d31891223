package connmgr

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/dummy"
	"github.com/govs/govs/ofproto/ofp"
)

// testFrame is an Ethernet broadcast carrying an IPv4/UDP packet from
// 0a:00:00:00:00:01, long enough to need no padding.
func testFrame() []byte {
	f := []byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0a, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 48, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x30, 0x39, 0x00, 0x35, 0, 28, 0, 0,
	}
	return append(f, []byte("twenty bytes payload")...)
}

// switchRig is a bridge with ports p1–p3 on a dummy datapath, its
// connection manager as the datapath's upcall handler, and a channel per
// datapath port (LOCAL included) collecting what comes out.
type switchRig struct {
	b    *ofproto.Bridge
	d    *dummy.Datapath
	m    *Manager
	outs map[uint32]<-chan []byte
}

func newSwitchRig(t *testing.T) *switchRig {
	t.Helper()
	b := ofproto.NewBridge("br0")
	for i, name := range []string{"p1", "p2", "p3"} {
		if _, err := b.AddPort(ofproto.PortConfig{Name: name, OFPort: flowtable.Port(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	m, _ := listenBridge(t, b, io.Discard)
	d := dummy.New(b)
	d.SetUpcallHandler(m.PacketIn)
	r := &switchRig{b: b, d: d, m: m, outs: map[uint32]<-chan []byte{}}
	for _, p := range []uint32{1, 2, 3, uint32(flowtable.PortLocal)} {
		r.outs[p] = d.Frames(p, 16)
	}
	return r
}

// egress returns the datapath ports that frames came out of since the
// last call, in order, checking each frame is want.
func (r *switchRig) egress(t *testing.T, want []byte) []uint32 {
	t.Helper()
	var got []uint32
	for p, ch := range r.outs {
		for len(ch) > 0 {
			if f := <-ch; !bytes.Equal(f, want) {
				t.Errorf("port %d: frame %x", p, f)
			}
			got = append(got, p)
		}
	}
	slices.Sort(got)
	return got
}

func (r *switchRig) inject(t *testing.T, port uint32, frame []byte) {
	t.Helper()
	if err := r.d.Inject(port, frame); err != nil {
		t.Fatal(err)
	}
}

// barrier sends a barrier request and returns the messages that arrive
// before its reply.
func (c *testController) barrier() []ofp.Message {
	c.t.Helper()
	c.send(&ofp.BarrierRequest{})
	var before []ofp.Message
	for {
		m := c.recv()
		if _, ok := m.(*ofp.BarrierReply); ok {
			return before
		}
		before = append(before, m)
	}
}

// packetIn waits for the next packet-in.
func (c *testController) packetIn() *ofp.PacketIn {
	c.t.Helper()
	m := c.recv()
	pin, ok := m.(*ofp.PacketIn)
	if !ok {
		c.t.Fatalf("got %T, want a packet-in", m)
	}
	return pin
}

func (c *testController) flowMod(text string) {
	c.t.Helper()
	f, err := flowtable.ParseFlow(text, flowtable.FlowAdd, nil, flowtable.OpenFlow10)
	if err != nil {
		c.t.Fatal(err)
	}
	c.send(&ofp.FlowMod{Command: flowtable.FlowAdd, Flow: *f})
	if msgs := c.barrier(); len(msgs) != 0 {
		c.t.Fatalf("flow_mod %q answered with %v", text, msgs)
	}
}

// TestControllerPacketIO is the controller scenario: a packet that
// misses goes to the controller as a packet-in; the controller's
// packet-out sends it on; its flow_mod makes the next packet go straight
// through; and when the controller goes away a standalone bridge fails
// open (NORMAL floods) while a secure one keeps its flows and sends
// nothing anywhere else.
func TestControllerPacketIO(t *testing.T) {
	local := uint32(flowtable.PortLocal)
	tests := []struct {
		network    string
		v          ofp.Version
		nxm        bool // NXT_SET_PACKET_IN_FORMAT nxm
		standalone bool
	}{
		{"tcp", ofp.OF10, false, true},
		{"tcp", ofp.OF13, false, false},
		{"unix", ofp.OF10, true, false},
		{"unix", ofp.OF13, false, true},
	}
	for _, tt := range tests {
		name := tt.network + "/" + tt.v.String()
		if tt.nxm {
			name += "/nxm"
		}
		if tt.standalone {
			name += "/standalone"
		} else {
			name += "/secure"
		}
		t.Run(name, func(t *testing.T) {
			r := newSwitchRig(t)
			addr := "127.0.0.1:0"
			if tt.network == "unix" {
				addr = filepath.Join(t.TempDir(), "ctl.sock")
			}
			ln, err := net.Listen(tt.network, addr)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			// As ovs-vswitchd does for a bridge's first controller.
			r.b.FlushFlows()
			probe := 200 * time.Millisecond
			r.m.SetControllers([]ControllerConfig{{Target: tt.network + ":" + ln.Addr().String(), InactivityProbe: probe}}, tt.standalone)
			c := acceptControllerAt(t, ln, tt.v)
			defer c.conn.Close()
			if tt.nxm {
				c.send(&ofp.SetPacketInFormat{Format: ofp.PacketInNXM})
			}
			if tt.v >= ofp.OF13 {
				// OpenFlow 1.3 drops misses unless told otherwise.
				c.flowMod("priority=0,actions=CONTROLLER:65535")
			}
			c.barrier()
			frame := testFrame()

			r.inject(t, 1, frame)
			pin := c.packetIn()
			if in := flowtable.FieldInPort.Get(&pin.Match.Key); in != 1 {
				t.Errorf("packet-in in_port %d", in)
			}
			if pin.Reason != uint8(flowtable.ReasonNoMatch) || pin.BufferID != ofp.NoBuffer ||
				int(pin.TotalLen) != len(frame) || !bytes.Equal(pin.Data, frame) || pin.NXM != tt.nxm {
				t.Errorf("packet-in reason %d buffer %#x total_len %d nxm %v data %x",
					pin.Reason, pin.BufferID, pin.TotalLen, pin.NXM, pin.Data)
			}
			if got := r.egress(t, frame); len(got) != 0 {
				t.Errorf("a missed packet went out %v", got)
			}

			acts, err := flowtable.ParseFlowActions("output:2", nil, nil, flowtable.OpenFlow10)
			if err != nil {
				t.Fatal(err)
			}
			c.send(&ofp.PacketOut{BufferID: ofp.NoBuffer, InPort: 1, Actions: acts, Data: pin.Data})
			if msgs := c.barrier(); len(msgs) != 0 {
				t.Fatalf("packet-out answered with %v", msgs)
			}
			if got := r.egress(t, frame); !slices.Equal(got, []uint32{2}) {
				t.Errorf("packet-out output:2 went out %v", got)
			}

			c.flowMod("priority=100,in_port=1,actions=output:2")
			r.inject(t, 1, frame)
			if got := r.egress(t, frame); !slices.Equal(got, []uint32{2}) {
				t.Errorf("after the flow_mod the packet went out %v", got)
			}
			// Packet-ins keep their order, so if the first packet had
			// made one it would come before this one's.
			r.inject(t, 3, frame)
			if in := flowtable.FieldInPort.Get(&c.packetIn().Match.Key); in != 3 {
				t.Errorf("a packet matching the controller's flow was sent up (in_port %d)", in)
			}

			c.conn.Close()
			ln.Close()
			if tt.standalone {
				waitUntil(t, "fail-open", r.b.FailOpen)
				r.inject(t, 1, frame)
				if got := r.egress(t, frame); !slices.Equal(got, []uint32{2, 3, local}) {
					t.Errorf("failed open, a broadcast went out %v; want flooded", got)
				}
				return
			}
			waitUntil(t, "disconnect noticed", func() bool { return !slices.Contains(mapValues(r.m.ControllerConnected()), true) })
			time.Sleep(4 * probe)
			if r.b.FailOpen() {
				t.Fatal("a secure bridge failed open")
			}
			r.inject(t, 1, frame)
			if got := r.egress(t, frame); !slices.Equal(got, []uint32{2}) {
				t.Errorf("secure: the controller's flow no longer applies: out %v", got)
			}
			r.inject(t, 3, frame)
			if got := r.egress(t, frame); len(got) != 0 {
				t.Errorf("secure: a miss went out %v", got)
			}
		})
	}
}

func mapValues[K comparable, V any](m map[K]V) []V {
	var vs []V
	for _, v := range m {
		vs = append(vs, v)
	}
	return vs
}

// TestPacketOutWithRealOfctl: ovs-ofctl packet-out over the management
// socket, in both of its syntaxes, sends a frame out of port 2.
func TestPacketOutWithRealOfctl(t *testing.T) {
	frame := testFrame()
	hexFrame := hex.EncodeToString(frame)
	tests := []struct {
		name string
		args []string
		want []uint32
	}{
		{"positional", []string{"packet-out", "TARGET", "1", "output:2", hexFrame}, []uint32{2}},
		{"keywords", []string{"packet-out", "TARGET", "in_port=1 packet=" + hexFrame + " actions=output:2"}, []uint32{2}},
		{"OpenFlow13 from CONTROLLER", []string{"-O", "OpenFlow13", "packet-out", "TARGET",
			"in_port=CONTROLLER packet=" + hexFrame + " actions=output:3,output:1"}, []uint32{1, 3}},
		{"NORMAL from LOCAL floods", []string{"packet-out", "TARGET", "LOCAL", "NORMAL", hexFrame}, []uint32{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newSwitchRig(t)
			args := slices.Clone(tt.args)
			args[slices.Index(args, "TARGET")] = "unix:" + r.m.Path()
			if out, code := ofctl(t, args...); code != 0 {
				t.Fatalf("ovs-ofctl %v: exit %d: %s", args, code, out)
			}
			if got := r.egress(t, frame); !slices.Equal(got, tt.want) {
				t.Errorf("frame went out %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPacketInEncoding: what each kind of connection gets for a
// packet-in, and whether it gets it at all.
func TestPacketInEncoding(t *testing.T) {
	frame := testFrame()
	var md flowtable.Match
	md.SetExact(flowtable.FieldInPort, 4)
	md.SetExact(flowtable.FieldReg[1], 9)
	miss := ofproto.PacketIn{Reason: flowtable.ReasonNoMatch, Cookie: ^uint64(0), Metadata: md, Packet: frame, ImplicitMiss: true}
	noMatchAction := ofproto.PacketIn{Reason: flowtable.ReasonNoMatch, Table: 1, Cookie: 0x7, Metadata: md, Packet: frame}
	action := ofproto.PacketIn{Reason: flowtable.ReasonAction, Table: 3, Cookie: 0x42, Metadata: md, Packet: frame}
	explicit := ofproto.PacketIn{Reason: flowtable.ReasonAction, Metadata: md, Packet: frame, ExplicitMiss: true}
	group := ofproto.PacketIn{Reason: flowtable.ReasonGroup, Metadata: md, Packet: frame}
	ttl := ofproto.PacketIn{Reason: flowtable.ReasonInvalidTTL, Metadata: md, Packet: frame}
	otherID := ofproto.PacketIn{Reason: flowtable.ReasonAction, ControllerID: 7, Metadata: md, Packet: frame}
	ctl := func(v ofp.Version) asyncState {
		return asyncState{v: v, missSendLen: defaultMissSendLen, role: ofp.RoleEqual}
	}
	tests := []struct {
		name       string
		controller bool
		a          asyncState
		pin        ofproto.PacketIn
		drop       bool
		reason     flowtable.ControllerReason
		dataLen    int
		nxm        bool
		reg1       uint64 // 0: metadata beyond in_port not sent
	}{
		{name: "OF1.0 miss", controller: true, a: ctl(ofp.OF10), pin: miss, reason: flowtable.ReasonNoMatch, dataLen: len(frame)},
		// OVS 3.1 keeps no buffers and sends every packet whole, whatever
		// miss_send_len and the action's max_len say.
		{name: "miss_send_len does not cut a miss", controller: true, a: asyncState{v: ofp.OF12, missSendLen: 30}, pin: miss,
			reason: flowtable.ReasonNoMatch, dataLen: len(frame), reg1: 9},
		{name: "max_len does not cut an action", controller: true, a: ctl(ofp.OF13), pin: action, reason: flowtable.ReasonAction, dataLen: len(frame), reg1: 9},
		{name: "NXM", controller: true, a: asyncState{v: ofp.OF10, format: ofp.PacketInNXM, missSendLen: 128}, pin: action,
			reason: flowtable.ReasonAction, dataLen: len(frame), nxm: true, reg1: 9},
		{name: "table-miss flow reads action in OF1.0", controller: true, a: ctl(ofp.OF10), pin: explicit,
			reason: flowtable.ReasonAction, dataLen: len(frame)},
		{name: "table-miss flow reads no_match in OF1.3", controller: true, a: ctl(ofp.OF13), pin: explicit,
			reason: flowtable.ReasonNoMatch, dataLen: len(frame), reg1: 9},
		{name: "a controller action's no_match is no miss", controller: true, a: asyncState{v: ofp.OF13, missSendLen: 30},
			pin: noMatchAction, reason: flowtable.ReasonNoMatch, dataLen: len(frame), reg1: 9},
		{name: "group reads action before OF1.4", controller: true, a: ctl(ofp.OF13), pin: group,
			reason: flowtable.ReasonAction, dataLen: len(frame), reg1: 9},
		{name: "group reads group from OF1.4", controller: true, a: ctl(ofp.OF14), pin: group,
			reason: flowtable.ReasonGroup, dataLen: len(frame), reg1: 9},
		{name: "invalid TTL not asked for", controller: true, a: ctl(ofp.OF10), pin: ttl, drop: true},
		{name: "invalid TTL asked for", controller: true, a: asyncState{v: ofp.OF10, missSendLen: 128, invalidTTL: true},
			pin: ttl, reason: flowtable.ReasonInvalidTTL, dataLen: len(frame)},
		{name: "secondary controller", controller: true, a: asyncState{v: ofp.OF13, missSendLen: 128, role: ofp.RoleSlave}, pin: miss, drop: true},
		{name: "another controller id", controller: true, a: ctl(ofp.OF13), pin: otherID, drop: true},
		{name: "ovs-ofctl that did not ask", a: asyncState{v: ofp.OF10}, pin: miss, drop: true},
		{name: "ovs-ofctl monitor", a: asyncState{v: ofp.OF10, missSendLen: 0xffff}, pin: miss,
			reason: flowtable.ReasonNoMatch, dataLen: len(frame)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &session{controller: tt.controller}
			tt.a.cfg = ofp.DefaultAsyncConfig(tt.a.v)
			if tt.a.invalidTTL {
				tt.a.cfg.Primary[ofp.AsyncPacketIn] |= 1 << flowtable.ReasonInvalidTTL
			}
			if got := s.wants(&tt.a, &tt.pin); got == tt.drop {
				t.Fatalf("wants = %v", got)
			}
			if tt.drop {
				return
			}
			raw, err := packetIn(&tt.a, &tt.pin)
			if err != nil {
				t.Fatal(err)
			}
			_, msg, err := ofp.Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			got := msg.(*ofp.PacketIn)
			if got.Reason != uint8(tt.reason) || len(got.Data) != tt.dataLen || !bytes.Equal(got.Data, frame[:tt.dataLen]) ||
				int(got.TotalLen) != len(frame) || got.BufferID != ofp.NoBuffer || got.NXM != tt.nxm {
				t.Errorf("packet-in reason %d data %d bytes total %d buffer %#x nxm %v", got.Reason, len(got.Data),
					got.TotalLen, got.BufferID, got.NXM)
			}
			if in := flowtable.FieldInPort.Get(&got.Match.Key); in != 4 {
				t.Errorf("in_port %d", in)
			}
			if r := flowtable.FieldReg[1].Get(&got.Match.Key); r != tt.reg1 {
				t.Errorf("reg1 %d, want %d", r, tt.reg1)
			}
		})
	}
}

// TestMonitorWithRealOfctl: "ovs-ofctl monitor SWITCH MISS-LEN" on the
// management socket sees table misses as packet-ins, as with OVS.
func TestMonitorWithRealOfctl(t *testing.T) {
	path := testutil.RequireCommand(t, "ovs-ofctl")
	for _, tc := range []struct {
		opts   []string
		format ofp.PacketInFormat
		msg    string
	}{
		// Unasked, ovs-ofctl asks for NXT_PACKET_IN2, which govs (as OVS)
		// grants.
		{nil, ofp.PacketInNX2, "NXT_PACKET_IN2"},
		{[]string{"-P", "nxt_packet_in"}, ofp.PacketInNXM, "NXT_PACKET_IN"},
	} {
		opts := tc.opts
		t.Run(strings.Join(append([]string{"monitor"}, opts...), " "), func(t *testing.T) {
			r := newSwitchRig(t)
			r.b.FlushFlows()
			cmd := exec.Command(path, append(opts, "monitor", "unix:"+r.m.Path(), "65534")...)
			// ovs-ofctl monitor opens a control socket in its run directory.
			cmd.Env = append(cmd.Environ(), "OVS_RUNDIR="+t.TempDir())
			// It prints packet-ins to stdout or stderr depending on the
			// build; read both, one line at a time.
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer pr.Close()
			cmd.Stdout, cmd.Stderr = pw, pw
			err = cmd.Start()
			pw.Close()
			if err != nil {
				t.Fatal(err)
			}
			defer cmd.Wait()
			defer cmd.Process.Kill()
			lines := make(chan string, 16)
			go func() {
				sc := bufio.NewScanner(pr)
				for sc.Scan() {
					if strings.Contains(sc.Text(), "PACKET_IN") {
						lines <- sc.Text()
					}
				}
			}()
			// ovs-ofctl speaks OpenFlow 1.0 and asks for its format.
			waitUntil(t, "the monitor's set_config and packet-in format", func() bool {
				r.m.mu.Lock()
				defer r.m.mu.Unlock()
				for s := range r.m.sessions {
					if a := s.async.Load(); a != nil && a.missSendLen == 65534 && a.format == tc.format {
						return true
					}
				}
				return false
			})
			r.inject(t, 1, testFrame())
			want := fmt.Sprintf("%s (xid=0x0): total_len=%d in_port=1 (via no_match) data_len=%d (unbuffered)",
				tc.msg, len(testFrame()), len(testFrame()))
			select {
			case line := <-lines:
				if line != want {
					t.Errorf("monitor printed %q, want %q", line, want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the monitor printed nothing")
			}
		})
	}
}

// TestPacketInReasonBits: a packet-in is masked by the bit of OVS's own
// reason: a packet no flow matched by the implicit-miss bit, a table-miss
// flow's by the explicit-miss bit, and a controller action's no_match by
// no_match's bit, as ofconn_receives_async_msg does.
func TestPacketInReasonBits(t *testing.T) {
	implicit := ofproto.PacketIn{Reason: flowtable.ReasonNoMatch, ImplicitMiss: true}
	explicit := ofproto.PacketIn{Reason: flowtable.ReasonAction, ExplicitMiss: true}
	noMatch := ofproto.PacketIn{Reason: flowtable.ReasonNoMatch}
	tests := []struct {
		name string
		bit  uint
		pin  ofproto.PacketIn
		want bool
	}{
		{"implicit miss by its bit", ofp.PinReasonImplicitMiss, implicit, true},
		{"implicit miss not by no_match", uint(flowtable.ReasonNoMatch), implicit, false},
		{"explicit miss by its bit", ofp.PinReasonExplicitMiss, explicit, true},
		{"explicit miss not by action", uint(flowtable.ReasonAction), explicit, false},
		{"no_match action by no_match", uint(flowtable.ReasonNoMatch), noMatch, true},
		{"no_match action not by implicit miss", ofp.PinReasonImplicitMiss, noMatch, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &session{controller: true}
			a := asyncState{v: ofp.OF13, role: ofp.RoleEqual}
			a.cfg.Primary[ofp.AsyncPacketIn] = 1 << tt.bit
			if got := s.wants(&a, &tt.pin); got != tt.want {
				t.Errorf("wants = %v, want %v", got, tt.want)
			}
		})
	}
}
