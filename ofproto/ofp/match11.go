package ofp

import (
	"encoding/binary"

	"github.com/govs/govs/flowtable"
)

// OpenFlow 1.1's standard ofp_match (ofp11_match): wildcard bits for the
// fields without masks; the Ethernet and IPv4 addresses and the metadata
// carry masks whose one bits are the ones ignored.
const (
	ofp11WInPort    = 1 << 0
	ofp11WDLVLAN    = 1 << 1
	ofp11WDLVLANPCP = 1 << 2
	ofp11WDLType    = 1 << 3
	ofp11WNwTOS     = 1 << 4
	ofp11WNwProto   = 1 << 5
	ofp11WTpSrc     = 1 << 6
	ofp11WTpDst     = 1 << 7
	ofp11WMPLSLabel = 1 << 8
	ofp11WMPLSTC    = 1 << 9
	ofp11WAll       = 1<<10 - 1

	ofp11MatchLen  = 88
	ofp11MatchStd  = 0      // OFPMT_STANDARD
	ofp11VLANAny   = 0xfffe // any tagged packet
	ofp11VLANNone  = 0xffff // untagged packets only
	ethTypeMPLS    = 0x8847
	ethTypeMPLSMC  = 0x8848
	ofp11PcpOffset = 13
)

// appendMatch11 appends m as ofp11_match. Fields the standard match
// cannot express are lost; [decodeMatch11] of the result tells.
func appendMatch11(e *enc, m *flowtable.Match) {
	w := uint32(0)
	wild := func(f *flowtable.Field, bit uint32) {
		if m.IsWildcard(f) {
			w |= bit
		}
	}
	wild(flowtable.FieldInPort, ofp11WInPort)
	wild(flowtable.FieldEthType, ofp11WDLType)
	tci, tciMask := flowtable.FieldVLANTCI.Get(&m.Key), flowtable.FieldVLANTCI.Get(&m.Mask)
	var vlan uint16
	var pcp uint8
	switch {
	case tciMask&flowtable.VLANCFI == 0:
		w |= ofp11WDLVLAN | ofp11WDLVLANPCP
	case tci&flowtable.VLANCFI == 0:
		vlan = ofp11VLANNone
		w |= ofp11WDLVLANPCP
	default:
		vlan = ofp11VLANAny
		if tciMask&0x0fff == 0x0fff {
			vlan = uint16(tci & 0x0fff)
		}
		if tciMask&0xe000 == 0xe000 {
			pcp = uint8(tci >> ofp11PcpOffset)
		} else {
			w |= ofp11WDLVLANPCP
		}
	}
	// Only what decodeMatch11 reads back is written: the network fields
	// for IPv4 (and ARP's opcode and addresses), the transport ones for
	// TCP, UDP, SCTP and ICMP over IPv4.
	isIP, isARP := m.PrereqsMet(flowtable.PrereqIPv4), m.PrereqsMet(flowtable.PrereqARP)
	var proto, tos uint8
	switch {
	case isARP && !m.IsWildcard(flowtable.FieldARPOp):
		proto = uint8(flowtable.FieldARPOp.Get(&m.Key))
	case isIP && !m.IsWildcard(flowtable.FieldNwProto):
		proto = uint8(flowtable.FieldNwProto.Get(&m.Key))
	default:
		w |= ofp11WNwProto
	}
	if !isIP || m.IsWildcard(flowtable.FieldIPDSCP) {
		w |= ofp11WNwTOS
	} else {
		tos = uint8(flowtable.FieldIPDSCP.Get(&m.Key) << 2)
	}
	var nwSrc, nwDst [2]uint32 // value, wildcard mask
	if isIP || isARP {
		nwSrc = [2]uint32{uint32(flowtable.FieldIPSrc.Get(&m.Key)), ^uint32(flowtable.FieldIPSrc.Get(&m.Mask))}
		nwDst = [2]uint32{uint32(flowtable.FieldIPDst.Get(&m.Key)), ^uint32(flowtable.FieldIPDst.Get(&m.Mask))}
	} else {
		nwSrc[1], nwDst[1] = ^uint32(0), ^uint32(0)
	}
	srcF, dstF := flowtable.FieldTCPSrc, flowtable.FieldTCPDst
	if isIP && m.IsExact(flowtable.FieldNwProto) && flowtable.FieldNwProto.Get(&m.Key) == flowtable.IPProtoICMP {
		srcF, dstF = flowtable.FieldICMPType, flowtable.FieldICMPCode
	}
	var tpSrc, tpDst uint16
	l4 := isIP && m.IsExact(flowtable.FieldNwProto)
	if !l4 || m.IsWildcard(srcF) {
		w |= ofp11WTpSrc
	} else {
		tpSrc = uint16(srcF.Get(&m.Key))
	}
	if !l4 || m.IsWildcard(dstF) {
		w |= ofp11WTpDst
	} else {
		tpDst = uint16(dstF.Get(&m.Key))
	}
	wild(flowtable.FieldMPLSLabel, ofp11WMPLSLabel)
	wild(flowtable.FieldMPLSTC, ofp11WMPLSTC)

	e.u16(ofp11MatchStd)
	e.u16(ofp11MatchLen)
	e.u32(encodePort32(flowtable.Port(flowtable.FieldInPort.Get(&m.Key))))
	e.u32(w)
	for _, f := range []*flowtable.Field{flowtable.FieldEthSrc, flowtable.FieldEthDst} {
		b := make([]byte, 12)
		f.GetBytes(&m.Key, b[:6])
		f.GetBytes(&m.Mask, b[6:])
		for i := 6; i < 12; i++ {
			b[i] = ^b[i]
		}
		e.bytes(b)
	}
	e.u16(vlan)
	e.u8(pcp)
	e.u8(0)
	e.u16(uint16(flowtable.FieldEthType.Get(&m.Key)))
	e.u8(tos)
	e.u8(proto)
	for _, nw := range [][2]uint32{nwSrc, nwDst} {
		e.u32(nw[0])
		e.u32(nw[1])
	}
	e.u16(tpSrc)
	e.u16(tpDst)
	e.u32(uint32(flowtable.FieldMPLSLabel.Get(&m.Key)))
	e.u8(uint8(flowtable.FieldMPLSTC.Get(&m.Key)))
	e.zeros(3)
	e.u64(flowtable.FieldMetadata.Get(&m.Key))
	e.u64(^flowtable.FieldMetadata.Get(&m.Mask))
}

