package flowtable

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Fields the registry does not name: the TPID of the outer VLAN tag and
// the TCI of the second tag. Built with the same helper as the registry so
// the tests check the parser against the documented layout.
var (
	testVLANTPID = testField(wVLANMPLS, 48, 16)
	testInnerTCI = testField(wVLANMPLS, 32, 16)
	testMPLSLSE  = testField(wVLANMPLS, 0, 32)
)

func testField(w int, shift uint, nbits int) *Field {
	f := fieldAt(w, shift, nbits)
	return &f
}

var (
	macA = net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a}
	macB = net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b}
	macC = net.HardwareAddr{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}
	macD = net.HardwareAddr{0x11, 0x22, 0x33, 0x44, 0x55, 0x66}
	ip4A = netip.MustParseAddr("192.168.1.10")
	ip4B = netip.MustParseAddr("10.0.0.2")
	ip6A = netip.MustParseAddr("2001:db8::a")
	ip6B = netip.MustParseAddr("fe80::1:2:3:b")
	ip6T = netip.MustParseAddr("2001:db8::99")
)

// fv is one expected field value: uint64 (or int), net.HardwareAddr or
// netip.Addr.
type fv struct {
	f *Field
	v any
}

// expectKey builds, through the field registry, the L2–L4 words a frame
// should parse to.
func expectKey(t *testing.T, vals []fv) Key {
	t.Helper()
	var k Key
	for _, x := range vals {
		switch v := x.v.(type) {
		case int:
			x.f.Set(&k, uint64(v))
		case net.HardwareAddr:
			x.f.SetBytes(&k, v)
		case netip.Addr:
			x.f.SetBytes(&k, v.AsSlice())
		default:
			t.Fatalf("field %s: unsupported value type %T", x.f.Name, v)
		}
	}
	return k
}

// ethL2 is the L2 part every Ethernet test frame shares.
func ethL2(ethType int) []fv {
	return []fv{{FieldEthDst, macB}, {FieldEthSrc, macA}, {FieldEthType, ethType}}
}

func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
		t.Fatalf("serialize: %v", err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func eth(t layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: macA, DstMAC: macB, EthernetType: t}
}

func ipv4(proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TOS: 0xb9, TTL: 64, Id: 7, Flags: layers.IPv4DontFragment,
		Protocol: proto, SrcIP: ip4A.AsSlice(), DstIP: ip4B.AsSlice()}
}

func ipv6(next layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, TrafficClass: 0x9a, FlowLabel: 0x12345, NextHeader: next, HopLimit: 33,
		SrcIP: ip6A.AsSlice(), DstIP: ip6B.AsSlice()}
}

// ipv4L3 and ipv6L3 are the L3 fields of ipv4() and ipv6() headers.
func ipv4L3(proto int) []fv {
	return []fv{{FieldIPSrc, ip4A}, {FieldIPDst, ip4B}, {FieldNwProto, proto}, {FieldNwTOS, 0xb9}, {FieldNwTTL, 64}}
}

func ipv6L3(proto int) []fv {
	return []fv{{FieldIPv6Src, ip6A}, {FieldIPv6Dst, ip6B}, {FieldIPv6Label, 0x12345}, {FieldNwProto, proto},
		{FieldNwTOS, 0x9a}, {FieldNwTTL, 33}}
}

func join(parts ...[]fv) []fv {
	var all []fv
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

func tcpLayer(ip gopacket.NetworkLayer) *layers.TCP {
	tcp := &layers.TCP{SrcPort: 49152, DstPort: 443, Seq: 1, SYN: true, ACK: true, NS: true, Window: 512,
		Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}}}
	_ = tcp.SetNetworkLayerForChecksum(ip)
	return tcp
}

func udpLayer(ip gopacket.NetworkLayer) *layers.UDP {
	udp := &layers.UDP{SrcPort: 5353, DstPort: 53}
	_ = udp.SetNetworkLayerForChecksum(ip)
	return udp
}

