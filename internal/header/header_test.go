package header

import "testing"

func TestIPv4IsValid(t *testing.T) {
	hdr := func(verIHL byte, total uint16, size int) IPv4 {
		b := make(IPv4, size)
		b[0], b[2], b[3] = verIHL, byte(total>>8), byte(total)
		return b
	}
	tests := []struct {
		name string
		ip   IPv4
		want bool
	}{
		{"minimal", hdr(0x45, 20, 20), true},
		{"padding after datagram", hdr(0x45, 28, 60), true},
		{"options", hdr(0x46, 24, 24), true},
		{"version not checked", hdr(0x65, 20, 20), true},
		{"short", hdr(0x45, 20, 20)[:19], false},
		{"ihl below 5", hdr(0x44, 20, 20), false},
		{"ihl past buffer", hdr(0x4f, 60, 40), false},
		{"total below header", hdr(0x46, 20, 24), false},
		{"total past buffer", hdr(0x45, 41, 40), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ip.IsValid(); got != tt.want {
				t.Errorf("IsValid() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIPv6IsValid(t *testing.T) {
	hdr := func(payload uint16, size int) IPv6 {
		b := make(IPv6, size)
		b[0], b[4], b[5] = 0x60, byte(payload>>8), byte(payload)
		return b
	}
	tests := []struct {
		name string
		ip   IPv6
		want bool
	}{
		{"no payload", hdr(0, 40), true},
		{"payload and padding", hdr(8, 60), true},
		{"short", hdr(0, 40)[:39], false},
		{"payload past buffer", hdr(9, 48), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ip.IsValid(); got != tt.want {
				t.Errorf("IsValid() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIPv6ExtensionLength(t *testing.T) {
	tests := []struct {
		name  string
		proto uint8
		hdr   IPv6Extension
		want  int
	}{
		{"hop-by-hop", IPProtoHopOpts, IPv6Extension{6, 0, 0, 0, 0, 0, 0, 0}, 8},
		{"routing 3 units", IPProtoRouting, IPv6Extension{6, 2, 0, 0, 0, 0, 0, 0}, 24},
		{"destination options", IPProtoDstOpts, IPv6Extension{6, 255, 0, 0, 0, 0, 0, 0}, 2048},
		{"ah counts 4-byte units", IPProtoAH, IPv6Extension{6, 4, 0, 0, 0, 0, 0, 0}, 24},
		{"fragment is fixed", IPProtoFragment, IPv6Extension{6, 9, 0, 0, 0, 0, 0, 0}, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.hdr.Length(tt.proto); got != tt.want {
				t.Errorf("Length(%d) = %d, want %d", tt.proto, got, tt.want)
			}
		})
	}
}

func TestLLCSNAP(t *testing.T) {
	tests := []struct {
		name string
		hdr  LLCSNAP
		want bool
	}{
		{"rfc 1042", LLCSNAP{0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00}, true},
		{"cisco oui", LLCSNAP{0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0x00}, false},
		{"stp llc", LLCSNAP{0x42, 0x42, 0x03, 0, 0, 0, 0, 0}, false},
		{"not ui", LLCSNAP{0xaa, 0xaa, 0x13, 0, 0, 0, 0x08, 0x00}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.hdr.IsEthernetSNAP(); got != tt.want {
				t.Errorf("IsEthernetSNAP() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	eth := Ethernet{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00}
	if eth.Dst() != 0x010203040506 || eth.Src() != 0x0708090a0b0c || eth.Type() != EtherTypeIPv4 {
		t.Errorf("Ethernet: dst %#x src %#x type %#x", eth.Dst(), eth.Src(), eth.Type())
	}
	tcp := make(TCP, TCPMinimumSize)
	tcp[12], tcp[13] = 0x61, 0x12 // data offset 6, NS, SYN|ACK
	if tcp.DataOffset() != 24 || tcp.Flags() != 0x112 {
		t.Errorf("TCP: data offset %d flags %#x", tcp.DataOffset(), tcp.Flags())
	}
	opt := NDOption{NDOptionSourceLinkAddr, 1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}
	if opt.Length() != 8 || opt.LinkAddr() != 0xaabbccddeeff {
		t.Errorf("NDOption: length %d addr %#x", opt.Length(), opt.LinkAddr())
	}
	arp := ARP{0, 1, 0x08, 0x00, 6, 4, 0, 2, 1, 2, 3, 4, 5, 6, 10, 0, 0, 1, 7, 8, 9, 10, 11, 12, 10, 0, 0, 2}
	if !arp.IsEthIPv4() || arp.Op() != 2 || arp.SenderHW() != 0x010203040506 || arp.SenderIP() != 0x0a000001 ||
		arp.TargetHW() != 0x0708090a0b0c || arp.TargetIP() != 0x0a000002 {
		t.Errorf("ARP accessors disagree with %x", []byte(arp))
	}
}
