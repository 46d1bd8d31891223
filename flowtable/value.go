package flowtable

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Field values in text form. Values and masks travel as big-endian byte
// slices exactly f.Bytes() long; this is the control path, so clarity wins
// over allocation here.

// ParseValue parses "value" or "value/mask" for field f in ovs-ofctl
// syntax. mask is nil for an exact match. names resolves port names.
func (f *Field) ParseValue(s string, names PortNamer) (value, mask []byte, err error) {
	value, mask, err = f.parseValueBytes(s, names)
	if err != nil {
		return nil, nil, err
	}
	f.trimToBits(value)
	f.trimToBits(mask)
	return value, mask, nil
}

// trimToBits clears the bits of b, a value of f, above f's width: like
// OVS, a value is refused only when it is wider than the field's bytes,
// and bits above a narrower width are dropped (dl_vlan=5000 is 904).
func (f *Field) trimToBits(b []byte) {
	extra := 8*len(b) - f.Bits
	for i := 0; extra > 0 && i < len(b); i++ {
		b[i] &= byte(0xff >> min(extra, 8))
		extra -= 8
	}
}

// validValue reports whether value, as parseValueBytes read it, is one
// that OVS lets an action write into f: no bits above the field's width
// (ip_dscp 64, dl_vlan 4096), and OVS's narrower ranges for nw_tos (no ECN
// bits), arp_op (one byte) and nsh_ttl (6 bits).
func (f *Field) validValue(value []byte) bool {
	switch {
	case f == FieldNwTOS && value[0]&0x03 != 0,
		f == FieldARPOp && value[0] != 0,
		f == FieldNSHTTL && value[0] > 63:
		return false
	}
	trimmed := slices.Clone(value)
	f.trimToBits(trimmed)
	return bytes.Equal(trimmed, value)
}

// parseValueBytes is ParseValue before trimToBits: integers keep the bits
// above the field's width, which the caller may need to see (dl_vlan
// 0xffff means "no VLAN", not VLAN 4095).
func (f *Field) parseValueBytes(s string, names PortNamer) (value, mask []byte, err error) {
	switch f.Format {
	case FormatFrag:
		return f.parseFrag(s)
	case FormatTCPFlags, FormatCTState, FormatTunFlags:
		return f.parseFlags(s)
	case FormatPacketType:
		// ovs-ofctl reads "(ns,type)" and ignores what follows, a mask
		// too.
		pt, err := parsePacketType(s)
		if err != nil {
			return nil, nil, err
		}
		return bigEndian(uint64(pt), f.Bytes()), nil, nil
	case FormatOFPort:
		// A port takes no mask: OVS reads all of s as a port.
		p, err := ParsePort(s, names)
		switch {
		case err != nil && f == FieldActsetOutput:
			return nil, nil, fmt.Errorf("%s: port value out of range for %s", s, f.Name)
		case err != nil:
			return nil, nil, fmt.Errorf("%s: invalid or unknown port for %s", s, f.Name)
		}
		return bigEndian(uint64(p), f.Bytes()), nil, nil
	}
	valStr, maskStr, masked := strings.Cut(s, "/")
	value, err = f.parseOne(valStr)
	if err != nil {
		if f.Format == FormatIPv4 || f.Format == FormatIPv6 || f.Format == FormatEthernet {
			return nil, nil, f.badAddress(s)
		}
		return nil, nil, wholeText(err, s, "value")
	}
	if !masked {
		return value, nil, nil
	}
	switch f.Format {
	case FormatIPv4, FormatIPv6:
		// As OVS: an IPv4 mask is an address if it reads as one; else,
		// and for IPv6 first, a mask starting with a number is a prefix
		// length, checked for range before anything after it is.
		if f.Format == FormatIPv4 {
			if mask, err = parseIPv4(maskStr); err == nil {
				break
			}
		}
		if v, m, ok := ovsScanInt(maskStr, 10); ok {
			n := int32(v)
			if n < 0 || int(n) > f.Bits {
				family := "IPv4"
				if f.Format == FormatIPv6 {
					family = "IPv6"
				}
				return nil, nil, fmt.Errorf("%s: %s network prefix bits not between 0 and %d, inclusive", s, family, f.Bits)
			}
			if m != len(maskStr) {
				return nil, nil, f.badAddress(s)
			}
			mask = prefixMaskBytes(f.Bytes(), int(n))
			break
		}
		fallthrough
	default:
		if mask, err = f.parseOne(maskStr); err != nil {
			if f.Format == FormatIPv4 || f.Format == FormatIPv6 || f.Format == FormatEthernet {
				return nil, nil, f.badAddress(s)
			}
			return nil, nil, wholeText(err, s, "mask")
		}
	}
	if !f.Maskable {
		// A field that takes no mask still takes the two that say
		// "exact" and "any", as ovs-ofctl allows.
		switch {
		case allBytes(mask, 0xff):
			return value, nil, nil
		case !allBytes(mask, 0):
			return nil, nil, fmt.Errorf("%s: invalid mask for field %s", s, f.Name)
		}
	}
	for i := range value {
		value[i] &= mask[i]
	}
	return value, mask, nil
}

