package ofp

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/govs/govs/flowtable"
)

// tlvHeader identifies an NXM or OXM field: its class, field number and,
// for class 0xffff, experimenter id.
type tlvHeader struct {
	class uint16
	field uint8
	exp   uint32
}

// TLV classes (ovs-fields(7)).
const (
	classNXM0         = 0x0000 // NXM_OF_*
	classNXM1         = 0x0001 // NXM_NX_*
	classOXM          = 0x8000 // OXM_OF_*
	classOXMPktReg    = 0x8001 // OXM_OF_PKT_REG*
	classEricsson     = 0x1000 // ERICOXM_OF_*
	classExperimenter = 0xffff
)

// oxmPacketType is OXM_OF_PACKET_TYPE: (namespace, type). (0, 0) is
// Ethernet, which OVS's OpenFlow 1.5 matches carry for flows that name L2+
// fields and which means the same as no packet type at all.
var oxmPacketType = tlvHeader{class: classOXM, field: 44}

// Experimenter ids of the experimenter OXM classes OVS uses.
const expNSH = 0x005ad650 // NXOXM_NSH_*

// tlvKind says how a TLV's payload maps onto the flow key.
type tlvKind uint8

const (
	kindPlain  tlvKind = iota // the field's value, right-aligned in size bytes
	kindPort32                // an OpenFlow 1.1+ 32-bit port number
	kindTOS                   // NXM_OF_IP_TOS: DSCP in the TOS byte's position
)

// matchField is one TLV: which flowtable field it carries and how.
type matchField struct {
	hdr  tlvHeader
	name string // NXM/OXM name, for error messages
	f    *flowtable.Field
	size int // payload bytes without mask
	kind tlvKind
}

// putHeader appends the TLV header with the payload length.
func (mf *matchField) putHeader(e *enc, masked bool) {
	n := mf.size
	if masked {
		n *= 2
	}
	if mf.hdr.class == classExperimenter {
		n += 4
	}
	h := uint32(mf.hdr.class)<<16 | uint32(mf.hdr.field)<<9 | uint32(n)
	if masked {
		h |= 1 << 8
	}
	e.u32(h)
	if mf.hdr.class == classExperimenter {
		e.u32(mf.hdr.exp)
	}
}

// fieldIndex maps TLV headers to fields, for decoding.
var fieldIndex = map[tlvHeader]*matchField{}

// nxmOf and oxmOf map a flowtable field to the TLV NXM (OpenFlow 1.0
// flow format) and OXM (OpenFlow 1.2+) encode it with; oxmOf is indexed
// by version-OF12.
var (
	nxmOf = map[*flowtable.Field]*matchField{}
	oxmOf [OF15 - OF12 + 1]map[*flowtable.Field]*matchField
)

// defField registers a TLV for field f, preferred for NXM when nxm is
// set, and for OXM from version since on (0: never).
func defField(f *flowtable.Field, name string, h tlvHeader, size int, kind tlvKind, nxm bool, since Version) *matchField {
	mf := &matchField{hdr: h, name: name, f: f, size: size, kind: kind}
	if _, dup := fieldIndex[h]; dup {
		panic("ofp: duplicate TLV " + name)
	}
	fieldIndex[h] = mf
	if nxm {
		nxmOf[f] = mf
	}
	if since != 0 {
		for v := since; v <= OF15; v++ {
			oxmOf[v-OF12][f] = mf
		}
	}
	return mf
}