// tcpL4 and udpL4 are what tcpLayer and udpLayer parse to (TCP flags
// SYN|ACK|NS). They are functions because the Field variables are set by
// the package's init, after package-level variables.
func tcpL4() []fv {
	return []fv{{FieldTCPSrc, 49152}, {FieldTCPDst, 443}, {FieldTCPFlags, 0x100 | 0x10 | 0x02}}
}

func udpL4() []fv { return []fv{{FieldUDPSrc, 5353}, {FieldUDPDst, 53}} }

// ndOption builds a link-layer address option.
func ndOption(typ layers.ICMPv6Opt, mac net.HardwareAddr) layers.ICMPv6Option {
	return layers.ICMPv6Option{Type: typ, Data: mac}
}

// neighborSolicit builds an IPv6 neighbor solicitation for ip6T with the
// given raw option bytes.
func neighborSolicit(t testing.TB, typ uint8, opts []byte) []byte {
	ip := ipv6(layers.IPProtocolICMPv6)
	icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(typ, 0)}
	_ = icmp.SetNetworkLayerForChecksum(ip)
	body := append(make([]byte, 4), ip6T.AsSlice()...) // reserved/flags, target
	return serialize(t, eth(layers.EthernetTypeIPv6), ip, icmp, gopacket.Payload(append(body, opts...)))
}

func rawOption(typ byte, mac net.HardwareAddr) []byte { return append([]byte{typ, 1}, mac...) }

// with returns a copy of frame with b written at off.
func with(frame []byte, off int, b ...byte) []byte {
	f := append([]byte(nil), frame...)
	copy(f[off:], b)
	return f
}

// l2Header is an Ethernet header with the given type/length field.
func l2Header(typeOrLen uint16) []byte {
	h := append(append([]byte(nil), macB...), macA...)
	return binary.BigEndian.AppendUint16(h, typeOrLen)
}

type parseTest struct {
	name  string
	frame []byte
	want  []fv
	info  FrameInfo
}

