package flowtable

import (
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

func benchmarkParse(b *testing.B, frame []byte) {
	var k Key
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		k.ParseFrame(frame)
	}
}

func BenchmarkParseFrameTCPv4(b *testing.B) {
	ip := ipv4(layers.IPProtocolTCP)
	benchmarkParse(b, serialize(b, eth(layers.EthernetTypeIPv4), ip, tcpLayer(ip), gopacket.Payload(make([]byte, 64))))
}

func BenchmarkParseFrameUDPv4VLAN(b *testing.B) {
	ip := ipv4(layers.IPProtocolUDP)
	benchmarkParse(b, serialize(b, eth(layers.EthernetTypeDot1Q),
		&layers.Dot1Q{Priority: 5, VLANIdentifier: 100, Type: layers.EthernetTypeIPv4},
		ip, udpLayer(ip), gopacket.Payload(make([]byte, 64))))
}

func BenchmarkParseFrameTCPv6(b *testing.B) {
	ip := ipv6(layers.IPProtocolTCP)
	benchmarkParse(b, serialize(b, eth(layers.EthernetTypeIPv6), ip, tcpLayer(ip), gopacket.Payload(make([]byte, 64))))
}

func BenchmarkParseFrameARP(b *testing.B) {
	benchmarkParse(b, serialize(b, eth(layers.EthernetTypeARP), &layers.ARP{AddrType: layers.LinkTypeEthernet,
		Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4, Operation: 1,
		SourceHwAddress: macA, SourceProtAddress: ip4A.AsSlice(), DstHwAddress: macC, DstProtAddress: ip4B.AsSlice()}))
}
