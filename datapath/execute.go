package datapath

import (
	"encoding/binary"
)

// IP protocol numbers and EtherTypes the executor needs.
const (
	ipProtoTCP    = 6
	ipProtoUDP    = 17
	ipProtoICMPv6 = 58
	ipProtoSCTP   = 132

	etherTypeVLAN = 0x8100
	etherTypeQinQ = 0x88a8
)

// Sink receives what executing actions produces. Frames passed to it alias
// the packet's buffer.
type Sink interface {
	// Output transmits frame on a datapath port. When final is true the
	// executor will not touch the packet again, so the sink may keep frame
	// (hand the buffer to a TX ring) without copying; otherwise frame is
	// valid only until Output returns and a sink that keeps it must copy.
	Output(port uint32, frame []byte, final bool)
	// Upcall passes frame to userspace; frame is valid only during the
	// call.
	Upcall(u *Userspace, frame []byte)
	// Recirculate feeds frame back into the datapath with recirc_id id;
	// final has Output's meaning.
	Recirculate(id uint32, frame []byte, final bool)
}

// Executor applies datapath actions to packets. It keeps scratch buffers
// for clone, so one Executor belongs to one goroutine (a PMD). The zero
// value is ready to use.
type Executor struct {
	// Meters polices meter actions; without a table they pass every
	// packet.
	Meters MeterTable

	scratch []*Packet // one copy per clone nesting level, reused
	cutLen  uint32    // pending truncation from a Truncate action; 0 none
}

// Execute applies acts to p, in order, and hands outputs, upcalls and
// recirculations to sink. Rewrites happen in p's buffer. A rewrite of a
// header the packet does not have (as p.Info reports it) is skipped, as a
// datapath cannot do better. It allocates only to grow a buffer that has
// no headroom left, or the first time a clone nests this deep.
func (x *Executor) Execute(p *Packet, acts Actions, sink Sink) {
	x.cutLen = 0
	x.run(p, acts, sink, 0, true)
}

// run executes acts at clone nesting depth; top says the list is the
// outermost one, whose last output may hand the packet over.
func (x *Executor) run(p *Packet, acts Actions, sink Sink, depth int, top bool) {
	for i, a := range acts {
		final := top && i == len(acts)-1
		switch a := a.(type) {
		case *Output:
			sink.Output(a.Port, x.cut(p.Frame()), final)
		case *PushVLAN:
			pushVLAN(p, a.TPID, a.TCI)
		case *PopVLAN:
			popVLAN(p)
		case *SetEthernet:
			setEthernet(p.Frame(), a)
		case *SetIPv4:
			setIPv4(p, a)
		case *SetIPv6:
			setIPv6(p, a)
		case *SetL4:
			setL4(p, a)
		case *Userspace:
			sink.Upcall(a, x.cut(p.Frame()))
		case *Recirculate:
			sink.Recirculate(a.ID, p.Frame(), final)
		case *Truncate:
			x.cutLen = a.MaxLen
		case *Meter:
			if x.Meters != nil && !x.Meters.Police(a.ID, p.Len) {
				// Dropped: nothing after the meter sees the packet (in
				// a clone, the clone's copy).
				return
			}
		case *Clone:
			c := x.clone(p, depth)
			saved := x.cutLen
			x.run(c, a.Actions, sink, depth+1, false)
			x.cutLen = saved
		}
	}
}

// cut applies a pending truncation to the frame of one output.
func (x *Executor) cut(f []byte) []byte {
	if x.cutLen != 0 && uint32(len(f)) > x.cutLen {
		f = f[:x.cutLen]
	}
	x.cutLen = 0
	return f
}

// clone copies p into the scratch packet for nesting level depth.
func (x *Executor) clone(p *Packet, depth int) *Packet {
	for len(x.scratch) <= depth {
		x.scratch = append(x.scratch, &Packet{})
	}
	c := x.scratch[depth]
	need := DefaultHeadroom + p.Len
	if cap(c.Buf) < need {
		c.Buf = make([]byte, need)
	}
	c.Buf = c.Buf[:cap(c.Buf)]
	c.Off, c.Len, c.Info = DefaultHeadroom, p.Len, p.Info
	copy(c.Frame(), p.Frame())
	return c
}