func init() {
	for i := range oxmOf {
		oxmOf[i] = map[*flowtable.Field]*matchField{}
	}
	nx0 := func(n uint8) tlvHeader { return tlvHeader{class: classNXM0, field: n} }
	nx1 := func(n uint8) tlvHeader { return tlvHeader{class: classNXM1, field: n} }
	of := func(n uint8) tlvHeader { return tlvHeader{class: classOXM, field: n} }
	onf := func(n uint8) tlvHeader { return tlvHeader{class: classExperimenter, field: n, exp: vendorONF} }
	eric := func(n uint8) tlvHeader { return tlvHeader{class: classEricsson, field: n} }
	nxExp := func(n uint8) tlvHeader { return tlvHeader{class: classExperimenter, field: n, exp: vendorNicira} }
	nsh := func(n uint8) tlvHeader { return tlvHeader{class: classExperimenter, field: n, exp: expNSH} }

	// Fields with both an NXM and an OXM name: NXM in the NXM format, OXM
	// from the version given on.
	both := []struct {
		f        *flowtable.Field
		nxmName  string
		nxm      tlvHeader
		oxmName  string
		oxm      tlvHeader
		size     int
		oxmSince Version
	}{
		{flowtable.FieldTunID, "NXM_NX_TUN_ID", nx1(16), "OXM_OF_TUNNEL_ID", of(38), 8, OF13},
		{flowtable.FieldEthSrc, "NXM_OF_ETH_SRC", nx0(2), "OXM_OF_ETH_SRC", of(4), 6, OF12},
		{flowtable.FieldEthDst, "NXM_OF_ETH_DST", nx0(1), "OXM_OF_ETH_DST", of(3), 6, OF12},
		{flowtable.FieldEthType, "NXM_OF_ETH_TYPE", nx0(3), "OXM_OF_ETH_TYPE", of(5), 2, OF12},
		{flowtable.FieldIPSrc, "NXM_OF_IP_SRC", nx0(7), "OXM_OF_IPV4_SRC", of(11), 4, OF12},
		{flowtable.FieldIPDst, "NXM_OF_IP_DST", nx0(8), "OXM_OF_IPV4_DST", of(12), 4, OF12},
		{flowtable.FieldIPv6Src, "NXM_NX_IPV6_SRC", nx1(19), "OXM_OF_IPV6_SRC", of(26), 16, OF12},
		{flowtable.FieldIPv6Dst, "NXM_NX_IPV6_DST", nx1(20), "OXM_OF_IPV6_DST", of(27), 16, OF12},
		{flowtable.FieldIPv6Label, "NXM_NX_IPV6_LABEL", nx1(27), "OXM_OF_IPV6_FLABEL", of(28), 4, OF12},
		{flowtable.FieldNwProto, "NXM_OF_IP_PROTO", nx0(6), "OXM_OF_IP_PROTO", of(10), 1, OF12},
		{flowtable.FieldNwECN, "NXM_NX_IP_ECN", nx1(28), "OXM_OF_IP_ECN", of(9), 1, OF12},
		{flowtable.FieldARPOp, "NXM_OF_ARP_OP", nx0(15), "OXM_OF_ARP_OP", of(21), 2, OF12},
		{flowtable.FieldARPSPA, "NXM_OF_ARP_SPA", nx0(16), "OXM_OF_ARP_SPA", of(22), 4, OF12},
		{flowtable.FieldARPTPA, "NXM_OF_ARP_TPA", nx0(17), "OXM_OF_ARP_TPA", of(23), 4, OF12},
		{flowtable.FieldARPSHA, "NXM_NX_ARP_SHA", nx1(17), "OXM_OF_ARP_SHA", of(24), 6, OF12},
		{flowtable.FieldARPTHA, "NXM_NX_ARP_THA", nx1(18), "OXM_OF_ARP_THA", of(25), 6, OF12},
		{flowtable.FieldTCPSrc, "NXM_OF_TCP_SRC", nx0(9), "OXM_OF_TCP_SRC", of(13), 2, OF12},
		{flowtable.FieldTCPDst, "NXM_OF_TCP_DST", nx0(10), "OXM_OF_TCP_DST", of(14), 2, OF12},
		{flowtable.FieldUDPSrc, "NXM_OF_UDP_SRC", nx0(11), "OXM_OF_UDP_SRC", of(15), 2, OF12},
		{flowtable.FieldUDPDst, "NXM_OF_UDP_DST", nx0(12), "OXM_OF_UDP_DST", of(16), 2, OF12},
		{flowtable.FieldICMPType, "NXM_OF_ICMP_TYPE", nx0(13), "OXM_OF_ICMPV4_TYPE", of(19), 1, OF12},
		{flowtable.FieldICMPCode, "NXM_OF_ICMP_CODE", nx0(14), "OXM_OF_ICMPV4_CODE", of(20), 1, OF12},
		{flowtable.FieldICMPv6Type, "NXM_NX_ICMPV6_TYPE", nx1(21), "OXM_OF_ICMPV6_TYPE", of(29), 1, OF12},
		{flowtable.FieldICMPv6Code, "NXM_NX_ICMPV6_CODE", nx1(22), "OXM_OF_ICMPV6_CODE", of(30), 1, OF12},
		{flowtable.FieldNDTarget, "NXM_NX_ND_TARGET", nx1(23), "OXM_OF_IPV6_ND_TARGET", of(31), 16, OF12},
		{flowtable.FieldNDSLL, "NXM_NX_ND_SLL", nx1(24), "OXM_OF_IPV6_ND_SLL", of(32), 6, OF12},
		{flowtable.FieldNDTLL, "NXM_NX_ND_TLL", nx1(25), "OXM_OF_IPV6_ND_TLL", of(33), 6, OF12},
	}
	for _, b := range both {
		defField(b.f, b.nxmName, b.nxm, b.size, kindPlain, true, 0)
		defField(b.f, b.oxmName, b.oxm, b.size, kindPlain, false, b.oxmSince)
	}

	// Fields with only an NXM (or Ericsson) name: used in every format.
	nxmOnly := []struct {
		f    *flowtable.Field
		name string
		h    tlvHeader
		size int
	}{
		{flowtable.FieldDPHash, "NXM_NX_DP_HASH", nx1(35), 4},
		{flowtable.FieldRecircID, "NXM_NX_RECIRC_ID", nx1(36), 4},
		{flowtable.FieldConjID, "NXM_NX_CONJ_ID", nx1(37), 4},
		{flowtable.FieldTunSrc, "NXM_NX_TUN_IPV4_SRC", nx1(31), 4},
		{flowtable.FieldTunDst, "NXM_NX_TUN_IPV4_DST", nx1(32), 4},
		{flowtable.FieldTunIPv6Src, "NXM_NX_TUN_IPV6_SRC", nx1(109), 16},
		{flowtable.FieldTunIPv6Dst, "NXM_NX_TUN_IPV6_DST", nx1(110), 16},
		{flowtable.FieldTunGBPID, "NXM_NX_TUN_GBP_ID", nx1(38), 2},
		{flowtable.FieldTunGBPFlags, "NXM_NX_TUN_GBP_FLAGS", nx1(39), 1},
		{flowtable.FieldTunFlags, "NXM_NX_TUN_FLAGS", nx1(104), 2},
		{flowtable.FieldPktMark, "NXM_NX_PKT_MARK", nx1(33), 4},
		{flowtable.FieldCTState, "NXM_NX_CT_STATE", nx1(105), 4},
		{flowtable.FieldCTZone, "NXM_NX_CT_ZONE", nx1(106), 2},
		{flowtable.FieldCTMark, "NXM_NX_CT_MARK", nx1(107), 4},
		{flowtable.FieldCTLabel, "NXM_NX_CT_LABEL", nx1(108), 16},
		{flowtable.FieldCTNwSrc, "NXM_NX_CT_NW_SRC", nx1(120), 4},
		{flowtable.FieldCTNwDst, "NXM_NX_CT_NW_DST", nx1(121), 4},
		{flowtable.FieldCTIPv6Src, "NXM_NX_CT_IPV6_SRC", nx1(122), 16},
		{flowtable.FieldCTIPv6Dst, "NXM_NX_CT_IPV6_DST", nx1(123), 16},
		{flowtable.FieldCTNwProto, "NXM_NX_CT_NW_PROTO", nx1(119), 1},
		{flowtable.FieldCTTpSrc, "NXM_NX_CT_TP_SRC", nx1(124), 2},
		{flowtable.FieldCTTpDst, "NXM_NX_CT_TP_DST", nx1(125), 2},
		{flowtable.FieldMPLSTTL, "NXM_NX_MPLS_TTL", nx1(30), 1},
		{flowtable.FieldNwTTL, "NXM_NX_IP_TTL", nx1(29), 1},
		{flowtable.FieldIPFrag, "NXM_NX_IP_FRAG", nx1(26), 1},
		{flowtable.FieldVLANTCI, "NXM_OF_VLAN_TCI", nx0(4), 2},
		{flowtable.FieldNDReserved, "ERICOXM_OF_ICMPV6_ND_RESERVED", eric(1), 4},
		{flowtable.FieldNDOptionsType, "ERICOXM_OF_ICMPV6_ND_OPTIONS_TYPE", eric(2), 1},
	}
	for _, n := range nxmOnly {
		defField(n.f, n.name, n.h, n.size, kindPlain, true, OF12)
	}

	// Fields with an OXM (standard or experimenter) and no NXM name, used
	// in every format.
	oxmOnly := []struct {
		f    *flowtable.Field
		h    tlvHeader
		size int
	}{
		{flowtable.FieldPacketType, oxmPacketType, 4},
		{flowtable.FieldTunERSPANIdx, nxExp(11), 4},
		{flowtable.FieldTunERSPANVer, nxExp(12), 1},
		{flowtable.FieldTunERSPANDir, nxExp(13), 1},
		{flowtable.FieldTunERSPANHWID, nxExp(14), 1},
		{flowtable.FieldTunGTPUFlags, nxExp(15), 1},
		{flowtable.FieldTunGTPUMsgType, nxExp(16), 1},
		{flowtable.FieldNSHFlags, nsh(1), 1},
		{flowtable.FieldNSHMDType, nsh(2), 1},
		{flowtable.FieldNSHNP, nsh(3), 1},
		{flowtable.FieldNSHSPI, nsh(4), 4},
		{flowtable.FieldNSHSI, nsh(5), 1},
		{flowtable.FieldNSHC[0], nsh(6), 4},
		{flowtable.FieldNSHC[1], nsh(7), 4},
		{flowtable.FieldNSHC[2], nsh(8), 4},
		{flowtable.FieldNSHC[3], nsh(9), 4},
		{flowtable.FieldNSHTTL, nsh(10), 1},
	}
	for _, o := range oxmOnly {
		defField(o.f, o.f.NXMName, o.h, o.size, kindPlain, true, OF12)
	}
	for i, f := range flowtable.FieldReg {
		defField(f, fmt.Sprintf("NXM_NX_REG%d", i), nx1(uint8(i)), 4, kindPlain, true, OF12)
	}
	for i, f := range flowtable.FieldXReg {
		defField(f, fmt.Sprintf("OXM_OF_PKT_REG%d", i), tlvHeader{class: classOXMPktReg, field: uint8(i)}, 8, kindPlain, true, OF12)
	}
	for i, f := range flowtable.FieldXXReg {
		defField(f, fmt.Sprintf("NXM_NX_XXREG%d", i), nx1(uint8(111+i)), 16, kindPlain, true, OF12)
	}

	// Fields with only OXM names, used in the NXM format too.
	defField(flowtable.FieldMetadata, "OXM_OF_METADATA", of(2), 8, kindPlain, true, OF12)
	defField(flowtable.FieldVLANVID, "OXM_OF_VLAN_VID", of(6), 2, kindPlain, true, OF12)
	defField(flowtable.FieldVLANPCP, "OXM_OF_VLAN_PCP", of(7), 1, kindPlain, true, OF12)
	defField(flowtable.FieldMPLSLabel, "OXM_OF_MPLS_LABEL", of(34), 4, kindPlain, true, OF12)
	defField(flowtable.FieldMPLSTC, "OXM_OF_MPLS_TC", of(35), 1, kindPlain, true, OF12)
	defField(flowtable.FieldMPLSBOS, "OXM_OF_MPLS_BOS", of(36), 1, kindPlain, true, OF13)
	defField(flowtable.FieldSCTPSrc, "OXM_OF_SCTP_SRC", of(17), 2, kindPlain, true, OF12)
	defField(flowtable.FieldSCTPDst, "OXM_OF_SCTP_DST", of(18), 2, kindPlain, true, OF12)

	// Fields whose NXM and OXM forms differ in more than the header.
	defField(flowtable.FieldInPort, "NXM_OF_IN_PORT", nx0(0), 2, kindPlain, true, 0)
	defField(flowtable.FieldInPort, "OXM_OF_IN_PORT", of(0), 4, kindPort32, false, OF12)
	defField(flowtable.FieldIPDSCP, "NXM_OF_IP_TOS", nx0(5), 1, kindTOS, true, 0)
	defField(flowtable.FieldIPDSCP, "OXM_OF_IP_DSCP", of(8), 1, kindPlain, false, OF12)
	defField(flowtable.FieldTCPFlags, "NXM_NX_TCP_FLAGS", nx1(34), 2, kindPlain, true, OF12)
	defField(flowtable.FieldTCPFlags, "ONFOXM_ET_TCP_FLAGS", onf(42), 2, kindPlain, false, OF13)
	defField(flowtable.FieldTCPFlags, "OXM_OF_TCP_FLAGS", of(42), 2, kindPlain, false, OF15)
	defField(flowtable.FieldActsetOutput, "ONFOXM_ET_ACTSET_OUTPUT", onf(43), 4, kindPort32, true, OF13)
	defField(flowtable.FieldActsetOutput, "OXM_OF_ACTSET_OUTPUT", of(43), 4, kindPort32, false, OF15)
}

