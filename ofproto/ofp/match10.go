package ofp

import (
	"encoding/binary"

	"github.com/govs/govs/flowtable"
)

// OpenFlow 1.0 ofp_match wildcard bits.
const (
	ofp10WInPort    = 1 << 0
	ofp10WDLVLAN    = 1 << 1
	ofp10WDLSrc     = 1 << 2
	ofp10WDLDst     = 1 << 3
	ofp10WDLType    = 1 << 4
	ofp10WNwProto   = 1 << 5
	ofp10WTpSrc     = 1 << 6
	ofp10WTpDst     = 1 << 7
	ofp10NwSrcShift = 8
	ofp10NwDstShift = 14
	ofp10WDLVLANPCP = 1 << 20
	ofp10WNwTOS     = 1 << 21
	ofp10WAll       = 1<<22 - 1

	ofp10MatchLen = 40
	ofp10VLANNone = 0xffff
)

// appendMatch10 appends m as OpenFlow 1.0's ofp_match. Parts of m that
// ofp_match cannot express are lost; [fitsMatch10] tells whether any are.
func appendMatch10(e *enc, m *flowtable.Match) {
	var w uint32
	var inPort, vlan uint16
	var pcp, tos, proto uint8
	if m.IsWildcard(flowtable.FieldInPort) {
		w |= ofp10WInPort
	} else {
		inPort = uint16(flowtable.FieldInPort.Get(&m.Key))
	}
	tci, tciMask := flowtable.FieldVLANTCI.Get(&m.Key), flowtable.FieldVLANTCI.Get(&m.Mask)
	switch {
	case tciMask&flowtable.VLANCFI != 0 && tci&flowtable.VLANCFI == 0:
		vlan = ofp10VLANNone
	default:
		if tciMask&0x0fff == 0x0fff {
			vlan = uint16(tci & 0x0fff)
		} else {
			w |= ofp10WDLVLAN
		}
		if tciMask&0xe000 == 0xe000 {
			pcp = uint8(tci >> 13)
		} else {
			w |= ofp10WDLVLANPCP
		}
	}
	if m.IsWildcard(flowtable.FieldEthSrc) {
		w |= ofp10WDLSrc
	}
	if m.IsWildcard(flowtable.FieldEthDst) {
		w |= ofp10WDLDst
	}
	if m.IsWildcard(flowtable.FieldEthType) {
		w |= ofp10WDLType
	}
	isARP := m.PrereqsMet(flowtable.PrereqARP)
	switch {
	case isARP && !m.IsWildcard(flowtable.FieldARPOp):
		proto = uint8(flowtable.FieldARPOp.Get(&m.Key))
	case !isARP && !m.IsWildcard(flowtable.FieldNwProto):
		proto = uint8(flowtable.FieldNwProto.Get(&m.Key))
	default:
		w |= ofp10WNwProto
	}
	if m.IsWildcard(flowtable.FieldIPDSCP) {
		w |= ofp10WNwTOS
	} else {
		tos = uint8(flowtable.FieldIPDSCP.Get(&m.Key) << 2)
	}
	src, dst := flowtable.FieldIPSrc, flowtable.FieldIPDst
	w |= uint32(32-prefixLen(uint32(src.Get(&m.Mask)))) << ofp10NwSrcShift
	w |= uint32(32-prefixLen(uint32(dst.Get(&m.Mask)))) << ofp10NwDstShift
	tpSrc, tpDst := flowtable.FieldTCPSrc, flowtable.FieldTCPDst
	if m.IsWildcard(tpSrc) {
		w |= ofp10WTpSrc
	}
	if m.IsWildcard(tpDst) {
		w |= ofp10WTpDst
	}
	e.u32(w)
	e.u16(inPort)
	mac := make([]byte, 6)
	flowtable.FieldEthSrc.GetBytes(&m.Key, mac)
	e.bytes(mac)
	flowtable.FieldEthDst.GetBytes(&m.Key, mac)
	e.bytes(mac)
	e.u16(vlan)
	e.u8(pcp)
	e.u8(0)
	e.u16(uint16(flowtable.FieldEthType.Get(&m.Key)))
	e.u8(tos)
	e.u8(proto)
	e.zeros(2)
	e.u32(uint32(src.Get(&m.Key)))
	e.u32(uint32(dst.Get(&m.Key)))
	e.u16(uint16(tpSrc.Get(&m.Key)))
	e.u16(uint16(tpDst.Get(&m.Key)))
}

