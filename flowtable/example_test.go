package flowtable_test

import (
	"fmt"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/govs/govs/flowtable"
)

// The seed lab's flow table: the default NORMAL flow and the tutorial's
// "drop what comes in on veth11", parsed as ovs-ofctl parses them, printed
// as ovs-ofctl dump-flows prints them, and consulted for a ping from each
// side. The megaflow is the match a datapath would cache for the answer:
// only the bits the lookup looked at.
func ExampleClassifier_seedLab() {
	ports := flowtable.PortMap{"veth11": 1, "veth21": 2}
	cls := flowtable.NewClassifier[*flowtable.Flow]()
	for _, text := range []string{
		"priority=0,actions=NORMAL",
		"priority=2,in_port=veth11,actions=drop",
	} {
		f, err := flowtable.ParseFlow(text, flowtable.FlowAdd, ports, flowtable.OpenFlow10)
		if err != nil {
			panic(err)
		}
		cls.Insert(&f.Match, int(f.Priority), f)
		fmt.Printf("ovs-ofctl add-flow sw1 %q\n", text)
	}
	fmt.Println("ovs-ofctl --names dump-flows sw1 --no-stats:")
	cls.ForEach(func(_ *flowtable.Match, _ int, f *flowtable.Flow) bool {
		fmt.Println(" " + f.Format(ports, flowtable.OpenFlow10))
		return true
	})

	for _, pkt := range []struct {
		port     string
		src, dst string
	}{{"veth11", "10.1.1.11", "10.1.1.21"}, {"veth21", "10.1.1.21", "10.1.1.11"}} {
		var k flowtable.Key
		k.ParseFrame(icmpEcho(pkt.src, pkt.dst))
		inPort, _ := ports.PortByName(pkt.port)
		flowtable.FieldInPort.Set(&k, uint64(inPort))
		var wc flowtable.Mask
		f, _ := cls.Lookup(&k, &wc)
		megaflow := flowtable.Match{Key: k, Mask: wc}
		megaflow.Key.And(&wc)
		fmt.Printf("ping %s -> %s in %s: actions=%s, megaflow %s\n", pkt.src, pkt.dst, pkt.port,
			f.Actions.Format(ports), megaflow.Format(ports))
	}
	// Output:
	// ovs-ofctl add-flow sw1 "priority=0,actions=NORMAL"
	// ovs-ofctl add-flow sw1 "priority=2,in_port=veth11,actions=drop"
	// ovs-ofctl --names dump-flows sw1 --no-stats:
	//  priority=2,in_port=veth11 actions=drop
	//  priority=0 actions=NORMAL
	// ping 10.1.1.11 -> 10.1.1.21 in veth11: actions=drop, megaflow in_port=veth11
	// ping 10.1.1.21 -> 10.1.1.11 in veth21: actions=NORMAL, megaflow in_port=veth21
}

func icmpEcho(src, dst string) []byte {
	eth := &layers.Ethernet{
		SrcMAC:       net.HardwareAddr{0x0a, 0, 0, 0, 0, 0x11},
		DstMAC:       net.HardwareAddr{0x0a, 0, 0, 0, 0, 0x21},
		EthernetType: layers.EthernetTypeIPv4,
	}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolICMPv4,
		SrcIP: net.ParseIP(src), DstIP: net.ParseIP(dst)}
	icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoRequest, 0), Id: 1, Seq: 1}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, ip, icmp, gopacket.Payload("govs")); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