// encodeOrder is the order OVS writes a match's TLVs in. A field is
// written when the match looks at it and its prerequisites hold; VLAN and
// registers depend on the format.
var encodeOrder []*flowtable.Field

// Placeholders in encodeOrder for the format-dependent parts.
var (
	orderVLAN = &flowtable.Field{Name: "(vlan)"}
	orderRegs = &flowtable.Field{Name: "(registers)"}
	orderTun  = &flowtable.Field{Name: "(tun_metadata)"}
)

func init() {
	ft := func(fs ...*flowtable.Field) { encodeOrder = append(encodeOrder, fs...) }
	ft(flowtable.FieldPacketType, flowtable.FieldDPHash, flowtable.FieldRecircID, flowtable.FieldConjID,
		flowtable.FieldInPort, flowtable.FieldActsetOutput,
		flowtable.FieldEthSrc, flowtable.FieldEthDst, flowtable.FieldEthType, orderVLAN,
		flowtable.FieldMPLSTC, flowtable.FieldMPLSBOS, flowtable.FieldMPLSTTL, flowtable.FieldMPLSLabel,
		flowtable.FieldIPSrc, flowtable.FieldIPDst,
		flowtable.FieldIPv6Src, flowtable.FieldIPv6Dst,
		flowtable.FieldIPFrag, flowtable.FieldIPDSCP, flowtable.FieldNwECN, flowtable.FieldNwTTL,
		flowtable.FieldIPv6Label, flowtable.FieldNwProto,
		flowtable.FieldTCPSrc, flowtable.FieldTCPDst, flowtable.FieldTCPFlags,
		flowtable.FieldUDPSrc, flowtable.FieldUDPDst, flowtable.FieldSCTPSrc, flowtable.FieldSCTPDst,
		flowtable.FieldICMPType, flowtable.FieldICMPCode,
		flowtable.FieldICMPv6Type, flowtable.FieldICMPv6Code, flowtable.FieldNDReserved,
		flowtable.FieldNDTarget, flowtable.FieldNDOptionsType, flowtable.FieldNDSLL, flowtable.FieldNDTLL,
		flowtable.FieldARPOp, flowtable.FieldARPSPA, flowtable.FieldARPTPA, flowtable.FieldARPSHA, flowtable.FieldARPTHA,
		flowtable.FieldTunID, flowtable.FieldTunFlags, flowtable.FieldTunSrc, flowtable.FieldTunDst,
		flowtable.FieldTunIPv6Src, flowtable.FieldTunIPv6Dst, flowtable.FieldTunGBPID, flowtable.FieldTunGBPFlags,
		flowtable.FieldTunERSPANIdx, flowtable.FieldTunERSPANVer, flowtable.FieldTunERSPANDir, flowtable.FieldTunERSPANHWID,
		flowtable.FieldTunGTPUFlags, flowtable.FieldTunGTPUMsgType,
		orderTun,
		flowtable.FieldNSHFlags, flowtable.FieldNSHTTL, flowtable.FieldNSHMDType, flowtable.FieldNSHNP,
		flowtable.FieldNSHSPI, flowtable.FieldNSHSI,
		flowtable.FieldNSHC[0], flowtable.FieldNSHC[1], flowtable.FieldNSHC[2], flowtable.FieldNSHC[3],
		orderRegs, flowtable.FieldPktMark,
		flowtable.FieldCTState, flowtable.FieldCTZone, flowtable.FieldCTMark, flowtable.FieldCTLabel,
		flowtable.FieldCTNwSrc, flowtable.FieldCTNwDst, flowtable.FieldCTIPv6Src, flowtable.FieldCTIPv6Dst,
		flowtable.FieldCTNwProto, flowtable.FieldCTTpSrc, flowtable.FieldCTTpDst,
		flowtable.FieldMetadata)
}

