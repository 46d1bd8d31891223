package flowtable

import (
	"errors"
	"math"
	"math/big"
	"strings"
)

// Numbers and lists as the C library reads them for ovs-ofctl. OVS parses
// many action arguments with strtoull, atoi or strtok rather than with
// its own checked readers; matching its text means matching their
// leniency: garbage ends a number instead of refusing it, and empty list
// items vanish.

// scanCInt reads an integer at the start of s much as C's strtoull does
// with base 0 (OVS's own flag scanner differs past 64 bits, where it
// wraps): an optional sign, then "0x" and hex digits, or "0" and octal
// digits, or decimal digits. A value past 64 bits saturates and a minus
// sign negates modulo 2^64, as strtoull's do. n is how many bytes it
// read; ok is false if s starts with no integer ("0x" alone is none).
func scanCInt(s string) (v uint64, n int, ok bool) {
	neg := false
	if n < len(s) && (s[n] == '+' || s[n] == '-') {
		neg = s[n] == '-'
		n++
	}
	base, prefix := cBase(s[n:])
	n += prefix
	digits := cDigits(s[n:], base)
	if digits == 0 {
		return 0, 0, false
	}
	overflow := false
	for _, c := range []byte(s[n : n+digits]) {
		d := uint64(digitValue(c))
		if v > (math.MaxUint64-d)/uint64(base) {
			overflow = true
		}
		v = v*uint64(base) + d
	}
	n += digits
	if overflow {
		v = math.MaxUint64
	} else if neg {
		v = -v
	}
	return v, n, true
}

// cBase returns the base C's base-0 conversions read the number at the
// start of s in, and the length of its "0x" prefix.
func cBase(s string) (base, prefix int) {
	switch {
	case len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		return 16, 2
	case strings.HasPrefix(s, "0"):
		return 8, 0
	}
	return 10, 0
}

// cDigits counts the digits of base at the start of s.
func cDigits(s string, base int) int {
	n := 0
	for n < len(s) && int(digitValue(s[n])) < base {
		n++
	}
	return n
}

// digitValue is c's value as a digit of any base up to 16, or 16 if c is
// none.
func digitValue(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 16
}

// cAtoi reads s as C's atoi does: white space, an optional sign and
// decimal digits, stopping at anything else (so "12abc" is 12 and "x" is
// 0), the result cut to a C int (32 bits) as atoi's is.
func cAtoi(s string) int32 {
	v, _, _ := scanCDecimal(s)
	return v
}

// scanCDecimal reads a decimal integer at the start of s as C's atoi and
// scanf's %d do: white space, an optional sign and decimal digits, the
// value cut to a C int (32 bits) after strtol's saturation at 64 bits. n
// is how many bytes it read; ok is false if there are no digits.
func scanCDecimal(s string) (v int32, n int, ok bool) {
	n = len(s) - len(strings.TrimLeft(s, cSpace))
	neg := false
	if n < len(s) && (s[n] == '+' || s[n] == '-') {
		neg = s[n] == '-'
		n++
	}
	digits := cDigits(s[n:], 10)
	if digits == 0 {
		return 0, 0, false
	}
	var x int64
	for _, c := range []byte(s[n : n+digits]) {
		d := int64(c - '0')
		if x > (math.MaxInt64-d)/10 {
			// strtol saturates at LONG_MAX or LONG_MIN, whose low 32
			// bits are -1 and 0.
			if neg {
				return 0, n + digits, true
			}
			return -1, n + digits, true
		}
		x = x*10 + d
	}
	if neg {
		x = -x
	}
	return int32(x), n + digits, true
}

// cTokens splits s as strtok(s, ", ") does: at commas and spaces, with
// empty items dropped.
func cTokens(s string) []string {
	var toks []string
	t := cTokenizer{rest: s}
	for tok, ok := t.next(", "); ok; tok, ok = t.next(", ") {
		toks = append(toks, tok)
	}
	return toks
}

// cTokenizer splits a string as successive strtok calls do, each call
// with delimiters of its own.
type cTokenizer struct{ rest string }

