package header

import "encoding/binary"

// IPv4MinimumSize is the size of an IPv4 header without options.
const IPv4MinimumSize = 20

// Bits of the IPv4 flags/fragment-offset half-word.
const (
	IPv4MoreFragments  = 0x2000
	IPv4FragOffsetMask = 0x1fff
)

// IPv4 is a view of an IPv4 header and what follows it.
type IPv4 []byte

// IsValid reports whether the header is long enough and consistent: a
// header length of at least IPv4MinimumSize that fits in b, and a total
// length that covers the header and fits in b (bytes past it are link
// padding). Like Open vSwitch it does not look at the version nibble: the
// EtherType already said IPv4.
func (b IPv4) IsValid() bool {
	if len(b) < IPv4MinimumSize {
		return false
	}
	hlen := b.HeaderLength()
	total := int(b.TotalLength())
	return hlen >= IPv4MinimumSize && hlen <= total && total <= len(b)
}

// HeaderLength returns the header length in bytes (IHL × 4).
func (b IPv4) HeaderLength() int { return int(b[0]&0x0f) * 4 }

// TOS returns the type-of-service byte: DSCP in the high six bits, ECN in
// the low two.
func (b IPv4) TOS() uint8 { return b[1] }

// TotalLength returns the length of the datagram, header included.
func (b IPv4) TotalLength() uint16 { return binary.BigEndian.Uint16(b[2:]) }

// FlagsFragmentOffset returns the flags (high 3 bits) and the fragment
// offset in 8-byte units (low 13 bits).
func (b IPv4) FlagsFragmentOffset() uint16 { return binary.BigEndian.Uint16(b[6:]) }

// TTL returns the time to live.
func (b IPv4) TTL() uint8 { return b[8] }

// Protocol returns the protocol of the payload.
func (b IPv4) Protocol() uint8 { return b[9] }

// Addresses returns the source address in the high 32 bits and the
// destination in the low 32: the two are adjacent on the wire.
func (b IPv4) Addresses() uint64 { return binary.BigEndian.Uint64(b[12:]) }
