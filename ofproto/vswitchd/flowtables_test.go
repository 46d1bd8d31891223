package vswitchd

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/govs/govs/internal/testutil"
)

// TestFlowTableLimit: a Flow_Table row names table 0 and limits it, as
// real ovs-vsctl sets it up; real ovs-ofctl then sees the name and the
// limit and gets OVS's OFPFMFC_TABLE_FULL past it.
func TestFlowTableLimit(t *testing.T) {
	ofctl := testutil.RequireCommand(t, "ovs-ofctl")
	remote, sw := startSwitch(t)
	vsctl(t, remote, "add-br", "br0")
	vsctl(t, remote, "--", "--id=@ft", "create", "Flow_Table", "name=foo", "flow_limit=3", "overflow_policy=refuse",
		"--", "set", "Bridge", "br0", "flow_tables:0=@ft")
	b, _ := sw.Bridge("br0")
	if cfg := b.FlowTable(0); cfg.Name != "foo" || cfg.FlowLimit != 3 {
		t.Fatalf("table 0 config %+v", cfg)
	}
	run := func(args ...string) (string, int) {
		cmd := exec.Command(ofctl, args...)
		cmd.Env = append(os.Environ(), "OVS_RUNDIR="+sw.runDir)
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}
	out, _ := run("dump-tables", "br0")
	if !strings.HasPrefix(out, "OFPST_TABLE reply (xid=0x2):\n  table 0 (\"foo\"):\n    active=1, lookup=0, matched=0\n    max_entries=3\n") ||
		!strings.Contains(out, "  table 1:\n    active=0, lookup=0, matched=0\n    max_entries=1000000\n    (same matching)\n") {
		t.Errorf("dump-tables:\n%s", out)
	}
	out, _ = run("-O", "OpenFlow13", "dump-table-features", "br0")
	if !strings.Contains(out, "  table 0 (\"foo\"):\n    metadata: match=0xffffffffffffffff write=0xffffffffffffffff\n    max_entries=3\n") {
		t.Errorf("dump-table-features:\n%s", out)
	}
	// The default NORMAL flow counts: two more fit.
	for _, prio := range []string{"1", "2"} {
		if out, code := run("add-flow", "br0", "priority="+prio+",actions=drop"); code != 0 {
			t.Fatalf("add-flow priority=%s: %s", prio, out)
		}
	}
	out, code := run("add-flow", "br0", "priority=3,actions=drop")
	if want := "OFPT_ERROR (xid=0x6): OFPFMFC_TABLE_FULL\nOFPT_FLOW_MOD (xid=0x6): ADD priority=3 actions=drop\n"; code != 1 || out != want {
		t.Errorf("add-flow past the limit: exit %d\n%s\nwant\n%s", code, out, want)
	}
	// Replacing a flow adds none.
	if out, code := run("add-flow", "br0", "priority=2,actions=output:1"); code != 0 {
		t.Errorf("add-flow replacing a flow: %s", out)
	}
	vsctl(t, remote, "clear", "Bridge", "br0", "flow_tables")
	if cfg := b.FlowTable(0); cfg.Name != "" || cfg.FlowLimit != 0 {
		t.Fatalf("table 0 config %+v after clearing flow_tables", cfg)
	}
	if out, code := run("add-flow", "br0", "priority=3,actions=drop"); code != 0 {
		t.Errorf("add-flow without a limit: %s", out)
	}
}
