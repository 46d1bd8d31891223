package header

import "encoding/binary"

// NSH sizes (RFC 8300): the base and service path headers, and the whole
// header with MD type 1's four context words.
const (
	NSHBaseSize = 8
	NSHMD1Size  = 24
)

// NSH metadata types.
const (
	NSHMDType1 = 1 // four fixed 32-bit context headers
	NSHMDType2 = 2 // variable-length context TLVs
)

// NSH is a view of a Network Service Header; it must be at least
// NSHBaseSize bytes. The first 16 bits hold version (2), O and U flags
// (2), TTL (6) and length (6, in 4-byte words).
type NSH []byte

// Version returns the NSH version (0 is the only one defined).
func (b NSH) Version() uint8 { return b[0] >> 6 }

// Flags returns the O and U bits, O the higher, as OVS's nsh_flags.
func (b NSH) Flags() uint8 { return b[0] >> 4 & 3 }

// TTL returns the 6-bit time to live.
func (b NSH) TTL() uint8 { return (b[0]&0x0f)<<2 | b[1]>>6 }

// Len returns the header's length in bytes.
func (b NSH) Len() int { return int(b[1]&0x3f) * 4 }

// MDType returns the metadata type.
func (b NSH) MDType() uint8 { return b[2] & 0x0f }

// NextProto returns the type of what follows the header.
func (b NSH) NextProto() uint8 { return b[3] }

// SPI returns the 24-bit service path identifier.
func (b NSH) SPI() uint32 { return binary.BigEndian.Uint32(b[4:]) >> 8 }

// SI returns the service index.
func (b NSH) SI() uint8 { return b[7] }

// Context returns MD type 1 context header i (0-3); the header must be
// NSHMD1Size bytes.
func (b NSH) Context(i int) uint32 { return binary.BigEndian.Uint32(b[NSHBaseSize+4*i:]) }