// next returns the next token ending at one of delims, skipping
// delimiters before it; ok is false when only delimiters are left.
func (t *cTokenizer) next(delims string) (tok string, ok bool) {
	t.rest = strings.TrimLeft(t.rest, delims)
	if t.rest == "" {
		return "", false
	}
	i := strings.IndexAny(t.rest, delims)
	if i < 0 {
		tok, t.rest = t.rest, ""
		return tok, true
	}
	tok, t.rest = t.rest[:i], t.rest[i+1:]
	return tok, true
}

// errNoInteger and errIntegerTooLarge are scanIntString's failures.
var (
	errNoInteger       = errors.New("no integer")
	errIntegerTooLarge = errors.New("integer too large")
)

// scanIntString reads an unsigned integer at the start of s as OVS reads
// the integers of field values and of load and learn, for a field of
// nbytes bytes: "0x" (or "0X") and any number of hex digits, so of any
// width ("0x" alone is 0); otherwise what strtoull reads with base 0,
// which skips white space, takes a sign (a minus negates modulo 2^64),
// reads octal after a leading 0 and allows at most 64 bits. n is how many
// bytes it read. A value wider than nbytes bytes, or past 64 bits without
// "0x", is errIntegerTooLarge; no digits at all are errNoInteger.
func scanIntString(s string, nbytes int) (v *big.Int, n int, err error) {
	v = new(big.Int)
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		n = 2 + cDigits(s[2:], 16)
		if n > 2 {
			v.SetString(s[2:n], 16)
		}
	} else {
		u, m, overflow := strtoull(s)
		if m == 0 {
			return nil, 0, errNoInteger
		}
		if overflow {
			return nil, m, errIntegerTooLarge
		}
		v.SetUint64(u)
		n = m
	}
	if v.BitLen() > 8*nbytes {
		return nil, n, errIntegerTooLarge
	}
	return v, n, nil
}

// strtoll reads s as C's strtoll(s, &end, 0) does: as strtoull, but
// signed, reporting overflow past the 64-bit signed range.
func strtoll(s string) (v int64, n int, overflow bool) {
	u, n, overflow := strtoull(s)
	if n == 0 {
		return 0, 0, false
	}
	neg := strings.TrimLeft(s, cSpace)[0] == '-'
	magnitude := u
	if neg {
		magnitude = -u
	}
	if overflow || !neg && magnitude > math.MaxInt64 || neg && magnitude > 1<<63 {
		return 0, n, true
	}
	return int64(u), n, false
}

// strtoull reads s as C's strtoull(s, &end, 0) does: white space, an
// optional sign, then "0x" and hex digits, "0" and octal digits, or
// decimal digits ("0x" not followed by a hex digit is the 0 alone). n is
// how many bytes it read, 0 if there was no number. Past 64 bits it
// reports overflow; a minus sign negates modulo 2^64.
func strtoull(s string) (v uint64, n int, overflow bool) {
	return strtoullBase(s, 0)
}

// cSpace is the white space C's number readers skip.
const cSpace = " \t\n\v\f\r"

// strtoullBase is strtoull with a base of 0 (C's prefixes) or 10.
func strtoullBase(s string, base int) (v uint64, n int, overflow bool) {
	n = len(s) - len(strings.TrimLeft(s, cSpace))
	neg := false
	if n < len(s) && (s[n] == '+' || s[n] == '-') {
		neg = s[n] == '-'
		n++
	}
	prefix := 0
	if base == 0 {
		base, prefix = cBase(s[n:])
		if prefix > 0 && cDigits(s[n+prefix:], base) == 0 {
			base, prefix = 8, 0
		}
	}
	start := n + prefix
	digits := cDigits(s[start:], base)
	if digits == 0 {
		return 0, 0, false
	}
	for _, c := range []byte(s[start : start+digits]) {
		d := uint64(digitValue(c))
		if v > (math.MaxUint64-d)/uint64(base) {
			overflow = true
		}
		v = v*uint64(base) + d
	}
	if neg {
		v = -v
	}
	return v, start + digits, overflow
}
