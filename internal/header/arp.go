package header

import "encoding/binary"

// ARPEthIPv4Size is the size of an ARP packet for IPv4 over Ethernet.
const ARPEthIPv4Size = 28

// Values of the ARP fixed part that make an ARP packet IPv4 over Ethernet.
const (
	ARPHardwareEthernet = 1
	ARPAddrLenEthernet  = 6
	ARPAddrLenIPv4      = 4
)

// ARP is a view of an ARP (or RARP) packet; it must be at least
// ARPEthIPv4Size bytes.
type ARP []byte

// IsEthIPv4 reports whether the packet maps IPv4 addresses to Ethernet
// addresses, the only kind whose addresses sit where the accessors below
// read them.
func (b ARP) IsEthIPv4() bool {
	return binary.BigEndian.Uint16(b[0:]) == ARPHardwareEthernet &&
		binary.BigEndian.Uint16(b[2:]) == EtherTypeIPv4 &&
		b[4] == ARPAddrLenEthernet && b[5] == ARPAddrLenIPv4
}

// Op returns the operation (1 request, 2 reply, 3/4 RARP).
func (b ARP) Op() uint16 { return binary.BigEndian.Uint16(b[6:]) }

// SenderHW returns the sender hardware address as a 48-bit integer.
func (b ARP) SenderHW() uint64 { return binary.BigEndian.Uint64(b[8:]) >> 16 }

// SenderIP returns the sender protocol address.
func (b ARP) SenderIP() uint32 { return binary.BigEndian.Uint32(b[14:]) }

// TargetHW returns the target hardware address as a 48-bit integer.
func (b ARP) TargetHW() uint64 { return binary.BigEndian.Uint64(b[18:]) >> 16 }

// TargetIP returns the target protocol address.
func (b ARP) TargetIP() uint32 { return binary.BigEndian.Uint32(b[24:]) }
