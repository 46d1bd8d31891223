package datapath

import (
	"encoding/binary"
	"hash/crc32"
)

// Incremental Internet checksum updates (RFC 1624): when a 16-bit word of
// the covered data changes from old to new, the stored checksum sum
// becomes ~(~sum + ~old + new) in ones' complement arithmetic. Headers
// are rewritten in place, so recomputing over the whole packet would cost
// a pass over the payload per rewrite.

// csumAdd is ones' complement addition of 16-bit quantities held in a
// wider accumulator.
func csumFold(acc uint32) uint16 {
	for acc>>16 != 0 {
		acc = acc&0xffff + acc>>16
	}
	return uint16(acc)
}

// csumUpdate16 returns sum after a covered 16-bit word changed old → new.
func csumUpdate16(sum, old, new uint16) uint16 {
	return ^csumFold(uint32(^sum) + uint32(^old) + uint32(new))
}

// csumUpdate32 returns sum after a covered 32-bit word changed old → new.
func csumUpdate32(sum uint16, old, new uint32) uint16 {
	acc := uint32(^sum) + uint32(^uint16(old>>16)) + uint32(^uint16(old)) +
		uint32(uint16(new>>16)) + uint32(uint16(new))
	return ^csumFold(acc)
}

// fixChecksum16 updates the checksum stored at b[at:] for a word change.
func fixChecksum16(b []byte, at int, old, new uint16) {
	binary.BigEndian.PutUint16(b[at:], csumUpdate16(binary.BigEndian.Uint16(b[at:]), old, new))
}

// fixChecksum32 updates the checksum stored at b[at:] for a 32-bit change.
func fixChecksum32(b []byte, at int, old, new uint32) {
	binary.BigEndian.PutUint16(b[at:], csumUpdate32(binary.BigEndian.Uint16(b[at:]), old, new))
}

// fixUDPChecksum32 is fixChecksum32 for UDP, where a zero checksum means
// "none" (IPv4) and a computed zero is sent as 0xffff.
func fixUDPChecksum32(b []byte, at int, old, new uint32) {
	sum := binary.BigEndian.Uint16(b[at:])
	if sum == 0 {
		return
	}
	if sum = csumUpdate32(sum, old, new); sum == 0 {
		sum = 0xffff
	}
	binary.BigEndian.PutUint16(b[at:], sum)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sctpChecksum recomputes the CRC32c of an SCTP packet (RFC 4960
// appendix B); SCTP has no incremental form. The checksum field (bytes
// 8–11) counts as zero and the result is stored little-endian.
func sctpChecksum(sctp []byte) {
	var zero [4]byte
	crc := crc32.Update(0, castagnoli, sctp[:8])
	crc = crc32.Update(crc, castagnoli, zero[:])
	crc = crc32.Update(crc, castagnoli, sctp[12:])
	binary.LittleEndian.PutUint32(sctp[8:], crc)
}