// tlvFormat is the TLV flavour: NXM (0) or OXM of a version.
type tlvFormat = Version

const formatNXM tlvFormat = 0

// fieldTLV returns the TLV that carries f in format.
func fieldTLV(f *flowtable.Field, format tlvFormat) *matchField {
	if format == formatNXM {
		return nxmOf[f]
	}
	if format == OF11 {
		// OpenFlow 1.1 has no OXM; OVS's flow statistics replies carry
		// an OXM-typed match anyway, with OpenFlow 1.2's 32-bit in_port
		// and each other field's NXM header where it has one.
		if mf := nxmOf[f]; mf != nil && f != flowtable.FieldInPort {
			return mf
		}
		return oxmOf[0][f]
	}
	return oxmOf[format-OF12][f]
}

// appendMatchTLVs appends m's TLVs in OVS's order.
func appendMatchTLVs(e *enc, m *flowtable.Match, format tlvFormat) error {
	for _, f := range encodeOrder {
		switch f {
		case orderVLAN:
			if format == formatNXM {
				putTLV(e, m, fieldTLV(flowtable.FieldVLANTCI, format))
				continue
			}
			putTLV(e, m, fieldTLV(flowtable.FieldVLANVID, format))
			if flowtable.FieldVLANTCI.Get(&m.Mask)&0xe000 == 0xe000 && m.PrereqsMet(flowtable.PrereqVLANVID) {
				putTLV(e, m, fieldTLV(flowtable.FieldVLANPCP, format))
			}
			continue
		case orderTun:
			putTunMetadata(e, m)
			continue
		case orderRegs:
			if format == OF15 {
				for _, x := range flowtable.FieldXReg {
					putTLV(e, m, fieldTLV(x, format))
				}
				continue
			}
			for _, r := range flowtable.FieldReg {
				putTLV(e, m, fieldTLV(r, format))
			}
			continue
		}
		// OVS sends NSH fields whatever the match's Ethertype, and lets
		// the switch refuse them.
		if m.IsWildcard(f) || !m.PrereqsMet(f.Prereq) && f.Prereq != flowtable.PrereqNSH {
			continue
		}
		mf := fieldTLV(f, format)
		if mf == nil {
			return &Error{Code: BadMatchBadField, Err: fmt.Errorf("%s has no TLV in this format", f.Name)}
		}
		putTLV(e, m, mf)
	}
	return nil
}

