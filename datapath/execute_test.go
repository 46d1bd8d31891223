package datapath

import (
	"bytes"
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// frameSpec describes a test frame; build serializes it with gopacket, so
// its checksums are computed from scratch.
type frameSpec struct {
	src, dst     string // MACs
	vlan         int    // 0: untagged
	ipSrc, ipDst string
	v6           bool
	proto        layers.IPProtocol
	tos, ttl     uint8
	sport, dport uint16
	udpNoSum     bool
}

func (s frameSpec) build(t testing.TB) []byte {
	t.Helper()
	mac := func(m string) net.HardwareAddr {
		hw, err := net.ParseMAC(m)
		if err != nil {
			t.Fatal(err)
		}
		return hw
	}
	var ls []gopacket.SerializableLayer
	eth := &layers.Ethernet{SrcMAC: mac(s.src), DstMAC: mac(s.dst), EthernetType: layers.EthernetTypeIPv4}
	if s.v6 {
		eth.EthernetType = layers.EthernetTypeIPv6
	}
	ls = append(ls, eth)
	if s.vlan != 0 {
		eth.EthernetType, ls = layers.EthernetTypeDot1Q, append(ls, &layers.Dot1Q{VLANIdentifier: uint16(s.vlan), Type: layers.EthernetTypeIPv4})
		if s.v6 {
			ls[1].(*layers.Dot1Q).Type = layers.EthernetTypeIPv6
		}
	}
	var net gopacket.NetworkLayer
	if s.v6 {
		ip := &layers.IPv6{Version: 6, TrafficClass: s.tos, HopLimit: s.ttl, NextHeader: s.proto,
			SrcIP: parseIP(t, s.ipSrc), DstIP: parseIP(t, s.ipDst)}
		ls, net = append(ls, ip), ip
	} else {
		ip := &layers.IPv4{Version: 4, IHL: 5, TOS: s.tos, TTL: s.ttl, Protocol: s.proto, Id: 7,
			SrcIP: parseIP(t, s.ipSrc), DstIP: parseIP(t, s.ipDst)}
		ls, net = append(ls, ip), ip
	}
	switch s.proto {
	case layers.IPProtocolTCP:
		tcp := &layers.TCP{SrcPort: layers.TCPPort(s.sport), DstPort: layers.TCPPort(s.dport), Seq: 1, SYN: true, Window: 1000}
		tcp.SetNetworkLayerForChecksum(net)
		ls = append(ls, tcp)
	case layers.IPProtocolUDP:
		udp := &layers.UDP{SrcPort: layers.UDPPort(s.sport), DstPort: layers.UDPPort(s.dport)}
		udp.SetNetworkLayerForChecksum(net)
		ls = append(ls, udp)
	case layers.IPProtocolSCTP:
		ls = append(ls, &layers.SCTP{SrcPort: layers.SCTPPort(s.sport), DstPort: layers.SCTPPort(s.dport), VerificationTag: 9})
	case layers.IPProtocolICMPv4:
		ls = append(ls, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 1, Seq: 1})
	}
	ls = append(ls, gopacket.Payload("govs payload bytes"))
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	l4 := 14 + 20
	if s.vlan != 0 {
		l4 += 4
	}
	if s.v6 {
		l4 += 20
	}
	switch {
	case s.proto == layers.IPProtocolSCTP:
		// gopacket leaves the SCTP CRC to the caller.
		sctpChecksum(out[l4:])
	case s.udpNoSum:
		out[l4+6], out[l4+7] = 0, 0
	}
	return out
}

func parseIP(t testing.TB, s string) net.IP {
	ip := net.ParseIP(s)
	if ip == nil {
		t.Fatalf("bad IP %q", s)
	}
	if v4 := ip.To4(); v4 != nil {
		return v4
	}
	return ip
}

// recorder is a Sink that keeps copies of what comes out.
type recorder struct {
	outs    []sent
	upcalls []sent
}

type sent struct {
	port  uint32
	frame []byte
	final bool
}

func (r *recorder) Output(port uint32, frame []byte, final bool) {
	r.outs = append(r.outs, sent{port, bytes.Clone(frame), final})
}

func (r *recorder) Upcall(u *Userspace, frame []byte) {
	r.upcalls = append(r.upcalls, sent{uint32(u.Reason), bytes.Clone(frame), false})
}

func (r *recorder) Recirculate(id uint32, frame []byte, final bool) {
	r.outs = append(r.outs, sent{0x80000000 | id, bytes.Clone(frame), final})
}

