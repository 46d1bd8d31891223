package connmgr

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/ofproto/ofp"
)

// pauseController connects to the rig's management socket at version v,
// asks for NXT_PACKET_IN2 and installs flows where table 1 pauses inside
// a resubmit from table 0.
func pauseController(t *testing.T, r *switchRig, v ofp.Version) *testController {
	t.Helper()
	conn, err := net.Dial("unix", r.m.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := handshakeAt(t, conn, v)
	c.send(&ofp.SetConfig{MissSendLen: 0xffff})
	c.send(&ofp.SetPacketInFormat{Format: ofp.PacketInNX2})
	if v == ofp.OF10 {
		c.send(&ofp.FlowModTableID{Enable: true})
	}
	r.b.FlushFlows()
	c.flowMod("table=0,in_port=1 actions=resubmit(,1),output:3")
	c.flowMod("table=1,cookie=0x5 actions=controller(userdata=01.02,pause),output:2")
	return c
}

// pausedPacketIn waits for the packet-in2 of a pause.
func (c *testController) pausedPacketIn() *ofp.PacketIn2 {
	c.t.Helper()
	m := c.recv()
	pin, ok := m.(*ofp.PacketIn2)
	if !ok {
		c.t.Fatalf("got %#v, want a packet-in2", m)
	}
	if len(pin.Continuation) == 0 {
		c.t.Fatalf("packet-in2 of a pause without a continuation: %+v", pin)
	}
	return pin
}

// resumeOf is the NXT_RESUME a controller sends back for pin.
func resumeOf(pin *ofp.PacketIn2) *ofp.Resume {
	return &ofp.Resume{Data: pin.Data, TotalLen: pin.TotalLen, BufferID: pin.BufferID, Table: pin.Table,
		Cookie: pin.Cookie, Reason: pin.Reason, Match: pin.Match, Continuation: pin.Continuation}
}

// TestResume: a controller receives a pause's packet-in2, sends NXT_RESUME
// back, and the pipeline continues after the pause, in the paused table
// and then in the one that resubmitted to it.
func TestResume(t *testing.T) {
	frame := testFrame()
	for _, v := range []ofp.Version{ofp.OF10, ofp.OF13, ofp.OF15} {
		t.Run(v.String(), func(t *testing.T) {
			r := newSwitchRig(t)
			c := pauseController(t, r, v)
			r.inject(t, 1, frame)
			pin := c.pausedPacketIn()
			// Like OVS's, the packet-in names the outermost flow (table
			// 0's, cookie 0), not the one that paused.
			if string(pin.Userdata) != "\x01\x02" || pin.Table != 0 || pin.Cookie != 0 || len(pin.Data) != len(frame) {
				t.Fatalf("packet-in2 %+v", pin)
			}
			if got := r.egress(t, frame); len(got) != 0 {
				t.Fatalf("paused packet went out %v", got)
			}
			c.send(resumeOf(pin))
			if msgs := c.barrier(); len(msgs) != 0 {
				t.Fatalf("resume answered with %v", msgs)
			}
			if got := r.egress(t, frame); !slices.Equal(got, []uint32{2, 3}) {
				t.Fatalf("resumed packet went out %v, want [2 3]", got)
			}
		})
	}
}

// TestResumeErrors: a resume of a bad, foreign or missing continuation is
// answered with OVS's error, and the connection goes on.
func TestResumeErrors(t *testing.T) {
	r := newSwitchRig(t)
	c := pauseController(t, r, ofp.OF13)
	other := newSwitchRig(t)
	oc := pauseController(t, other, ofp.OF13)
	other.inject(t, 1, testFrame())
	foreign := oc.pausedPacketIn()

	r.inject(t, 1, testFrame())
	pin := c.pausedPacketIn()
	tests := []struct {
		name string
		cont []byte
		want ofp.ErrorCode
	}{
		{"unknown property", []byte{0x80, 0x09, 0, 4, 0, 0, 0, 0}, "OFPBPC_BAD_TYPE"},
		{"truncated property", []byte{0x80, 0x00, 0, 20, 0, 0, 0, 0}, "OFPBPC_BAD_LEN"},
		{"another bridge's", foreign.Continuation, "NXR_STALE"},
		{"none", nil, "NXR_STALE"},
	}
	for _, tt := range tests {
		m := resumeOf(pin)
		m.Continuation = tt.cont
		c.send(m)
		msgs := c.barrier()
		if len(msgs) != 1 {
			t.Fatalf("%s: answered with %v", tt.name, msgs)
		}
		if e, ok := msgs[0].(*ofp.ErrorMsg); !ok || e.Code != tt.want {
			t.Fatalf("%s: answered with %+v, want %s", tt.name, msgs[0], tt.want)
		}
	}
	if got := r.egress(t, testFrame()); len(got) != 0 {
		t.Fatalf("failed resumes sent the packet out %v", got)
	}
	// The session lives on: the real continuation still resumes.
	c.send(resumeOf(pin))
	if msgs := c.barrier(); len(msgs) != 0 {
		t.Fatalf("resume answered with %v", msgs)
	}
	if got := r.egress(t, testFrame()); !slices.Equal(got, []uint32{2, 3}) {
		t.Fatalf("resumed packet went out %v, want [2 3]", got)
	}
}

// TestMonitorResumeWithRealOfctl: real "ovs-ofctl monitor ... resume"
// prints govs' continuation in OVS's terms and resumes it, and the packet
// comes out where the rest of the pipeline sends it.
func TestMonitorResumeWithRealOfctl(t *testing.T) {
	path := testutil.RequireCommand(t, "ovs-ofctl")
	r := newSwitchRig(t)
	for _, text := range []string{"table=0,in_port=1 actions=resubmit(,1),output:3", "table=1,cookie=0x5 actions=controller(userdata=01.02,pause),output:2"} {
		f, err := flowtable.ParseFlow(text, flowtable.FlowAdd, nil, flowtable.OpenFlow10)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.b.FlowMod(f, flowtable.FlowAdd); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(path, "-O", "OpenFlow13", "-P", "nxt_packet_in2", "monitor", "unix:"+r.m.Path(), "65534", "resume")
	cmd.Env = append(cmd.Environ(), "OVS_RUNDIR="+t.TempDir())
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
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// The monitor is the only session; it asks for packet-in2.
	waitUntil(t, "the monitor's packet-in format", func() bool {
		r.m.mu.Lock()
		defer r.m.mu.Unlock()
		for s := range r.m.sessions {
			if a := s.async.Load(); a != nil && a.format == ofp.PacketInNX2 {
				return true
			}
		}
		return false
	})
	r.inject(t, 1, testFrame())
	var got []uint32
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < 2 && time.Now().Before(deadline) {
		got = append(got, r.egress(t, testFrame())...)
		time.Sleep(20 * time.Millisecond)
	}
	slices.Sort(got)
	if !slices.Equal(got, []uint32{2, 3}) {
		t.Errorf("the packet went out %v after the monitor's resume, want [2 3]", got)
	}
	cmd.Process.Kill()
	var out []string
	for l := range lines {
		out = append(out, l)
	}
	text := strings.Join(out, "\n")
	for _, want := range []string{
		"NXT_PACKET_IN2 (OF1.3) (xid=0x0): cookie=0x0 total_len=62 in_port=1 (via action) data_len=62 (unbuffered)",
		" continuation.actions=unroll_xlate(table=1, cookie=5),output:2,unroll_xlate(table=0, cookie=0),output:3",
		"send: NXT_RESUME (OF1.3) (xid=0x0):",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("monitor output lacks %q:\n%s", want, text)
		}
	}
}