// allBytes reports whether every byte of b is c.
func allBytes(b []byte, c byte) bool {
	for _, x := range b {
		if x != c {
			return false
		}
	}
	return true
}

// integerError is a parse failure of one integer, which OVS reports
// against the whole "value/mask" text.
type integerError struct {
	f        *Field
	tooLarge bool
}

func (e *integerError) Error() string { return "bad integer for field " + e.f.Name }

// wholeText rewrites an integer error in OVS's words for the text s, where
// part says whether the value or the mask was at fault.
func wholeText(err error, s, part string) error {
	var ie *integerError
	if !errors.As(err, &ie) {
		return err
	}
	if ie.tooLarge {
		return fmt.Errorf("%s: %s too large for %d-byte field %s", s, part, ie.f.Bytes(), ie.f.Name)
	}
	return fmt.Errorf("%s: bad syntax for %s %s", s, ie.f.Name, part)
}

// badAddress is OVS's error for an address value or mask it cannot read,
// which quotes all of s.
func (f *Field) badAddress(s string) error {
	switch f.Format {
	case FormatIPv6:
		return fmt.Errorf("%s: invalid IPv6 address", s)
	case FormatEthernet:
		return fmt.Errorf("%s: invalid Ethernet address", s)
	}
	return fmt.Errorf("%s: invalid IP address", s)
}

// parseIPv4 reads all of s as an IPv4 address (see scanIPv4).
func parseIPv4(s string) ([]byte, error) {
	a, n, ok := scanIPv4(s)
	if !ok || n != len(s) {
		return nil, errors.New("bad IPv4 address")
	}
	b := a.As4()
	return b[:], nil
}

// scanIPv4 reads an IPv4 address at the start of s as OVS scans one
// ("%hhu.%hhu.%hhu.%hhu", see ovsScanInt): each part decimal, with an
// optional sign, cut to 8 bits (300.0.0.1 is 44.0.0.1, -1.2.3.4 is
// 255.2.3.4).
func scanIPv4(s string) (addr netip.Addr, n int, ok bool) {
	var b [4]byte
	for i := range b {
		if i > 0 {
			if !strings.HasPrefix(s[n:], ".") {
				return addr, 0, false
			}
			n++
		}
		v, m, ok := ovsScanInt(s[n:], 10)
		if !ok {
			return addr, 0, false
		}
		b[i] = byte(v)
		n += m
	}
	return netip.AddrFrom4(b), n, true
}

// parseOne parses a single value (no mask) in the field's format.
func (f *Field) parseOne(s string) ([]byte, error) {
	switch f.Format {
	case FormatEthernet:
		b, err := parseEthernet(s)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid Ethernet address", s)
		}
		return b, nil
	case FormatIPv4:
		return parseIPv4(s)
	case FormatIPv6:
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return nil, fmt.Errorf("%s: could not convert to IPv6 address", s)
		}
		b := a.As16()
		return b[:], nil
	}
	return f.parseInteger(s)
}

