package ofp

import (
	"fmt"
	"strings"

	"github.com/govs/govs/flowtable"
)

// OFPT_PORT_MOD's message type: 15 in OpenFlow 1.0, 16 from 1.1 on.
const (
	t10PortMod = 15
	t11PortMod = 16
)

// Port config bits (OFPPC_*), at OpenFlow 1.0's positions, which 1.1 and
// later keep for the bits they still have.
const (
	PortConfigDown       uint32 = 1 << 0
	PortConfigNoSTP      uint32 = 1 << 1 // OpenFlow 1.0 only
	PortConfigNoRecv     uint32 = 1 << 2
	PortConfigNoRecvSTP  uint32 = 1 << 3 // OpenFlow 1.0 only
	PortConfigNoFlood    uint32 = 1 << 4 // OpenFlow 1.0 only
	PortConfigNoFwd      uint32 = 1 << 5
	PortConfigNoPacketIn uint32 = 1 << 6

	portConfig10All = 0x7f
	portConfig11All = PortConfigDown | PortConfigNoRecv | PortConfigNoFwd | PortConfigNoPacketIn
)

// portModEthernetProp is OFPPMPT14_ETHERNET, the 1.4+ advertise property.
const portModEthernetProp = 0

// PortMod is OFPT_PORT_MOD: change the config bits in Mask of Port (whose
// hardware address must be HWAddr) to those in Config, and what it
// advertises (0: unchanged). Config and Mask hold OFPPC_* bits (those the
// version lacks are dropped on the wire); Advertise holds OpenFlow 1.1
// feature bits (OFPPF_*; 1.0's are converted).
type PortMod struct {
	Port      flowtable.Port
	HWAddr    [6]byte
	Config    uint32
	Mask      uint32
	Advertise uint32
}

// features10To11 and back convert port feature bits: 1.0's COPPER..
// PAUSE_ASYM (bits 7-11) are 1.1's bits 11-15; 1.1's 40GB, 100GB, 1TB and
// OTHER (bits 7-10) have no 1.0 bit.
func features10To11(f uint32) uint32 { return f&0x7f | (f&0xf80)<<4 }
func features11To10(f uint32) uint32 { return f&0x7f | (f&0xf800)>>4 }

func (m *PortMod) encode(e *enc) error {
	if e.v == OF10 {
		e.header(t10PortMod)
		e.port(m.Port)
		e.bytes(m.HWAddr[:])
		e.u32(m.Config & portConfig10All)
		e.u32(m.Mask & portConfig10All)
		e.u32(features11To10(m.Advertise))
		e.zeros(4)
		return nil
	}
	e.header(t11PortMod)
	e.port(m.Port)
	e.zeros(4)
	e.bytes(m.HWAddr[:])
	e.zeros(2)
	e.u32(m.Config & portConfig11All)
	e.u32(m.Mask & portConfig11All)
	if e.v <= OF13 {
		e.u32(m.Advertise)
		e.zeros(4)
	} else if m.Advertise != 0 {
		e.u16(portModEthernetProp)
		e.u16(8)
		e.u32(m.Advertise)
	}
	return nil
}

