package testutil

import (
	"strings"
	"testing"
)

func TestUniqueNameFitsInterfaceName(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		n := UniqueName("govs")
		if len(n) > 15 {
			t.Fatalf("%q longer than an interface name", n)
		}
		if !strings.HasPrefix(n, "govs") {
			t.Fatalf("%q lost its prefix", n)
		}
		seen[n] = true
	}
	if len(seen) < 26 {
		t.Fatalf("only %d distinct names in 100", len(seen))
	}
}

func TestRandHonoursSeed(t *testing.T) {
	t.Setenv("TEST_SEED", "42")
	a, b := Rand(t).Uint64(), Rand(t).Uint64()
	if a != b {
		t.Fatalf("same TEST_SEED gave %d and %d", a, b)
	}
}