func TestExecuteRewrites(t *testing.T) {
	base := frameSpec{src: "0a:00:00:00:00:01", dst: "0a:00:00:00:00:02", ipSrc: "10.0.0.1", ipDst: "10.0.0.2",
		proto: layers.IPProtocolTCP, ttl: 64, sport: 1234, dport: 80}
	with := func(f func(*frameSpec)) frameSpec {
		s := base
		f(&s)
		return s
	}
	v6 := with(func(s *frameSpec) { s.v6, s.ipSrc, s.ipDst = true, "2001:db8::1", "2001:db8::2" })
	tests := []struct {
		name    string
		in      frameSpec
		acts    Actions
		want    frameSpec
		wantLen int // for truncation; 0 means len(want)
	}{
		{"push_vlan", base, Actions{&PushVLAN{TPID: 0x8100, TCI: 0x1000 | 10}, &Output{2}},
			with(func(s *frameSpec) { s.vlan = 10 }), 0},
		{"pop_vlan", with(func(s *frameSpec) { s.vlan = 20 }), Actions{&PopVLAN{}, &Output{2}}, base, 0},
		{"set_eth_src", base, Actions{&SetEthernet{Src: [6]byte{0xaa, 0, 0, 0, 0, 0xbb}, SrcMask: ones6}, &Output{2}},
			with(func(s *frameSpec) { s.src = "aa:00:00:00:00:bb" }), 0},
		{"set_eth_dst_masked", base, Actions{&SetEthernet{Dst: [6]byte{5: 0x77}, DstMask: [6]byte{5: 0xff}}, &Output{2}},
			with(func(s *frameSpec) { s.dst = "0a:00:00:00:00:77" }), 0},
		{"set_ipv4_src_tcp", base, Actions{&SetIPv4{Src: 0x01020304, SrcMask: 0xffffffff}, &Output{2}},
			with(func(s *frameSpec) { s.ipSrc = "1.2.3.4" }), 0},
		{"set_ipv4_dst_udp", with(func(s *frameSpec) { s.proto = layers.IPProtocolUDP }),
			Actions{&SetIPv4{Dst: 0xc0a80101, DstMask: 0xffffffff}, &Output{2}},
			with(func(s *frameSpec) { s.proto, s.ipDst = layers.IPProtocolUDP, "192.168.1.1" }), 0},
		{"set_ipv4_udp_no_checksum", with(func(s *frameSpec) { s.proto, s.udpNoSum = layers.IPProtocolUDP, true }),
			Actions{&SetIPv4{Dst: 0xc0a80101, DstMask: 0xffffffff}, &Output{2}},
			with(func(s *frameSpec) { s.proto, s.udpNoSum, s.ipDst = layers.IPProtocolUDP, true, "192.168.1.1" }), 0},
		{"dec_ttl_and_tos", base, Actions{&SetIPv4{TTL: 63, TTLMask: 0xff, TOS: 0x20, TOSMask: 0xfc}, &Output{2}},
			with(func(s *frameSpec) { s.ttl, s.tos = 63, 0x20 }), 0},
		{"set_ipv4_icmp", with(func(s *frameSpec) { s.proto = layers.IPProtocolICMPv4 }),
			Actions{&SetIPv4{Src: 0x0a0a0a0a, SrcMask: 0xffffffff}, &Output{2}},
			with(func(s *frameSpec) { s.proto, s.ipSrc = layers.IPProtocolICMPv4, "10.10.10.10" }), 0},
		{"set_tcp_dst", base, Actions{&SetL4{Proto: 6, Dst: 8080, DstMask: 0xffff}, &Output{2}},
			with(func(s *frameSpec) { s.dport = 8080 }), 0},
		{"set_udp_src", with(func(s *frameSpec) { s.proto = layers.IPProtocolUDP }),
			Actions{&SetL4{Proto: 17, Src: 53, SrcMask: 0xffff}, &Output{2}},
			with(func(s *frameSpec) { s.proto, s.sport = layers.IPProtocolUDP, 53 }), 0},
		{"set_sctp_dst", with(func(s *frameSpec) { s.proto = layers.IPProtocolSCTP }),
			Actions{&SetL4{Proto: 132, Dst: 9999, DstMask: 0xffff}, &Output{2}},
			with(func(s *frameSpec) { s.proto, s.dport = layers.IPProtocolSCTP, 9999 }), 0},
		{"set_ipv6_src_tcp", v6, Actions{&SetIPv6{Src: [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 0x99}, SrcMask: ones16, HLimit: 9, HLimitMask: 0xff}, &Output{2}},
			func() frameSpec { s := v6; s.ipSrc, s.ttl = "2001:db8::99", 9; return s }(), 0},
		{"set_ipv4_after_push_vlan", base,
			Actions{&PushVLAN{TPID: 0x8100, TCI: 0x1000 | 7}, &SetIPv4{Src: 0x01020304, SrcMask: 0xffffffff}, &SetL4{Proto: 6, Src: 1, SrcMask: 0xffff}, &Output{2}},
			with(func(s *frameSpec) { s.vlan, s.ipSrc, s.sport = 7, "1.2.3.4", 1 }), 0},
		{"truncate", base, Actions{&Truncate{MaxLen: 40}, &Output{2}}, base, 40},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPacket(tc.in.build(t))
			var r recorder
			var x Executor
			x.Execute(p, tc.acts, &r)
			if len(r.outs) != 1 {
				t.Fatalf("got %d outputs, want 1", len(r.outs))
			}
			want := tc.want.build(t)
			if tc.wantLen != 0 {
				want = want[:tc.wantLen]
			}
			got := r.outs[0].frame
			if !bytes.Equal(got, want) {
				t.Errorf("frame after %v:\n got %x\nwant %x", tc.acts, got, want)
				t.Log(gopacket.NewPacket(got, layers.LayerTypeEthernet, gopacket.Default).Dump())
			}
			if !r.outs[0].final {
				t.Error("the only output was not final")
			}
		})
	}
}