// parsePacketType reads "(ns,ns_type)", each number as C's strtoul reads
// it, with OVS's messages, which quote the text from where it went wrong.
func parsePacketType(s string) (uint32, error) {
	bad := func(at, what string) error { return fmt.Errorf("%s: bad syntax for packet type %s", at, what) }
	if !strings.HasPrefix(s, "(") {
		return 0, bad(s, "missing '('")
	}
	nsText := s[1:]
	ns, rest, ok := strtoul16(nsText)
	if !ok {
		return 0, bad(nsText, "ns")
	}
	if !strings.HasPrefix(rest, ",") {
		return 0, bad(nsText, "missing ','")
	}
	typeText := rest[1:]
	typ, rest, ok := strtoul16(typeText)
	if !ok {
		return 0, bad(typeText, "ns_type")
	}
	if !strings.HasPrefix(rest, ")") {
		return 0, bad(typeText, "missing ')'")
	}
	return uint32(ns)<<16 | uint32(typ), nil
}

// strtoul16 parses a leading unsigned number of at most 16 bits the way
// strtoul with base 0 does (leading blanks, 0x for hex, 0 for octal) and
// returns the text after it.
func strtoul16(s string) (uint16, string, bool) {
	s = strings.TrimLeft(s, " \t")
	base, digits := 10, s
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isDigitIn(s[2], 16):
		base, digits = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, digits = 8, s[1:]
	}
	n := 0
	for n < len(digits) && isDigitIn(digits[n], base) {
		n++
	}
	if n == 0 {
		if base == 8 {
			return 0, digits, true // a lone "0"
		}
		return 0, s, false
	}
	v, err := strconv.ParseUint(digits[:n], base, 16)
	return uint16(v), digits[n:], err == nil
}

func isDigitIn(c byte, base int) bool {
	switch {
	case c >= '0' && c <= '9':
		return int(c-'0') < base
	case base == 16 && (c|0x20) >= 'a' && (c|0x20) <= 'f':
		return true
	}
	return false
}

// parseInteger reads an integer value or mask of f as OVS does (see
// scanIntString): hex of any width up to the field's bytes, or what
// strtoull reads, with nothing after it.
func (f *Field) parseInteger(s string) ([]byte, error) {
	v, n, err := scanIntString(s, f.Bytes())
	switch {
	case errors.Is(err, errIntegerTooLarge):
		// Like OVS, reject only values wider than the field's bytes (see
		// trimToBits).
		return nil, &integerError{f: f, tooLarge: true}
	case err != nil || n != len(s):
		return nil, &integerError{f: f}
	}
	return v.FillBytes(make([]byte, f.Bytes())), nil
}

// parseEthernet reads all of s as a MAC address, as OVS reads one in a
// match or set_field (see scanMAC).
func parseEthernet(s string) ([]byte, error) {
	mac, rest, ok := scanMAC(s)
	if !ok || rest != "" {
		return nil, errors.New("bad Ethernet address")
	}
	return mac[:], nil
}

// scanMAC reads a MAC address at the start of s as OVS scans one
// ("%hhx:%hhx:…"): each byte is OVS's scanner's hex number cut to 8
// bits, so white space, a sign, a "0x" and any number of digits are
// allowed, and the colons must follow at once. rest is the text after the
// sixth byte.
func scanMAC(s string) (mac [6]byte, rest string, ok bool) {
	for i := range mac {
		if i > 0 {
			if s, ok = strings.CutPrefix(s, ":"); !ok {
				return mac, "", false
			}
		}
		v, n, isNumber := ovsScanInt(s, 16)
		if !isNumber {
			return mac, "", false
		}
		mac[i], s = byte(v), s[n:]
	}
	return mac, s, true
}

func prefixMaskBytes(nbytes, bits int) []byte {
	m := make([]byte, nbytes)
	for i := 0; i < bits; i++ {
		m[i/8] |= 0x80 >> (i % 8)
	}
	return m
}

func bigEndian(v uint64, n int) []byte {
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}

