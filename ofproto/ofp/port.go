package ofp

import (
	"bytes"
	"fmt"

	"github.com/govs/govs/flowtable"
)

// PortDesc describes a switch port (ofp_phy_port in OpenFlow 1.0,
// ofp11_port in 1.1-1.3, ofp14_port with an Ethernet property in 1.4+).
// The feature words (Curr, Advertised, Supported, Peer) hold OpenFlow 1.1's
// bits and are translated for OpenFlow 1.0. Speeds are in kbps and are not
// carried by OpenFlow 1.0.
type PortDesc struct {
	Port       flowtable.Port
	HWAddr     [6]byte
	Name       string // at most 15 bytes
	Config     uint32
	State      uint32
	Curr       uint32
	Advertised uint32
	Supported  uint32
	Peer       uint32
	CurrSpeed  uint32
	MaxSpeed   uint32
}

// PortStateLinkDown is the OFPPS_LINK_DOWN state bit (the same in every
// OpenFlow version): the port has no physical link.
const PortStateLinkDown = 1 << 0

// Port sizes.
const (
	port10Len        = 48
	port11Len        = 64
	port14Len        = 40
	port14EthPropLen = 32
	portNameLen      = 16
)

// encodePort32 maps an OpenFlow 1.0 port number to OpenFlow 1.1+'s 32 bits.
func encodePort32(p flowtable.Port) uint32 {
	if p >= flowtable.PortMax {
		return uint32(p) + 0xffff0000
	}
	return uint32(p)
}

// decodePort32 maps an OpenFlow 1.1+ port number to OpenFlow 1.0's, as OVS
// does: reserved ports move down, numbers in between are invalid.
func decodePort32(p uint32) (flowtable.Port, error) {
	switch {
	case p < uint32(flowtable.PortMax):
		return flowtable.Port(p), nil
	case p >= 0xffffff00:
		return flowtable.Port(p - 0xffff0000), nil
	}
	return 0, errorf(BadRequestBadPort, "port %#x is outside OpenFlow 1.0's range", p)
}

// putPort appends a port number in e's version's width.
func (e *enc) port(p flowtable.Port) {
	if e.v == OF10 {
		e.u16(uint16(p))
	} else {
		e.u32(encodePort32(p))
	}
}

// port reads a port number in d's version's width.
func (d *dec) port() flowtable.Port {
	if d.v == OF10 {
		return flowtable.Port(d.u16())
	}
	p, err := decodePort32(d.u32())
	d.fail(err)
	return p
}

func (p *PortDesc) encode(e *enc) error {
	if len(p.Name) >= portNameLen {
		return fmt.Errorf("port name %q is longer than %d bytes", p.Name, portNameLen-1)
	}
	name := make([]byte, portNameLen)
	copy(name, p.Name)
	switch {
	case e.v == OF10:
		e.u16(uint16(p.Port))
		e.bytes(p.HWAddr[:])
		e.bytes(name)
	case e.v <= OF13:
		e.u32(encodePort32(p.Port))
		e.zeros(4)
		e.bytes(p.HWAddr[:])
		e.zeros(2)
		e.bytes(name)
	default:
		e.u32(encodePort32(p.Port))
		e.u16(port14Len + port14EthPropLen)
		e.zeros(2)
		e.bytes(p.HWAddr[:])
		e.zeros(2)
		e.bytes(name)
		e.u32(p.Config)
		e.u32(p.State)
		e.u16(0) // OFPPDPT14_ETHERNET
		e.u16(port14EthPropLen)
		e.zeros(4)
		for _, x := range []uint32{p.Curr, p.Advertised, p.Supported, p.Peer, p.CurrSpeed, p.MaxSpeed} {
			e.u32(x)
		}
		return nil
	}
	e.u32(p.Config)
	e.u32(p.State)
	for _, x := range []uint32{p.Curr, p.Advertised, p.Supported, p.Peer} {
		if e.v == OF10 {
			x = features11To10(x)
		}
		e.u32(x)
	}
	if e.v != OF10 {
		e.u32(p.CurrSpeed)
		e.u32(p.MaxSpeed)
	}
	return nil
}

func decodePortDesc(d *dec) (PortDesc, error) {
	var p PortDesc
	var props []byte
	switch {
	case d.v == OF10:
		p.Port = flowtable.Port(d.u16())
		copy(p.HWAddr[:], d.take(6))
		p.Name = portName(d.take(portNameLen))
	case d.v <= OF13:
		p.Port = d.port()
		d.skip(4)
		copy(p.HWAddr[:], d.take(6))
		d.skip(2)
		p.Name = portName(d.take(portNameLen))
	default:
		p.Port = d.port()
		n := int(d.u16())
		d.skip(2)
		copy(p.HWAddr[:], d.take(6))
		d.skip(2)
		p.Name = portName(d.take(portNameLen))
		p.Config, p.State = d.u32(), d.u32()
		if n < port14Len {
			d.fail(errorf(BadRequestBadLen, "ofp14_port length %d", n))
		}
		props = d.take(n - port14Len)
		if d.err != nil {
			return p, d.err
		}
		return p, decodePort14Props(&p, props)
	}
	p.Config, p.State = d.u32(), d.u32()
	p.Curr, p.Advertised, p.Supported, p.Peer = d.u32(), d.u32(), d.u32(), d.u32()
	if d.v == OF10 {
		for _, x := range []*uint32{&p.Curr, &p.Advertised, &p.Supported, &p.Peer} {
			*x = features10To11(*x)
		}
	} else {
		p.CurrSpeed, p.MaxSpeed = d.u32(), d.u32()
	}
	return p, d.err
}

// decodePort14Props reads the Ethernet property of an ofp14_port; others
// are skipped.
func decodePort14Props(p *PortDesc, b []byte) error {
	for len(b) > 0 {
		d := newDec(OF14, b, BadRequestBadLen, "port property")
		typ, n := d.u16(), int(d.u16())
		if d.err != nil || n < 4 || n > len(b) {
			return errorf(BadRequestBadLen, "port property of length %d in %d bytes", n, len(b))
		}
		if typ == 0 {
			e := newDec(OF14, b[4:n], BadRequestBadLen, "port Ethernet property")
			e.skip(4)
			p.Curr, p.Advertised, p.Supported, p.Peer = e.u32(), e.u32(), e.u32(), e.u32()
			p.CurrSpeed, p.MaxSpeed = e.u32(), e.u32()
			if e.err != nil {
				return e.err
			}
		}
		b = b[min(len(b), (n+7)/8*8):]
	}
	return nil
}

func portName(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// PortReason says why a port status message was sent.
type PortReason uint8

// Port status reasons.
const (
	PortAdded PortReason = iota
	PortDeleted
	PortModified
)

// PortStatus is OFPT_PORT_STATUS.
type PortStatus struct {
	Reason PortReason
	Desc   PortDesc
}

func (m *PortStatus) encode(e *enc) error {
	e.header(tPortStatus)
	e.u8(uint8(m.Reason))
	e.zeros(7)
	return m.Desc.encode(e)
}

func decodePortStatus(v Version, body []byte) (Message, error) {
	d := newDec(v, body, BadRequestBadLen, "port status")
	m := &PortStatus{Reason: PortReason(d.u8())}
	d.skip(7)
	p, err := decodePortDesc(d)
	if err != nil {
		return nil, err
	}
	if len(d.b) != 0 {
		return nil, errorf(BadRequestBadLen, "port status has %d extra bytes", len(d.b))
	}
	m.Desc = p
	return m, nil
}
