package ofctl

import (
	"fmt"
	"strings"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// ethFromHex parses a packet's hex bytes (white space between bytes is
// allowed), as OVS's eth_from_hex does.
func ethFromHex(s string) ([]byte, error) {
	var b []byte
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if len(s) < 2 || !isHex(s[0]) || !isHex(s[1]) {
			break
		}
		b = append(b, hexVal(s[0])<<4|hexVal(s[1]))
		s = s[2:]
	}
	if s != "" {
		return nil, fmt.Errorf("Trailing garbage in packet data")
	}
	if len(b) < 14 {
		return nil, fmt.Errorf("Packet data too short for Ethernet")
	}
	return b, nil
}

func isHex(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }

func hexVal(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// nextKeyValue takes the next "key=value", "key:value", "key(value)" or
// bare key from s, as OVS's ofputil_parse_key_value does; ok is false at
// the end.
func nextKeyValue(s *string) (key, value string, ok bool) {
	t := strings.TrimLeft(*s, ", \t\r\n")
	if t == "" {
		*s = t
		return "", "", false
	}
	n := strings.IndexAny(t, ":=(, \t\r\n")
	if n < 0 {
		n = len(t)
	}
	key, t = t[:n], t[n:]
	if t == "" {
		*s = t
		return key, "", true
	}
	sep := t[0]
	t = t[1:]
	switch sep {
	case '=', ':':
		depth, i := 0, 0
		for ; i < len(t); i++ {
			c := t[i]
			if depth == 0 && strings.IndexByte(", \t\r\n)", c) >= 0 {
				break
			}
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
			}
		}
		value, t = t[:i], t[i:]
	case '(':
		depth, i := 1, 0
		for ; i < len(t); i++ {
			if t[i] == '(' {
				depth++
			} else if t[i] == ')' {
				if depth--; depth == 0 {
					break
				}
			}
		}
		value = t[:i]
		if i < len(t) {
			i++
		}
		t = t[i:]
	}
	if t != "" {
		t = t[1:] // the delimiter
	}
	*s = t
	return key, value, true
}

// packetOut is ovs-ofctl packet-out in either syntax: SWITCH IN_PORT
// ACTIONS PACKET... (one packet-out per packet) or SWITCH "in_port=PORT
// packet=HEX actions=ACTIONS".
func (c *ctl) packetOut(args []string) error {
	target := args[0]
	if len(args) == 3 {
		return fatalf("Too many arguments (%d)", len(args)+1)
	}
	if err := c.fetchTables(target); err != nil {
		return err
	}
	ports, err := c.fetchPorts(target)
	if err != nil {
		return err
	}
	if len(args) > 2 {
		acts, err := flowtable.ParseActions(args[2], ports)
		if err != nil {
			return fatalf("%v", err)
		}
		in, err := flowtable.ParsePort(args[1], ports)
		if err != nil {
			return fatalf("%s: unknown port `%s'", target, args[1])
		}
		cn, err := c.open(target)
		if err != nil {
			return err
		}
		defer cn.close()
		for _, hex := range args[3:] {
			data, err := ethFromHex(hex)
			if err != nil {
				return fatalf("%v", err)
			}
			if err := c.setupMessage(cn, &ofp.PacketOut{BufferID: ofp.NoBuffer, InPort: in, Actions: acts, Data: data}); err != nil {
				return err
			}
		}
		return nil
	}
	po, err := parsePacketOut(args[1], ports)
	if err != nil {
		return fatalf("%v", err)
	}
	cn, err := c.open(target)
	if err != nil {
		return err
	}
	defer cn.close()
	return c.setupMessage(cn, po)
}

// parsePacketOut parses packet-out's one-argument syntax.
func parsePacketOut(s string, ports flowtable.PortMap) (*ofp.PacketOut, error) {
	po := &ofp.PacketOut{BufferID: ofp.NoBuffer, InPort: flowtable.PortController}
	actText, hasActions := "", false
	if i := strings.Index(s, "action"); i >= 0 {
		rest := s[i+1:]
		s = s[:i]
		if j := strings.IndexByte(rest, '='); j >= 0 {
			actText, hasActions = rest[j+1:], true
		}
	}
	var data []byte
	for {
		key, value, ok := nextKeyValue(&s)
		if !ok {
			break
		}
		if value == "" {
			return nil, fmt.Errorf("field %s missing value", key)
		}
		switch key {
		case "in_port":
			p, err := flowtable.ParsePort(value, ports)
			if err != nil {
				return nil, fmt.Errorf("%s is not a valid OpenFlow port", value)
			}
			if p >= flowtable.PortMax && p != flowtable.PortLocal && p != flowtable.PortNone && p != flowtable.PortController {
				return nil, fmt.Errorf("%s is not a valid OpenFlow port for PACKET_OUT", value)
			}
			po.InPort = p
		case "packet":
			b, err := ethFromHex(value)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", key, err)
			}
			data = b
		default:
			var m flowtable.Match
			if err := m.SetFieldText(key, value, ports); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%s: packet-out metadata other than in_port is not supported", key)
		}
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("must specify packet")
	}
	po.Data = data
	if hasActions {
		acts, err := flowtable.ParseActions(actText, ports)
		if err != nil {
			return nil, err
		}
		po.Actions = acts
	}
	return po, nil
}
