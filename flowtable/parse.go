package flowtable

import (
	"math"

	"github.com/govs/govs/internal/header"
)

// DLTypeNone is the dl_type of an 802.2 LLC frame that carries no EtherType
// (no SNAP header, or a SNAP header with a non-Ethernet OUI): Open vSwitch's
// FLOW_DL_TYPE_NONE, a length value no real EtherType can take.
const DLTypeNone = 0x05ff

// maxL4Offset bounds where a transport header may start so that its end
// (at most 60 bytes further, TCP's largest header) still fits FrameInfo's
// int16 offsets. Only a chain of IPv6 extension headers longer than 32 KB
// reaches it; such a frame is treated as truncated there.
const maxL4Offset = math.MaxInt16 - 60

// FrameInfo tells where each layer of a parsed frame starts, so the
// datapath can rewrite headers in place without parsing again. An offset
// is -1 when that layer is absent or was not parsed.
type FrameInfo struct {
	VLAN int16 // outermost 802.1Q/802.1ad tag (its TPID), as vlan_tci describes it
	MPLS int16 // first MPLS label stack entry, as mpls_lse describes it

	// L3 is the IPv4, IPv6 or ARP header; it is set only when that header
	// (with IPv6's extension headers) was valid and its fields are in the
	// key.
	L3 int16
	// L4 is the TCP, UDP, SCTP, ICMP, IGMP or ICMPv6 header; it is set only
	// when the header was complete and its fields are in the key.
	L4 int16
	// L7 is the first byte after the transport header (TCP options
	// included; the 8-byte ICMP/ICMPv6 header; SCTP's common header).
	L7 int16

	// Truncated reports that parsing stopped before the end of the headers
	// the frame announced: a header was cut short by the end of the frame
	// (or, for IP, by its length fields) or was malformed. The key holds
	// every layer before it. The parser itself counts nothing.
	Truncated bool
}

