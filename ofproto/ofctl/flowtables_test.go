package ofctl

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/connmgr"
)

// TestNamedLimitedTables compares ours with the real ovs-ofctl against
// a switch whose tables the database named and limited: table lists,
// table_mods by name, and the error past a flow_limit (the whole
// flow_mod comes back in it, as from OVS).
func TestNamedLimitedTables(t *testing.T) {
	real := testutil.RequireCommand(t, "ovs-ofctl")
	start := func() string {
		b := ofproto.NewBridge("br0")
		b.EnsureDefaultFlow()
		b.SetFlowTables(map[uint8]ofproto.FlowTableConfig{0: {Name: "foo", FlowLimit: 3}, 2: {Name: "bar"}})
		dir := t.TempDir()
		m, err := connmgr.Listen(b, filepath.Join(dir, "br0.mgmt"), daemon.NewLog(io.Discard), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return dir
	}
	realDir, ourDir := start(), start()
	for _, s := range []step{
		{args: "dump-tables br0"},
		{args: "-O OpenFlow13 dump-tables br0"},
		{args: "-O OpenFlow15 dump-table-features br0"},
		{args: "add-flow br0 priority=1,actions=drop"},
		{args: "add-flow br0 table=2,priority=1,actions=drop"},
		{args: "dump-tables br0"},
		{args: "add-flow br0 priority=2,actions=drop"},
		{args: "add-flow br0 priority=3,ip,nw_src=10.0.0.1,cookie=0x7,idle_timeout=5,hard_timeout=9,send_flow_rem,actions=output:1,output:2,output:3"},
		{args: "-O OpenFlow15 add-flow br0 importance=4,priority=3,ip,actions=drop"},
		{args: "add-flow br0 priority=2,actions=output:1"},
		{args: "-O OpenFlow14 mod-table br0 foo evict"},
		{args: "-O OpenFlow14 mod-table br0 bar vacancy:5,10"},
		{args: "-O OpenFlow14 mod-table br0 baz evict"},
		{args: "-O OpenFlow14 dump-table-desc br0"},
	} {
		want := runReal(t, real, realDir, "", s.argv()).masked()
		got := runOurs(t, ourDir, "", s.argv()).masked()
		if got != want {
			t.Errorf("ovs-ofctl %s:\n got: status %d\nstdout:\n%s\nstderr:\n%s\nwant: status %d\nstdout:\n%s\nstderr:\n%s",
				s.args, got.status, got.stdout, got.stderr, want.status, want.stdout, want.stderr)
		}
	}
}