// putTLV writes mf's TLV if the match looks at its field.
func putTLV(e *enc, m *flowtable.Match, mf *matchField) {
	if m.IsWildcard(mf.f) {
		return
	}
	exact := m.IsExact(mf.f)
	mf.putHeader(e, !exact)
	mf.putValue(e, &m.Key)
	if !exact {
		mf.putValue(e, &m.Mask)
	}
}

// putValue appends the field's value in k as the TLV carries it.
func (mf *matchField) putValue(e *enc, k *flowtable.Key) {
	switch mf.kind {
	case kindPort32:
		v := mf.f.Get(k)
		if v >= uint64(flowtable.PortMax) && v <= 0xffff {
			v = uint64(encodePort32(flowtable.Port(v)))
		}
		e.u32(uint32(v))
		return
	case kindTOS:
		e.u8(uint8(mf.f.Get(k) << 2))
		return
	}
	buf := make([]byte, mf.size)
	mf.f.GetBytes(k, buf[mf.size-mf.f.Bytes():])
	e.bytes(buf)
}

// maxTLVs bounds how many TLVs a match may have; OVS's fields number
// fewer than this, so a longer list must repeat a field.
const maxTLVs = 256

// decodeMatchTLVs parses TLVs into a match, with OVS's checks: each field
// known (OFPBMC_BAD_FIELD), its length right (OFPBMC_BAD_LEN), value and
// mask in range (BAD_VALUE, BAD_MASK), no value bit outside the mask
// (OFPBMC_BAD_WILDCARDS), prerequisites met by the TLVs before it
// (OFPBMC_BAD_PREREQ), and no field twice (OFPBMC_DUP_FIELD). A
// tun_metadataN means what c's TLV map says it means.
func decodeMatchTLVs(c *decodeCtx, b []byte) (flowtable.Match, error) {
	var m flowtable.Match
	for n := 0; len(b) > 0; n++ {
		if n == maxTLVs {
			return m, errorf(BadMatchDupField, "more than %d match fields", maxTLVs)
		}
		if len(b) < 4 {
			return m, errorf(BadMatchBadLen, "%d trailing bytes in match", len(b))
		}
		h := binary.BigEndian.Uint32(b)
		length := int(h & 0xff)
		hasMask := h&(1<<8) != 0
		th := tlvHeader{class: uint16(h >> 16), field: uint8(h >> 9 & 0x7f)}
		payload := b[4:]
		if length > len(payload) {
			return m, errorf(BadMatchBadLen, "match field %#08x of length %d in %d bytes", h, length, len(payload))
		}
		payload, b = payload[:length], payload[length:]
		if th.class == classExperimenter {
			if length < 4 {
				return m, errorf(BadMatchBadLen, "experimenter match field of length %d", length)
			}
			th.exp = binary.BigEndian.Uint32(payload)
			payload = payload[4:]
		}
		if th == oxmPacketType && !hasMask && len(payload) == 4 && binary.BigEndian.Uint32(payload) == 0 {
			continue // Ethernet, which every flow matches by default
		}
		if n, ok := tunMetadataIndex(h); ok {
			if err := c.applyTunMetadata(&m, n, payload, hasMask); err != nil {
				return m, err
			}
			continue
		}
		mf := fieldIndex[th]
		if mf == nil {
			return m, errorf(BadMatchBadField, "unknown match field %#08x", h)
		}
		if err := mf.apply(&m, payload, hasMask); err != nil {
			return m, err
		}
	}
	return m, nil
}

