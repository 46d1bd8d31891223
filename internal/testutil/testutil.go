// Package testutil holds what govs' tests share: gates for tests that need
// root or outside tools (skipped on a developer machine, failed under CI),
// run-unique names for namespaces and devices, and a reproducible seed.
package testutil

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
)

// InCI reports whether the tests run under CI (CI=true), where a test that
// cannot run must fail rather than skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// skipOrFail skips the test, or fails it under CI.
func skipOrFail(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if InCI() {
		tb.Fatalf("CI=true but "+format, args...)
	}
	tb.Skipf(format, args...)
}

// RequireRoot stops a test that needs root (namespaces, raw sockets, XDP).
func RequireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		skipOrFail(tb, "test needs root")
	}
}

// RequireCommand stops a test that needs an outside program, such as
// ovs-vsctl or tshark, and returns its path.
func RequireCommand(tb testing.TB, name string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		skipOrFail(tb, "test needs %s (run scripts/install-deps.sh)", name)
	}
	return path
}

var nameSeq atomic.Uint32

// UniqueName returns a short name unique to this test process, for
// namespaces, devices and bridges on a machine that may be shared. It fits
// a Linux interface name (15 bytes) when prefix is at most 5 bytes.
func UniqueName(prefix string) string {
	return fmt.Sprintf("%s%d%c", prefix, os.Getpid()%1000000, 'a'+rune(nameSeq.Add(1)%26))
}

// Rand returns a generator seeded from TEST_SEED when set, else randomly;
// the seed is logged so a failure can be replayed.
func Rand(tb testing.TB) *rand.Rand {
	tb.Helper()
	seed := rand.Uint64()
	if s := os.Getenv("TEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			tb.Fatalf("bad TEST_SEED %q: %v", s, err)
		}
		seed = v
	}
	tb.Logf("TEST_SEED=%d", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}
