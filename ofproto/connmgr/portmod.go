package connmgr

import (
	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// portMod applies a port_mod as OVS does: the port must exist and the
// hardware address must be the port's; the config bits under the mask are
// replaced, and a change is announced with a port status. The bridge acts
// on the bits (ofproto.PortFlags): a port that is administratively down is
// not live (fast-failover groups skip it), and NO_RECV, NO_FWD, NO_FLOOD
// and NO_PACKET_IN change how packets are switched.
func (s *session) portMod(m *ofp.PortMod) (ofp.ErrorCode, bool) {
	if s.role == ofp.RoleSlave {
		return "OFPBRC_IS_SECONDARY", true
	}
	b := s.mgr.bridge
	p, ok := b.PortByNumber(m.Port)
	if !ok {
		return "OFPPMFC_BAD_PORT", true
	}
	if m.HWAddr != ([6]byte{}) {
		// govs' ports have no hardware address yet; OVS refuses any
		// address that is not the port's.
		return "OFPPMFC_BAD_HW_ADDR", true
	}
	mgr := s.mgr
	mgr.portModMu.Lock()
	old := p.Flags()
	next := old&^ofproto.PortFlags(m.Mask) | ofproto.PortFlags(m.Config&m.Mask)
	if next != old {
		if err := b.SetPortFlags(p.Name, next); err != nil {
			// The port went away since it was looked up.
			mgr.portModMu.Unlock()
			return "OFPPMFC_BAD_PORT", true
		}
	}
	mgr.portModMu.Unlock()
	if next == old {
		return "", false
	}
	if (old^next)&ofproto.PortDown != 0 {
		b.SetPortLive(p.Name, next&ofproto.PortDown == 0)
	}
	mgr.PortStatus(ofp.PortModified, m.Port, p.Name)
	return "", false
}

// portDesc describes a port with the config set by port_mods and its
// link state (none for a port that no longer exists).
func (m *Manager) portDesc(port flowtable.Port, name string) ofp.PortDesc {
	d := ofp.PortDesc{Port: port, Name: name}
	p, ok := m.bridge.PortByNumber(port)
	if !ok || p.Name != name {
		return d
	}
	d.Config = uint32(p.Flags())
	if !p.Live() {
		d.State = ofp.PortStateLinkDown
	}
	if p.Internal {
		// An internal port is a tap device, and the kernel's tap driver
		// reports a fixed 10 Gb/s full-duplex copper link, which OVS
		// passes on.
		d.Curr = localPortFeatures
		d.CurrSpeed = localPortSpeed
	}
	return d
}

// An internal port's features (OpenFlow 1.1 bits 10GB_FD and COPPER) and
// current speed in kbps, as OVS reports them for its tap devices.
const (
	localPortFeatures = 1<<6 | 1<<11
	localPortSpeed    = 10000000
)
