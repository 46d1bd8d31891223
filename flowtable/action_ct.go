package flowtable

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// CT sends the packet through the connection tracker.
type CT struct {
	Commit bool // commit the connection to the tracker
	Force  bool // with Commit: end a connection in the other direction first
	Table  uint8
	// Zone is the tracking zone, or ZoneSrc's value when ZoneSrc.Field
	// is set.
	Zone    uint16
	ZoneSrc Subfield
	Alg     uint16 // application-layer gateway: its well-known port, 0 none
	// Actions run on the tracked connection: an optional leading *NAT,
	// then settings of ct_mark and ct_label (the text's "exec(...)").
	Actions Actions
}

// Application-layer gateways known by name.
const (
	ALGFTP  = 21
	ALGTFTP = 69
)

// NAT is the nat action inside ct: translate addresses and ports.
type NAT struct {
	Src, Dst   bool       // which direction to translate; neither: reuse existing
	MinAddr    netip.Addr // invalid when no range was given
	MaxAddr    netip.Addr // invalid when the range is a single address
	MinPort    uint16     // 0 when no port range was given
	MaxPort    uint16     // 0 when the port range is a single port
	Persistent bool
	Hash       bool
	Random     bool
}

func (p *actionParser) parseCT(arg string) (Action, error) {
	ct := &CT{Table: NoTable}
	for rest := arg; ; {
		key, value, _, after, ok := nextKeyValue(rest)
		if !ok {
			break
		}
		rest = after
		switch key {
		case "commit":
			ct.Commit = true
		case "force":
			ct.Force = true
		case "table":
			t, ok := parsePortNumber(value)
			if !ok || t > 255 {
				return nil, fmt.Errorf("unknown table %s", value)
			}
			if t == NoTable {
				return nil, fmt.Errorf("invalid table %#x", t)
			}
			ct.Table = uint8(t)
		case "zone":
			if n, nerr := parseUint(value, 16); nerr == nil {
				// As in OVS, a zone subfield, once given, stays and
				// hides any number given for the zone.
				if ct.ZoneSrc.Field == nil {
					ct.Zone = uint16(n)
				}
				break
			}
			sf, err := p.subfield(value)
			if err != nil {
				return nil, err
			}
			if sf.NBits != 16 {
				return nil, fmt.Errorf("%s: zone field must be 16 bits wide", value)
			}
			ct.ZoneSrc, ct.Zone = sf, 0
		case "alg":
			switch value {
			case "ftp":
				ct.Alg = ALGFTP
			case "tftp":
				ct.Alg = ALGTFTP
			default:
				return nil, fmt.Errorf("invalid conntrack helper \"%s\"", value)
			}
		case "exec":
			inner := p.nestedParser("ct")
			inner.inCT = true
			acts, err := inner.parseList(value)
			if err != nil {
				return nil, err
			}
			if err := checkCTNested(acts); err != nil {
				return nil, err
			}
			ct.Actions = append(ct.Actions, acts...)
		case "nat":
			nat, err := parseNAT(value)
			if err != nil {
				return nil, err
			}
			ct.Actions = append(ct.Actions, nat)
		default:
			return nil, fmt.Errorf("invalid argument to \"ct\" action: `%s'", key)
		}
	}
	if ct.Force && !ct.Commit {
		return nil, errors.New(`"force" flag requires "commit" flag.`)
	}
	return ct, nil
}

// checkCTNested allows only what ct's exec may do: write ct_mark and
// ct_label, and nat.
func checkCTNested(acts Actions) error {
	for _, a := range acts {
		var dst *Field
		switch a := a.(type) {
		case *NAT:
			continue
		case *SetField:
			dst = a.Field
		case *Move:
			dst = a.Dst.Field
		default:
			return fmt.Errorf("ct action doesn't support nested action %s", actionName(a))
		}
		if !isCTField(dst) {
			return fmt.Errorf("ct action doesn't support nested modification of %s", dst.Name)
		}
	}
	return nil
}

