package ofproto

import (
	"github.com/govs/govs/flowtable"
)

// vlanWord is the key word holding the outer tag's TPID and the inner tag
// (vlan_tpid[63:48] | inner vlan_tci[47:32] | mpls_lse[31:0]); flowtable
// names no field for them, so they are reached through the word MPLS
// fields share.
var vlanWord = flowtable.FieldMPLSLabel.Word()

func outerTPID(k *flowtable.Key) uint16 { return uint16(k[vlanWord] >> 48) }
func innerTCI(k *flowtable.Key) uint16  { return uint16(k[vlanWord] >> 32) }

func setVLANExtra(k *flowtable.Key, tpid, inner uint16) {
	k[vlanWord] = k[vlanWord]&0xffffffff | uint64(tpid)<<48 | uint64(inner)<<32
}

func (x *xlate) tci() uint16 { return uint16(flowtable.FieldVLANTCI.Get(&x.key)) }

func (x *xlate) setTCI(tci uint16) { flowtable.FieldVLANTCI.Set(&x.key, uint64(tci)) }

// markVLAN records that the outcome depends on the VLAN tags: how the
// datapath must pop and push them depends on what the packet carried.
func (x *xlate) markVLAN() {
	x.unwildcard(flowtable.FieldVLANTCI)
	x.wc[vlanWord] |= 0xffff_ffff_0000_0000
}

// pushTag pushes a tag with the given TPID and TCI (CFI set) in front of
// the current outer one.
func (x *xlate) pushTag(tpid, tci uint16) {
	inner := uint16(0)
	if old := x.tci(); old&flowtable.VLANCFI != 0 {
		inner = old
	}
	x.setTCI(tci | flowtable.VLANCFI)
	setVLANExtra(&x.key, tpid, inner)
}

