package flowtable

import (
	"slices"
	"testing"
)

func TestOVSScanInt(t *testing.T) {
	tests := []struct {
		in   string
		base int
		v    uint64
		n    int
		ok   bool
	}{
		{"12", 0, 12, 2, true},
		{"0x1f/3", 0, 0x1f, 4, true},
		{"0X1F", 0, 0x1f, 4, true},
		{"010", 0, 8, 3, true},
		{"08", 0, 0, 1, true}, // octal 0, then an 8 that is not octal
		{"08", 10, 8, 2, true},
		{"0x3", 10, 0, 1, true},
		{" +5", 0, 5, 3, true},
		{"-1", 0, 1<<64 - 1, 2, true},
		{"0xffffffff00000001", 0, 0xffffffff00000001, 18, true},
		{"99999999999999999999", 10, 99999999999999999999 % (1 << 64), 20, true}, // wraps
		{"18446744073709551619", 10, 3, 20, true},
		{"0x10000000000000002", 0, 2, 19, true},
		{"-99999999999999999999", 0, -(99999999999999999999 % (1 << 64)) & (1<<64 - 1), 21, true},
		{"0x", 0, 0, 0, false},
		{"0xg", 0, 0, 0, false},
		{"", 0, 0, 0, false},
		{"-", 10, 0, 0, false},
		{"new", 0, 0, 0, false},
		// Base 16, as %x: an optional 0x, any number of digits.
		{"ff:", 16, 0xff, 2, true},
		{"0X1:", 16, 1, 3, true},
		{" -0x1", 16, 1<<64 - 1, 5, true},
		{"10000000000000001", 16, 1, 17, true},
		{"0x", 16, 0, 0, false},
		{":1", 16, 0, 0, false},
	}
	for _, tt := range tests {
		v, n, ok := ovsScanInt(tt.in, tt.base)
		if v != tt.v || n != tt.n || ok != tt.ok {
			t.Errorf("ovsScanInt(%q, %d) = %#x, %d, %v; want %#x, %d, %v", tt.in, tt.base, v, n, ok, tt.v, tt.n, tt.ok)
		}
	}
}

func TestCAtoi(t *testing.T) {
	tests := []struct {
		in   string
		want int32
	}{
		{"12", 12},
		{"12abc", 12},
		{"x", 0},
		{"", 0},
		{" -7", -7},
		{"+3", 3},
		{"0x10", 0}, // decimal only: the 0 before the x
		{"010", 10},
		{"70000", 70000},
		{"4294967297", 1},            // cut to 32 bits
		{"99999999999999999999", -1}, // LONG_MAX, then cut
		{"-99999999999999999999", 0}, // LONG_MIN, then cut
	}
	for _, tt := range tests {
		if got := cAtoi(tt.in); got != tt.want {
			t.Errorf("cAtoi(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestCTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a,b", []string{"a", "b"}},
		{",,a,,b c ,", []string{"a", "b", "c"}},
		{"", nil},
		{", ,", nil},
	}
	for _, tt := range tests {
		if got := cTokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("cTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// A later call may split at other delimiters, as bundle's member list
	// is split after "members:".
	tok := cTokenizer{rest: "a,b members:1,[2]"}
	var got []string
	for _, delims := range []string{", ", ", ", ": ", ", []", ", []", ", []"} {
		if s, ok := tok.next(delims); ok {
			got = append(got, s)
		}
	}
	if want := []string{"a", "b", "members", "1", "2"}; !slices.Equal(got, want) {
		t.Errorf("cTokenizer gave %q, want %q", got, want)
	}
}

func TestScanIntString(t *testing.T) {
	tests := []struct {
		in     string
		nbytes int
		want   string // the value, or the error
		n      int
	}{
		{"10", 4, "10", 2},
		{"010", 4, "8", 3},
		{"08", 4, "0", 1},
		{"0x1f->x", 4, "31", 4},
		{"0x1 2->x", 4, "18", 5}, // white space among hex digits is skipped
		{"0x 1", 4, "1", 4},
		{"0x", 4, "0", 2},
		{"0xg", 4, "0", 2},
		{"00x5", 4, "0", 2},
		{"+0x5", 4, "5", 4},
		{"+0xg", 4, "0", 2},
		{" 7", 4, "7", 2},
		{"0x00000000000000000000000000000005", 1, "5", 34},
		{"0xffffffffffffffffffffffffffffffff", 16, "340282366920938463463374607431768211455", 34},
		{"0x1ffffffffffffffffffffffffffffffff", 16, "integer too large", 35},
		{"0x100000000", 4, "integer too large", 11},
		{"4294967296", 4, "integer too large", 10},
		{"-1", 8, "18446744073709551615", 2},
		{"-1", 4, "integer too large", 2},
		{"18446744073709551615", 16, "18446744073709551615", 20},
		{"18446744073709551616", 16, "integer too large", 20},
		{"x", 4, "no integer", 0},
		{"-", 4, "no integer", 0},
		{"", 4, "no integer", 0},
	}
	for _, tt := range tests {
		v, n, err := scanIntString(tt.in, tt.nbytes)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = v.String()
		}
		if got != tt.want || n != tt.n {
			t.Errorf("scanIntString(%q, %d) = %s, %d; want %s, %d", tt.in, tt.nbytes, got, n, tt.want, tt.n)
		}
	}
}

func TestParseUint(t *testing.T) {
	tests := []struct {
		in   string
		bits int
		want uint64
		err  string
	}{
		{"+5", 32, 5, ""},
		{"-1", 32, 0xffffffff, ""},
		{"-1", 64, 0xffffffffffffffff, ""},
		{"4294967297", 32, 1, ""}, // str_to_u32 cuts to 32 bits
		{"0x10", 8, 16, ""},
		{"010", 16, 8, ""},
		{"-1", 8, 0, "invalid numeric format -1"}, // str_to_u8 checks range
		{"256", 8, 0, "invalid numeric format 256"},
		{"5x", 32, 0, "invalid numeric format 5x"},
		{"18446744073709551616", 64, 0, "invalid numeric format 18446744073709551616"},
		{"", 32, 0, "missing required numeric argument"},
	}
	for _, tt := range tests {
		got, err := parseUint(tt.in, tt.bits)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.err {
			t.Errorf("parseUint(%q, %d) = %d, %q; want %d, %q", tt.in, tt.bits, got, gotErr, tt.want, tt.err)
		}
	}
}

func TestStrtoll(t *testing.T) {
	tests := []struct {
		in       string
		v        int64
		n        int
		overflow bool
	}{
		{"-5", -5, 2, false},
		{" +0x10", 16, 6, false},
		{"9223372036854775807", 9223372036854775807, 19, false},
		{"9223372036854775808", 0, 19, true},
		{"-9223372036854775808", -9223372036854775808, 20, false},
		{"-9223372036854775809", 0, 20, true},
		{"x", 0, 0, false},
	}
	for _, tt := range tests {
		v, n, overflow := strtoll(tt.in, 0)
		if v != tt.v || n != tt.n || overflow != tt.overflow {
			t.Errorf("strtoll(%q) = %d, %d, %v; want %d, %d, %v", tt.in, v, n, overflow, tt.v, tt.n, tt.overflow)
		}
	}
}
