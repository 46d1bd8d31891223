package flowtable

import (
	"slices"
	"testing"
)

func TestScanCInt(t *testing.T) {
	tests := []struct {
		in string
		v  uint64
		n  int
		ok bool
	}{
		{"12", 12, 2, true},
		{"0x1f/3", 0x1f, 4, true},
		{"0X1F", 0x1f, 4, true},
		{"010", 8, 3, true},
		{"08", 0, 1, true}, // octal 0, then an 8 that is not octal
		{"+5", 5, 2, true},
		{"-1", 1<<64 - 1, 2, true},
		{"0xffffffff00000001", 0xffffffff00000001, 18, true},
		{"99999999999999999999", 1<<64 - 1, 20, true}, // saturates
		{"-99999999999999999999", 1<<64 - 1, 21, true},
		{"0x", 0, 0, false},
		{"0xg", 0, 0, false},
		{"", 0, 0, false},
		{"-", 0, 0, false},
		{"new", 0, 0, false},
	}
	for _, tt := range tests {
		v, n, ok := scanCInt(tt.in)
		if v != tt.v || n != tt.n || ok != tt.ok {
			t.Errorf("scanCInt(%q) = %#x, %d, %v; want %#x, %d, %v", tt.in, v, n, ok, tt.v, tt.n, tt.ok)
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

func TestScanBigUint(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when there is no number
		n    int
	}{
		{"10", "10", 2},
		{"010", "8", 3},
		{"08", "0", 1},
		{"0x1f->x", "31", 4},
		{"0x", "0", 2},
		{"00x5", "0", 2},
		{"0xffffffffffffffffffffffffffffffff", "340282366920938463463374607431768211455", 34},
		{"x", "", 0},
		{"", "", 0},
	}
	for _, tt := range tests {
		v, n, ok := scanBigUint(tt.in)
		got := ""
		if ok {
			got = v.String()
		}
		if got != tt.want || n != tt.n {
			t.Errorf("scanBigUint(%q) = %s, %d; want %s, %d", tt.in, got, n, tt.want, tt.n)
		}
	}
}
