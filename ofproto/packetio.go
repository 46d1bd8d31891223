package ofproto

import (
	"errors"

	"github.com/govs/govs/datapath"
	"github.com/govs/govs/flowtable"
)

// Packets in and out of the bridge: what a datapath calls when a packet
// arrives, what a controller action hands up, and packet-outs.

// Receive translates a packet that arrived on datapath port dpPort, as a
// datapath's upcall does: it parses p's frame into a flow key (filling
// p.Info for the executor), counts the packet on the port and translates
// it with side effects. It reports false, and translates nothing, for a
// port the bridge does not have.
func (b *Bridge) Receive(dpPort uint32, p *datapath.Packet) (*Translation, bool) {
	port, ok := b.PortByDP(dpPort)
	if !ok {
		return nil, false
	}
	st := port.Stats()
	st.RxPackets.Add(1)
	st.RxBytes.Add(uint64(p.Len))
	var k flowtable.Key
	p.Info = k.ParseFrame(p.Frame())
	flowtable.FieldInPort.Set(&k, uint64(port.OFPort))
	return b.Translate(&k, p.Len), true
}

// PacketIn is a packet that a controller action, a table miss or an
// invalid TTL sends to the controllers; the connection manager encodes it
// for each controller connection that wants it.
type PacketIn struct {
	Reason       flowtable.ControllerReason
	ControllerID uint16 // 0: connections that set no controller id
	Cookie       uint64 // the cookie of the flow that sent it
	Table        uint8  // the table of that flow
	Userdata     []byte
	// Metadata holds, exactly matched, in_port and every pipeline
	// metadata field that is not zero at the controller action (tunnel,
	// metadata, registers, pkt_mark, conntrack state), as OVS reports it.
	Metadata flowtable.Match
	// Packet is the whole frame as the actions before the controller
	// action left it.
	Packet []byte
	// ExplicitMiss marks a packet sent with reason action by a table-miss
	// flow (priority 0, matching everything): OpenFlow 1.3 made such a
	// flow the way to send misses, so those connections see no_match.
	ExplicitMiss bool
	// ImplicitMiss marks a packet sent because no flow matched, which
	// OVS masks apart from a controller action's no_match.
	ImplicitMiss bool
	// Continuation, for a controller(pause) action, is what a controller
	// hands back in NXT_RESUME to continue the pipeline ([Bridge.Resume]).
	Continuation *Continuation
}

// packetInMeta remembers the pipeline metadata at one controller action,
// which the datapath action does not carry.
type packetInMeta struct {
	u            *datapath.Userspace
	md           flowtable.Match
	explicitMiss bool
	implicitMiss bool
	cont         *Continuation // set for a pause
}

// packetInFields are the metadata fields a packet-in reports when they
// are not zero.
var packetInFields = func() []*flowtable.Field {
	fs := []*flowtable.Field{flowtable.FieldTunID, flowtable.FieldTunSrc, flowtable.FieldTunDst,
		flowtable.FieldMetadata, flowtable.FieldPktMark,
		flowtable.FieldCTState, flowtable.FieldCTZone, flowtable.FieldCTMark}
	for _, f := range flowtable.FieldReg {
		fs = append(fs, f)
	}
	return fs
}()

func packetInMetadata(k *flowtable.Key) flowtable.Match {
	var m flowtable.Match
	m.SetExact(flowtable.FieldInPort, flowtable.FieldInPort.Get(k))
	for _, f := range packetInFields {
		if v := f.Get(k); v != 0 {
			m.SetExact(f, v)
		}
	}
	return m
}

// PacketIn describes the packet-in that executing u, one of t's actions,
// on frame produces. Packet aliases frame: it is valid as long as frame
// is. A Userspace action t did not produce gets only in_port, from the
// end of the pipeline.
func (t *Translation) PacketIn(u *datapath.Userspace, frame []byte) PacketIn {
	pin := PacketIn{Reason: flowtable.ControllerReason(u.Reason),
		ControllerID: u.ControllerID, Cookie: u.Cookie, Table: u.Table, Userdata: u.Userdata, Packet: frame}
	for i := range t.packetIns {
		if t.packetIns[i].u == u {
			pin.Metadata, pin.ExplicitMiss, pin.ImplicitMiss, pin.Continuation = t.packetIns[i].md, t.packetIns[i].explicitMiss, t.packetIns[i].implicitMiss, t.packetIns[i].cont
			return pin
		}
	}
	pin.Metadata.SetExact(flowtable.FieldInPort, flowtable.FieldInPort.Get(&t.Final))
	return pin
}

// PacketExecutor runs datapath actions on a packet the bridge itself
// originates (a packet-out). The bridge's datapath implements it; outputs
// and upcalls go wherever the datapath sends those of received packets.
type PacketExecutor interface {
	// ExecutePacket runs t.Actions on a copy of frame; upcalls use t to
	// find their packet-in metadata.
	ExecutePacket(frame []byte, t *Translation)
}

// executorBox lets an interface value live in an atomic.Pointer.
type executorBox struct{ e PacketExecutor }

// SetPacketExecutor attaches the datapath that executes the bridge's
// packet-outs; nil detaches it.
func (b *Bridge) SetPacketExecutor(e PacketExecutor) {
	if e == nil {
		b.executor.Store(nil)
		return
	}
	b.executor.Store(&executorBox{e})
}

// Packet-out errors, named as the OpenFlow errors OVS answers with.
var (
	// ErrBadInPort: a packet-out's in_port is neither a port number
	// nor LOCAL, CONTROLLER or NONE.
	ErrBadInPort = &flowtable.FlowModError{Code: "OFPBRC_BAD_PORT"}
	// ErrNoDatapath: the bridge has no datapath to send packets with.
	ErrNoDatapath = errors.New("ofproto: bridge has no datapath attached")
)

// TranslatePacketOut translates a packet-out, as OVS's
// ofproto_packet_out does: frame, arriving from inPort (a port, LOCAL, or
// CONTROLLER or NONE for a packet the controller sources), goes through
// acts with side effects; output:TABLE sends it through the flow tables.
func (b *Bridge) TranslatePacketOut(inPort flowtable.Port, acts flowtable.Actions, frame []byte) (*Translation, error) {
	if inPort >= flowtable.PortMax && inPort != flowtable.PortLocal &&
		inPort != flowtable.PortController && inPort != flowtable.PortNone {
		return nil, ErrBadInPort
	}
	var k flowtable.Key
	k.ParseFrame(frame)
	flowtable.FieldInPort.Set(&k, uint64(inPort))
	x := b.newXlate(&k, len(frame), true, nil)
	x.inPacketOut = true
	if x.mayReceive() {
		x.runActions(acts)
	}
	return x.finish(), nil
}

// PacketOut translates a packet-out (see [Bridge.TranslatePacketOut]) and
// executes it on the bridge's datapath.
func (b *Bridge) PacketOut(inPort flowtable.Port, acts flowtable.Actions, frame []byte) error {
	box := b.executor.Load()
	if box == nil {
		return ErrNoDatapath
	}
	t, err := b.TranslatePacketOut(inPort, acts, frame)
	if err != nil {
		return err
	}
	box.e.ExecutePacket(frame, t)
	return nil
}
