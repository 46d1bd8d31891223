package header

import "encoding/binary"

// IPv6MinimumSize is the size of the IPv6 fixed header.
const IPv6MinimumSize = 40

// IP protocol numbers, shared by IPv4's protocol field and IPv6's next
// header.
const (
	IPProtoHopOpts  = 0
	IPProtoICMP     = 1
	IPProtoIGMP     = 2
	IPProtoTCP      = 6
	IPProtoUDP      = 17
	IPProtoRouting  = 43
	IPProtoFragment = 44
	IPProtoAH       = 51
	IPProtoICMPv6   = 58
	IPProtoDstOpts  = 60
	IPProtoSCTP     = 132
)

// IPv6 is a view of an IPv6 fixed header and what follows it.
type IPv6 []byte

// IsValid reports whether the fixed header is present and the payload
// length fits in b (bytes past it are link padding).
func (b IPv6) IsValid() bool {
	return len(b) >= IPv6MinimumSize && IPv6MinimumSize+int(b.PayloadLength()) <= len(b)
}

// VersionClassLabel returns the first word: version, traffic class and flow
// label.
func (b IPv6) VersionClassLabel() uint32 { return binary.BigEndian.Uint32(b[0:]) }

// PayloadLength returns the length of what follows the fixed header.
func (b IPv6) PayloadLength() uint16 { return binary.BigEndian.Uint16(b[4:]) }

// NextHeader returns the protocol of the first header after the fixed one.
func (b IPv6) NextHeader() uint8 { return b[6] }

// HopLimit returns the hop limit.
func (b IPv6) HopLimit() uint8 { return b[7] }

// SrcHi and the three accessors after it return the addresses as two
// 64-bit halves each, most significant half first.
func (b IPv6) SrcHi() uint64 { return binary.BigEndian.Uint64(b[8:]) }

// SrcLo returns the low half of the source address.
func (b IPv6) SrcLo() uint64 { return binary.BigEndian.Uint64(b[16:]) }

// DstHi returns the high half of the destination address.
func (b IPv6) DstHi() uint64 { return binary.BigEndian.Uint64(b[24:]) }

// DstLo returns the low half of the destination address.
func (b IPv6) DstLo() uint64 { return binary.BigEndian.Uint64(b[32:]) }

// IsIPv6ExtensionHeader reports whether a next-header value names an
// extension header that sits between the IPv6 header and the transport
// header (and so must be skipped to find the transport protocol).
func IsIPv6ExtensionHeader(proto uint8) bool {
	switch proto {
	case IPProtoHopOpts, IPProtoRouting, IPProtoDstOpts, IPProtoAH, IPProtoFragment:
		return true
	}
	return false
}

// IPv6ExtensionMinimumSize is the smallest extension header: every one is
// a multiple of 8 bytes.
const IPv6ExtensionMinimumSize = 8

// IPv6Extension is a view of an IPv6 extension header; it must be at least
// IPv6ExtensionMinimumSize bytes.
type IPv6Extension []byte

// NextHeader returns the protocol of the header that follows.
func (b IPv6Extension) NextHeader() uint8 { return b[0] }

// Length returns the size of the header in bytes given its own protocol
// number: AH counts 4-byte units minus 2 (RFC 4302), the fragment header is
// fixed, the others count 8-byte units minus 1 (RFC 8200).
func (b IPv6Extension) Length(proto uint8) int {
	switch proto {
	case IPProtoFragment:
		return 8
	case IPProtoAH:
		return (int(b[1]) + 2) * 4
	}
	return (int(b[1]) + 1) * 8
}

// IPv6FragOffsetMask selects the fragment offset in FragmentOffsetFlags.
const IPv6FragOffsetMask = 0xfff8

// FragmentOffsetFlags returns, for a fragment header, the fragment offset
// (high 13 bits), two reserved bits and the more-fragments flag.
func (b IPv6Extension) FragmentOffsetFlags() uint16 { return binary.BigEndian.Uint16(b[2:]) }