// decodeMatch11 parses ofp11_match as OVS does: fields whose prerequisites
// the match does not meet are ignored; a VLAN id or PCP out of range is
// refused.
func decodeMatch11(b []byte) (flowtable.Match, error) {
	var m flowtable.Match
	if len(b) < ofp11MatchLen {
		return m, errorf(BadMatchBadLen, "ofp11_match in %d bytes", len(b))
	}
	if typ, n := binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:]); typ != ofp11MatchStd || n != ofp11MatchLen {
		return m, errorf(BadMatchBadType, "ofp11_match type %d length %d", typ, n)
	}
	w := binary.BigEndian.Uint32(b[8:]) & ofp11WAll
	if w&ofp11WInPort == 0 {
		p, err := decodePort32(binary.BigEndian.Uint32(b[4:]))
		if err != nil {
			return m, err
		}
		m.SetExact(flowtable.FieldInPort, uint64(p))
	}
	for _, a := range []struct {
		f   *flowtable.Field
		off int
	}{{flowtable.FieldEthSrc, 12}, {flowtable.FieldEthDst, 24}} {
		mask := make([]byte, 6)
		for i := range mask {
			mask[i] = ^b[a.off+6+i]
		}
		if string(mask) != "\x00\x00\x00\x00\x00\x00" {
			m.SetBytesMasked(a.f, b[a.off:a.off+6], mask)
		}
	}
	if w&ofp11WDLVLAN == 0 {
		vlan, pcp := binary.BigEndian.Uint16(b[36:]), uint64(b[38])
		switch {
		case vlan == ofp11VLANNone:
			m.SetExact(flowtable.FieldVLANTCI, 0)
		case vlan != ofp11VLANAny && vlan > 0xfff:
			return m, errorf(BadMatchBadValue, "ofp11_match dl_vlan %#x", vlan)
		case w&ofp11WDLVLANPCP == 0 && pcp > 7:
			return m, errorf(BadMatchBadValue, "ofp11_match dl_vlan_pcp %d", pcp)
		default:
			tci, mask := uint64(flowtable.VLANCFI), uint64(flowtable.VLANCFI)
			if vlan != ofp11VLANAny {
				tci, mask = tci|uint64(vlan), mask|0x0fff
			}
			if w&ofp11WDLVLANPCP == 0 {
				tci, mask = tci|pcp<<ofp11PcpOffset, mask|0xe000
			}
			m.SetMasked(flowtable.FieldVLANTCI, tci, mask)
		}
	}
	if w&ofp11WDLType == 0 {
		m.SetExact(flowtable.FieldEthType, uint64(binary.BigEndian.Uint16(b[40:])))
	}
	isIP := m.PrereqsMet(flowtable.PrereqIPv4)
	isARP := m.PrereqsMet(flowtable.PrereqARP)
	if isIP && w&ofp11WNwTOS == 0 {
		if b[42]&3 != 0 {
			return m, errorf(BadMatchBadValue, "ofp11_match nw_tos %#x", b[42])
		}
		m.SetExact(flowtable.FieldIPDSCP, uint64(b[42]>>2))
	}
	if w&ofp11WNwProto == 0 {
		switch {
		case isIP:
			m.SetExact(flowtable.FieldNwProto, uint64(b[43]))
		case isARP:
			m.SetExact(flowtable.FieldARPOp, uint64(b[43]))
		}
	}
	if isIP || isARP {
		for _, a := range []struct {
			f   *flowtable.Field
			off int
		}{{flowtable.FieldIPSrc, 44}, {flowtable.FieldIPDst, 52}} {
			if mask := ^binary.BigEndian.Uint32(b[a.off+4:]); mask != 0 {
				m.SetMasked(a.f, uint64(binary.BigEndian.Uint32(b[a.off:])), uint64(mask))
			}
		}
	}
	if isIP && m.IsExact(flowtable.FieldNwProto) {
		src, dst := binary.BigEndian.Uint16(b[60:]), binary.BigEndian.Uint16(b[62:])
		switch flowtable.FieldNwProto.Get(&m.Key) {
		case flowtable.IPProtoTCP, flowtable.IPProtoUDP, flowtable.IPProtoSCTP:
			if w&ofp11WTpSrc == 0 {
				m.SetExact(flowtable.FieldTCPSrc, uint64(src))
			}
			if w&ofp11WTpDst == 0 {
				m.SetExact(flowtable.FieldTCPDst, uint64(dst))
			}
		case flowtable.IPProtoICMP:
			if w&ofp11WTpSrc == 0 {
				m.SetExact(flowtable.FieldICMPType, uint64(src&0xff))
			}
			if w&ofp11WTpDst == 0 {
				m.SetExact(flowtable.FieldICMPCode, uint64(dst&0xff))
			}
		}
	}
	if t := flowtable.FieldEthType.Get(&m.Key); m.IsExact(flowtable.FieldEthType) && (t == ethTypeMPLS || t == ethTypeMPLSMC) {
		if w&ofp11WMPLSLabel == 0 {
			m.SetExact(flowtable.FieldMPLSLabel, uint64(binary.BigEndian.Uint32(b[64:])&0xfffff))
		}
		if w&ofp11WMPLSTC == 0 {
			m.SetExact(flowtable.FieldMPLSTC, uint64(b[68]&7))
		}
	}
	if mask := ^binary.BigEndian.Uint64(b[80:]); mask != 0 {
		m.SetMasked(flowtable.FieldMetadata, binary.BigEndian.Uint64(b[72:]), mask)
	}
	return m, nil
}