// ParseFrame fills the L2, L3 and L4 stages of k from an Ethernet frame and
// leaves the metadata stage (in_port, registers, tunnel, ct...) untouched:
// the datapath sets those. It returns where each layer starts.
//
// It extracts what Open vSwitch's flow extraction does, with the same
// choices in corner cases:
//   - vlan_tci is the outermost tag's TCI with VLANCFI set to say "tagged".
//     The wire's DEI bit lands on that same bit, so a tag's real DEI value
//     is lost. Up to two tags are parsed (OVS's other_config:vlan-limit=2):
//     the second one's TCI, also with VLANCFI, goes in the inner-tci bits; a
//     third TPID becomes dl_type. A tag is only taken when the EtherType
//     after it is in the frame too.
//     The second tag's TPID is not kept (the key has no room for it).
//   - Below 0x0600 the type field is an 802.3 length: an LLC/SNAP header
//     with OUI 0 gives dl_type, anything else is DLTypeNone.
//   - MPLS: only the first label stack entry is read; nothing beneath it.
//   - IPv4: the header length and total length are checked (not the
//     version nibble, as in OVS); a bad header leaves dl_type set and the L3
//     fields zero. Bytes past the total length are padding and ignored.
//     Later fragments carry no L4 fields.
//   - IPv6: hop-by-hop, routing, destination options, AH and fragment
//     headers are skipped to find nw_proto. A fragment header with any
//     nonzero offset/flags makes the packet a fragment; a later fragment has
//     nw_proto 44. If an extension header is cut short, the addresses stay
//     in the key (OVS pushes them first) but nw_proto, tos, ttl, frag and
//     the flow label stay zero, and FrameInfo.L3 is -1.
//   - NSH: version 0; the base and service path headers, and MD type 1's
//     context headers (MD type 1 must be exactly 24 bytes); nothing
//     beneath.
//   - ARP/RARP for IPv4 over Ethernet only; arp_op is kept only when it
//     fits in 8 bits (OVS stores it in nw_proto), otherwise it reads 0.
//   - ICMP and IGMP type and code go in tp_src and tp_dst, and so do
//     ICMPv6's. Neighbor solicitations and advertisements (code 0) add
//     nd_target and the source/target link-layer address options, of
//     either type on either message; an option repeated with a nonzero
//     address clears all ND fields, a zero-length or overlong option ends
//     the option walk keeping what was found.
//
// k's L2–L4 words are zeroed first. ParseFrame never reads outside frame
// and never panics; it does not allocate.
func (k *Key) ParseFrame(frame []byte) FrameInfo {
	clear(k[wEthDst:])
	info := FrameInfo{VLAN: -1, MPLS: -1, L3: -1, L4: -1, L7: -1}
	if len(frame) < header.EthernetSize {
		info.Truncated = true
		return info
	}
	eth := header.Ethernet(frame)
	ethType := eth.Type()
	next := header.EthernetSize // first byte after the EtherType in use

	// A tag counts only when the EtherType after it is in the frame too;
	// otherwise its TPID stays as dl_type, as in OVS.
	var tci, vlanMPLS uint64
	if header.IsVLANTPID(ethType) {
		if len(frame) < next+header.VLANSize {
			info.Truncated = true
		} else {
			outer := header.VLAN(frame[next:])
			tci = uint64(outer.TCI() | VLANCFI)
			vlanMPLS = uint64(ethType) << 48
			info.VLAN = int16(next - 2)
			ethType = outer.Type()
			next += header.VLANSize
		}
	}
	if info.VLAN >= 0 && header.IsVLANTPID(ethType) {
		if len(frame) < next+header.VLANSize {
			info.Truncated = true
		} else {
			inner := header.VLAN(frame[next:])
			vlanMPLS |= uint64(inner.TCI()|VLANCFI) << 32
			ethType = inner.Type()
			next += header.VLANSize
		}
	}
	if ethType < header.EtherTypeMin {
		ethType, next = llcType(frame, next)
	}
	k[wEthDst] = eth.Dst()<<16 | uint64(ethType)
	k[wEthSrc] = eth.Src()<<16 | tci
	k[wVLANMPLS] = vlanMPLS

	switch ethType {
	case header.EtherTypeIPv4:
		k.parseIPv4(frame, next, &info)
	case header.EtherTypeIPv6:
		k.parseIPv6(frame, next, &info)
	case header.EtherTypeARP, header.EtherTypeRARP:
		k.parseARP(frame, next, &info)
	case header.EtherTypeNSH:
		k.parseNSH(frame, next, &info)
	case header.EtherTypeMPLSUnicast, header.EtherTypeMPLSMulticast:
		if len(frame) < next+header.MPLSLabelSize {
			info.Truncated = true
			break
		}
		k[wVLANMPLS] |= uint64(header.MPLSLabel(frame[next:]).LSE())
		info.MPLS = int16(next)
	}
	return info
}

// llcType returns the dl_type of an 802.3 frame whose LLC header starts at
// off, and where the payload after it starts.
func llcType(frame []byte, off int) (ethType uint16, next int) {
	if len(frame) < off+header.LLCSNAPSize {
		return DLTypeNone, off
	}
	snap := header.LLCSNAP(frame[off:])
	if !snap.IsEthernetSNAP() || snap.Type() < header.EtherTypeMin {
		return DLTypeNone, off
	}
	return snap.Type(), off + header.LLCSNAPSize
}

// parseIPv4 fills the L3 stage from the IPv4 header at off, then L4.
func (k *Key) parseIPv4(frame []byte, off int, info *FrameInfo) {
	ip := header.IPv4(frame[off:])
	if !ip.IsValid() {
		info.Truncated = true
		return
	}
	ip = ip[:ip.TotalLength()] // the rest is link padding, not payload

	var frag uint64
	if ff := ip.FlagsFragmentOffset(); ff&(header.IPv4MoreFragments|header.IPv4FragOffsetMask) != 0 {
		frag = FragAny
		if ff&header.IPv4FragOffsetMask != 0 {
			frag |= FragLater
		}
	}
	proto := ip.Protocol()
	k[wIPv4] = ip.Addresses()
	k[wIPMisc] = uint64(proto)<<24 | uint64(ip.TOS())<<16 | uint64(ip.TTL())<<8 | frag
	info.L3 = int16(off)
	if frag&FragLater == 0 {
		hlen := ip.HeaderLength()
		k.parseTransport(ip[hlen:], proto, off+hlen, info)
	}
}

