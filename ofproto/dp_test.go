package ofproto

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/govs/govs/datapath"
	"github.com/govs/govs/flowtable"
)

// testDP is a dummy datapath, as OVS's: a frame injected on a port is
// parsed, translated by the bridge (with side effects, as an upcall) and
// executed; what comes out is collected per port.
type testDP struct {
	t  testing.TB
	br *Bridge
	x  datapath.Executor

	outs    []egress
	upcalls []upcall
	last    *Translation
}

type egress struct {
	port  string
	frame []byte
}

type upcall struct {
	u     datapath.Userspace
	frame []byte
	pin   PacketIn
}

func newTestDP(t testing.TB, ports ...PortConfig) *testDP {
	t.Helper()
	br := NewBridge("br0")
	clock := time.Unix(1_000_000, 0)
	br.Now = func() time.Time { return clock }
	for _, p := range ports {
		if _, err := br.AddPort(p); err != nil {
			t.Fatal(err)
		}
	}
	d := &testDP{t: t, br: br, x: datapath.Executor{Meters: br.MeterTable()}}
	br.SetPacketExecutor(d)
	return d
}

// advance moves the bridge's clock.
func (d *testDP) advance(dt time.Duration) {
	now := d.br.Now().Add(dt)
	d.br.Now = func() time.Time { return now }
}

func (d *testDP) Output(port uint32, frame []byte, _ bool) {
	p, ok := d.br.PortByDP(port)
	if !ok {
		d.t.Errorf("output to unknown datapath port %d", port)
		return
	}
	p.Stats().TxPackets.Add(1)
	p.Stats().TxBytes.Add(uint64(len(frame)))
	d.outs = append(d.outs, egress{p.Name, bytes.Clone(frame)})
}

func (d *testDP) Upcall(u *datapath.Userspace, frame []byte) {
	frame = bytes.Clone(frame)
	d.upcalls = append(d.upcalls, upcall{*u, frame, d.last.PacketIn(u, frame)})
}

func (d *testDP) Recirculate(uint32, []byte, bool) { d.t.Error("unexpected recirculation") }

// inject sends frame into port and returns what came out.
func (d *testDP) inject(port string, frame []byte) []egress {
	d.t.Helper()
	p, ok := d.br.Port(port)
	if !ok {
		d.t.Fatalf("no port %s", port)
	}
	pkt := datapath.NewPacket(frame)
	d.last, _ = d.br.Receive(p.DPPort, pkt)
	d.outs, d.upcalls = nil, nil
	d.x.Execute(pkt, d.last.Actions, d)
	return d.outs
}

// ExecutePacket implements [PacketExecutor]: a packet-out's outputs and
// upcalls replace the last injection's.
func (d *testDP) ExecutePacket(frame []byte, t *Translation) {
	d.last = t
	d.outs, d.upcalls = nil, nil
	d.x.Execute(datapath.NewPacket(frame), t.Actions, d)
}

// flows installs flows given in ovs-ofctl syntax.
func (d *testDP) flows(proto flowtable.Protocol, texts ...string) {
	d.t.Helper()
	for _, text := range texts {
		f, err := flowtable.ParseFlow(text, flowtable.FlowAdd, d.br, proto)
		if err != nil {
			d.t.Fatalf("parse %q: %v", text, err)
		}
		if _, err := d.br.FlowMod(f, flowtable.FlowAdd); err != nil {
			d.t.Fatalf("add %q: %v", text, err)
		}
	}
}

// delFlows runs a (loose) delete in ovs-ofctl syntax.
func (d *testDP) delFlows(text string) {
	d.t.Helper()
	f, err := flowtable.ParseFlow(text, flowtable.FlowDelete, d.br, flowtable.OpenFlow10)
	if err != nil {
		d.t.Fatal(err)
	}
	if _, err := d.br.FlowMod(f, flowtable.FlowDelete); err != nil {
		d.t.Fatal(err)
	}
}

// ports lists the ports of egresses, in order.
func ports(outs []egress) []string {
	var names []string
	for _, o := range outs {
		names = append(names, o.port)
	}
	return names
}

// pkt describes a test frame; build serializes it with gopacket.
type pkt struct {
	src, dst     string
	vlan         int // 0: untagged
	pcp          uint8
	arp          bool
	ipSrc, ipDst string
	proto        layers.IPProtocol
	ttl, tos     uint8
	sport, dport uint16
}

func mac(t testing.TB, s string) net.HardwareAddr {
	hw, err := net.ParseMAC(s)
	if err != nil {
		t.Fatal(err)
	}
	return hw
}

func (p pkt) build(t testing.TB) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: mac(t, p.src), DstMAC: mac(t, p.dst), EthernetType: layers.EthernetTypeIPv4}
	ls := []gopacket.SerializableLayer{eth}
	inner := layers.EthernetTypeIPv4
	if p.arp {
		inner = layers.EthernetTypeARP
	}
	if p.vlan != 0 || p.pcp != 0 {
		eth.EthernetType = layers.EthernetTypeDot1Q
		ls = append(ls, &layers.Dot1Q{VLANIdentifier: uint16(p.vlan), Priority: p.pcp, Type: inner})
	} else {
		eth.EthernetType = inner
	}
	ipSrc, ipDst := p.ipSrc, p.ipDst
	if ipSrc == "" {
		ipSrc, ipDst = "10.0.0.1", "10.0.0.2"
	}
	if p.arp {
		ls = append(ls, &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
			HwAddressSize: 6, ProtAddressSize: 4, Operation: 1,
			SourceHwAddress: mac(t, p.src), SourceProtAddress: net.ParseIP(ipSrc).To4(),
			DstHwAddress: make([]byte, 6), DstProtAddress: net.ParseIP(ipDst).To4()})
	} else {
		ttl := p.ttl
		if ttl == 0 {
			ttl = 64
		}
		proto := p.proto
		if proto == 0 {
			proto = layers.IPProtocolUDP
		}
		ip := &layers.IPv4{Version: 4, IHL: 5, TTL: ttl, TOS: p.tos, Protocol: proto, Id: 1,
			SrcIP: net.ParseIP(ipSrc).To4(), DstIP: net.ParseIP(ipDst).To4()}
		ls = append(ls, ip)
		switch proto {
		case layers.IPProtocolTCP:
			tcp := &layers.TCP{SrcPort: layers.TCPPort(p.sport), DstPort: layers.TCPPort(p.dport), Window: 100}
			tcp.SetNetworkLayerForChecksum(ip)
			ls = append(ls, tcp)
		case layers.IPProtocolUDP:
			udp := &layers.UDP{SrcPort: layers.UDPPort(p.sport), DstPort: layers.UDPPort(p.dport)}
			udp.SetNetworkLayerForChecksum(ip)
			ls = append(ls, udp)
		case layers.IPProtocolICMPv4:
			ls = append(ls, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 1, Seq: 1})
		}
		// Long enough that no frame needs Ethernet padding.
		ls = append(ls, gopacket.Payload("hello govs, a payload of forty bytes ok"))
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// key parses p into a flow key arriving on OpenFlow port in.
func (p pkt) key(t testing.TB, in flowtable.Port) *flowtable.Key {
	var k flowtable.Key
	k.ParseFrame(p.build(t))
	flowtable.FieldInPort.Set(&k, uint64(in))
	return &k
}
