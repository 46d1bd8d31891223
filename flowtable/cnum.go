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

// ovsScanInt reads an integer at the start of s as OVS's own scanner
// (ovs_scan, for flag values, subfield bits, prefix lengths, conjunction
// and nat ranges, and %x for MAC bytes) does: white space, an optional
// sign, then digits of base, which is 10, 16 (after an optional "0x"), or
// 0 for C's prefixes ("0x" and hex digits, "0" and octal digits, else
// decimal). The value is taken modulo 2^64, so unlike
// strtoull's it wraps rather than saturates, and a minus negates it;
// callers cut it to their C type. n is how many bytes it read; ok is
// false if s starts with no integer ("0x" alone is none).
func ovsScanInt(s string, base int) (v uint64, n int, ok bool) {
	c := scanCNumber(s, base, false)
	if c.start == c.end {
		return 0, 0, false
	}
	v, _ = c.value(s)
	return v, c.end, true
}

// cNumber locates the integer at the start of a string as C's number
// readers see it: white space, an optional sign, a base prefix, then the
// digits s[start:end], in base; start == end when there are none.
type cNumber struct {
	neg              bool
	base, start, end int
}

// scanCNumber locates the integer at the start of s, in base 10, in base
// 16 after an optional "0x", or, for base 0, in the base C's prefixes give
// ("0x" hex, "0" octal, else decimal). In base 0 with bareZeroX, "0x"
// without a hex digit after it is the 0 before the x, as strtoull reads
// it; otherwise it is no number.
func scanCNumber(s string, base int, bareZeroX bool) cNumber {
	c := cNumber{base: base}
	n := len(s) - len(strings.TrimLeft(s, cSpace))
	if n < len(s) && (s[n] == '+' || s[n] == '-') {
		c.neg = s[n] == '-'
		n++
	}
	switch base {
	case 0:
		var prefix int
		c.base, prefix = cBase(s[n:])
		if bareZeroX && prefix > 0 && cDigits(s[n+prefix:], c.base) == 0 {
			c.base, prefix = 8, 0
		}
		n += prefix
	case 16:
		_, prefix := cBase(s[n:])
		n += prefix
	}
	c.start, c.end = n, n+cDigits(s[n:], c.base)
	return c
}

// value returns the number's value modulo 2^64, negated if it has a
// minus, and whether its magnitude is past 64 bits.
func (c cNumber) value(s string) (v uint64, overflow bool) {
	base := uint64(c.base)
	for _, ch := range []byte(s[c.start:c.end]) {
		d := uint64(digitValue(ch))
		if v > (math.MaxUint64-d)/base {
			overflow = true
		}
		v = v*base + d
	}
	if c.neg {
		v = -v
	}
	return v, overflow
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
// 0), the value saturated at 64 bits as strtol's is and then cut to a C
// int (32 bits).
func cAtoi(s string) int32 {
	v, _, overflow := strtoll(s, 10)
	if overflow {
		// strtol saturates at LONG_MAX or LONG_MIN, whose low 32 bits
		// are -1 and 0.
		if strings.TrimLeft(s, cSpace)[0] == '-' {
			return 0
		}
		return -1
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

// errNoInteger and errIntegerTooLarge are scanIntString's failures.
var (
	errNoInteger       = errors.New("no integer")
	errIntegerTooLarge = errors.New("integer too large")
)

// scanIntString reads an unsigned integer at the start of s as OVS reads
// the integers of field values and of load and learn, for a field of
// nbytes bytes: "0x" (or "0X") and any number of hex digits, so of any
// width ("0x" alone is 0), with spaces, tabs and line ends among them
// skipped; otherwise what strtoull reads with base 0,
// which skips white space, takes a sign (a minus negates modulo 2^64),
// reads octal after a leading 0 and allows at most 64 bits. n is how many
// bytes it read. A value wider than nbytes bytes, or past 64 bits without
// "0x", is errIntegerTooLarge; no digits at all are errNoInteger.
func scanIntString(s string, nbytes int) (v *big.Int, n int, err error) {
	v = new(big.Int)
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		// OVS skips spaces, tabs and line ends among the hex digits.
		var digits []byte
		for n = 2; n < len(s); n++ {
			if c := s[n]; digitValue(c) < 16 {
				digits = append(digits, c)
			} else if strings.IndexByte(" \t\r\n", c) < 0 {
				break
			}
		}
		if len(digits) > 0 {
			v.SetString(string(digits), 16)
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

// strtoll reads s as C's strtoll(s, &end, base) does, for base 0 or 10:
// as strtoull, but signed, reporting overflow past the 64-bit signed
// range (v is then 0).
func strtoll(s string, base int) (v int64, n int, overflow bool) {
	c := scanCNumber(s, base, true)
	if c.start == c.end {
		return 0, 0, false
	}
	u, overflow := c.value(s)
	magnitude := u
	if c.neg {
		magnitude = -u
	}
	if overflow || !c.neg && magnitude > math.MaxInt64 || c.neg && magnitude > 1<<63 {
		return 0, c.end, true
	}
	return int64(u), c.end, false
}

// cSpace is the white space C's number readers skip.
const cSpace = " \t\n\v\f\r"

// strtoull reads s as C's strtoull(s, &end, 0) does: white space, an
// optional sign, then "0x" and hex digits, "0" and octal digits, or
// decimal digits ("0x" not followed by a hex digit is the 0 alone). n is
// how many bytes it read, 0 if there was no number. Past 64 bits it
// reports overflow (where strtoull would return 2^64-1, v is left
// wrapped: callers decide); a minus sign negates modulo 2^64.
func strtoull(s string) (v uint64, n int, overflow bool) {
	c := scanCNumber(s, 0, true)
	if c.start == c.end {
		return 0, 0, false
	}
	v, overflow = c.value(s)
	return v, c.end, overflow
}