// parseTests are the frames every test here (and the fuzz seed corpus)
// uses.
func parseTests(t testing.TB) []parseTest {
	none := FrameInfo{VLAN: -1, MPLS: -1, L3: -1, L4: -1, L7: -1}
	at := func(l3, l4, l7 int) FrameInfo {
		return FrameInfo{VLAN: -1, MPLS: -1, L3: int16(l3), L4: int16(l4), L7: int16(l7)}
	}
	vlanAt := func(i FrameInfo) FrameInfo { i.VLAN = 12; return i }
	truncated := func(i FrameInfo) FrameInfo { i.Truncated = true; return i }

	ip4 := ipv4(layers.IPProtocolTCP)
	tcp4 := serialize(t, eth(layers.EthernetTypeIPv4), ip4, tcpLayer(ip4), gopacket.Payload("hello"))

	ip4u := ipv4(layers.IPProtocolUDP)
	udpVLAN := serialize(t, eth(layers.EthernetTypeDot1Q),
		&layers.Dot1Q{Priority: 5, DropEligible: true, VLANIdentifier: 100, Type: layers.EthernetTypeIPv4},
		ip4u, udpLayer(ip4u), gopacket.Payload("q"))

	ip4qq := ipv4(layers.IPProtocolUDP)
	qinq := serialize(t, eth(layers.EthernetTypeQinQ),
		&layers.Dot1Q{Priority: 3, VLANIdentifier: 10, Type: layers.EthernetTypeDot1Q},
		&layers.Dot1Q{Priority: 1, VLANIdentifier: 20, Type: layers.EthernetTypeIPv4},
		ip4qq, udpLayer(ip4qq))

	threeTags := serialize(t, eth(layers.EthernetTypeDot1Q),
		&layers.Dot1Q{VLANIdentifier: 1, Type: layers.EthernetTypeDot1Q},
		&layers.Dot1Q{VLANIdentifier: 2, Type: layers.EthernetTypeDot1Q},
		&layers.Dot1Q{VLANIdentifier: 3, Type: layers.EthernetTypeIPv4}, ipv4(layers.IPProtocolTCP))

	sctp := serialize(t, eth(layers.EthernetTypeIPv4), ipv4(layers.IPProtocolSCTP),
		gopacket.Payload{0x0b, 0xb8, 0x0b, 0xb9, 0, 0, 0, 1, 0, 0, 0, 0})

	icmp4 := serialize(t, eth(layers.EthernetTypeIPv4), ipv4(layers.IPProtocolICMPv4),
		&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 4)}, gopacket.Payload("x"))

	igmp := serialize(t, eth(layers.EthernetTypeIPv4), ipv4(layers.IPProtocolIGMP),
		gopacket.Payload{0x16, 0, 0, 0, 224, 0, 0, 251})

	fragFirstIP := ipv4(layers.IPProtocolUDP)
	fragFirstIP.Flags = layers.IPv4MoreFragments
	fragFirst := serialize(t, eth(layers.EthernetTypeIPv4), fragFirstIP, udpLayer(fragFirstIP), gopacket.Payload("12345678"))

	fragLaterIP := ipv4(layers.IPProtocolUDP)
	fragLaterIP.FragOffset = 185
	fragLater := serialize(t, eth(layers.EthernetTypeIPv4), fragLaterIP, gopacket.Payload("later fragment bytes"))

	// A 60-byte minimum frame: 14 + 20 + 8 + 18 bytes of padding that
	// must not be taken as UDP payload or TCP header.
	padded := serialize(t, eth(layers.EthernetTypeIPv4), ip4u, udpLayer(ip4u))
	padded = append(padded, make([]byte, 60-len(padded))...)
	// The IP total length says 30 bytes: the TCP header is cut by the
	// datagram even though the frame (its padding) is long enough.
	tcpCutByIPLen := with(tcp4, 16, 0, 30)

	ip6 := ipv6(layers.IPProtocolTCP)
	tcp6 := serialize(t, eth(layers.EthernetTypeIPv6), ip6, tcpLayer(ip6))

	// Hop-by-hop (8) → destination options (16) → routing (8) → AH (12)
	// → UDP.
	extChain := []byte{
		60, 0, 1, 4, 0, 0, 0, 0,
		43, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		51, 0, 0, 0, 0, 0, 0, 0,
		17, 1, 0, 0, 0, 0, 1, 0x23, 0, 0, 0, 1,
		0x13, 0x88, 0x13, 0x89, 0, 8, 0, 0,
	}
	ip6ext := serialize(t, eth(layers.EthernetTypeIPv6), ipv6(layers.IPProtocolIPv6HopByHop), gopacket.Payload(extChain))
	ip6extCut := serialize(t, eth(layers.EthernetTypeIPv6), ipv6(layers.IPProtocolIPv6HopByHop), gopacket.Payload(extChain[:20]))

	frag6 := func(offFlags uint16, payload []byte) []byte {
		fh := []byte{6, 0, byte(offFlags >> 8), byte(offFlags), 0, 0, 0, 9}
		return serialize(t, eth(layers.EthernetTypeIPv6), ipv6(layers.IPProtocolIPv6Fragment), gopacket.Payload(append(fh, payload...)))
	}
	tcpHdr := tcp6[14+40:]

	ip6e := ipv6(layers.IPProtocolICMPv6)
	echo6 := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(128, 0)}
	_ = echo6.SetNetworkLayerForChecksum(ip6e)
	icmp6echo := serialize(t, eth(layers.EthernetTypeIPv6), ip6e, echo6, &layers.ICMPv6Echo{Identifier: 1, SeqNumber: 2})

	ip6na := ipv6(layers.IPProtocolICMPv6)
	naICMP := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(136, 0)}
	_ = naICMP.SetNetworkLayerForChecksum(ip6na)
	na := serialize(t, eth(layers.EthernetTypeIPv6), ip6na, naICMP, &layers.ICMPv6NeighborAdvertisement{
		Flags: 0x60, TargetAddress: ip6T.AsSlice(),
		Options: layers.ICMPv6Options{ndOption(layers.ICMPv6OptTargetAddress, macC)}})

	nsSLL := neighborSolicit(t, 135, rawOption(1, macC))
	nsBoth := neighborSolicit(t, 135, append(rawOption(2, macD), rawOption(1, macC)...))
	nsDup := neighborSolicit(t, 135, append(rawOption(1, macC), rawOption(1, macD)...))
	nsZeroThenSLL := neighborSolicit(t, 135, append(rawOption(1, make(net.HardwareAddr, 6)), rawOption(1, macD)...))
	nsZeroLenOpt := neighborSolicit(t, 135, append(rawOption(1, macC), 3, 0, 0, 0, 0, 0, 0, 0))
	nsOverlongOpt := neighborSolicit(t, 135, append(rawOption(1, macC), 3, 2, 0, 0, 0, 0, 0, 0))
	nsCode1 := with(nsSLL, 14+40+1, 1)
	nsNoTarget := serialize(t, eth(layers.EthernetTypeIPv6), ipv6(layers.IPProtocolICMPv6),
		gopacket.Payload{135, 0, 0, 0, 0, 0, 0, 0, 0x20, 0x01})

	arpLayer := func(op uint16) *layers.ARP {
		return &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6,
			ProtAddressSize: 4, Operation: op, SourceHwAddress: macA, SourceProtAddress: ip4A.AsSlice(),
			DstHwAddress: macC, DstProtAddress: ip4B.AsSlice()}
	}
	arpReq := serialize(t, eth(layers.EthernetTypeARP), arpLayer(1))
	rarp := serialize(t, eth(0x8035), arpLayer(3))
	arpWideOp := serialize(t, eth(layers.EthernetTypeARP), arpLayer(0x0101))
	arpNotIPv4 := with(arpReq, 14+1, 6)
	arpL3 := []fv{{FieldARPSPA, ip4A}, {FieldARPTPA, ip4B}, {FieldARPSHA, macA}, {FieldARPTHA, macC}}

	mpls := serialize(t, eth(layers.EthernetTypeMPLSUnicast),
		&layers.MPLS{Label: 1000, TrafficClass: 5, StackBottom: true, TTL: 64}, ipv4(layers.IPProtocolTCP))
	mplsVLAN := serialize(t, eth(layers.EthernetTypeDot1Q),
		&layers.Dot1Q{VLANIdentifier: 7, Type: layers.EthernetTypeMPLSUnicast},
		&layers.MPLS{Label: 16, TTL: 1}, &layers.MPLS{Label: 17, StackBottom: true, TTL: 2})

	llc := append(l2Header(40), 0x42, 0x42, 0x03, 0, 0, 0, 0, 0)
	snapIPv4 := append(append(l2Header(8+20), 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00), serialize(t, ipv4(layers.IPProtocolGRE))...)
	snapOtherOUI := append(l2Header(8), 0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0x00)
	snapLengthType := append(l2Header(8), 0xaa, 0xaa, 0x03, 0, 0, 0, 0x05, 0x00)

	return []parseTest{
		{name: "tcp/ipv4 with options", frame: tcp4,
			want: join(ethL2(0x0800), ipv4L3(6), tcpL4()), info: at(14, 34, 58)},
		{name: "udp/ipv4 in vlan, dei lost", frame: udpVLAN,
			want: join(ethL2(0x0800), []fv{{FieldVLANTCI, 5<<13 | VLANCFI | 100}, {testVLANTPID, 0x8100}}, ipv4L3(17), udpL4()),
			info: vlanAt(at(18, 38, 46))},
		{name: "802.1ad then 802.1q", frame: qinq,
			want: join(ethL2(0x0800), []fv{{FieldVLANTCI, 3<<13 | VLANCFI | 10}, {testVLANTPID, 0x88a8},
				{testInnerTCI, 1<<13 | VLANCFI | 20}}, ipv4L3(17), udpL4()),
			info: vlanAt(at(22, 42, 50))},
		{name: "third tag becomes dl_type", frame: threeTags,
			want: join(ethL2(0x8100), []fv{{FieldVLANTCI, VLANCFI | 1}, {testVLANTPID, 0x8100}, {testInnerTCI, VLANCFI | 2}}),
			info: vlanAt(none)},
		{name: "vlan tag cut", frame: l2Header(0x8100)[:14:14],
			want: ethL2(0x8100), info: truncated(none)},
		{name: "inner vlan tag cut", frame: append(l2Header(0x8100), 0xb1, 0x23, 0x81, 0x00, 0x00, 0x05),
			want: join(ethL2(0x8100), []fv{{FieldVLANTCI, 0xb123}, {testVLANTPID, 0x8100}}),
			info: truncated(vlanAt(none))},
		{name: "sctp", frame: sctp,
			want: join(ethL2(0x0800), ipv4L3(132), []fv{{FieldSCTPSrc, 3000}, {FieldSCTPDst, 3001}}), info: at(14, 34, 46)},
		{name: "icmpv4", frame: icmp4,
			want: join(ethL2(0x0800), ipv4L3(1), []fv{{FieldICMPType, 3}, {FieldICMPCode, 4}}), info: at(14, 34, 42)},
		{name: "igmp type in tp_src", frame: igmp,
			want: join(ethL2(0x0800), ipv4L3(2), []fv{{FieldTCPSrc, 0x16}}), info: at(14, 34, 42)},
		{name: "first fragment", frame: fragFirst,
			want: join(ethL2(0x0800), ipv4L3(17), []fv{{FieldIPFrag, FragAny}}, udpL4()), info: at(14, 34, 42)},
		{name: "later fragment", frame: fragLater,
			want: join(ethL2(0x0800), ipv4L3(17), []fv{{FieldIPFrag, FragAny | FragLater}}), info: at(14, -1, -1)},
		{name: "padding ignored", frame: padded,
			want: join(ethL2(0x0800), ipv4L3(17), udpL4()), info: at(14, 34, 42)},
		{name: "tcp cut by ip total length", frame: tcpCutByIPLen,
			want: join(ethL2(0x0800), ipv4L3(6)), info: truncated(at(14, -1, -1))},
		{name: "ipv4 ihl too small", frame: with(tcp4, 14, 0x44),
			want: ethL2(0x0800), info: truncated(none)},
		{name: "ipv4 total length past frame", frame: with(tcp4, 16, 0x10, 0),
			want: ethL2(0x0800), info: truncated(none)},
		{name: "ipv4 version not checked", frame: with(tcp4, 14, 0x65),
			want: join(ethL2(0x0800), ipv4L3(6), tcpL4()), info: at(14, 34, 58)},
		{name: "tcp data offset too small", frame: with(tcp4, 14+20+12, 0x40),
			want: join(ethL2(0x0800), ipv4L3(6)), info: truncated(at(14, -1, -1))},
		{name: "tcp/ipv6", frame: tcp6,
			want: join(ethL2(0x86dd), ipv6L3(6), tcpL4()), info: at(14, 54, 78)},
		{name: "ipv6 extension headers", frame: ip6ext,
			want: join(ethL2(0x86dd), ipv6L3(17), []fv{{FieldUDPSrc, 5000}, {FieldUDPDst, 5001}}), info: at(14, 98, 106)},
		{name: "ipv6 extension header cut", frame: ip6extCut,
			want: join(ethL2(0x86dd), []fv{{FieldIPv6Src, ip6A}, {FieldIPv6Dst, ip6B}}), info: truncated(none)},
		{name: "ipv6 first fragment", frame: frag6(1, tcpHdr),
			want: join(ethL2(0x86dd), ipv6L3(6), []fv{{FieldIPFrag, FragAny}}, tcpL4()), info: at(14, 62, 86)},
		{name: "ipv6 reserved fragment bits", frame: frag6(6, tcpHdr),
			want: join(ethL2(0x86dd), ipv6L3(6), []fv{{FieldIPFrag, FragAny}}, tcpL4()), info: at(14, 62, 86)},
		{name: "ipv6 atomic fragment", frame: frag6(0, tcpHdr),
			want: join(ethL2(0x86dd), ipv6L3(6), tcpL4()), info: at(14, 62, 86)},
		{name: "ipv6 later fragment", frame: frag6(8, tcpHdr),
			want: join(ethL2(0x86dd), ipv6L3(44), []fv{{FieldIPFrag, FragAny | FragLater}}), info: at(14, -1, -1)},
		{name: "icmpv6 echo", frame: icmp6echo,
			want: join(ethL2(0x86dd), ipv6L3(58), []fv{{FieldICMPv6Type, 128}}), info: at(14, 54, 62)},
		{name: "icmpv6 header cut", frame: serialize(t, eth(layers.EthernetTypeIPv6), ipv6(layers.IPProtocolICMPv6), gopacket.Payload{128, 0, 0, 0}),
			want: join(ethL2(0x86dd), ipv6L3(58)), info: truncated(at(14, -1, -1))},
		{name: "neighbor advert with tll", frame: na,
			want: join(ethL2(0x86dd), ipv6L3(58), []fv{{FieldICMPv6Type, 136}, {FieldNDTarget, ip6T}, {FieldNDTLL, macC}}),
			info: at(14, 54, 62)},
		{name: "neighbor solicit with sll", frame: nsSLL,
			want: join(ethL2(0x86dd), ipv6L3(58), []fv{{FieldICMPv6Type, 135}, {FieldNDTarget, ip6T}, {FieldNDSLL, macC}}),
			info: at(14, 54, 62)},
		{name: "neighbor solicit with both options", frame: nsBoth,
			want: join(ethL2(0x86dd), ipv6L3(58), []fv{{FieldICMPv6Type, 135}, {FieldNDTarget, ip6T}, {FieldNDSLL, macC},
				{FieldNDTLL, macD}}),
			info: at(14, 54, 62)},
		{name: "neighbor solicit with duplicate sll", frame: nsDup,
			want: join(ethL2(0x86dd), ipv6L3(58), []fv{{FieldICMPv6Type, 135}}), info: truncated(at(14, 54, 62))},
		{name: "zero sll may repeat", frame: nsZeroThenSLL,
			want: join(ethL2(0x86dd), ipv6L3(58), []fv{{FieldICMPv6Type, 135}, {FieldNDTarget, ip6T}, {FieldNDSLL, macD}}),
			info: at(14, 54, 62)},
		{name: "zero-length option ends walk", frame: nsZeroLenOpt,
			want: join(ethL2(0x86dd), ipv6L3(58), []fv{{FieldICMPv6Type, 135}, {FieldNDTarget, ip6T}, {FieldNDSLL, macC}}),
			info: truncated(at(14, 54, 62))},
		{name: "overlong option ends walk", frame: nsOverlongOpt,
			want: join(ethL2(0x86dd), ipv6L3(58), []fv{{FieldICMPv6Type, 135}, {FieldNDTarget, ip6T}, {FieldNDSLL, macC}}),
			info: truncated(at(14, 54, 62))},
		{name: "nd code 1 is plain icmpv6", frame: nsCode1,
			want: join(ethL2(0x86dd), ipv6L3(58), []fv{{FieldICMPv6Type, 135}, {FieldICMPv6Code, 1}}), info: at(14, 54, 62)},
		{name: "nd target cut", frame: nsNoTarget,
			want: join(ethL2(0x86dd), ipv6L3(58), []fv{{FieldICMPv6Type, 135}}), info: truncated(at(14, 54, 62))},
		{name: "arp request", frame: arpReq,
			want: join(ethL2(0x0806), arpL3, []fv{{FieldARPOp, 1}}), info: at(14, -1, -1)},
		{name: "rarp", frame: rarp,
			want: join(ethL2(0x8035), arpL3, []fv{{FieldARPOp, 3}}), info: at(14, -1, -1)},
		{name: "arp op wider than 8 bits reads 0", frame: arpWideOp,
			want: join(ethL2(0x0806), arpL3), info: at(14, -1, -1)},
		{name: "arp not ethernet", frame: arpNotIPv4, want: ethL2(0x0806), info: none},
		{name: "arp cut", frame: arpReq[:14+27], want: ethL2(0x0806), info: truncated(none)},
		{name: "mpls", frame: mpls,
			want: join(ethL2(0x8847), []fv{{FieldMPLSLabel, 1000}, {FieldMPLSTC, 5}, {FieldMPLSBOS, 1}, {FieldMPLSTTL, 64}}),
			info: FrameInfo{VLAN: -1, MPLS: 14, L3: -1, L4: -1, L7: -1}},
		{name: "mpls in vlan, first label only", frame: mplsVLAN,
			want: join(ethL2(0x8847), []fv{{FieldVLANTCI, VLANCFI | 7}, {testVLANTPID, 0x8100}, {testMPLSLSE, 16<<12 | 1}}),
			info: FrameInfo{VLAN: 12, MPLS: 18, L3: -1, L4: -1, L7: -1}},
		{name: "mpls cut", frame: l2Header(0x8847), want: ethL2(0x8847), info: truncated(none)},
		{name: "802.2 llc", frame: llc, want: ethL2(DLTypeNone), info: none},
		{name: "llc too short for snap", frame: llc[:20], want: ethL2(DLTypeNone), info: none},
		{name: "snap ipv4", frame: snapIPv4,
			want: join(ethL2(0x0800), ipv4L3(47)), info: at(22, -1, -1)},
		{name: "snap other oui", frame: snapOtherOUI, want: ethL2(DLTypeNone), info: none},
		{name: "snap type below 0x600", frame: snapLengthType, want: ethL2(DLTypeNone), info: none},
		{name: "unknown ethertype", frame: append(l2Header(0x88cc), 1, 2, 3), want: ethL2(0x88cc), info: none},
		{name: "bare ethernet header", frame: l2Header(0x0800), want: ethL2(0x0800), info: truncated(none)},
		{name: "runt", frame: tcp4[:13], info: truncated(none)},
		{name: "empty", frame: nil, info: truncated(none)},
	}
}

