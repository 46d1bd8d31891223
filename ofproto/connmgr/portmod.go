package connmgr

import (
	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// OpenFlow port config bits (OFPPC_*) that govs acts on.
const portDown = 1 << 0 // OFPPC_PORT_DOWN: administratively down

// portMod applies a port_mod as OVS does: the port must exist and the
// hardware address must be the port's; the config bits under the mask are
// replaced, and a change is announced with a port status. A port that is
// administratively down is not live (fast-failover groups skip it). The
// datapath does not yet honour NO_RECV/NO_FWD/NO_FLOOD/NO_PACKET_IN; they
// are recorded and reported.
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
	mgr.mu.Lock()
	old := mgr.portConfig[m.Port]
	next := old&^m.Mask | m.Config&m.Mask
	mgr.portConfig[m.Port] = next
	mgr.mu.Unlock()
	if next == old {
		return "", false
	}
	if (old^next)&portDown != 0 {
		b.SetPortLive(p.Name, next&portDown == 0)
	}
	mgr.PortStatus(ofp.PortModified, m.Port, p.Name)
	return "", false
}

// portDesc describes a port with the config set by port_mods.
func (m *Manager) portDesc(port flowtable.Port, name string) ofp.PortDesc {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := ofp.PortDesc{Port: port, Name: name, Config: m.portConfig[port]}
	if port == flowtable.PortLocal {
		// The bridge's own port is a tap device, and the kernel's tap
		// driver reports a fixed 10 Gb/s full-duplex copper link, which
		// OVS passes on for it.
		d.Curr = localPortFeatures
		d.CurrSpeed = localPortSpeed
	}
	return d
}

// The LOCAL port's features (OpenFlow 1.1 bits 10GB_FD and COPPER) and
// current speed in kbps, as OVS reports them for a bridge's tap device.
const (
	localPortFeatures = 1<<6 | 1<<11
	localPortSpeed    = 10000000
)