// parseNAT parses nat's argument: "src|dst[=ADDR[-ADDR][:PORT[-PORT]]]"
// followed by flags. As in OVS, each src or dst replaces the range, and
// naming both is refused only once all are read.
func parseNAT(arg string) (Action, error) {
	n := &NAT{}
	var src, dst bool
	err := forEachKeyValue(arg, func(key, value string, hasValue bool) error {
		switch key {
		case "src", "dst":
			src, dst = src || key == "src", dst || key == "dst"
			n.MinAddr, n.MaxAddr, n.MinPort, n.MaxPort = netip.Addr{}, netip.Addr{}, 0, 0
			if hasValue {
				return n.parseRange(value)
			}
		case "persistent":
			n.Persistent = true
		case "hash":
			n.Hash = true
		case "random":
			n.Random = true
		default:
			return fmt.Errorf("invalid key \"%s\" in \"nat\" argument", key)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if src && dst {
		return nil, errors.New(`May only specify one of "src" or "dst".`)
	}
	n.Src, n.Dst = src, dst
	if n.Hash && n.Random {
		return nil, errors.New(`Both "hash" and "random" are not allowed.`)
	}
	if !n.Src && !n.Dst && (n.Persistent || n.Hash || n.Random) {
		return nil, errors.New(`Flags allowed only with "src" or "dst".`)
	}
	return n, nil
}

// parseRange reads "ADDR[-ADDR][:PORT[-PORT]]" as OVS scans it: an IPv4
// address as four decimal bytes (each cut to 8 bits), else an IPv6 one as
// a run of up to 46 hex digits, ':' and '.', bare or in brackets. A run
// that is no IPv6 address still counts as read, leaving no range ("0:0"
// is nat(src)). Ports are decimal, cut to 16 bits. Text left over is
// "garbage".
func (n *NAT) parseRange(s string) error {
	invalid := fmt.Errorf("invalid nat range \"%s\"", s)
	pos := 0
	if lo, m, ok := scanIPv4(s); ok {
		n.MinAddr, pos = lo, m
		if strings.HasPrefix(s[pos:], "-") {
			hi, m, ok := scanIPv4(s[pos+1:])
			if !ok || hi.Less(lo) {
				return invalid
			}
			n.setMax(hi)
			pos += 1 + m
		}
	} else if text, m, ok := scanNATIPv6(s); ok {
		pos = m
		if lo, ok := parseNATIPv6(text); ok {
			n.MinAddr = lo
			if strings.HasPrefix(s[pos:], "-") {
				text, m, ok := scanNATIPv6(s[pos+1:])
				hi, valid := parseNATIPv6(text)
				if !ok || !valid || hi.Less(lo) {
					return invalid
				}
				n.setMax(hi)
				pos += 1 + m
			}
		}
	}
	if n.MinAddr.IsValid() && strings.HasPrefix(s[pos:], ":") {
		lo, m, ok := scanNATPort(s[pos+1:])
		if !ok {
			return invalid
		}
		pos += 1 + m
		hi := lo
		if strings.HasPrefix(s[pos:], "-") {
			if hi, m, ok = scanNATPort(s[pos+1:]); !ok || hi < lo {
				return invalid
			}
			pos += 1 + m
		}
		// Port 0 means no port range, as in OVS.
		if lo != 0 {
			n.MinPort = lo
			if hi != lo {
				n.MaxPort = hi
			}
		}
	}
	if pos != len(s) {
		return fmt.Errorf("garbage (%s) after nat range \"%s\" (pos: %d)", s[pos:], s, pos)
	}
	return nil
}

// setMax sets the top of the address range, which a single address has
// none of.
func (n *NAT) setMax(hi netip.Addr) {
	if hi != n.MinAddr {
		n.MaxAddr = hi
	}
}

// natIPv6Chars are the bytes OVS's scan of an IPv6 address takes, at most
// natIPv6Len of them.
const (
	natIPv6Chars = "0123456789abcdefABCDEF:."
	natIPv6Len   = 46
)

// scanNATIPv6 reads an IPv6 address's text at the start of s, bare or in
// brackets, without checking it.
func scanNATIPv6(s string) (text string, n int, ok bool) {
	run := func(s string) int {
		k := 0
		for k < len(s) && k < natIPv6Len && strings.IndexByte(natIPv6Chars, s[k]) >= 0 {
			k++
		}
		return k
	}
	if k := run(s); k > 0 {
		return s[:k], k, true
	}
	if rest, found := strings.CutPrefix(s, "["); found {
		if k := run(rest); k > 0 && strings.HasPrefix(rest[k:], "]") {
			return rest[:k], k + 2, true
		}
	}
	return "", 0, false
}

// parseNATIPv6 parses text as inet_pton does an IPv6 address.
func parseNATIPv6(text string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(text)
	if err != nil || !a.Is6() {
		return netip.Addr{}, false
	}
	return a, true
}

// scanNATPort reads "%hu" at the start of s.
func scanNATPort(s string) (port uint16, n int, ok bool) {
	v, n, ok := ovsScanInt(s, 10)
	if !ok {
		return 0, 0, false
	}
	return uint16(v), n, true
}

func (a *CT) appendText(b *strings.Builder, names PortNamer) {
	var args []string
	if a.Commit {
		args = append(args, "commit")
	}
	if a.Force {
		args = append(args, "force")
	}
	if a.Table != NoTable {
		args = append(args, fmt.Sprintf("table=%d", a.Table))
	}
	if a.ZoneSrc.Field != nil {
		args = append(args, "zone="+a.ZoneSrc.String())
	} else if a.Zone != 0 {
		args = append(args, fmt.Sprintf("zone=%d", a.Zone))
	}
	nested := a.Actions
	// A leading nat is printed outside exec(...), as it is written.
	if len(nested) > 0 {
		if nat, ok := nested[0].(*NAT); ok {
			var nb strings.Builder
			nat.appendText(&nb, names)
			args = append(args, nb.String())
			nested = nested[1:]
		}
	}
	if len(nested) > 0 {
		var eb strings.Builder
		nested.appendList(&eb, names)
		args = append(args, "exec("+eb.String()+")")
	}
	switch a.Alg {
	case 0:
	case ALGFTP:
		args = append(args, "alg=ftp")
	case ALGTFTP:
		args = append(args, "alg=tftp")
	default:
		args = append(args, fmt.Sprintf("alg=%d", a.Alg))
	}
	b.WriteString("ct(" + strings.Join(args, ",") + ")")
}

func (a *NAT) appendText(b *strings.Builder, _ PortNamer) {
	b.WriteString("nat")
	if !a.Src && !a.Dst {
		return
	}
	if a.Src {
		b.WriteString("(src")
	} else {
		b.WriteString("(dst")
	}
	if a.MinAddr.IsValid() {
		b.WriteByte('=')
		bracket := a.MinAddr.Is6() && a.MinPort != 0
		writeAddr := func(addr netip.Addr) {
			if bracket {
				b.WriteString("[" + formatAddr(addr) + "]")
			} else {
				b.WriteString(formatAddr(addr))
			}
		}
		writeAddr(a.MinAddr)
		// A range whose ends are equal prints as the one value; a
		// controller's NAT action may carry one.
		if a.MaxAddr.IsValid() && a.MaxAddr != a.MinAddr {
			b.WriteByte('-')
			writeAddr(a.MaxAddr)
		}
	}
	if a.MinPort != 0 {
		fmt.Fprintf(b, ":%d", a.MinPort)
		if a.MaxPort != 0 && a.MaxPort != a.MinPort {
			fmt.Fprintf(b, "-%d", a.MaxPort)
		}
	}
	if a.Persistent {
		b.WriteString(",persistent")
	}
	if a.Hash {
		b.WriteString(",hash")
	}
	if a.Random {
		b.WriteString(",random")
	}
	b.WriteByte(')')
}