// prefixLen returns the length of mask's leading run of ones.
func prefixLen(mask uint32) int {
	n := 0
	for mask&0x80000000 != 0 {
		n++
		mask <<= 1
	}
	return n
}

// decodeMatch10 parses ofp_match as OVS does: fields whose prerequisites
// the match does not meet are ignored.
func decodeMatch10(b []byte) flowtable.Match {
	var m flowtable.Match
	w := binary.BigEndian.Uint32(b) & ofp10WAll
	if w&ofp10WInPort == 0 {
		m.SetExact(flowtable.FieldInPort, uint64(binary.BigEndian.Uint16(b[4:])))
	}
	if w&ofp10WDLSrc == 0 {
		m.SetBytesMasked(flowtable.FieldEthSrc, b[6:12], nil)
	}
	if w&ofp10WDLDst == 0 {
		m.SetBytesMasked(flowtable.FieldEthDst, b[12:18], nil)
	}
	vlan, pcp := binary.BigEndian.Uint16(b[18:]), uint64(b[20]&7)
	switch {
	case w&ofp10WDLVLAN != 0:
		if w&ofp10WDLVLANPCP == 0 {
			m.SetMasked(flowtable.FieldVLANTCI, pcp<<13|flowtable.VLANCFI, 0xe000|flowtable.VLANCFI)
		}
	case vlan == ofp10VLANNone:
		m.SetExact(flowtable.FieldVLANTCI, 0)
	default:
		if w&ofp10WDLVLANPCP == 0 {
			m.SetExact(flowtable.FieldVLANTCI, pcp<<13|flowtable.VLANCFI|uint64(vlan&0xfff))
		} else {
			m.SetMasked(flowtable.FieldVLANTCI, flowtable.VLANCFI|uint64(vlan&0xfff), 0x1fff)
		}
	}
	if w&ofp10WDLType == 0 {
		m.SetExact(flowtable.FieldEthType, uint64(binary.BigEndian.Uint16(b[22:])))
	}
	isIP := m.PrereqsMet(flowtable.PrereqIPv4)
	isARP := m.PrereqsMet(flowtable.PrereqARP)
	if isIP && w&ofp10WNwTOS == 0 {
		m.SetExact(flowtable.FieldIPDSCP, uint64(b[24]>>2))
	}
	if w&ofp10WNwProto == 0 {
		switch {
		case isIP:
			m.SetExact(flowtable.FieldNwProto, uint64(b[25]))
		case isARP:
			m.SetExact(flowtable.FieldARPOp, uint64(b[25]))
		}
	}
	if isIP || isARP {
		for _, a := range []struct {
			f     *flowtable.Field
			shift uint
			off   int
		}{{flowtable.FieldIPSrc, ofp10NwSrcShift, 28}, {flowtable.FieldIPDst, ofp10NwDstShift, 32}} {
			wild := int(w >> a.shift & 0x3f)
			if wild >= 32 {
				continue
			}
			mask := uint64(0xffffffff) << wild & 0xffffffff
			m.SetMasked(a.f, uint64(binary.BigEndian.Uint32(b[a.off:])), mask)
		}
	}
	l4 := isIP && m.IsExact(flowtable.FieldNwProto)
	if l4 {
		switch flowtable.FieldNwProto.Get(&m.Key) {
		case flowtable.IPProtoTCP, flowtable.IPProtoUDP, flowtable.IPProtoSCTP:
			if w&ofp10WTpSrc == 0 {
				m.SetExact(flowtable.FieldTCPSrc, uint64(binary.BigEndian.Uint16(b[36:])))
			}
			if w&ofp10WTpDst == 0 {
				m.SetExact(flowtable.FieldTCPDst, uint64(binary.BigEndian.Uint16(b[38:])))
			}
		case flowtable.IPProtoICMP:
			if w&ofp10WTpSrc == 0 {
				m.SetExact(flowtable.FieldICMPType, uint64(b[37]))
			}
			if w&ofp10WTpDst == 0 {
				m.SetExact(flowtable.FieldICMPCode, uint64(b[39]))
			}
		}
	}
	return m
}

// FitsMatch10 reports whether OpenFlow 1.0's ofp_match expresses m
// exactly, so that a flow can be sent without NXM.
func FitsMatch10(m *flowtable.Match) bool {
	e := &enc{v: OF10}
	appendMatch10(e, m)
	return decodeMatch10(e.b) == *m
}
