package header

import "encoding/binary"

// Minimum sizes of the transport headers.
const (
	TCPMinimumSize  = 20
	UDPSize         = 8
	SCTPCommonSize  = 12 // the common header, before the first chunk
	ICMPSize        = 8  // ICMPv4, ICMPv6 and IGMP: type, code, checksum and 4 more bytes
	NDTargetSize    = 16 // the target address of a neighbor solicitation or advertisement
	NDOptionMinSize = 8
)

// Ports is a view of the first 4 bytes of a TCP, UDP or SCTP header, which
// all start with the source and destination ports.
type Ports []byte

// Both returns the source port in the high 16 bits and the destination in
// the low 16.
func (b Ports) Both() uint32 { return binary.BigEndian.Uint32(b[0:]) }

// TCP is a view of a TCP header; it must be at least TCPMinimumSize bytes.
type TCP []byte

// Ports returns the view of the port pair.
func (b TCP) Ports() Ports { return Ports(b) }

// DataOffset returns the header length in bytes, options included.
func (b TCP) DataOffset() int { return int(b[12]>>4) * 4 }

// Flags returns the 12 bits after the data offset: 3 reserved bits, NS,
// CWR, ECE, URG, ACK, PSH, RST, SYN, FIN.
func (b TCP) Flags() uint16 { return binary.BigEndian.Uint16(b[12:]) & 0x0fff }

// ICMP is a view of an ICMPv4, ICMPv6 or IGMP header, which all start
// with a type and a code; it must be at least ICMPSize bytes.
type ICMP []byte

// Type returns the message type.
func (b ICMP) Type() uint8 { return b[0] }

// Code returns the message code.
func (b ICMP) Code() uint8 { return b[1] }

// Neighbor Discovery message types and option types (RFC 4861).
const (
	ICMPv6NeighborSolicit = 135
	ICMPv6NeighborAdvert  = 136

	NDOptionSourceLinkAddr = 1
	NDOptionTargetLinkAddr = 2
)

// ND is a view of the body of a neighbor solicitation or advertisement,
// after the ICMPv6 header; it must be at least NDTargetSize bytes.
type ND []byte

// TargetHi returns the high half of the target address.
func (b ND) TargetHi() uint64 { return binary.BigEndian.Uint64(b[0:]) }

// TargetLo returns the low half of the target address.
func (b ND) TargetLo() uint64 { return binary.BigEndian.Uint64(b[8:]) }

// Options returns the options that follow the target address.
func (b ND) Options() []byte { return b[NDTargetSize:] }

// NDOption is a view of one Neighbor Discovery option; it must be at least
// NDOptionMinSize bytes.
type NDOption []byte

// Type returns the option type.
func (b NDOption) Type() uint8 { return b[0] }

// Length returns the option length in bytes (the wire counts 8-byte
// units); zero is invalid.
func (b NDOption) Length() int { return int(b[1]) * 8 }

// LinkAddr returns, for a link-layer address option of length 8, the
// Ethernet address as a 48-bit integer.
func (b NDOption) LinkAddr() uint64 { return binary.BigEndian.Uint64(b[0:]) & (1<<48 - 1) }