func TestParseFrame(t *testing.T) {
	for _, tt := range parseTests(t) {
		t.Run(tt.name, func(t *testing.T) {
			want := expectKey(t, tt.want)
			var k Key
			for i := range k {
				k[i] = ^uint64(0) // stale data the parser must clear
			}
			info := k.ParseFrame(tt.frame)
			if info != tt.info {
				t.Errorf("info = %+v, want %+v", info, tt.info)
			}
			for i := range k {
				if i < wEthDst {
					if k[i] != ^uint64(0) {
						t.Errorf("metadata word %d changed to %#x", i, k[i])
					}
				} else if k[i] != want[i] {
					t.Errorf("word %d = %#016x, want %#016x", i, k[i], want[i])
				}
			}
		})
	}
}

// TestParseFrameTruncated cuts every test frame at every length. The plain
// cut only must not panic and keep offsets inside the frame. A second cut
// also shrinks the IP length fields to the cut, as a short datagram would
// have them: then each layer must be either parsed as in the whole frame
// or absent.
func TestParseFrameTruncated(t *testing.T) {
	for _, tt := range parseTests(t) {
		t.Run(tt.name, func(t *testing.T) {
			var full Key
			fullInfo := full.ParseFrame(tt.frame)
			for n := 0; n <= len(tt.frame); n++ {
				var k Key
				cut := tt.frame[:n:n]
				checkOffsets(t, n, k.ParseFrame(cut))

				short := shrinkIPLength(cut, fullInfo, &full)
				info := k.ParseFrame(short)
				checkOffsets(t, n, info)
				if n < int(fullInfo.L7) && info.L4 >= 0 {
					t.Errorf("cut at %d inside the transport header: L4 = %d", n, info.L4)
				}
				if info.L4 < 0 && k[wL4] != 0 {
					t.Errorf("cut at %d: no L4 but L4 word %#x", n, k[wL4])
				}
				if info.L4 >= 0 && k[wL4] != full[wL4] {
					t.Errorf("cut at %d: L4 word %#x, whole frame has %#x", n, k[wL4], full[wL4])
				}
				if fullInfo.L4 >= 0 && n >= int(fullInfo.L4) && full[wEthDst]&0xffff == 0x0800 && info.L3 != fullInfo.L3 {
					t.Errorf("cut at %d inside the IPv4 payload: L3 = %d, want %d", n, info.L3, fullInfo.L3)
				}
				if info.L3 >= 0 {
					for w := wIPv4; w <= wIPMisc; w++ {
						if k[w] != full[w] {
							t.Errorf("cut at %d: L3 word %d = %#x, whole frame has %#x", n, w, k[w], full[w])
						}
					}
				}
				// A cut can turn a malformed frame (a repeated ND
				// option...) into a good one, so only clean frames
				// must lose fields and never change them.
				for w := wEthDst; w < NumWords && !fullInfo.Truncated; w++ {
					if k[w] != 0 && k[w] != full[w] && n >= l2End(fullInfo, len(tt.frame)) {
						t.Errorf("cut at %d: word %d = %#x is neither absent nor the whole frame's %#x", n, w, k[w], full[w])
					}
				}
			}
		})
	}
}

