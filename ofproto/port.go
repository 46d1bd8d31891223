package ofproto

import (
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/govs/govs/flowtable"
)

// VLANMode is a port's vlan_mode, as ovs-vswitchd.conf.db(5) defines it.
type VLANMode uint8

// VLAN modes. VLANModeDefault means "access if the port has a tag, trunk
// otherwise", OVS's behaviour when vlan_mode is empty.
const (
	VLANModeDefault VLANMode = iota
	VLANModeAccess
	VLANModeTrunk
	VLANModeNativeTagged
	VLANModeNativeUntagged
)

var vlanModeNames = [...]string{"", "access", "trunk", "native-tagged", "native-untagged"}

// String returns the mode's OVSDB name ("" for the default).
func (m VLANMode) String() string {
	if int(m) < len(vlanModeNames) {
		return vlanModeNames[m]
	}
	return fmt.Sprintf("VLANMode(%d)", uint8(m))
}

// ParseVLANMode parses an OVSDB vlan_mode value; "" is the default.
func ParseVLANMode(s string) (VLANMode, error) {
	for i, n := range vlanModeNames {
		if n == s {
			return VLANMode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown vlan_mode %q", s)
}

// VLANConfig is a port's VLAN configuration: the Port table's tag, trunks
// and vlan_mode columns.
type VLANConfig struct {
	Mode   VLANMode
	Tag    uint16 // the access or native VLAN; meaningful when HasTag
	HasTag bool
	Trunks []uint16 // VLANs a trunk carries; empty means all
}

// vlanPolicy is a VLANConfig resolved for the packet path.
type vlanPolicy struct {
	mode   VLANMode // never VLANModeDefault
	tag    uint16
	trunks [4096 / 64]uint64 // bit v set: VLAN v is carried
}

func (c VLANConfig) resolve() (vlanPolicy, error) {
	p := vlanPolicy{mode: c.Mode, tag: c.Tag}
	if c.HasTag && c.Tag > 4095 {
		return p, fmt.Errorf("tag %d out of range 0–4095", c.Tag)
	}
	if p.mode == VLANModeDefault {
		p.mode = VLANModeTrunk
		if c.HasTag {
			p.mode = VLANModeAccess
		}
	}
	if p.mode != VLANModeTrunk && !c.HasTag {
		// OVS treats a port whose mode needs a tag but has none as a
		// trunk.
		p.mode = VLANModeTrunk
	}
	switch {
	case p.mode == VLANModeAccess:
		p.trunks[p.tag/64] |= 1 << (p.tag % 64)
	case len(c.Trunks) == 0:
		for i := range p.trunks {
			p.trunks[i] = ^uint64(0)
		}
	default:
		for _, v := range c.Trunks {
			if v > 4095 {
				return p, fmt.Errorf("trunk VLAN %d out of range 0–4095", v)
			}
			p.trunks[v/64] |= 1 << (v % 64)
		}
		if p.mode == VLANModeNativeTagged || p.mode == VLANModeNativeUntagged {
			// The native VLAN is always carried.
			p.trunks[p.tag/64] |= 1 << (p.tag % 64)
		}
	}
	return p, nil
}

// carries reports whether the port belongs to VLAN vlan.
func (p *vlanPolicy) carries(vlan uint16) bool { return p.trunks[vlan/64]&(1<<(vlan%64)) != 0 }

// inputVLAN maps the VID a packet arrived with (0 for untagged or
// priority-tagged) to its VLAN, and reports whether the port accepts it.
func (p *vlanPolicy) inputVLAN(vid uint16) (uint16, bool) {
	switch p.mode {
	case VLANModeAccess:
		return p.tag, vid == 0
	case VLANModeNativeTagged, VLANModeNativeUntagged:
		if vid == 0 {
			return p.tag, true
		}
	}
	return vid, p.carries(vid)
}

// outputTagged reports whether a packet in VLAN vlan leaves the port with
// an 802.1Q header.
func (p *vlanPolicy) outputTagged(vlan uint16) bool {
	switch p.mode {
	case VLANModeAccess:
		return false
	case VLANModeNativeUntagged:
		return vlan != p.tag
	case VLANModeNativeTagged:
		return true
	}
	return vlan != 0
}

// PortConfig describes a port to add to a bridge.
type PortConfig struct {
	Name   string
	OFPort flowtable.Port // requested OpenFlow port number; 0 picks the lowest free one
	// DPPort is the datapath port number; 0 means the same as the
	// OpenFlow port number.
	DPPort uint32
	VLAN   VLANConfig
	// Internal marks the switch's own network device for the port (the
	// bridge's LOCAL port, and Interfaces of type "internal"). Like OVS's
	// tap devices it starts administratively down, with no link, until
	// something brings it up (mod-port up).
	Internal bool
}

// PortStats are a port's packet counters.
type PortStats struct {
	RxPackets, RxBytes, TxPackets, TxBytes atomic.Uint64
}

// Port is a port of a bridge. Its configuration is immutable; a
// reconfiguration replaces the Port (keeping its statistics, liveness and
// OpenFlow config bits).
type Port struct {
	Name   string
	OFPort flowtable.Port
	DPPort uint32
	VLAN   VLANConfig
	// Internal is PortConfig.Internal: the port is the switch's own
	// device, whose link is up exactly when the port is up.
	Internal bool

	policy vlanPolicy
	live   *atomic.Bool
	flags  *atomic.Uint32 // PortFlags, shared by the port's reconfigurations
	stats  *PortStats
}

// Live reports the port's liveness (link up), which fast_failover groups
// watch.
func (p *Port) Live() bool { return p.live.Load() }

// Stats returns the port's counters.
func (p *Port) Stats() *PortStats { return p.stats }

// portSet is an immutable snapshot of a bridge's ports; writers replace it
// whole so translations read it without locks.
type portSet struct {
	byOF   map[flowtable.Port]*Port
	byName map[string]*Port
	byDP   map[uint32]*Port
	sorted []*Port // by OpenFlow port number, the order flooding uses
}

func newPortSet(ports []*Port) *portSet {
	s := &portSet{
		byOF:   make(map[flowtable.Port]*Port, len(ports)),
		byName: make(map[string]*Port, len(ports)),
		byDP:   make(map[uint32]*Port, len(ports)),
		sorted: slices.Clone(ports),
	}
	slices.SortFunc(s.sorted, func(a, b *Port) int { return int(a.OFPort) - int(b.OFPort) })
	for _, p := range ports {
		s.byOF[p.OFPort] = p
		s.byName[p.Name] = p
		s.byDP[p.DPPort] = p
	}
	return s
}