// parseIPv6 fills the L3 stage from the IPv6 header at off, skipping
// extension headers, then L4.
func (k *Key) parseIPv6(frame []byte, off int, info *FrameInfo) {
	ip := header.IPv6(frame[off:])
	if !ip.IsValid() {
		info.Truncated = true
		return
	}
	ip = ip[:header.IPv6MinimumSize+int(ip.PayloadLength())] // drop link padding
	k[wIPv6SrcHi] = ip.SrcHi()
	k[wIPv6SrcLo] = ip.SrcLo()
	k[wIPv6DstHi] = ip.DstHi()
	k[wIPv6DstLo] = ip.DstLo()

	proto := ip.NextHeader()
	l4 := header.IPv6MinimumSize
	var frag uint64
	for header.IsIPv6ExtensionHeader(proto) {
		if len(ip) < l4+header.IPv6ExtensionMinimumSize {
			info.Truncated = true
			return
		}
		ext := header.IPv6Extension(ip[l4:])
		extLen := ext.Length(proto)
		if len(ip) < l4+extLen {
			info.Truncated = true
			return
		}
		if proto == header.IPProtoFragment {
			// An atomic fragment (all zero) is a whole datagram.
			if ff := ext.FragmentOffsetFlags(); ff != 0 {
				frag = FragAny
				if ff&header.IPv6FragOffsetMask != 0 {
					// Later fragments stop here: what follows is not
					// a header, and nw_proto stays "fragment".
					frag |= FragLater
					break
				}
			}
		}
		proto = ext.NextHeader()
		l4 += extLen
		if off+l4 > maxL4Offset {
			info.Truncated = true
			return
		}
	}

	info.L3 = int16(off)
	vcl := ip.VersionClassLabel()
	k[wIPMisc] = uint64(vcl&0xfffff)<<32 | uint64(proto)<<24 | uint64(uint8(vcl>>20))<<16 |
		uint64(ip.HopLimit())<<8 | frag
	if frag&FragLater == 0 {
		k.parseTransport(ip[l4:], proto, off+l4, info)
	}
}

// parseARP fills arp_op, the protocol and hardware addresses from the ARP
// packet at off, when it is IPv4 over Ethernet.
func (k *Key) parseARP(frame []byte, off int, info *FrameInfo) {
	if len(frame) < off+header.ARPEthIPv4Size {
		info.Truncated = true
		return
	}
	arp := header.ARP(frame[off:])
	if !arp.IsEthIPv4() {
		return
	}
	k[wIPv4] = uint64(arp.SenderIP())<<32 | uint64(arp.TargetIP())
	if op := arp.Op(); op <= math.MaxUint8 {
		k[wIPMisc] = uint64(op) << 32
	}
	k[wARPSha] = arp.SenderHW() << 16
	k[wARPTha] = arp.TargetHW() << 16
	info.L3 = int16(off)
}

// parseNSH fills the NSH fields from a Network Service Header at off, as
// OVS does: version 0 only, with a length that fits the frame and suits
// the MD type (exactly the 24 bytes of MD type 1, at least the base for
// the others, whose context is not kept); anything else leaves the fields
// zero. Nothing beneath the header is parsed.
func (k *Key) parseNSH(frame []byte, off int, info *FrameInfo) {
	if len(frame) < off+header.NSHBaseSize {
		info.Truncated = true
		return
	}
	nsh := header.NSH(frame[off:])
	n := nsh.Len()
	if nsh.Version() != 0 || len(nsh) < n {
		return
	}
	md := nsh.MDType()
	switch {
	case md == header.NSHMDType1:
		if n != header.NSHMD1Size {
			return
		}
		k[wNSHC1] = uint64(nsh.Context(0))<<32 | uint64(nsh.Context(1))
		k[wNSHC3] = uint64(nsh.Context(2))<<32 | uint64(nsh.Context(3))
	case n < header.NSHBaseSize:
		return
	}
	k[wNSH] = uint64(nsh.Flags())<<56 | uint64(nsh.TTL())<<48 | uint64(md)<<40 |
		uint64(nsh.NextProto())<<32 | uint64(nsh.SPI())<<8 | uint64(nsh.SI())
	info.L3 = int16(off)
}

