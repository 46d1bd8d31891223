package flowtable

import (
	"strconv"
	"strings"
)

// Action is one OpenFlow action or instruction, as Open vSwitch holds it
// internally (its "ofpacts"). Every action is a pointer to one of the
// concrete struct types in this file, action_learn.go or action_ct.go; the
// set is closed (the interface has an unexported method), so an interpreter
// dispatches with a type switch, which compiles to a comparison of type
// words with no map lookup or virtual call per action, and each case gets
// the action's fields with their real types instead of a union to decode.
type Action interface {
	// appendText writes the action in ovs-ofctl syntax.
	appendText(b *strings.Builder, names PortNamer)
}

// Actions is an action list in execution order. An empty list drops the
// packet.
type Actions []Action

// Output sends the packet to a port. Port is never [PortController]
// (that is [Controller]) and never a register (that is [OutputReg]).
type Output struct{ Port Port }

// OutputTrunc sends the packet to a port, truncated to MaxLen bytes:
// "output(port=P,max_len=N)".
type OutputTrunc struct {
	Port   Port
	MaxLen uint32
}

// OutputReg sends the packet to the port number held in a subfield:
// "output:NXM_NX_REG0[0..15]".
type OutputReg struct{ Src Subfield }

// Controller sends the packet to the OpenFlow controllers as a packet-in.
type Controller struct {
	MaxLen   uint16 // bytes of the packet to send; 65535 means all
	Reason   ControllerReason
	ID       uint16 // controller connection id; 0 means all
	Userdata []byte // opaque bytes passed along with the packet-in
	Pause    bool   // freeze the pipeline until the controller resumes it
	MeterID  uint32 // meter to apply to the packet-ins; 0 for none
}

// IsOutput reports whether the action is, as OVS holds it, an output to
// the CONTROLLER port (printed "CONTROLLER:max_len"): one with nothing but
// a max_len. Its packet-in's reason then says where the output ran (a
// group bucket, the action set, a packet-out) rather than "action".
func (a *Controller) IsOutput() bool {
	return a.Reason == ReasonAction && a.ID == 0 && len(a.Userdata) == 0 && !a.Pause && a.MeterID == 0
}

// ControllerReason is the packet-in reason a controller action reports.
type ControllerReason uint8

// Packet-in reasons, numbered as OpenFlow does, then OVS's two internal
// ones: the packet-in of a table-miss flow (which OpenFlow 1.3 and later
// report as no_match, earlier versions as action) and of a miss with no
// such flow. A controller action may carry them; their name is empty.
const (
	ReasonNoMatch ControllerReason = iota
	ReasonAction
	ReasonInvalidTTL
	ReasonActionSet
	ReasonGroup
	ReasonPacketOut
	ReasonExplicitMiss
	ReasonImplicitMiss
)

var controllerReasonNames = [...]string{
	ReasonNoMatch:      "no_match",
	ReasonAction:       "action",
	ReasonInvalidTTL:   "invalid_ttl",
	ReasonActionSet:    "action_set",
	ReasonGroup:        "group",
	ReasonPacketOut:    "packet_out",
	ReasonExplicitMiss: "",
	ReasonImplicitMiss: "",
}

// String returns the reason's name in ovs-ofctl syntax: empty for OVS's
// two internal reasons, the number for a reason past them.
func (r ControllerReason) String() string {
	if int(r) < len(controllerReasonNames) {
		return controllerReasonNames[r]
	}
	return strconv.Itoa(int(r))
}

// Enqueue outputs the packet to a port through one of its queues.
type Enqueue struct {
	Port  Port
	Queue uint32
}

// SetVLANVID sets the 802.1Q VLAN id, pushing a tag first if the packet has
// none (OVS's mod_vlan_vid).
type SetVLANVID struct{ VID uint16 }

// SetVLANPCP sets the 802.1Q priority, pushing a tag first if needed.
type SetVLANPCP struct{ PCP uint8 }

// StripVLAN pops the outermost VLAN tag. Pop selects the OpenFlow 1.1+
// spelling "pop_vlan" over OpenFlow 1.0's "strip_vlan", as OVS keeps it.
type StripVLAN struct{ Pop bool }

// PushVLAN pushes a VLAN tag with the given TPID (0x8100 or 0x88a8).
type PushVLAN struct{ EthType uint16 }

// SetEthSrc sets the Ethernet source address (mod_dl_src).
type SetEthSrc struct{ MAC [6]byte }

// SetEthDst sets the Ethernet destination address (mod_dl_dst).
type SetEthDst struct{ MAC [6]byte }

// SetIPv4Src sets the IPv4 source address (mod_nw_src).
type SetIPv4Src struct{ Addr [4]byte }

