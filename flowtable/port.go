package flowtable

import (
	"fmt"
	"strconv"
	"strings"
)

// Port is an OpenFlow port number in OpenFlow 1.0's 16-bit numbering, which
// OVS uses internally; OpenFlow 1.1+ 32-bit numbers are mapped onto it.
type Port uint16

// Reserved ports.
const (
	PortMax        Port = 0xff00 // highest number of a physical port
	PortUnset      Port = 0xfff7
	PortInPort     Port = 0xfff8
	PortTable      Port = 0xfff9
	PortNormal     Port = 0xfffa
	PortFlood      Port = 0xfffb
	PortAll        Port = 0xfffc
	PortController Port = 0xfffd
	PortLocal      Port = 0xfffe
	PortNone       Port = 0xffff // "ANY" in OpenFlow 1.1+
)

var reservedPortNames = map[Port]string{
	PortUnset:      "UNSET",
	PortInPort:     "IN_PORT",
	PortTable:      "TABLE",
	PortNormal:     "NORMAL",
	PortFlood:      "FLOOD",
	PortAll:        "ALL",
	PortController: "CONTROLLER",
	PortLocal:      "LOCAL",
	PortNone:       "ANY",
}

// PortNamer maps port names to numbers and back (a bridge's ports). A nil
// PortNamer knows no names.
type PortNamer interface {
	PortByName(name string) (Port, bool)
	PortName(p Port) (string, bool)
}

// PortMap is a simple PortNamer.
type PortMap map[string]Port

// PortByName implements PortNamer.
func (m PortMap) PortByName(name string) (Port, bool) {
	p, ok := m[name]
	return p, ok
}

// PortName implements PortNamer.
func (m PortMap) PortName(p Port) (string, bool) {
	for n, q := range m {
		if q == p {
			return n, true
		}
	}
	return "", false
}

// ParsePort parses a port as ovs-ofctl does: a reserved name (LOCAL,
// CONTROLLER, ...; "NONE" is accepted for ANY), a decimal number in OpenFlow
// 1.0 or 1.1 numbering, or a port name known to names.
func ParsePort(s string, names PortNamer) (Port, error) {
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		switch {
		case n < uint64(PortMax):
			return Port(n), nil
		case n >= uint64(PortUnset) && n <= 0xffff:
			return Port(n), nil
		case n >= 0xfffffff7:
			return Port(n - 0xffff0000), nil
		}
		return 0, fmt.Errorf("port %d is outside the supported range 0 through %d or 0x%x through 0x%x",
			n, uint16(PortMax)-1, uint32(0xfffffff7), uint32(0xffffffff))
	}
	for p, name := range reservedPortNames {
		if strings.EqualFold(s, name) {
			return p, nil
		}
	}
	if strings.EqualFold(s, "NONE") {
		return PortNone, nil
	}
	if names != nil {
		if p, ok := names.PortByName(s); ok {
			return p, nil
		}
	}
	return 0, fmt.Errorf("%s: unknown port", s)
}

// FormatPort writes p as ovs-ofctl prints it: reserved ports by name,
// others by number, or by name when names knows one.
func FormatPort(p Port, names PortNamer) string {
	if name, ok := reservedPortNames[p]; ok {
		return name
	}
	if names != nil {
		if name, ok := names.PortName(p); ok {
			return name
		}
	}
	return strconv.Itoa(int(p))
}