// parseTransport fills the L4 stage from the transport header l4 (cut at
// the end of the IP payload) that starts at frame offset off. As in OVS,
// the protocol is read whatever the IP version, so ICMPv4 in IPv6 or
// ICMPv6 in IPv4 still give a type and code.
func (k *Key) parseTransport(l4 []byte, proto uint8, off int, info *FrameInfo) {
	switch proto {
	case header.IPProtoTCP:
		tcp := header.TCP(l4)
		if len(l4) < header.TCPMinimumSize || tcp.DataOffset() < header.TCPMinimumSize || tcp.DataOffset() > len(l4) {
			break
		}
		k[wL4] = uint64(tcp.Ports().Both())<<32 | uint64(tcp.Flags())<<16
		info.setL4(off, tcp.DataOffset())
		return
	case header.IPProtoUDP:
		if len(l4) < header.UDPSize {
			break
		}
		k[wL4] = uint64(header.Ports(l4).Both()) << 32
		info.setL4(off, header.UDPSize)
		return
	case header.IPProtoSCTP:
		if len(l4) < header.SCTPCommonSize {
			break
		}
		k[wL4] = uint64(header.Ports(l4).Both()) << 32
		info.setL4(off, header.SCTPCommonSize)
		return
	case header.IPProtoICMP, header.IPProtoIGMP, header.IPProtoICMPv6:
		if len(l4) < header.ICMPSize {
			break
		}
		icmp := header.ICMP(l4)
		k[wL4] = uint64(icmp.Type())<<48 | uint64(icmp.Code())<<32
		info.setL4(off, header.ICMPSize)
		if proto == header.IPProtoICMPv6 && icmp.Code() == 0 &&
			(icmp.Type() == header.ICMPv6NeighborSolicit || icmp.Type() == header.ICMPv6NeighborAdvert) {
			k.parseND(l4[header.ICMPSize:], info)
		}
		return
	default:
		return
	}
	info.Truncated = true
}

// setL4 records a transport header of hlen bytes at off.
func (info *FrameInfo) setL4(off, hlen int) {
	info.L4 = int16(off)
	info.L7 = int16(off + hlen)
}

// parseND fills nd_target and nd_sll/nd_tll (in the arp_sha/arp_tha words)
// from the body of a neighbor solicitation or advertisement.
func (k *Key) parseND(body []byte, info *FrameInfo) {
	if len(body) < header.NDTargetSize {
		info.Truncated = true
		return
	}
	nd := header.ND(body)
	var sll, tll uint64
	for opts := nd.Options(); len(opts) >= header.NDOptionMinSize; {
		opt := header.NDOption(opts)
		n := opt.Length()
		if n == 0 || n > len(opts) {
			// OVS ends the walk here but keeps what it found.
			info.Truncated = true
			break
		}
		if n == header.NDOptionMinSize {
			// A second option of a kind already seen makes the message
			// invalid for OVS, which then reports no ND field at all. It
			// tells "seen" by a nonzero address, so a zero one may repeat.
			switch opt.Type() {
			case header.NDOptionSourceLinkAddr:
				if sll != 0 {
					info.Truncated = true
					return
				}
				sll = opt.LinkAddr()
			case header.NDOptionTargetLinkAddr:
				if tll != 0 {
					info.Truncated = true
					return
				}
				tll = opt.LinkAddr()
			}
		}
		opts = opts[n:]
	}
	k[wNDTargetHi] = nd.TargetHi()
	k[wNDTargetLo] = nd.TargetLo()
	k[wARPSha] = sll << 16
	k[wARPTha] = tll << 16
}