// apply adds one TLV's value (and mask) to m.
func (mf *matchField) apply(m *flowtable.Match, payload []byte, hasMask bool) error {
	want := mf.size
	if hasMask {
		want *= 2
	}
	if len(payload) != want {
		return errorf(BadMatchBadLen, "%s with %d bytes of payload", mf.name, len(payload))
	}
	f := mf.f
	if !m.IsWildcard(f) {
		return errorf(BadMatchDupField, "%s appears twice", mf.name)
	}
	if !m.PrereqsMet(f.Prereq) {
		return errorf(BadMatchBadPrereq, "%s without its prerequisites", mf.name)
	}
	if pt, ok := m.PacketType(); ok && pt != 0 && ethernetField(f) {
		return errorf(BadMatchBadPrereq, "%s in a match for packet type %#x, which has no Ethernet header", mf.name, pt)
	}
	value, err := mf.keyBytes(payload[:mf.size])
	if err != nil {
		return err
	}
	var mask []byte
	if hasMask {
		if !f.Maskable {
			return errorf(BadMatchBadMask, "%s cannot be masked", mf.name)
		}
		if mask, err = mf.keyBytes(payload[mf.size:]); err != nil {
			return &Error{Code: BadMatchBadMask, Err: err}
		}
		for i := range value {
			if value[i]&^mask[i] != 0 {
				return errorf(BadMatchBadWildcards, "%s value has bits outside its mask", mf.name)
			}
		}
		if isZero(mask) {
			return nil
		}
	}
	m.SetBytesMasked(f, value, mask)
	return nil
}

