package ofproto

import (
	"fmt"

	"github.com/govs/govs/flowtable"
)

// PortFlags are a port's OpenFlow configuration bits, as port_mod sets
// them; the values are OpenFlow 1.0's OFPPC_* bits so a connection
// manager can pass them through.
type PortFlags uint32

// Port configuration bits. PortDown is reflected in the port's liveness
// (see [Bridge.SetPortLive]); the others change how packets are switched.
const (
	PortDown       PortFlags = 1 << 0 // administratively down
	PortNoSTP      PortFlags = 1 << 1 // no 802.1D spanning tree (recorded only: govs has no STP)
	PortNoRecv     PortFlags = 1 << 2 // drop what the port receives, except STP BPDUs
	PortNoRecvSTP  PortFlags = 1 << 3 // drop STP BPDUs the port receives
	PortNoFlood    PortFlags = 1 << 4 // left out of FLOOD and of NORMAL's flooding
	PortNoFwd      PortFlags = 1 << 5 // drop what is output to the port
	PortNoPacketIn PortFlags = 1 << 6 // no table-miss packet-ins for what the port receives
)

// Flags returns the port's configuration bits.
func (p *Port) Flags() PortFlags { return PortFlags(p.flags.Load()) }

// SetPortFlags replaces the named port's configuration bits. Megaflows
// depend on them, so a change bumps the bridge's generation, as OVS
// revalidates on a port reconfiguration.
func (b *Bridge) SetPortFlags(name string, flags PortFlags) error {
	p, ok := b.Port(name)
	if !ok {
		return fmt.Errorf("set config of port %s: no such port", name)
	}
	if PortFlags(p.flags.Swap(uint32(flags))) != flags {
		b.changed()
	}
	return nil
}

// stpBPDUDst is the destination of 802.1D spanning tree BPDUs.
const stpBPDUDst = 0x0180c2000000

// mayReceive reports whether the input port's configuration lets the
// packet into the pipeline: NO_RECV drops everything but STP BPDUs (802.3
// frames to the bridge group address), which NO_RECV_STP governs instead.
// Packets a controller sources (no such port) are always let in.
func (x *xlate) mayReceive() bool {
	in, ok := x.ports.byOF[flowtable.Port(flowtable.FieldInPort.Get(&x.key))]
	if !ok {
		return true
	}
	flags := in.Flags()
	if flags&(PortNoRecv|PortNoRecvSTP) == 0 {
		return true
	}
	// Which bit applies depends on the frame being a BPDU, so the
	// megaflow must tell BPDUs apart.
	x.unwildcard(flowtable.FieldEthDst)
	x.unwildcard(flowtable.FieldEthType)
	stp := flowtable.FieldEthDst.Get(&x.key) == stpBPDUDst &&
		flowtable.FieldEthType.Get(&x.key) == flowtable.DLTypeNone
	if stp {
		return flags&PortNoRecvSTP == 0
	}
	return flags&PortNoRecv == 0
}