var (
	ones6  = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	ones16 = [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
)

func TestExecuteCloneAndMultipleOutputs(t *testing.T) {
	in := frameSpec{src: "0a:00:00:00:00:01", dst: "0a:00:00:00:00:02", ipSrc: "10.0.0.1", ipDst: "10.0.0.2",
		proto: layers.IPProtocolUDP, ttl: 64, sport: 1, dport: 2}
	orig := in.build(t)
	p := NewPacket(orig)
	acts := Actions{
		&Output{1},
		&Clone{Actions: Actions{&PushVLAN{TPID: 0x8100, TCI: 0x1005}, &Output{2}}},
		&Userspace{Reason: 1, MaxLen: 65535},
		&Output{3},
	}
	var r recorder
	var x Executor
	x.Execute(p, acts, &r)
	if len(r.outs) != 3 || len(r.upcalls) != 1 {
		t.Fatalf("got %d outputs and %d upcalls, want 3 and 1", len(r.outs), len(r.upcalls))
	}
	for i, want := range []struct {
		port  uint32
		final bool
		tag   bool
	}{{1, false, false}, {2, false, true}, {3, true, false}} {
		o := r.outs[i]
		if o.port != want.port || o.final != want.final || (len(o.frame) == len(orig)+4) != want.tag {
			t.Errorf("output %d: port %d final %v len %d, want port %d final %v tagged %v",
				i, o.port, o.final, len(o.frame), want.port, want.final, want.tag)
		}
	}
	if !bytes.Equal(r.outs[2].frame, orig) || !bytes.Equal(r.upcalls[0].frame, orig) {
		t.Error("the clone's push_vlan leaked out of it")
	}
}

func TestPushVLANWithoutHeadroom(t *testing.T) {
	in := frameSpec{src: "0a:00:00:00:00:01", dst: "0a:00:00:00:00:02", ipSrc: "10.0.0.1", ipDst: "10.0.0.2",
		proto: layers.IPProtocolUDP, ttl: 64, sport: 1, dport: 2}
	frame := in.build(t)
	p := NewPacket(frame)
	p.Buf, p.Off = p.Buf[DefaultHeadroom:], 0 // no headroom at all
	var r recorder
	var x Executor
	x.Execute(p, Actions{&PushVLAN{TPID: 0x8100, TCI: 0x1003}, &SetIPv4{Src: 1, SrcMask: 0xffffffff}, &Output{1}}, &r)
	in.vlan, in.ipSrc = 3, "0.0.0.1"
	if want := in.build(t); !bytes.Equal(r.outs[0].frame, want) {
		t.Errorf("got %x\nwant %x", r.outs[0].frame, want)
	}
}

func TestExecuteSkipsMissingHeaders(t *testing.T) {
	arp := []byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0a, 0, 0, 0, 0, 1, 0x08, 0x06,
		0, 1, 8, 0, 6, 4, 0, 1, 0x0a, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
	}
	p := NewPacket(arp)
	var r recorder
	var x Executor
	x.Execute(p, Actions{&PopVLAN{}, &SetIPv4{Src: 1, SrcMask: 0xffffffff}, &SetL4{Proto: 6, Src: 1, SrcMask: 0xffff}, &Output{1}}, &r)
	if !bytes.Equal(r.outs[0].frame, arp) {
		t.Errorf("an ARP frame was changed by IPv4/TCP/VLAN rewrites: %x", r.outs[0].frame)
	}
}

