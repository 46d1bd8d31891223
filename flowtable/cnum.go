package flowtable

import (
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
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v int64
	for i := 0; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		d := int64(s[i] - '0')
		if v > (math.MaxInt64-d)/10 {
			// strtol saturates at LONG_MAX or LONG_MIN, whose low 32
			// bits are -1 and 0.
			if neg {
				return 0
			}
			return -1
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return int32(v)
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

// scanBigUint reads an unsigned integer of any width at the start of s
// as OVS reads the values of load and learn: "0x" and hex digits ("0x"
// alone is 0), "0" and octal digits ("08" is 0 followed by an 8), or
// decimal digits. n is how many bytes it read; ok is false if s starts
// with none of these.
func scanBigUint(s string) (v *big.Int, n int, ok bool) {
	base, prefix := cBase(s)
	n = prefix + cDigits(s[prefix:], base)
	if n == 0 {
		return nil, 0, false
	}
	v = new(big.Int)
	if n > prefix {
		v.SetString(s[prefix:n], base)
	}
	return v, n, true
}
