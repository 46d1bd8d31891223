package ofctl

import (
	"os"
	"path/filepath"
	"testing"
)

// replace-flows and diff-flows scenarios, run by TestAgainstRealOvsOfctl;
// their files are written by TestMain-free setup below (flowsyncDir).
func init() {
	const file = "priority=5,in_port=1,actions=drop\ntable=1,ip,actions=output:2 # c\n\ncookie=0x5,idle_timeout=10,hard_timeout=20,importance=3,priority=7,tcp,tp_dst=80,actions=NORMAL\nactions=drop\nsend_flow_rem,priority=9,arp,actions=drop\n"
	scenarios["replace-flows"] = []step{
		{args: "add-flow|br0|priority=5,in_port=1,actions=output:2"},
		{args: "add-flow|br0|priority=6,in_port=2,actions=output:1"},
		{args: "add-flow|br0|cookie=0x5,priority=7,tcp,tp_dst=80,actions=NORMAL"},
		{args: "diff-flows br0 -", stdin: file},
		{args: "diff-flows - br0", stdin: file},
		{args: "replace-flows br0 -", stdin: file},
		{args: "dump-flows br0 --no-stats"},
		{args: "diff-flows br0 -", stdin: file},
		{args: "diff-flows br0 br0"},
		{args: "replace-flows br0 -", stdin: "priority=5,reg0=1,actions=drop\n"},
		{args: "dump-flows br0 --no-stats"},
		{args: "-O OpenFlow13 replace-flows br0 -", stdin: "table=2,priority=5,ip,actions=drop\n"},
		{args: "-O OpenFlow13 diff-flows br0 -", stdin: "priority=5,ip,actions=drop\n"},
		{args: "dump-flows br0 --no-stats"},
		{args: "replace-flows br0 -", stdin: "in_port=veth11,actions=drop\n"},
		{args: "replace-flows br0 -", stdin: "foo=1,actions=drop\n"},
		{args: "replace-flows br0 ./nonexistent"},
		{args: "diff-flows ./nonexistent br0"},
		{args: "diff-flows nobr br0"},
		{args: "replace-flows br0 -", stdin: ""},
		{args: "-O OpenFlow13 replace-flows br0 -", stdin: "priority=5,actions=group:5\n"},
		{args: "diff-flows br0 -", stdin: "in_port=veth11,actions=drop\n"},
		{args: "replace-flows br0 -", stdin: "table=1,reg0=1,actions=drop\n"},
		{args: "-O OpenFlow10,OpenFlow13 replace-flows br0 -", stdin: "table=1,reg0=1,actions=drop\n"},
		{args: "dump-flows br0 --no-stats"},
	}
}

func TestDiffFlowsFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a", "priority=5,in_port=1,actions=drop\ntable=1,ip,actions=output:2\n# c\ncookie=0x5,idle_timeout=10,hard_timeout=20,importance=3,priority=7,tcp,tp_dst=80,actions=NORMAL\nactions=drop\nsend_flow_rem,priority=9,arp,actions=drop\n")
	b := write("b", "priority=5,in_port=1,actions=output:3\ntable=1,ip,actions=output:2\ncookie=0x5,priority=7,tcp,tp_dst=80,actions=NORMAL\npriority=8,udp,actions=drop\npriority=9,arp,actions=drop\n")
	got := runOurs(t, dir, "", []string{"diff-flows", a, b})
	want := result{"- actions=drop\n+priority=8,udp actions=drop\n-priority=7,tcp,tp_dst=80 cookie=0x5 idle_timeout=10 hard_timeout=20 importance=3 actions=NORMAL\n+priority=7,tcp,tp_dst=80 cookie=0x5 actions=NORMAL\n-priority=5,in_port=1 actions=drop\n+priority=5,in_port=1 actions=output:3\n", "", 2}
	if got != want {
		t.Errorf("diff-flows a b: got %+v, want %+v (ovs-ofctl 3.1's)", got, want)
	}
}