// l2End is where the whole frame's L2 headers end, as far as the test can
// tell: a cut before it may change dl_type (a VLAN TPID or LLC length
// shows through).
func l2End(info FrameInfo, frameLen int) int {
	switch {
	case info.L3 >= 0:
		return int(info.L3)
	case info.MPLS >= 0:
		return int(info.MPLS) + 4
	}
	return frameLen
}

// shrinkIPLength returns a copy of cut whose IPv4 total length or IPv6
// payload length ends at the cut, when the cut falls inside the datagram.
func shrinkIPLength(cut []byte, info FrameInfo, full *Key) []byte {
	short := append([]byte(nil), cut...)
	short = short[:len(short):len(short)]
	l3 := int(info.L3)
	if l3 < 0 {
		return short
	}
	switch full[wEthDst] & 0xffff {
	case 0x0800:
		if len(short) >= l3+4 && len(short)-l3 < int(binary.BigEndian.Uint16(short[l3+2:])) {
			binary.BigEndian.PutUint16(short[l3+2:], uint16(len(short)-l3))
		}
	case 0x86dd:
		if len(short) >= l3+40 && len(short)-l3-40 < int(binary.BigEndian.Uint16(short[l3+4:])) {
			binary.BigEndian.PutUint16(short[l3+4:], uint16(len(short)-l3-40))
		}
	}
	return short
}

func checkOffsets(t *testing.T, n int, info FrameInfo) {
	t.Helper()
	for _, o := range []int16{info.VLAN, info.MPLS, info.L3, info.L4, info.L7} {
		if o < -1 || int(o) > n {
			t.Fatalf("cut at %d: offset %d outside the frame (%+v)", n, o, info)
		}
	}
	if info.L4 >= 0 && (info.L3 < 0 || info.L4 < info.L3 || info.L7 < info.L4) {
		t.Fatalf("cut at %d: offsets out of order (%+v)", n, info)
	}
}

func TestParseFrameAllocs(t *testing.T) {
	frames := parseTests(t)
	var k Key
	allocs := testing.AllocsPerRun(100, func() {
		for _, tt := range frames {
			k.ParseFrame(tt.frame)
		}
	})
	if allocs != 0 {
		t.Errorf("ParseFrame allocates %.1f times per run of all test frames", allocs)
	}
}