func toU64(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

// isAllOnes reports whether the low bits bits of the big-endian b are all
// ones (the bits above the field's width are ignored).
func isAllOnes(b []byte, bits int) bool {
	for j := 0; j < bits; j++ {
		if b[len(b)-1-j/8]>>(j%8)&1 == 0 {
			return false
		}
	}
	return true
}

func toBig(b []byte) *big.Int { return new(big.Int).SetBytes(b) }

// prefixLenBytes returns n when mask is n leading ones followed by zeros, else -1.
func prefixLenBytes(mask []byte) int {
	n, seenZero := 0, false
	for _, x := range mask {
		for bit := 7; bit >= 0; bit-- {
			if x>>bit&1 == 1 {
				if seenZero {
					return -1
				}
				n++
			} else {
				seenZero = true
			}
		}
	}
	return n
}

// fragNames are OVS's names for ip_frag value/mask pairs.
var fragNames = []struct {
	name        string
	value, mask byte
}{
	{"no", 0, FragAny | FragLater},
	{"yes", FragAny, FragAny},
	{"first", FragAny, FragAny | FragLater},
	{"later", FragAny | FragLater, FragAny | FragLater},
	{"not_later", 0, FragLater},
}

func (f *Field) parseFrag(s string) ([]byte, []byte, error) {
	for _, fn := range fragNames {
		if s == fn.name {
			return []byte{fn.value}, []byte{fn.mask}, nil
		}
	}
	return nil, nil, fmt.Errorf("%s: unknown fragment type (valid types are \"no\", \"yes\", \"first\", \"later\", \"not_later\"", s)
}

// flagNames gives, per format, each flag bit's name in OVS's print order.
func flagNames(format Format) []flagName {
	switch format {
	case FormatTCPFlags:
		return tcpFlagNames
	case FormatCTState:
		return ctStateNames
	case FormatTunFlags:
		return tunFlagNames
	}
	return nil
}

type flagName struct {
	bit  uint64
	name string
}

var tcpFlagNames = []flagName{
	{0x001, "fin"}, {0x002, "syn"}, {0x004, "rst"}, {0x008, "psh"}, {0x010, "ack"},
	{0x020, "urg"}, {0x040, "ece"}, {0x080, "cwr"}, {0x100, "ns"},
	{0x200, "[200]"}, {0x400, "[400]"}, {0x800, "[800]"},
}

var ctStateNames = []flagName{
	{0x01, "new"}, {0x02, "est"}, {0x04, "rel"}, {0x08, "rpl"},
	{0x10, "inv"}, {0x20, "trk"}, {0x40, "snat"}, {0x80, "dnat"},
}

var tunFlagNames = []flagName{{0x1, "oam"}}

// parseFlags parses a flag field's value in one of ovs-ofctl's three
// forms, tried in this order:
//
//   - "value/mask", two integers as C reads them ("0x" hex, leading-0
//     octal, a sign); ovs-ofctl ignores whatever follows the mask;
//   - "+a-b", the flags to match set (+) or clear (-), the rest wildcarded;
//   - "a|b", the flags set, every other one clear: names or integers, an
//     integer's end needing no '|' ("08" is 0|8, octal 0 then 8).
//
// Integers are cut to 32 bits, as ovs-ofctl scans them, and any bit that
// names no flag is refused, even under a zero mask.
func (f *Field) parseFlags(s string) ([]byte, []byte, error) {
	names := flagNames(f.Format)
	defined := definedFlags(names)
	unknown := fmt.Errorf("%s: unknown %s flag(s)", s, flagKind(f.Format))
	if v, n, ok := ovsScanInt(s, 0); ok && strings.HasPrefix(s[n:], "/") {
		if m, _, ok := ovsScanInt(s[n+1:], 0); ok {
			value, mask := uint64(uint32(v)), uint64(uint32(m))
			if (value|mask)&^defined != 0 {
				return nil, nil, unknown
			}
			return bigEndian(value&mask, f.Bytes()), bigEndian(mask, f.Bytes()), nil
		}
	}
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") {
		return f.parseSignedFlags(s, names)
	}
	var value uint64
	for rest := s; rest != ""; {
		if v, n, ok := ovsScanInt(rest, 0); ok {
			if uint64(uint32(v))&^defined != 0 {
				return nil, nil, unknown
			}
			value |= uint64(uint32(v))
			rest = strings.TrimPrefix(rest[n:], "|")
			continue
		}
		name, after, _ := strings.Cut(rest, "|")
		bit, ok := lookupFlag(names, name)
		if !ok {
			return nil, nil, unknown
		}
		value |= bit
		rest = after
	}
	return bigEndian(value, f.Bytes()), bigEndian(defined, f.Bytes()), nil
}

