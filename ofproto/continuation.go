package ofproto

import (
	"encoding/binary"
	"slices"

	"github.com/govs/govs/flowtable"
)

// Continuations: a controller(pause) action sends the packet to the
// controllers and freezes the pipeline; the packet-in carries what is
// needed to continue it (OVS's "frozen state"), and NXT_RESUME brings that
// back with the packet, which the controller may have changed, so the
// pipeline continues right after the pause. As in OVS, the datapath
// actions before the pause are executed on the packet at once; the
// resumed pipeline runs on the packet as the controller returns it, with
// the metadata and registers of the resume's match.

// Continuation is the frozen state of a paused pipeline.
type Continuation struct {
	// Bridge names the bridge instance that paused; a bridge resumes only
	// its own continuations.
	Bridge [16]byte
	// Stack holds what push actions left on the stack, top first, each
	// value as big-endian bytes.
	Stack [][]byte
	// Frames are the actions left to run, innermost flow first: the rest
	// of the flow that paused, then the rest of each flow that resubmitted
	// to it, each with its table and cookie for the packet-ins they send.
	Frames []ContinuationFrame
	// ActionSet is the action set, which runs when the resumed pipeline
	// ends.
	ActionSet flowtable.Actions
	// ODPPort is the datapath port the packet arrived on (0: none), as
	// OVS reports it.
	ODPPort uint32
}

// ContinuationFrame is what is left of one flow's actions.
type ContinuationFrame struct {
	Table   uint8
	Cookie  uint64
	Actions flowtable.Actions
}

// ErrStale is an NXT_RESUME whose continuation another bridge, or an
// earlier instance of this one, made: OVS answers it with NXR_STALE.
var ErrStale = &flowtable.FlowModError{Code: "NXR_STALE"}

// pause runs a controller(pause) action: the packet goes to the
// controllers with a continuation, and the pipeline stops; each action
// list it stops in adds what it had left to the continuation as the
// translation unwinds (runActions). A trace has no packet to send, so
// there the pipeline just stops, as OVS's ofproto/trace shows it.
func (x *xlate) pause(a *flowtable.Controller) {
	x.exit = true
	if x.tr != nil {
		return
	}
	c := &Continuation{Bridge: x.br.instance, ActionSet: slices.Clone(x.actionSet)}
	for i := len(x.stack) - 1; i >= 0; i-- {
		c.Stack = append(c.Stack, stackBytes(x.stack[i]))
	}
	if p, ok := x.ports.byOF[flowtable.Port(flowtable.FieldInPort.Get(&x.key))]; ok {
		c.ODPPort = p.DPPort
	}
	x.controller(a.Reason, a.MaxLen, a.ID, a.Userdata)
	x.res.packetIns[len(x.res.packetIns)-1].cont = c
	x.frozen = c
	x.frozenPin = x.res.packetIns[len(x.res.packetIns)-1].u
}

// closeFreeze gives a pause's packet-in the table and cookie of the flow
// the freezing ended in: OVS completes a continuation only once the
// translation has unwound to the top (or to the clone or bucket that
// holds the pause), and its packet-in reports the flow there, not the one
// that paused (table 0's in a resubmit chain; none for a packet-out).
func (x *xlate) closeFreeze() {
	if x.frozenPin != nil {
		x.frozenPin.Table, x.frozenPin.Cookie = x.table, x.cookie
		x.frozenPin = nil
	}
}

// freezeRest adds acts, the rest of an action list a pause stopped, to
// the continuation. Flows' action lists are never changed in place, so
// the continuation may share them.
func (x *xlate) freezeRest(acts flowtable.Actions) {
	if x.frozen != nil && len(acts) > 0 {
		x.frozen.Frames = append(x.frozen.Frames, ContinuationFrame{Table: x.table, Cookie: x.cookie, Actions: acts})
	}
}

// endFreeze completes a continuation at the end of a clone or a group
// bucket: a pause there freezes only the rest of the clone or bucket, and
// the actions after it go on with the packet as it was before it, as in
// OVS.
func (x *xlate) endFreeze() {
	x.closeFreeze()
	x.frozen = nil
}

// stackBytes writes a stack value (64-bit chunks, least significant
// first) as big-endian bytes.
func stackBytes(v []uint64) []byte {
	b := make([]byte, 0, 8*len(v))
	for i := len(v) - 1; i >= 0; i-- {
		b = binary.BigEndian.AppendUint64(b, v[i])
	}
	return b
}

// stackValue reads big-endian bytes back into 64-bit chunks, least
// significant first.
func stackValue(b []byte) []uint64 {
	v := make([]uint64, (len(b)+7)/8)
	for i := range v {
		end := len(b) - 8*i
		var chunk [8]byte
		copy(chunk[8-min(8, end):], b[max(0, end-8):end])
		v[i] = binary.BigEndian.Uint64(chunk[:])
	}
	return v
}

// resumeFields are the metadata an NXT_RESUME's match restores: what a
// packet-in reports (packetInFields) and in_port.
var resumeFields = append([]*flowtable.Field{flowtable.FieldInPort}, packetInFields...)

// TranslateResume continues the pipeline that c froze, with side effects,
// for frame (the packet as the controller returns it) and the metadata in
// md (in_port, registers, metadata, tunnel, pkt_mark and conntrack fields
// as the packet-in reported them or the controller changed them; fields md
// leaves out are zero). A continuation this bridge did not make is
// ErrStale.
func (b *Bridge) TranslateResume(c *Continuation, md *flowtable.Match, frame []byte) (*Translation, error) {
	if c.Bridge != b.instance {
		return nil, ErrStale
	}
	var k flowtable.Key
	k.ParseFrame(frame)
	for _, f := range resumeFields {
		f.Set(&k, f.Get(&md.Key)&f.Get(&md.Mask))
	}
	x := b.newXlate(&k, len(frame), true, nil)
	for i := len(c.Stack) - 1; i >= 0; i-- {
		x.stack = append(x.stack, stackValue(c.Stack[i]))
	}
	x.actionSet = slices.Clone(c.ActionSet)
	for i, f := range c.Frames {
		if x.exit || x.err != nil {
			// Paused again (or an exit): the frames not yet run follow
			// what the new pause left of this one.
			if x.frozen != nil {
				x.frozen.Frames = append(x.frozen.Frames, c.Frames[i:]...)
			}
			break
		}
		x.table, x.cookie = f.Table, f.Cookie
		x.runActions(f.Actions)
	}
	return x.finish(), nil
}

// Resume continues a paused pipeline (see [Bridge.TranslateResume]) and
// executes the result on frame with the bridge's datapath, as a
// packet-out is.
func (b *Bridge) Resume(c *Continuation, md *flowtable.Match, frame []byte) error {
	box := b.executor.Load()
	if box == nil {
		return ErrNoDatapath
	}
	t, err := b.TranslateResume(c, md, frame)
	if err != nil {
		return err
	}
	box.e.ExecutePacket(frame, t)
	return nil
}