// SetIPv4Dst sets the IPv4 destination address (mod_nw_dst).
type SetIPv4Dst struct{ Addr [4]byte }

// SetIPTOS sets the DSCP bits of the IP TOS byte (mod_nw_tos). TOS is the
// whole byte with the ECN bits zero, as OVS writes it.
type SetIPTOS struct{ TOS uint8 }

// SetIPECN sets the ECN bits of the IP TOS byte (mod_nw_ecn).
type SetIPECN struct{ ECN uint8 }

// SetIPTTL sets the IP TTL or hop limit (mod_nw_ttl).
type SetIPTTL struct{ TTL uint8 }

// SetL4Src sets the TCP, UDP or SCTP source port (mod_tp_src).
type SetL4Src struct{ Port uint16 }

// SetL4Dst sets the TCP, UDP or SCTP destination port (mod_tp_dst).
type SetL4Dst struct{ Port uint16 }

// DecTTL decrements the IP TTL; a packet whose TTL reaches zero goes to the
// controllers in IDs instead, as an invalid_ttl packet-in. A nil IDs is the
// plain "dec_ttl" form, which means controller 0.
type DecTTL struct{ IDs []uint16 }

// SetField writes Value into the bits of Field selected by Mask. Value and
// Mask are big-endian and Field.Bytes() long; Mask is never nil and Value
// has no bits outside Mask. Load records that the action is printed in NXM
// "load:" form, one load per run of contiguous mask bits (at most 64 bits
// each), rather than as "set_field:"; OVS keeps the same distinction.
type SetField struct {
	Field       *Field
	Value, Mask []byte
	Load        bool
}

// Move copies Src into Dst; both have the same width.
type Move struct{ Src, Dst Subfield }

// StackPush pushes a subfield onto the action stack (push:F[..]).
type StackPush struct{ Src Subfield }

// StackPop pops the top of the action stack into a subfield (pop:F[..]).
type StackPop struct{ Dst Subfield }

// NoTable is Resubmit.Table when the current table is meant.
const NoTable = 255

// Resubmit looks the packet up again, as if it had arrived on InPort
// (PortInPort: unchanged), in Table (NoTable: the current one). CT uses the
// connection's original-direction tuple for the lookup.
type Resubmit struct {
	InPort Port
	Table  uint8
	CT     bool
}

// GotoTable is the OpenFlow 1.1+ goto_table instruction.
type GotoTable struct{ Table uint8 }

// WriteMetadata is the write_metadata instruction: metadata =
// metadata&^Mask | Value&Mask.
type WriteMetadata struct{ Value, Mask uint64 }

// ClearActions is the clear_actions instruction.
type ClearActions struct{}

// WriteActions is the write_actions instruction: Actions are merged into
// the action set.
type WriteActions struct{ Actions Actions }

// SetTunnel sets the tunnel id. Wide selects the set_tunnel64 spelling,
// which OVS also uses for any id above 32 bits.
type SetTunnel struct {
	ID   uint64
	Wide bool
}

// SetQueue selects the output queue for later outputs.
type SetQueue struct{ ID uint32 }

// PopQueue restores the queue the packet arrived with.
type PopQueue struct{}

// Group passes the packet to a group.
type Group struct{ ID uint32 }

// Meter is the OpenFlow 1.3+ meter instruction.
type Meter struct{ ID uint32 }

// MaxMeterID is the highest meter an action may name (OpenFlow 1.3's
// OFPM_MAX); the ids above it name the switch's own meters.
const MaxMeterID = 0xffff0000

// Note does nothing; it carries bytes for the controller's benefit. Data
// is already padded with zeros as OVS pads it on the wire.
type Note struct{ Data []byte }

// Conjunction marks the flow as clause Clause (1-based) of NClauses of
// conjunctive match ID.
type Conjunction struct {
	ID       uint32
	Clause   uint8
	NClauses uint8
}

// DeleteField removes a Geneve option (a tun_metadataN field) from the
// packet's tunnel metadata.
type DeleteField struct{ Field *Field }

// CTClear clears the packet's connection tracking state.
type CTClear struct{}

// Exit stops executing actions.
type Exit struct{}

// DecMPLSTTL decrements the MPLS TTL.
type DecMPLSTTL struct{}

// SetMPLSLabel sets the outermost MPLS label.
type SetMPLSLabel struct{ Label uint32 }

// SetMPLSTC sets the outermost MPLS traffic class.
type SetMPLSTC struct{ TC uint8 }

// SetMPLSTTL sets the outermost MPLS TTL.
type SetMPLSTTL struct{ TTL uint8 }

// PushMPLS pushes an MPLS label stack entry; EthType is 0x8847 or 0x8848.
type PushMPLS struct{ EthType uint16 }

// PopMPLS pops an MPLS label; EthType is the ethertype of what follows.
type PopMPLS struct{ EthType uint16 }