// pushVLAN inserts a tag after the Ethernet addresses.
func pushVLAN(p *Packet, tpid, tci uint16) {
	if p.Len < 14 {
		return
	}
	p.grow(12, 4)
	f := p.Frame()
	binary.BigEndian.PutUint16(f[12:], tpid)
	binary.BigEndian.PutUint16(f[14:], tci&^0x1000)
	p.Info.VLAN = 12
}

// popVLAN removes the outermost tag, if there is one.
func popVLAN(p *Packet) {
	f := p.Frame()
	if p.Len < 18 || !isVLANTPID(binary.BigEndian.Uint16(f[12:])) {
		return
	}
	p.shrink(12, 4)
	p.Info.VLAN = -1
	if isVLANTPID(binary.BigEndian.Uint16(p.Frame()[12:])) {
		p.Info.VLAN = 12
	}
}

func isVLANTPID(t uint16) bool { return t == etherTypeVLAN || t == etherTypeQinQ }

func setEthernet(f []byte, a *SetEthernet) {
	if len(f) < 12 {
		return
	}
	for i := 0; i < 6; i++ {
		f[i] = f[i]&^a.DstMask[i] | a.Dst[i]&a.DstMask[i]
		f[6+i] = f[6+i]&^a.SrcMask[i] | a.Src[i]&a.SrcMask[i]
	}
}

// masked32 is v with the bits of mask replaced by those of set.
func masked32(v, set, mask uint32) uint32 { return v&^mask | set&mask }

// l4Checksum returns where the transport checksum of a packet whose
// transport header is at l4 lives, and whether it is a UDP one; ok is false
// when the protocol has no pseudo-header checksum.
func l4Checksum(f []byte, l4 int, proto uint8) (at int, udp, ok bool) {
	switch proto {
	case ipProtoTCP:
		at = l4 + 16
	case ipProtoUDP:
		at, udp = l4+6, true
	case ipProtoICMPv6:
		at = l4 + 2
	default:
		return 0, false, false
	}
	return at, udp, at+2 <= len(f)
}

func setIPv4(p *Packet, a *SetIPv4) {
	f := p.Frame()
	l3 := int(p.Info.L3)
	if l3 < 0 || len(f) < l3+20 || f[l3]>>4 != 4 {
		return
	}
	ip := f[l3:]
	if a.TOSMask != 0 || a.TTLMask != 0 {
		oldTOS := binary.BigEndian.Uint16(ip[0:])
		tos := ip[1]&^a.TOSMask | a.TOS&a.TOSMask
		ip[1] = tos
		fixChecksum16(ip, 10, oldTOS, binary.BigEndian.Uint16(ip[0:]))
		oldTTL := binary.BigEndian.Uint16(ip[8:])
		ip[8] = ip[8]&^a.TTLMask | a.TTL&a.TTLMask
		fixChecksum16(ip, 10, oldTTL, binary.BigEndian.Uint16(ip[8:]))
	}
	l4 := int(p.Info.L4)
	for _, addr := range [2]struct {
		at      int
		v, mask uint32
	}{{12, a.Src, a.SrcMask}, {16, a.Dst, a.DstMask}} {
		if addr.mask == 0 {
			continue
		}
		old := binary.BigEndian.Uint32(ip[addr.at:])
		nv := masked32(old, addr.v, addr.mask)
		if nv == old {
			continue
		}
		binary.BigEndian.PutUint32(ip[addr.at:], nv)
		fixChecksum32(ip, 10, old, nv)
		if l4 < 0 {
			continue
		}
		if at, udp, ok := l4Checksum(f, l4, ip[9]); ok && ip[9] != ipProtoICMPv6 {
			if udp {
				fixUDPChecksum32(f, at, old, nv)
			} else {
				fixChecksum32(f, at, old, nv)
			}
		}
	}
}

