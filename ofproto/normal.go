package ofproto

import (
	"sync/atomic"

	"github.com/govs/govs/flowtable"
)

// normal is the NORMAL action: a MAC learning switch with VLANs, as OVS's
// without STP, LACP, bonds or mirrors. The VLAN a packet belongs to comes
// from its input port's configuration and tag; it is learned as (source
// MAC, VLAN) → input port, and goes to the port learned for (destination
// MAC, VLAN), or to every other port in the VLAN. Each output is tagged
// or not as the output port's configuration says.
func (x *xlate) normal() {
	for _, f := range []*flowtable.Field{flowtable.FieldInPort, flowtable.FieldEthSrc, flowtable.FieldEthDst} {
		x.unwildcard(f)
	}
	x.markVLAN()
	inPort := flowtable.Port(flowtable.FieldInPort.Get(&x.key))
	in, ok := x.ports.byOF[inPort]
	if !ok && (inPort == flowtable.PortController || inPort == flowtable.PortNone) {
		// A controller sourcing a packet (a packet-out) names one of
		// these as its ingress; OVS switches it as if from a trunk port
		// that is no port, so it floods everywhere and learns nothing.
		in, ok = controllerBundle, true
	}
	if !ok {
		x.traceNote("-> no input bundle, dropping")
		return
	}
	dst := macBytes(flowtable.FieldEthDst.Get(&x.key))
	src := macBytes(flowtable.FieldEthSrc.Get(&x.key))
	if isReservedMulticast(dst) {
		x.traceNote("-> packet has reserved destination MAC, dropping")
		return
	}
	tci := x.tci()
	vid := uint16(0)
	if tci&flowtable.VLANCFI != 0 {
		vid = tci & 0xfff
	}
	vlan, valid := in.policy.inputVLAN(vid)
	if !valid {
		if in.policy.mode == VLANModeAccess {
			x.traceNote(">>>> dropping VLAN %d tagged packet received on port %s configured as VLAN %d access port <<<<",
				vid, in.Name, in.policy.tag)
		} else {
			x.traceNote(">>>> dropping VLAN %d packet received on port %s not configured for trunking VLAN %d <<<<",
				vid, in.Name, vid)
		}
		x.traceNote(">> disallowed VLAN VID for this input port, dropping")
		return
	}
	if x.sideEffects && src[0]&1 == 0 && in != controllerBundle {
		if x.br.fdb.Learn(src, vlan, inPort, x.now) {
			x.br.changed()
		}
		x.res.macs = append(x.res.macs, MACEntry{MAC: src, VLAN: vlan, Port: inPort})
	}
	if dst[0]&1 == 0 {
		if port, ok := x.br.fdb.Lookup(dst, vlan, x.now); ok {
			if port == inPort {
				x.traceNote("-> learned port is input port, dropping")
				return
			}
			if out, ok := x.ports.byOF[port]; ok && out.policy.carries(vlan) {
				x.traceNote("-> forwarding to learned port")
				x.normalOutput(out, vlan)
				return
			}
		}
		x.traceNote("-> no learned MAC for destination, flooding")
	} else {
		x.traceNote("-> no learned MAC for destination, flooding")
	}
	for _, p := range x.ports.sorted {
		if p != in && p.policy.carries(vlan) && p.Flags()&PortNoFlood == 0 {
			x.normalOutput(p, vlan)
		}
	}
}

// controllerBundle is the input "port" of packets a controller sources:
// a trunk for every VLAN.
var controllerBundle = func() *Port {
	policy, _ := VLANConfig{}.resolve() // the default trunk cannot fail
	return &Port{Name: "CONTROLLER", OFPort: flowtable.PortController, policy: policy, flags: new(atomic.Uint32)}
}()

// normalOutput outputs the packet, in vlan, to port p, tagged as p wants:
// the VID of vlan with the packet's own priority, or untagged.
func (x *xlate) normalOutput(p *Port, vlan uint16) {
	saved := x.key
	tci := uint16(0)
	if p.policy.outputTagged(vlan) {
		pcp := uint16(0)
		if old := x.tci(); old&flowtable.VLANCFI != 0 {
			pcp = old & 0xe000
		}
		tci = vlan | pcp | flowtable.VLANCFI
	}
	if tci == 0 {
		// Untagged on the wire: the packet's outer tag, if any, goes; an
		// inner one (QinQ) stays.
		if x.tci()&flowtable.VLANCFI != 0 {
			x.setTCI(innerTCI(&x.key))
			setVLANExtra(&x.key, 0, 0)
		}
	} else if x.tci()&flowtable.VLANCFI != 0 {
		x.setTCI(tci)
	} else {
		x.pushTag(flowtable.EthTypeVLAN, tci)
	}
	x.outputTo(p, 0)
	x.key = saved
}

// isReservedMulticast reports whether mac is one of IEEE 802.1D's
// reserved group addresses 01:80:c2:00:00:00–0f, which bridges must not
// forward.
func isReservedMulticast(mac [6]byte) bool {
	return mac[0] == 0x01 && mac[1] == 0x80 && mac[2] == 0xc2 && mac[3] == 0 && mac[4] == 0 && mac[5]&0xf0 == 0
}