// parseSignedFlags parses the "+a-b" form of parseFlags.
func (f *Field) parseSignedFlags(s string, names []flagName) ([]byte, []byte, error) {
	var value, mask uint64
	for s != "" {
		sign := s[0]
		if sign != '+' && sign != '-' {
			return nil, nil, fmt.Errorf("%s: %s must be specified with a '+' or '-' before each flag", s, f.Name)
		}
		s = s[1:]
		end := strings.IndexAny(s, "+-")
		if end < 0 {
			end = len(s)
		}
		name := s[:end]
		s = s[end:]
		bit, ok := lookupFlag(names, name)
		if !ok {
			return nil, nil, fmt.Errorf("%s: unknown %s flag(s)", name, flagKind(f.Format))
		}
		if mask&bit != 0 {
			return nil, nil, fmt.Errorf("%s: Each %s flag can be specified only once", name, flagKind(f.Format))
		}
		mask |= bit
		if sign == '+' {
			value |= bit
		}
	}
	return bigEndian(value, f.Bytes()), bigEndian(mask, f.Bytes()), nil
}

// flagKind is how OVS's messages name a kind of flag.
func flagKind(format Format) string {
	switch format {
	case FormatTCPFlags:
		return "TCP"
	case FormatTunFlags:
		return "tunnel"
	}
	return "ct_state"
}

// definedFlags is the mask of every flag in names.
func definedFlags(names []flagName) uint64 {
	var all uint64
	for _, fn := range names {
		all |= fn.bit
	}
	return all
}

func lookupFlag(names []flagName, name string) (uint64, bool) {
	for _, fn := range names {
		if fn.name == name {
			return fn.bit, true
		}
	}
	return 0, false
}

// FormatValue writes value (and mask, nil or all-ones meaning exact) as
// ovs-ofctl prints a field value outside a match, e.g. in set_field.
func (f *Field) FormatValue(value, mask []byte, names PortNamer) string {
	if mask != nil && allBytes(mask, 0) {
		return "ANY"
	}
	if mask != nil && isAllOnes(mask, f.Bits) {
		mask = nil
	}
	switch f.Format {
	case FormatEthernet:
		if mask == nil {
			return formatEthernet(value)
		}
		return formatEthernet(value) + "/" + formatEthernet(mask)
	case FormatIPv4, FormatIPv6:
		return formatIP(value, mask)
	case FormatOFPort:
		if mask == nil {
			return FormatPort(Port(toU64(value)), names)
		}
	case FormatFrag:
		m := byte(FragAny | FragLater)
		if mask != nil {
			m = mask[0]
		}
		for _, fn := range fragNames {
			if value[0] == fn.value && m == fn.mask {
				return fn.name
			}
		}
	case FormatTunFlags:
		// OVS prints the flags set, whatever the mask.
		return formatFlagList(tunFlagWireNames, toU64(value))
	case FormatTCPFlags:
		if mask == nil {
			return formatFlagList(tcpFlagNames, toU64(value))
		}
		return formatFlags(tcpFlagNames, toU64(value), toU64(mask))
	case FormatCTState:
		if mask == nil {
			return formatCTState(uint32(toU64(value)))
		}
		return formatFlags(ctStateNames, toU64(value), toU64(mask))
	case FormatDecimal:
		if mask == nil {
			return toBig(value).String()
		}
		return toBig(value).String() + "/" + formatHex(mask)
	case FormatPacketType:
		// OVS prints Ethernet as "eth" and names the field again for the
		// rest: packet_type=packet_type=(1,0x800).
		if pt := uint32(toU64(value)); pt != 0 {
			return "packet_type=" + formatPacketType(pt)
		}
		return "eth"
	}
	if mask == nil {
		return formatHex(value)
	}
	return formatHex(value) + "/" + formatHex(mask)
}