// FinTimeout changes the flow's timeouts once a TCP FIN or RST is seen;
// zero leaves a timeout unchanged.
type FinTimeout struct{ IdleTimeout, HardTimeout uint16 }

// Sample samples packets to an IPFIX collector set.
type Sample struct {
	Probability    uint16 // packets sampled out of 65535
	CollectorSetID uint32
	ObsDomainID    uint32
	ObsPointID     uint32
	SamplingPort   Port // PortNone when unset
	Direction      SampleDirection
}

// SampleDirection tells an IPFIX exporter where a sample was taken.
type SampleDirection uint8

// Sample directions.
const (
	SampleDefault SampleDirection = iota
	SampleIngress
	SampleEgress
)

// CheckPktLarger stores in the 1-bit Dst whether the packet is longer than
// PktLen bytes.
type CheckPktLarger struct {
	PktLen uint16
	Dst    Subfield
}

// Clone runs Actions on a copy of the packet; changes do not leak out.
type Clone struct{ Actions Actions }

// Multipath hashes the flow and stores a link number in Dst.
type Multipath struct {
	Fields    HashFields
	Basis     uint16
	Algorithm MultipathAlgorithm
	MaxLink   uint16 // number of links minus one
	Arg       uint32
	Dst       Subfield
}

// HashFields selects the header fields a multipath or bundle hash covers.
type HashFields uint8

// Hash field sets, with OVS's names in hashFieldNames.
const (
	HashEthSrc HashFields = iota
	HashSymmetricL4
	HashSymmetricL3L4
	HashSymmetricL3L4UDP
	HashNwSrc
	HashNwDst
	HashSymmetricL3
)

var hashFieldNames = [...]string{
	HashEthSrc:           "eth_src",
	HashSymmetricL4:      "symmetric_l4",
	HashSymmetricL3L4:    "symmetric_l3l4",
	HashSymmetricL3L4UDP: "symmetric_l3l4+udp",
	HashNwSrc:            "nw_src",
	HashNwDst:            "nw_dst",
	HashSymmetricL3:      "symmetric_l3",
}

// MultipathAlgorithm chooses how a hash maps onto links.
type MultipathAlgorithm uint8

// Multipath algorithms.
const (
	MultipathModuloN MultipathAlgorithm = iota
	MultipathHashThreshold
	MultipathHRW
	MultipathIterHash
)

var multipathAlgorithmNames = [...]string{
	MultipathModuloN:       "modulo_n",
	MultipathHashThreshold: "hash_threshold",
	MultipathHRW:           "hrw",
	MultipathIterHash:      "iter_hash",
}

// BundleAlgorithm chooses a bundle member.
type BundleAlgorithm uint8

// Bundle algorithms.
const (
	BundleActiveBackup BundleAlgorithm = iota
	BundleHRW
)

var bundleAlgorithmNames = [...]string{
	BundleActiveBackup: "active_backup",
	BundleHRW:          "hrw",
}

// Bundle picks one live port of Members by hashing the flow and outputs to
// it, or, when Dst is set (bundle_load), stores the port number in Dst.
type Bundle struct {
	Fields    HashFields
	Basis     uint16
	Algorithm BundleAlgorithm
	Dst       *Subfield // nil for bundle, set for bundle_load
	Members   []Port
}

// OutputsTo reports whether any action, including those nested in
// write_actions, clone and ct, outputs to port, as OVS's out_port filter
// decides it: output, truncated output, enqueue, and controller for port
// CONTROLLER. Outputs chosen at run time (through a register, bundle,
// group) do not count, as in OVS.
func (a Actions) OutputsTo(port Port) bool {
	for _, act := range a {
		switch act := act.(type) {
		case *Output:
			if act.Port == port {
				return true
			}
		case *OutputTrunc:
			if act.Port == port {
				return true
			}
		case *Enqueue:
			if act.Port == port {
				return true
			}
		case *Controller:
			if port == PortController {
				return true
			}
		case *WriteActions:
			if act.Actions.OutputsTo(port) {
				return true
			}
		case *Clone:
			if act.Actions.OutputsTo(port) {
				return true
			}
		case *CT:
			if act.Actions.OutputsTo(port) {
				return true
			}
		}
	}
	return false
}

// UsesGroup reports whether any action, including nested ones, passes the
// packet to group id (OVS's out_group filter).
func (a Actions) UsesGroup(id uint32) bool {
	for _, act := range a {
		switch act := act.(type) {
		case *Group:
			if act.ID == id {
				return true
			}
		case *WriteActions:
			if act.Actions.UsesGroup(id) {
				return true
			}
		case *Clone:
			if act.Actions.UsesGroup(id) {
				return true
			}
		}
	}
	return false
}
