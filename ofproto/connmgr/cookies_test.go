package connmgr

import (
	"slices"
	"strings"
	"testing"
)

// TestFlowModCookies: plain OpenFlow 1.0 modifies and deletes reach
// flows whatever their cookie (a modify that matches none adds its
// flow), and NXM ones select by the cookie in the match, as real
// ovs-ofctl sees them do against OVS 3.1.
func TestFlowModCookies(t *testing.T) {
	b, target := newManagedBridge(t)
	// run runs ovs-ofctl OPTIONS... COMMAND br0 ARGS..., COMMAND being
	// the first argument that does not start with "-".
	run := func(args ...string) {
		t.Helper()
		i := slices.IndexFunc(args, func(a string) bool { return !strings.HasPrefix(a, "-") })
		args = slices.Insert(slices.Clone(args), i+1, target)
		if out, code := ofctl(t, args...); code != 0 {
			t.Fatalf("ovs-ofctl %v: %s", args, out)
		}
	}
	flows := func(want ...string) {
		t.Helper()
		got := tableText(b, 0)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("table 0:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	run("del-flows")
	run("add-flow", "cookie=0x5,priority=3,actions=drop")
	run("add-flow", "cookie=0x6,priority=4,ip,actions=drop")
	run("mod-flows", "cookie=0x9,actions=output:2")
	flows("cookie=0x9, priority=3 actions=output:2", "cookie=0x9, priority=4,ip actions=output:2")
	run("-Fnxm", "mod-flows", "cookie=0x6/-1,actions=output:3")
	run("mod-flows", "priority=7,udp actions=output:1")
	flows("cookie=0x9, priority=3 actions=output:2", "cookie=0x9, priority=4,ip actions=output:2", "priority=7,udp actions=output:1")
	run("-Fnxm", "del-flows", "cookie=0x9/-1")
	flows("priority=7,udp actions=output:1")
	run("del-flows")
	flows()
}