// formatGeneric prints a value of f as OVS's generic field printer
// (mf_format) does, which learned values and "does not fit" messages use.
// It prints recirc_id in decimal and ct_zone in hex, where a match prints
// them the other way round; other fields as FormatValue.
func (f *Field) formatGeneric(value []byte, names PortNamer) string {
	g := *f
	switch f {
	case FieldRecircID:
		g.Format = FormatDecimal
	case FieldCTZone:
		g.Format = FormatHex
	}
	return g.FormatValue(value, nil, names)
}

func formatHex(b []byte) string {
	s := strings.TrimLeft(hex.EncodeToString(b), "0")
	if s == "" {
		return "0" // OVS prints zero as "0", like C's %#x
	}
	return "0x" + s
}

func formatEthernet(b []byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5])
}

// formatIP prints an address with a CIDR suffix when the mask is a prefix
// and with a full mask otherwise, as OVS does.
func formatIP(value, mask []byte) string {
	addr, _ := netip.AddrFromSlice(value)
	if mask == nil {
		return formatAddr(addr)
	}
	if n := prefixLenBytes(mask); n >= 0 {
		return fmt.Sprintf("%s/%d", formatAddr(addr), n)
	}
	m, _ := netip.AddrFromSlice(mask)
	return formatAddr(addr) + "/" + formatAddr(m)
}

// formatAddr prints an address as C's inet_ntop does, which OVS uses: as
// Go does, except that an IPv6 address whose first six 16-bit words are
// zero and whose seventh is not (an IPv4-compatible one) ends in dotted
// quad form, as the IPv4-mapped ones do in both (::1:80 is ::0.1.0.128).
func formatAddr(a netip.Addr) string {
	b := a.As16()
	if a.Is6() && !a.Is4In6() && allBytes(b[:12], 0) && (b[12] != 0 || b[13] != 0) {
		return "::" + netip.AddrFrom4([4]byte(b[12:])).String()
	}
	return a.String()
}

// formatFlags prints "+a-b" for the flags in mask, in bit order.
func formatFlags(names []flagName, value, mask uint64) string {
	var sb strings.Builder
	for _, fn := range names {
		if mask&fn.bit == 0 {
			continue
		}
		if value&fn.bit != 0 {
			sb.WriteByte('+')
		} else {
			sb.WriteByte('-')
		}
		sb.WriteString(fn.name)
	}
	return sb.String()
}

// formatCTState prints every one of a ct_state's 32 bits as set (+) or
// clear (-), as OVS prints a ct_state value outside a match; bits with no
// flag are "[Unknown]".
func formatCTState(v uint32) string {
	var sb strings.Builder
	for bit := range 32 {
		name := "[Unknown]"
		if bit < len(ctStateNames) {
			name = ctStateNames[bit].name
		}
		sign := byte('-')
		if v>>bit&1 != 0 {
			sign = '+'
		}
		sb.WriteByte(sign)
		sb.WriteString(name)
	}
	return sb.String()
}

// tunFlagWireNames names the tunnel flags OVS knows internally, beyond
// the oam that matches may name.
var tunFlagWireNames = []flagName{{0x1, "oam"}, {0x2, "df"}, {0x4, "csum"}, {0x8, "key"}}

// formatFlagList prints the flags set in v as their names joined by '|',
// bits without a name last, together in hex; 0 prints as "0".
func formatFlagList(names []flagName, v uint64) string {
	var parts []string
	for _, fn := range names {
		if v&fn.bit != 0 {
			parts = append(parts, fn.name)
			v &^= fn.bit
		}
	}
	switch {
	case v != 0:
		parts = append(parts, fmt.Sprintf("%#x", v))
	case len(parts) == 0:
		parts = append(parts, "0")
	}
	return strings.Join(parts, "|")
}
