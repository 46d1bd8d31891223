package header

import "encoding/binary"

// EtherTypes and TPIDs govs understands.
const (
	EtherTypeIPv4          = 0x0800
	EtherTypeARP           = 0x0806
	EtherTypeRARP          = 0x8035
	EtherTypeVLAN          = 0x8100 // 802.1Q customer tag
	EtherTypeQinQ          = 0x88a8 // 802.1ad service tag
	EtherTypeIPv6          = 0x86dd
	EtherTypeMPLSUnicast   = 0x8847
	EtherTypeMPLSMulticast = 0x8848
	EtherTypeNSH           = 0x894f // Network Service Header (RFC 8300)

	// EtherTypeMin is the smallest value that is an EtherType; below it the
	// field is an 802.3 length and an 802.2 LLC header follows.
	EtherTypeMin = 0x0600
)

// EthernetSize is the size of an Ethernet II header: two addresses and the
// EtherType.
const EthernetSize = 14

// Offsets in an Ethernet header.
const (
	ethDst  = 0
	ethSrc  = 6
	ethType = 12
)

// Ethernet is a view of an Ethernet II header; it must be at least
// EthernetSize bytes.
type Ethernet []byte

// Dst returns the destination address as a 48-bit integer.
func (b Ethernet) Dst() uint64 {
	// Reading 8 bytes and dropping the 2 that follow is one load instead of
	// six; the header is long enough for it.
	return binary.BigEndian.Uint64(b[ethDst:]) >> 16
}

// Src returns the source address as a 48-bit integer.
func (b Ethernet) Src() uint64 { return binary.BigEndian.Uint64(b[ethSrc:]) >> 16 }

// Type returns the EtherType (or 802.3 length) field.
func (b Ethernet) Type() uint16 { return binary.BigEndian.Uint16(b[ethType:]) }

// IsVLANTPID reports whether an EtherType announces an 802.1Q or 802.1ad
// tag.
func IsVLANTPID(t uint16) bool { return t == EtherTypeVLAN || t == EtherTypeQinQ }

// IsMPLS reports whether an EtherType announces an MPLS label stack.
func IsMPLS(t uint16) bool { return t == EtherTypeMPLSUnicast || t == EtherTypeMPLSMulticast }

// VLANSize is the size of what an 802.1Q/802.1ad TPID announces: the TCI
// and the EtherType of what follows.
const VLANSize = 4

// VLAN is a view of a VLAN tag after its TPID (which sits where an
// EtherType would); it must be at least VLANSize bytes.
type VLAN []byte

// TCI returns the tag control information: PCP, DEI and VLAN ID.
func (b VLAN) TCI() uint16 { return binary.BigEndian.Uint16(b[0:]) }

// Type returns the EtherType (or next TPID) after the tag.
func (b VLAN) Type() uint16 { return binary.BigEndian.Uint16(b[2:]) }

// LLCSNAPSize is the size of an 802.2 LLC header with a SNAP extension.
const LLCSNAPSize = 8

// LLCSNAP is a view of an 802.2 LLC header followed by SNAP; it must be at
// least LLCSNAPSize bytes.
type LLCSNAP []byte

// IsEthernetSNAP reports whether the header is LLC with DSAP and SSAP 0xaa,
// control 0x03 (unnumbered information) and a SNAP OUI of zero, the
// encapsulation that carries an EtherType (RFC 1042).
func (b LLCSNAP) IsEthernetSNAP() bool {
	return binary.BigEndian.Uint32(b[0:]) == 0xaaaa0300 && binary.BigEndian.Uint16(b[4:]) == 0
}

// Type returns the SNAP protocol ID, an EtherType when IsEthernetSNAP.
func (b LLCSNAP) Type() uint16 { return binary.BigEndian.Uint16(b[6:]) }

// MPLSLabelSize is the size of one MPLS label stack entry.
const MPLSLabelSize = 4

// MPLSLabel is a view of one MPLS label stack entry; it must be at least
// MPLSLabelSize bytes.
type MPLSLabel []byte

// LSE returns the entry as one word: label<<12 | tc<<9 | bos<<8 | ttl.
func (b MPLSLabel) LSE() uint32 { return binary.BigEndian.Uint32(b[0:]) }