// ipv6Proto returns the protocol of the transport header at l4 by walking
// the extension headers between the IPv6 header at l3 and it.
func ipv6Proto(f []byte, l3, l4 int) uint8 {
	proto := f[l3+6]
	for off := l3 + 40; off < l4 && off+8 <= len(f); {
		next := f[off]
		if proto == 44 { // fragment header: fixed 8 bytes
			off += 8
		} else if proto == 51 { // AH counts 4-byte units
			off += (int(f[off+1]) + 2) * 4
		} else {
			off += (int(f[off+1]) + 1) * 8
		}
		proto = next
	}
	return proto
}

func setIPv6(p *Packet, a *SetIPv6) {
	f := p.Frame()
	l3 := int(p.Info.L3)
	if l3 < 0 || len(f) < l3+40 || f[l3]>>4 != 6 {
		return
	}
	ip := f[l3:]
	vcl := binary.BigEndian.Uint32(ip[0:])
	tclass := uint8(vcl>>20)&^a.TClassMask | a.TClass&a.TClassMask
	label := vcl&0xfffff&^a.LabelMask | a.Label&a.LabelMask
	binary.BigEndian.PutUint32(ip[0:], vcl&0xf0000000|uint32(tclass)<<20|label&0xfffff)
	ip[7] = ip[7]&^a.HLimitMask | a.HLimit&a.HLimitMask

	l4 := int(p.Info.L4)
	at, hasSum := 0, false
	if l4 >= 0 {
		// IPv6 makes the UDP checksum mandatory, so zero is not "none"
		// there and it is updated as any other.
		at, _, hasSum = l4Checksum(f, l4, ipv6Proto(f, l3, l4))
	}
	for _, addr := range [2]struct {
		off     int
		v, mask *[16]byte
	}{{8, &a.Src, &a.SrcMask}, {24, &a.Dst, &a.DstMask}} {
		for w := 0; w < 16; w += 4 {
			m := binary.BigEndian.Uint32(addr.mask[w:])
			if m == 0 {
				continue
			}
			old := binary.BigEndian.Uint32(ip[addr.off+w:])
			nv := masked32(old, binary.BigEndian.Uint32(addr.v[w:]), m)
			binary.BigEndian.PutUint32(ip[addr.off+w:], nv)
			if hasSum {
				fixChecksum32(f, at, old, nv)
			}
		}
	}
}

func setL4(p *Packet, a *SetL4) {
	f := p.Frame()
	l4 := int(p.Info.L4)
	if l4 < 0 || len(f) < l4+4 {
		return
	}
	oldPorts := binary.BigEndian.Uint32(f[l4:])
	src := binary.BigEndian.Uint16(f[l4:])&^a.SrcMask | a.Src&a.SrcMask
	dst := binary.BigEndian.Uint16(f[l4+2:])&^a.DstMask | a.Dst&a.DstMask
	newPorts := uint32(src)<<16 | uint32(dst)
	if newPorts == oldPorts {
		return
	}
	binary.BigEndian.PutUint32(f[l4:], newPorts)
	switch a.Proto {
	case ipProtoTCP:
		if len(f) >= l4+18 {
			fixChecksum32(f, l4+16, oldPorts, newPorts)
		}
	case ipProtoUDP:
		if len(f) >= l4+8 {
			fixUDPChecksum32(f, l4+6, oldPorts, newPorts)
		}
	case ipProtoSCTP:
		if end := ipPayloadEnd(f, int(p.Info.L3)); end >= l4+12 {
			sctpChecksum(f[l4:end])
		}
	}
}

// ipPayloadEnd returns where the IP datagram starting at l3 ends within
// f, ignoring link-layer padding.
func ipPayloadEnd(f []byte, l3 int) int {
	if l3 < 0 || len(f) < l3+20 {
		return len(f)
	}
	var end int
	switch f[l3] >> 4 {
	case 4:
		end = l3 + int(binary.BigEndian.Uint16(f[l3+2:]))
	case 6:
		end = l3 + 40 + int(binary.BigEndian.Uint16(f[l3+4:]))
	default:
		return len(f)
	}
	return min(end, len(f))
}
