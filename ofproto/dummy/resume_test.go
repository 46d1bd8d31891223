package dummy_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/dummy"
)

// pausedDP is a dummy datapath whose packet-ins are kept, as a controller
// would receive them.
type pausedDP struct {
	*dummy.Datapath
	chans map[uint32]<-chan []byte
	pins  []ofproto.PacketIn
}

// newPausedDP is newDP (OpenFlow 1.0 flows) plus flows in OpenFlow 1.5,
// collecting packet-ins.
func newPausedDP(t *testing.T, flows []string, flows15 ...string) *pausedDP {
	t.Helper()
	d, chans := newDP(t, flows...)
	b := d.Bridge()
	if len(flows) == 0 {
		b.FlushFlows()
	}
	for _, text := range flows15 {
		f, err := flowtable.ParseFlow(text, flowtable.FlowAdd, b, flowtable.OpenFlow15)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.FlowMod(f, flowtable.FlowAdd); err != nil {
			t.Fatal(err)
		}
	}
	p := &pausedDP{Datapath: d, chans: chans}
	d.SetUpcallHandler(func(pin *ofproto.PacketIn) {
		c := *pin
		c.Packet = bytes.Clone(pin.Packet)
		p.pins = append(p.pins, c)
	})
	return p
}

// takePin returns the one packet-in that arrived since the last call.
func (p *pausedDP) takePin(t *testing.T) ofproto.PacketIn {
	t.Helper()
	if len(p.pins) != 1 {
		t.Fatalf("%d packet-ins, want 1", len(p.pins))
	}
	pin := p.pins[0]
	p.pins = nil
	if pin.Continuation == nil {
		t.Fatal("packet-in of a pause without a continuation")
	}
	return pin
}

// out returns, in port order, the ports that have a frame waiting, and the
// frames.
func (p *pausedDP) out() (ports []uint32, frames map[uint32][]byte) {
	frames = map[uint32][]byte{}
	for port, ch := range p.chans {
		for len(ch) > 0 {
			frames[port] = <-ch
			ports = append(ports, port)
		}
	}
	slices.Sort(ports)
	return ports, frames
}

func TestPauseAndResume(t *testing.T) {
	d := newPausedDP(t, []string{"in_port=1,actions=controller(userdata=01.02,pause),output:2"})
	f := frame(1, 2)
	if err := d.Inject(1, f); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.out(); len(got) != 0 {
		t.Fatalf("paused packet went out %v", got)
	}
	pin := d.takePin(t)
	if !bytes.Equal(pin.Userdata, []byte{1, 2}) || pin.Reason != flowtable.ReasonAction || !bytes.Equal(pin.Packet, f) {
		t.Fatalf("packet-in %+v", pin)
	}
	if err := d.Bridge().Resume(pin.Continuation, &pin.Metadata, pin.Packet); err != nil {
		t.Fatal(err)
	}
	if got, frames := d.out(); !slices.Equal(got, []uint32{2}) || !bytes.Equal(frames[2], f) {
		t.Fatalf("resumed packet went out %v, want [2]", got)
	}
	if len(d.pins) != 0 {
		t.Fatalf("resume sent %d packet-ins", len(d.pins))
	}
}

// TestResumeNested: a pause in a resubmitted table continues that table's
// flow and then the outer flow; the stack and the registers (which the
// controller may change in the resume's match) survive, and the packet the
// controller returns is the one that goes on.
func TestResumeNested(t *testing.T) {
	d := newPausedDP(t, []string{
		"table=0,in_port=1,actions=load:0x2a->NXM_NX_REG1[],resubmit(,1),output:3",
		"table=1,cookie=0x77,actions=push:NXM_NX_REG1[0..15],controller(pause),pop:NXM_NX_REG2[0..15],resubmit(,2),mod_dl_dst:0a:00:00:00:00:77,output:2",
		"table=2,reg2=0x2a,reg3=5,actions=output:LOCAL",
	})
	if err := d.Inject(1, frame(1, 2)); err != nil {
		t.Fatal(err)
	}
	pin := d.takePin(t)
	// As from OVS, the packet-in names the outermost flow (table 0's).
	if pin.Table != 0 || pin.Cookie != 0 || flowtable.FieldReg[1].Get(&pin.Metadata.Key) != 0x2a {
		t.Fatalf("packet-in table %d cookie %#x metadata %s", pin.Table, pin.Cookie, pin.Metadata.Format(nil))
	}
	// The controller sets reg3 and changes the source address.
	pin.Metadata.SetExact(flowtable.FieldReg[3], 5)
	changed := frame(9, 2)
	if err := d.Bridge().Resume(pin.Continuation, &pin.Metadata, changed); err != nil {
		t.Fatal(err)
	}
	got, frames := d.out()
	if !slices.Equal(got, []uint32{2, 3, uint32(flowtable.PortLocal)}) {
		t.Fatalf("resumed packet went out %v, want [2 3 LOCAL]", got)
	}
	if !bytes.Equal(frames[uint32(flowtable.PortLocal)], changed) {
		t.Errorf("LOCAL got %x, want the controller's packet %x", frames[uint32(flowtable.PortLocal)], changed)
	}
	rewritten := bytes.Clone(changed)
	copy(rewritten, []byte{0x0a, 0, 0, 0, 0, 0x77})
	for _, p := range []uint32{2, 3} {
		if !bytes.Equal(frames[p], rewritten) {
			t.Errorf("port %d got %x, want %x", p, frames[p], rewritten)
		}
	}
}

