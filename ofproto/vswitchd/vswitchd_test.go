package vswitchd

import (
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/internal/unixctl"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ovsdb"
	"github.com/govs/govs/ovsdb/client"
	"github.com/govs/govs/ovsdb/server"
)

// startSwitch runs an in-memory database on a unix socket with a switch
// following it, and returns the socket's remote name and the switch.
func startSwitch(t *testing.T) (string, *Switch) {
	t.Helper()
	srv := server.New()
	if err := srv.AddDatabase(ovsdb.NewDatabase(ovsdb.VSwitchSchema()), nil); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "db.sock")
	if err := srv.AddRemote("punix:" + sock); err != nil {
		t.Fatal(err)
	}
	remote := "unix:" + sock
	ctx, cancel := context.WithCancel(context.Background())
	if err := initDatabase(ctx, remote); err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(ctx, remote)
	if err != nil {
		t.Fatal(err)
	}
	sw := New(daemon.NewLog(io.Discard), t.TempDir())
	done := make(chan error, 1)
	go func() { done <- sw.Serve(ctx, c) }()
	t.Cleanup(func() {
		cancel()
		<-done
		sw.Close()
		c.Close()
		srv.Close()
	})
	return remote, sw
}

// vsctl runs the real ovs-vsctl without --no-wait, so each command also
// proves that the switch reported the change applied (cur_cfg).
func vsctl(t *testing.T, remote string, args ...string) string {
	t.Helper()
	path := testutil.RequireCommand(t, "ovs-vsctl")
	cmd := exec.Command(path, append([]string{"--db=" + remote, "--timeout=10"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ovs-vsctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestRealVsctlDrivesSwitch(t *testing.T) {
	remote, sw := startSwitch(t)
	vsctl(t, remote, "add-br", "br0")
	vsctl(t, remote, "add-port", "br0", "veth11", "--", "set", "port", "veth11", "tag=10")
	vsctl(t, remote, "add-port", "br0", "veth22", "--", "set", "interface", "veth22", "ofport_request=5")
	vsctl(t, remote, "add-port", "br0", "trunk0", "--", "set", "port", "trunk0", "trunks=10,20", "vlan_mode=trunk")
	vsctl(t, remote, "add-port", "br0", "int0", "--", "set", "interface", "int0", "type=internal")

	if got := vsctl(t, remote, "get", "interface", "veth22", "ofport"); got != "5" {
		t.Errorf("veth22 ofport %s, want the requested 5", got)
	}
	if got := vsctl(t, remote, "get", "interface", "br0", "ofport"); got != "65534" {
		t.Errorf("br0 ofport %s, want LOCAL", got)
	}
	if got := vsctl(t, remote, "get", "open_vswitch", ".", "ovs_version"); got != `"`+Version+`"` {
		t.Errorf("ovs_version %s", got)
	}

	// The switch is read only after ovs-vsctl returned: by then it has
	// applied the change (ovs-vsctl waited for cur_cfg).
	b, ok := sw.Bridge("br0")
	if !ok {
		t.Fatal("no bridge br0 in the switch")
	}
	p, ok := b.Port("veth11")
	if !ok || !p.VLAN.HasTag || p.VLAN.Tag != 10 {
		t.Fatalf("veth11 = %+v, want access port tag 10", p)
	}
	tr, _ := b.Port("trunk0")
	if tr.VLAN.Mode != ofproto.VLANModeTrunk || len(tr.VLAN.Trunks) != 2 {
		t.Fatalf("trunk0 VLAN %+v", tr.VLAN)
	}
	// Internal interfaces are the switch's own devices, down at first.
	if p, _ := b.Port("int0"); !p.Internal || p.Live() || p.Flags() != ofproto.PortDown {
		t.Errorf("int0 internal=%v live=%v flags=%v, want an internal port, down", p.Internal, p.Live(), p.Flags())
	}
	if p, _ := b.Port("veth22"); p.Internal || !p.Live() {
		t.Errorf("veth22 internal=%v live=%v, want a system port, up", p.Internal, p.Live())
	}

	vsctl(t, remote, "set", "port", "veth11", "tag=20")
	if p, _ := b.Port("veth11"); p.VLAN.Tag != 20 {
		t.Errorf("veth11 tag %d after set port veth11 tag=20", p.VLAN.Tag)
	}
	vsctl(t, remote, "del-port", "br0", "veth11")
	if _, ok := b.Port("veth11"); ok {
		t.Error("veth11 survived del-port")
	}
	if _, ok := b.PortByNumber(5); !ok {
		t.Error("veth22 lost its port")
	}
	vsctl(t, remote, "del-br", "br0")
	if _, ok := sw.Bridge("br0"); ok {
		t.Error("br0 survived del-br")
	}
}

// TestDefaultFlow checks a bridge the database makes starts as OVS's do:
// with "priority=0 actions=NORMAL" in table 0.
func TestDefaultFlow(t *testing.T) {
	remote, sw := startSwitch(t)
	ctx := context.Background()
	c, err := client.Dial(ctx, remote)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Transact(ctx, dbName,
		map[string]any{"op": "insert", "table": "Interface", "row": map[string]any{"name": "br9", "type": "internal"}, "uuid-name": "i"},
		map[string]any{"op": "insert", "table": "Port", "row": map[string]any{"name": "br9",
			"interfaces": []any{"named-uuid", "i"}}, "uuid-name": "p"},
		map[string]any{"op": "insert", "table": "Bridge", "row": map[string]any{"name": "br9",
			"ports": []any{"named-uuid", "p"}}, "uuid-name": "b"},
		map[string]any{"op": "mutate", "table": "Open_vSwitch", "where": []any{},
			"mutations": []any{[]any{"bridges", "insert", []any{"set", []any{[]any{"named-uuid", "b"}}}}}},
		map[string]any{"op": "mutate", "table": "Open_vSwitch", "where": []any{},
			"mutations": []any{[]any{"next_cfg", "+=", 1}}})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if b, ok := sw.Bridge("br9"); ok {
			var flows []string
			b.Table(0).ForEach(func(r *flowtable.Rule) bool {
				flows = append(flows, r.Flow().Format(nil, flowtable.OpenFlow10))
				return true
			})
			if len(flows) != 1 || flows[0] != "priority=0 actions=NORMAL" {
				t.Fatalf("new bridge's table 0: %q", flows)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("bridge br9 never appeared")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestAppctlCommands runs ovs-vswitchd's ovs-appctl commands through the
// control socket.
func TestAppctlCommands(t *testing.T) {
	remote, sw := startSwitch(t)
	vsctl(t, remote, "add-br", "br0")
	vsctl(t, remote, "add-port", "br0", "p1", "--", "set", "port", "p1", "tag=10")
	ctl, err := unixctl.Listen(filepath.Join(t.TempDir(), "vswitchd.ctl"))
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	sw.registerCommands(ctl, func() {})
	call := func(args ...string) (string, error) {
		return unixctl.Call(ctl.Path(), args[0], args[1:], 5*time.Second)
	}
	out, err := call("ofproto/trace", "br0", "in_port=1,dl_src=00:00:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"bridge(\"br0\")", " 0. priority 0\n    NORMAL", "Datapath actions: push_vlan(vid=10,pcp=0),65534"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
	if out, err := call("fdb/show", "br0"); err != nil || out != " port  VLAN  MAC                Age\n" {
		t.Errorf("fdb/show: %q, %v", out, err)
	}
	if _, err := call("fdb/show", "nope"); err == nil {
		t.Error("fdb/show of a missing bridge succeeded")
	}
	if out, err := call("ofproto/list"); err != nil || out != "br0\n" {
		t.Errorf("ofproto/list: %q, %v", out, err)
	}

	b, _ := sw.Bridge("br0")
	for _, text := range []string{"table=3,cookie=0x5,priority=7,idle_timeout=50,ip,nw_src=10.0.0.0/8,actions=output:p1",
		"priority=9,in_port=p1,actions=NORMAL"} {
		f, err := flowtable.ParseFlow(text, flowtable.FlowAdd, b, flowtable.OpenFlow10)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.FlowMod(f, flowtable.FlowAdd); err != nil {
			t.Fatal(err)
		}
	}
	// As real OVS 3.1 prints them (its hidden table-254 flows aside).
	wantFlows := "duration=0s, n_packets=0, n_bytes=0, priority=9,in_port=1,actions=NORMAL\n" +
		"duration=0s, n_packets=0, n_bytes=0, priority=0,actions=NORMAL\n" +
		"table_id=3, duration=0s, n_packets=0, n_bytes=0, priority=7,ip,nw_src=10.0.0.0/8,actions=output:1\n"
	if out, err := call("bridge/dump-flows", "br0"); err != nil || out != wantFlows {
		t.Errorf("bridge/dump-flows:\n%s\nwant\n%s (%v)", out, wantFlows, err)
	}
	if _, err := call("bridge/dump-flows", "nope"); err == nil || strings.TrimSpace(err.Error()) != "Unknown bridge" {
		t.Errorf("bridge/dump-flows of a missing bridge: %v", err)
	}

	b.FDB().Learn([6]byte{5: 1}, 10, 1, b.Now())
	b.FDB().Learn([6]byte{5: 1}, 10, 2, b.Now())
	wantStats := "Statistics for bridge \"br0\":\n" +
		"  Current/maximum MAC entries in the table: 1/8192\n" +
		"  Current static MAC entries in the table : 0\n" +
		"  Total number of learned MAC entries     : 1\n" +
		"  Total number of expired MAC entries     : 0\n" +
		"  Total number of evicted MAC entries     : 0\n" +
		"  Total number of port moved MAC entries  : 1\n"
	if out, err := call("fdb/stats-show", "br0"); err != nil || out != wantStats {
		t.Errorf("fdb/stats-show:\n%s\nwant\n%s (%v)", out, wantStats, err)
	}
	for _, args := range [][]string{{"fdb/flush", "br0"}, {"fdb/flush"}} {
		if out, err := call(args...); err != nil || out != "table successfully flushed\n" {
			t.Errorf("%v: %q, %v", args, out, err)
		}
	}
	if n := len(b.FDB().Entries()); n != 0 {
		t.Errorf("%d MAC entries after fdb/flush", n)
	}
	if out, err := call("fdb/stats-clear"); err != nil || out != "statistics successfully cleared\n" {
		t.Errorf("fdb/stats-clear: %q, %v", out, err)
	}
	if st := b.FDB().Stats(); st != (ofproto.MACStats{}) {
		t.Errorf("stats after fdb/stats-clear: %+v", st)
	}
	for _, args := range [][]string{{"fdb/flush", "nope"}, {"fdb/stats-show", "nope"}, {"fdb/stats-clear", "nope"}} {
		if _, err := call(args...); err == nil || strings.TrimSpace(err.Error()) != "no such bridge" {
			t.Errorf("%v: %v, want no such bridge", args, err)
		}
	}

	// other_config sets the table's size, forced into OVS's range.
	for _, tc := range []struct{ value, want string }{{"5", "1/10"}, {"50", "1/50"}, {"bogus", "1/8192"}} {
		vsctl(t, remote, "set", "bridge", "br0", "other_config:mac-table-size="+tc.value)
		b.FDB().Learn([6]byte{5: 9}, 0, 1, b.Now())
		if out, _ := call("fdb/stats-show", "br0"); !strings.Contains(out, "table: "+tc.want+"\n") {
			t.Errorf("mac-table-size=%s: %s", tc.value, out)
		}
	}
}
