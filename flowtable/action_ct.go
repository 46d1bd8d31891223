package flowtable

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
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
		key, value, delim, after, ok := nextKeyValue(rest)
		if !ok {
			break
		}
		rest = after
		paren := delim == '('
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
			nat, err := parseNAT(value, paren)
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
// followed by flags.
func parseNAT(arg string, paren bool) (Action, error) {
	n := &NAT{}
	if !paren {
		return n, nil
	}
	err := forEachKeyValue(arg, func(key, value string, hasValue bool) error {
		switch key {
		case "src", "dst":
			if n.Src || n.Dst {
				return errors.New(`May only specify one of "src" or "dst".`)
			}
			n.Src, n.Dst = key == "src", key == "dst"
			if hasValue && !n.parseRange(value) {
				return fmt.Errorf("invalid nat range \"%s\"", value)
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
	if n.Hash && n.Random {
		return nil, errors.New(`Both "hash" and "random" are not allowed.`)
	}
	if !n.Src && !n.Dst && (n.Persistent || n.Hash || n.Random) {
		return nil, errors.New(`Flags allowed only with "src" or "dst".`)
	}
	return n, nil
}

// parseRange parses "ADDR[-ADDR][:PORT[-PORT]]"; IPv6 addresses are put in
// brackets when a port range follows: "[ADDR]-[ADDR]:PORT-PORT". It
// reports whether s is a valid range.
func (n *NAT) parseRange(s string) bool {
	var minStr, maxStr, ports string
	var isRange bool
	if strings.HasPrefix(s, "[") {
		var rest string
		var ok bool
		minStr, rest, ok = strings.Cut(s[1:], "]")
		if ok && strings.HasPrefix(rest, "-[") {
			maxStr, rest, ok = strings.Cut(rest[2:], "]")
			isRange = true
		}
		if ports, _ = strings.CutPrefix(rest, ":"); !ok || (rest != "" && ports == rest) {
			return false
		}
	} else {
		addrs := s
		if strings.Count(s, ":") == 1 {
			addrs, ports, _ = strings.Cut(s, ":")
		}
		minStr, maxStr, isRange = strings.Cut(addrs, "-")
	}
	var err error
	if n.MinAddr, err = netip.ParseAddr(minStr); err != nil || n.MinAddr.Zone() != "" {
		return false
	}
	if isRange {
		if n.MaxAddr, err = netip.ParseAddr(maxStr); err != nil || n.MaxAddr.Is4() != n.MinAddr.Is4() || n.MaxAddr.Zone() != "" {
			return false
		}
		if n.MaxAddr.Less(n.MinAddr) {
			return false
		}
		if n.MaxAddr == n.MinAddr {
			n.MaxAddr = netip.Addr{}
		}
	}
	if ports == "" {
		return true
	}
	minStr, maxStr, isRange = strings.Cut(ports, "-")
	lo, err := strconv.ParseUint(minStr, 10, 16)
	if err != nil {
		return false
	}
	if lo == 0 {
		return true // port 0 means no port range, as in OVS
	}
	n.MinPort = uint16(lo)
	if isRange {
		hi, err := strconv.ParseUint(maxStr, 10, 16)
		if err != nil || hi < lo {
			return false
		}
		if hi != lo {
			n.MaxPort = uint16(hi)
		}
	}
	return true
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
				b.WriteString("[" + addr.String() + "]")
			} else {
				b.WriteString(addr.String())
			}
		}
		writeAddr(a.MinAddr)
		if a.MaxAddr.IsValid() {
			b.WriteByte('-')
			writeAddr(a.MaxAddr)
		}
	}
	if a.MinPort != 0 {
		fmt.Fprintf(b, ":%d", a.MinPort)
		if a.MaxPort != 0 {
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