// decodePortMod decodes OFPT_PORT_MOD's body as OVS does: fixed lengths
// in 1.0 through 1.3, properties from 1.4 on (an unknown one is
// OFPBPC_BAD_TYPE).
func decodePortMod(v Version, body []byte) (Message, error) {
	m := &PortMod{}
	if v == OF10 {
		if len(body) != 24 {
			return nil, errorf(BadRequestBadLen, "OFPT_PORT_MOD body of %d bytes", len(body))
		}
		d := newDec(v, body, BadRequestBadLen, "port mod")
		m.Port = d.port()
		copy(m.HWAddr[:], d.take(6))
		m.Config = d.u32() & portConfig10All
		m.Mask = d.u32() & portConfig10All
		m.Advertise = features10To11(d.u32())
		return m, d.err
	}
	if (v <= OF13 && len(body) != 32) || (v >= OF14 && len(body) < 24) {
		return nil, errorf(BadRequestBadLen, "OFPT_PORT_MOD body of %d bytes", len(body))
	}
	d := newDec(v, body, BadRequestBadLen, "port mod")
	m.Port = d.port()
	d.skip(4)
	copy(m.HWAddr[:], d.take(6))
	d.skip(2)
	m.Config = d.u32() & portConfig11All
	m.Mask = d.u32() & portConfig11All
	if d.err != nil {
		return nil, d.err
	}
	if v <= OF13 {
		m.Advertise = d.u32()
		return m, d.err
	}
	for props := d.rest(); len(props) > 0; {
		if len(props) < 4 {
			return nil, errorf(BadPropLen, "port mod property of %d bytes", len(props))
		}
		t, n := uint16(props[0])<<8|uint16(props[1]), int(uint16(props[2])<<8|uint16(props[3]))
		if n < 4 || n > len(props) {
			return nil, errorf(BadPropLen, "port mod property of length %d", n)
		}
		switch t {
		case portModEthernetProp:
			if n != 8 {
				return nil, errorf(BadPropLen, "port mod ethernet property of length %d", n)
			}
			m.Advertise = uint32(props[4])<<24 | uint32(props[5])<<16 | uint32(props[6])<<8 | uint32(props[7])
		default:
			return nil, errorf(BadPropType, "port mod property type %d", t)
		}
		padded := (n + 7) / 8 * 8
		if padded > len(props) {
			return nil, errorf(BadPropLen, "port mod property of length %d unpadded", n)
		}
		props = props[padded:]
	}
	return m, nil
}

// Property errors of port mods.
const (
	BadPropType ErrorCode = "OFPBPC_BAD_TYPE"
	BadPropLen  ErrorCode = "OFPBPC_BAD_LEN"
)

var portConfigNames = []string{"PORT_DOWN", "NO_STP", "NO_RECV", "NO_RECV_STP", "NO_FLOOD", "NO_FWD", "NO_PACKET_IN"}

var portFeatureNames = []string{"10MB-HD", "10MB-FD", "100MB-HD", "100MB-FD", "1GB-HD", "1GB-FD", "10GB-FD",
	"40GB-FD", "100GB-FD", "1TB-FD", "OTHER", "COPPER", "FIBER", "AUTO_NEG", "AUTO_PAUSE", "AUTO_PAUSE_ASYM"}

// bitList names x's bits from names, "0x%x"-style for unnamed ones, and
// "0" for none.
func bitList(x uint32, names []string) string {
	if x == 0 {
		return "0"
	}
	var parts []string
	for i := 0; i < 32; i++ {
		if x&(1<<i) == 0 {
			continue
		}
		if i < len(names) {
			parts = append(parts, names[i])
		} else {
			parts = append(parts, fmt.Sprintf("0x%x", uint32(1)<<i))
		}
	}
	return strings.Join(parts, " ")
}

// String returns the body ovs-ofctl prints for the message (after its
// "OFPT_PORT_MOD (xid=...):" header, which it follows on the same line).
func (m *PortMod) String() string {
	var b strings.Builder
	a := m.HWAddr
	fmt.Fprintf(&b, " port: %s: addr:%02x:%02x:%02x:%02x:%02x:%02x\n", flowtable.FormatPort(m.Port, nil), a[0], a[1], a[2], a[3], a[4], a[5])
	fmt.Fprintf(&b, "     config: %s\n", bitList(m.Config, portConfigNames))
	fmt.Fprintf(&b, "     mask:   %s\n", bitList(m.Mask, portConfigNames))
	if m.Advertise != 0 {
		fmt.Fprintf(&b, "     advertise: %s", bitList(m.Advertise, portFeatureNames))
	} else {
		b.WriteString("     advertise: UNCHANGED")
	}
	return b.String()
}