func TestActionsString(t *testing.T) {
	tests := []struct {
		acts Actions
		want string
	}{
		{nil, "drop"},
		{Actions{&PushVLAN{TPID: 0x8100, TCI: 0x1000 | 10}, &Output{2}}, "push_vlan(vid=10,pcp=0),2"},
		{Actions{&PushVLAN{TPID: 0x88a8, TCI: 0x1000 | 3<<13 | 5}}, "push_vlan(tpid=0x88a8,vid=5,pcp=3)"},
		{Actions{&PopVLAN{}, &Output{4}}, "pop_vlan,4"},
		{Actions{&SetEthernet{Src: [6]byte{5: 0xaa}, SrcMask: ones6}}, "set(eth(src=00:00:00:00:00:aa))"},
		{Actions{&SetIPv4{Src: 0x01020304, SrcMask: 0xffffffff, TTL: 63, TTLMask: 0xff}}, "set(ipv4(src=1.2.3.4,ttl=63))"},
		{Actions{&SetIPv4{Src: 1, SrcMask: 1}}, "set(ipv4(src=0.0.0.1/0.0.0.1))"},
		{Actions{&SetL4{Proto: 6, Dst: 99, DstMask: 0xffff}}, "set(tcp(dst=99))"},
		{Actions{&SetL4{Proto: 17, Src: 0x100, SrcMask: 0xff00}}, "set(udp(src=256/0xff00))"},
		{Actions{&SetIPv6{HLimit: 5, HLimitMask: 0xff}}, "set(ipv6(hlimit=5))"},
		{Actions{&Userspace{Reason: 1, MaxLen: 65535}},
			"userspace(pid=0,controller(reason=1,dont_send=0,continuation=0,rule_cookie=0,controller_id=0,max_len=65535))"},
		{Actions{&Truncate{MaxLen: 100}, &Output{1}, &Recirculate{ID: 2}}, "trunc(100),1,recirc(0x2)"},
		{Actions{&Clone{Actions: Actions{&PopVLAN{}, &Output{3}}}, &Clone{}}, "clone(pop_vlan,3),clone(drop)"},
	}
	for _, tc := range tests {
		if got := tc.acts.String(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

// nullSink counts outputs and keeps nothing, as a TX ring would.
type nullSink struct{ n int }

func (s *nullSink) Output(uint32, []byte, bool)      { s.n++ }
func (s *nullSink) Upcall(*Userspace, []byte)        {}
func (s *nullSink) Recirculate(uint32, []byte, bool) {}

func TestExecuteDoesNotAllocate(t *testing.T) {
	spec := frameSpec{src: "0a:00:00:00:00:01", dst: "0a:00:00:00:00:02", ipSrc: "10.0.0.1", ipDst: "10.0.0.2",
		proto: layers.IPProtocolTCP, ttl: 64, sport: 1, dport: 2}
	p := NewPacket(spec.build(t))
	var x Executor
	var s nullSink
	for _, acts := range []Actions{
		{&Output{2}},
		{&PushVLAN{TPID: 0x8100, TCI: 0x100a}, &Output{2}, &PopVLAN{}, &Output{3}},
		{&SetIPv4{Src: 0x01020304, SrcMask: 0xffffffff, TTL: 63, TTLMask: 0xff}, &SetL4{Proto: 6, Dst: 1, DstMask: 0xffff}, &Output{2}},
		{&Clone{Actions: Actions{&PushVLAN{TPID: 0x8100, TCI: 0x100a}, &Output{2}}}, &Output{3}},
	} {
		if n := testing.AllocsPerRun(100, func() {
			x.Execute(p, acts, &s)
			if p.Info.VLAN >= 0 {
				popVLAN(p)
			}
		}); n != 0 {
			t.Errorf("%v: %v allocations per run", acts, n)
		}
	}
}

func BenchmarkExecute(b *testing.B) {
	spec := frameSpec{src: "0a:00:00:00:00:01", dst: "0a:00:00:00:00:02", ipSrc: "10.0.0.1", ipDst: "10.0.0.2",
		proto: layers.IPProtocolTCP, ttl: 64, sport: 1, dport: 2}
	for _, bc := range []struct {
		name string
		acts Actions
	}{
		{"output", Actions{&Output{2}}},
		{"push_vlan+output+pop_vlan", Actions{&PushVLAN{TPID: 0x8100, TCI: 0x100a}, &Output{2}, &PopVLAN{}}},
		{"set_ipv4+set_tcp+output", Actions{&SetIPv4{Src: 0x01020304, SrcMask: 0xffffffff, TTL: 63, TTLMask: 0xff}, &SetL4{Proto: 6, Dst: 1, DstMask: 0xffff}, &Output{2}}},
		{"flood4", Actions{&Output{1}, &Output{2}, &Output{3}, &Output{4}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := NewPacket(spec.build(b))
			var x Executor
			var s nullSink
			b.ReportAllocs()
			for b.Loop() {
				x.Execute(p, bc.acts, &s)
			}
		})
	}
}