// rewrite applies an action that changes the key.
func (x *xlate) rewrite(a flowtable.Action) {
	switch a := a.(type) {
	case *flowtable.SetVLANVID:
		x.markVLAN()
		if x.tci()&flowtable.VLANCFI == 0 {
			x.pushTag(flowtable.EthTypeVLAN, a.VID&0xfff)
			return
		}
		x.setTCI(x.tci()&^0xfff | a.VID&0xfff)
	case *flowtable.SetVLANPCP:
		x.markVLAN()
		if x.tci()&flowtable.VLANCFI == 0 {
			x.pushTag(flowtable.EthTypeVLAN, uint16(a.PCP&7)<<13)
			return
		}
		x.setTCI(x.tci()&^0xe000 | uint16(a.PCP&7)<<13)
	case *flowtable.StripVLAN:
		x.markVLAN()
		if x.tci()&flowtable.VLANCFI == 0 {
			return
		}
		x.setTCI(innerTCI(&x.key))
		tpid := uint16(0)
		if innerTCI(&x.key) != 0 {
			tpid = flowtable.EthTypeVLAN // the key does not keep the inner TPID
		}
		setVLANExtra(&x.key, tpid, 0)
	case *flowtable.PushVLAN:
		x.markVLAN()
		// The new tag copies the VID and PCP of the current outer one.
		x.pushTag(a.EthType, x.tci()&^flowtable.VLANCFI)
	case *flowtable.SetEthSrc:
		x.setValue(flowtable.FieldEthSrc, macU64(a.MAC))
	case *flowtable.SetEthDst:
		x.setValue(flowtable.FieldEthDst, macU64(a.MAC))
	case *flowtable.SetIPv4Src:
		if x.isIPv4() {
			x.setValue(flowtable.FieldIPSrc, uint64(be32(a.Addr)))
		}
	case *flowtable.SetIPv4Dst:
		if x.isIPv4() {
			x.setValue(flowtable.FieldIPDst, uint64(be32(a.Addr)))
		}
	case *flowtable.SetIPTOS:
		if x.isIP() {
			x.setValue(flowtable.FieldIPDSCP, uint64(a.TOS>>2))
		}
	case *flowtable.SetIPECN:
		if x.isIP() {
			x.setValue(flowtable.FieldNwECN, uint64(a.ECN))
		}
	case *flowtable.SetIPTTL:
		if x.isIP() {
			x.setValue(flowtable.FieldNwTTL, uint64(a.TTL))
		}
	case *flowtable.SetL4Src:
		if x.hasPorts() {
			x.setValue(flowtable.FieldTCPSrc, uint64(a.Port))
		}
	case *flowtable.SetL4Dst:
		if x.hasPorts() {
			x.setValue(flowtable.FieldTCPDst, uint64(a.Port))
		}
	case *flowtable.SetTunnel:
		flowtable.FieldTunID.Set(&x.key, a.ID)
	case *flowtable.SetField:
		x.setField(a)
	case *flowtable.Move:
		if x.prereqsOK(a.Src.Field.Prereq) && x.prereqsOK(a.Dst.Field.Prereq) {
			x.markSubfield(a.Src)
			x.markSubfield(a.Dst)
			writeSubfield(&x.key, a.Dst, readSubfield(&x.key, a.Src))
		}
	case *flowtable.StackPush:
		x.markSubfield(a.Src)
		x.stack = append(x.stack, readSubfield(&x.key, a.Src))
	case *flowtable.StackPop:
		if len(x.stack) == 0 {
			x.traceNote(">> stack underflow")
			return
		}
		v := x.stack[len(x.stack)-1]
		x.stack = x.stack[:len(x.stack)-1]
		x.markSubfield(a.Dst)
		writeSubfield(&x.key, a.Dst, v)
	case *flowtable.CTClear:
		for _, f := range []*flowtable.Field{flowtable.FieldCTState, flowtable.FieldCTZone, flowtable.FieldCTMark} {
			f.Set(&x.key, 0)
		}
		flowtable.FieldCTLabel.SetBytes(&x.key, make([]byte, 16))
	default:
		// ct, nat, multipath, bundle, MPLS, check_pkt_larger and
		// delete_field need datapath support govs does not have yet.
		x.traceNote(">> action not supported by this datapath, ignored")
	}
}

func be32(a [4]byte) uint32 {
	return uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
}

// setValue sets a whole field (at most 64 bits) and marks it examined, as
// OVS does for every field it writes: the datapath action that carries
// the change is computed against the packet's value.
func (x *xlate) setValue(f *flowtable.Field, v uint64) {
	f.Set(&x.key, v)
	x.unwildcard(f)
}

func (x *xlate) dlType() uint64 {
	x.unwildcard(flowtable.FieldEthType)
	return flowtable.FieldEthType.Get(&x.key)
}

func (x *xlate) isIPv4() bool { return x.dlType() == flowtable.EthTypeIPv4 }

func (x *xlate) isIP() bool {
	dl := x.dlType()
	return dl == flowtable.EthTypeIPv4 || dl == flowtable.EthTypeIPv6
}

func (x *xlate) nwProto() uint64 {
	x.unwildcard(flowtable.FieldNwProto)
	return flowtable.FieldNwProto.Get(&x.key)
}

// hasPorts reports whether the packet has a TCP, UDP or SCTP header.
func (x *xlate) hasPorts() bool {
	if !x.isIP() {
		return false
	}
	p := x.nwProto()
	return p == flowtable.IPProtoTCP || p == flowtable.IPProtoUDP || p == flowtable.IPProtoSCTP
}