// TestResumePausesAgain: a resumed pipeline that pauses again freezes the
// rest of the flow it paused in and then the frames it had not run.
func TestResumePausesAgain(t *testing.T) {
	d := newPausedDP(t, []string{
		"table=0,in_port=1,actions=resubmit(,1),output:3",
		"table=1,actions=controller(pause),controller(userdata=02,pause),output:2",
	})
	f := frame(1, 2)
	if err := d.Inject(1, f); err != nil {
		t.Fatal(err)
	}
	pin := d.takePin(t)
	if err := d.Bridge().Resume(pin.Continuation, &pin.Metadata, pin.Packet); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.out(); len(got) != 0 {
		t.Fatalf("packet went out %v before the second resume", got)
	}
	pin = d.takePin(t)
	if !bytes.Equal(pin.Userdata, []byte{2}) {
		t.Fatalf("second packet-in has userdata %x", pin.Userdata)
	}
	if err := d.Bridge().Resume(pin.Continuation, &pin.Metadata, pin.Packet); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.out(); !slices.Equal(got, []uint32{2, 3}) {
		t.Fatalf("packet went out %v, want [2 3]", got)
	}
}

// TestPauseInClone: a pause inside a clone freezes only the rest of the
// clone; what follows the clone runs at once.
func TestPauseInClone(t *testing.T) {
	d := newPausedDP(t, []string{"in_port=1,actions=clone(controller(pause),output:2),output:3"})
	if err := d.Inject(1, frame(1, 2)); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.out(); !slices.Equal(got, []uint32{3}) {
		t.Fatalf("packet went out %v, want [3]", got)
	}
	pin := d.takePin(t)
	if err := d.Bridge().Resume(pin.Continuation, &pin.Metadata, pin.Packet); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.out(); !slices.Equal(got, []uint32{2}) {
		t.Fatalf("resumed packet went out %v, want [2]", got)
	}
}

// TestResumeActionSet: the action set waits for the resume and runs when
// the resumed pipeline ends.
func TestResumeActionSet(t *testing.T) {
	d := newPausedDP(t, nil,
		"table=0,in_port=1,actions=write_actions(output:3),goto_table:1",
		"table=1,actions=controller(pause)")
	if err := d.Inject(1, frame(1, 2)); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.out(); len(got) != 0 {
		t.Fatalf("action set ran before the resume: %v", got)
	}
	pin := d.takePin(t)
	if err := d.Bridge().Resume(pin.Continuation, &pin.Metadata, pin.Packet); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.out(); !slices.Equal(got, []uint32{3}) {
		t.Fatalf("resumed packet went out %v, want [3]", got)
	}
}

func TestResumeStale(t *testing.T) {
	d := newPausedDP(t, []string{"in_port=1,actions=controller(pause),output:2"})
	if err := d.Inject(1, frame(1, 2)); err != nil {
		t.Fatal(err)
	}
	pin := d.takePin(t)
	other := newPausedDP(t, []string{"in_port=1,actions=output:2"})
	if err := other.Bridge().Resume(pin.Continuation, &pin.Metadata, pin.Packet); !errors.Is(err, ofproto.ErrStale) {
		t.Fatalf("resume on another bridge: %v, want ErrStale", err)
	}
	if err := d.Bridge().Resume(&ofproto.Continuation{}, &pin.Metadata, pin.Packet); !errors.Is(err, ofproto.ErrStale) {
		t.Fatalf("resume of an empty continuation: %v, want ErrStale", err)
	}
	if got, _ := other.out(); len(got) != 0 {
		t.Fatalf("stale resume sent the packet out %v", got)
	}
}
