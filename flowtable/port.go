package flowtable

import (
	"fmt"
	"math"
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
// 1.0 (up to 0xffff) or 1.1 (from 0xffffff00) numbering, or a port name
// known to names. A number may have white space and a plus sign before
// it, as OVS reads it with strtoll.
func ParsePort(s string, names PortNamer) (Port, error) {
	if n, ok := parsePortNumber(s); ok {
		switch {
		case n <= 0xffff:
			return Port(n), nil
		case n >= 0xffffff00:
			return Port(n - 0xffff0000), nil
		}
		return 0, fmt.Errorf("port %d is outside the supported range 0 through ffff or 0xffffff00 through 0xffffffff", n)
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

// parsePortNumber reads all of s as a decimal number from 0 to 2^32-1, as
// OVS reads port and table numbers: strtoll's reading (white space, then a
// sign), except that s may not start with '-' ("-0" is refused, " -0" is
// 0).
func parsePortNumber(s string) (uint64, bool) {
	if strings.HasPrefix(s, "-") {
		return 0, false
	}
	v, n, overflow := strtoll(s, 10)
	if n == 0 || n != len(s) || overflow || v < 0 || v > math.MaxUint32 {
		return 0, false
	}
	return uint64(v), true
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