// ethernetField reports whether f is in the Ethernet header, which only
// packets of type (0,0) have.
func ethernetField(f *flowtable.Field) bool {
	switch f {
	case flowtable.FieldEthSrc, flowtable.FieldEthDst, flowtable.FieldEthType,
		flowtable.FieldVLANTCI, flowtable.FieldVLANVID, flowtable.FieldVLANPCP:
		return true
	}
	return false
}

// keyBytes converts a TLV value to the field's big-endian bytes, checking
// that it fits the field.
func (mf *matchField) keyBytes(p []byte) ([]byte, error) {
	f := mf.f
	switch mf.kind {
	case kindPort32:
		v := binary.BigEndian.Uint32(p)
		if v >= 0xffffff00 {
			v -= 0xffff0000
		} else if v >= uint32(flowtable.PortMax) && f == flowtable.FieldInPort {
			return nil, errorf(BadMatchBadValue, "%s %#x is not a valid port", mf.name, v)
		}
		out := make([]byte, f.Bytes())
		putUintBE(out, uint64(v))
		return out, nil
	case kindTOS:
		if p[0]&3 != 0 {
			return nil, errorf(BadMatchBadValue, "%s %#x has ECN bits", mf.name, p[0])
		}
		return []byte{p[0] >> 2}, nil
	}
	extra := mf.size*8 - f.Bits
	// The bits above the field's width must be zero.
	for i := 0; i < extra; i++ {
		if p[i/8]&(0x80>>(i%8)) != 0 {
			return nil, errorf(BadMatchBadValue, "%s value exceeds %d bits", mf.name, f.Bits)
		}
	}
	return clone(p[mf.size-f.Bytes():]), nil
}

func putUintBE(b []byte, v uint64) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
}

func isZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// onesCount reports the number of one bits in b.
func onesCount(b []byte) int {
	n := 0
	for _, x := range b {
		n += bits.OnesCount8(x)
	}
	return n
}