// prereqsOK reports whether the packet has what writing or reading a field
// with prerequisite p needs; OVS skips such actions otherwise.
func (x *xlate) prereqsOK(p flowtable.Prereq) bool {
	switch p {
	case flowtable.PrereqNone:
		return true
	case flowtable.PrereqVLANVID:
		x.markVLAN()
		return x.tci()&flowtable.VLANCFI != 0
	case flowtable.PrereqARP:
		dl := x.dlType()
		return dl == flowtable.EthTypeARP || dl == flowtable.EthTypeRARP
	case flowtable.PrereqIPv4:
		return x.isIPv4()
	case flowtable.PrereqIPv6:
		return x.dlType() == flowtable.EthTypeIPv6
	case flowtable.PrereqIPAny:
		return x.isIP()
	case flowtable.PrereqMPLS:
		dl := x.dlType()
		return dl == flowtable.EthTypeMPLS || dl == flowtable.EthTypeMPLSM
	case flowtable.PrereqTCP:
		return x.isIP() && x.nwProto() == flowtable.IPProtoTCP
	case flowtable.PrereqUDP:
		return x.isIP() && x.nwProto() == flowtable.IPProtoUDP
	case flowtable.PrereqSCTP:
		return x.isIP() && x.nwProto() == flowtable.IPProtoSCTP
	case flowtable.PrereqICMPv4:
		return x.isIPv4() && x.nwProto() == flowtable.IPProtoICMP
	case flowtable.PrereqICMPv6, flowtable.PrereqND, flowtable.PrereqNDSolicit, flowtable.PrereqNDAdvert:
		if x.dlType() != flowtable.EthTypeIPv6 || x.nwProto() != flowtable.IPProtoICMPv6 {
			return false
		}
		if p == flowtable.PrereqICMPv6 {
			return true
		}
		x.unwildcard(flowtable.FieldICMPv6Type)
		t := flowtable.FieldICMPv6Type.Get(&x.key)
		return p == flowtable.PrereqND && (t == 135 || t == 136) ||
			p == flowtable.PrereqNDSolicit && t == 135 || p == flowtable.PrereqNDAdvert && t == 136
	case flowtable.PrereqCT:
		x.unwildcard(flowtable.FieldCTState)
		return flowtable.FieldCTState.Get(&x.key)&0x20 != 0
	}
	return false
}

// setField carries out set_field and load: the bits of a.Mask take
// a.Value's, and are marked examined.
func (x *xlate) setField(a *flowtable.SetField) {
	f := a.Field
	if !x.prereqsOK(f.Prereq) {
		return
	}
	if (f == flowtable.FieldVLANVID || f == flowtable.FieldVLANPCP) && x.tci()&flowtable.VLANCFI == 0 {
		// OpenFlow 1.2+ sets VLAN fields of an existing tag only.
		x.markVLAN()
		return
	}
	n := f.Bytes()
	var cur, m [128]byte
	f.GetBytes(&x.key, cur[:n])
	for i := 0; i < n; i++ {
		cur[i] = cur[i]&^a.Mask[i] | a.Value[i]&a.Mask[i]
	}
	f.SetBytes(&x.key, cur[:n])
	var mask flowtable.Mask
	copy(m[:n], a.Mask)
	f.SetBytes(&mask, m[:n])
	x.wc.Or(&mask)
}

// markSubfield marks the bits of sf examined.
func (x *xlate) markSubfield(sf flowtable.Subfield) { sf.SetMask(&x.wc) }

// readSubfield returns sf's value in 64-bit chunks, least significant
// first.
func readSubfield(k *flowtable.Key, sf flowtable.Subfield) []uint64 {
	v := make([]uint64, 0, (sf.NBits+63)/64)
	for j := 0; j < sf.NBits; j += 64 {
		v = append(v, sf.Field.GetSubfield(k, sf.Ofs+j, min(64, sf.NBits-j)))
	}
	return v
}

// writeSubfield stores chunks as readSubfield returns them into sf.
func writeSubfield(k *flowtable.Key, sf flowtable.Subfield, v []uint64) {
	for i, j := 0, 0; j < sf.NBits; i, j = i+1, j+64 {
		var c uint64
		if i < len(v) {
			c = v[i]
		}
		sf.Field.SetSubfield(k, sf.Ofs+j, min(64, sf.NBits-j), c)
	}
}
