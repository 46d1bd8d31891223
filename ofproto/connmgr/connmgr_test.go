package connmgr

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/ofproto"
)

func newManagedBridge(t *testing.T) (*ofproto.Bridge, string) {
	t.Helper()
	b := ofproto.NewBridge("br0")
	for i, name := range []string{"veth11", "veth22"} {
		if _, err := b.AddPort(ofproto.PortConfig{Name: name, OFPort: flowtable.Port(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	_, sock := listenBridge(t, b, io.Discard)
	return b, "unix:" + sock
}

// ofctl runs the real ovs-ofctl against target and returns its output and
// exit status.
func ofctl(t *testing.T, args ...string) (string, int) {
	t.Helper()
	path := testutil.RequireCommand(t, "ovs-ofctl")
	cmd := exec.Command(path, args...)
	out, _ := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), cmd.ProcessState.ExitCode()
}

func tableText(b *ofproto.Bridge, table uint8) []string {
	var flows []string
	b.Table(table).ForEach(func(r *flowtable.Rule) bool {
		flows = append(flows, r.Flow().Format(nil, flowtable.OpenFlow10))
		return true
	})
	sort.Strings(flows)
	return flows
}

// TestSeedSessionWithRealOfctl is the seed tutorial's flow session, driven
// by the real ovs-ofctl over the management socket.
func TestSeedSessionWithRealOfctl(t *testing.T) {
	b, target := newManagedBridge(t)
	for _, proto := range []string{"", "-O OpenFlow13", "-O OpenFlow15"} {
		t.Run("proto="+proto, func(t *testing.T) {
			args := strings.Fields(proto)
			run := func(a ...string) {
				t.Helper()
				if out, code := ofctl(t, append(args, a...)...); code != 0 {
					t.Fatalf("ovs-ofctl %s: exit %d: %s", strings.Join(a, " "), code, out)
				}
			}
			run("add-flow", target, "priority=2,in_port=veth11,actions=drop")
			got := tableText(b, 0)
			want := []string{"priority=0 actions=NORMAL", "priority=2,in_port=1 actions=drop"}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("after add-flow: %q", got)
			}
			run("del-flows", target, "in_port=veth11")
			if got := tableText(b, 0); len(got) != 1 || got[0] != "priority=0 actions=NORMAL" {
				t.Fatalf("after del-flows in_port=veth11: %q", got)
			}
			run("add-flow", target, "table=3,priority=7,tcp,tp_dst=80,actions=output:veth22")
			if got := tableText(b, 3); len(got) != 1 || got[0] != "table=3, priority=7,tcp,tp_dst=80 actions=output:2" {
				t.Fatalf("table 3: %q", got)
			}
			run("mod-flows", target, "table=3,tcp,actions=drop")
			if got := tableText(b, 3); len(got) != 1 || !strings.HasSuffix(got[0], "actions=drop") {
				t.Fatalf("table 3 after mod-flows: %q", got)
			}
			run("del-flows", target)
			if got := tableText(b, 0); len(got) != 0 {
				t.Fatalf("after del-flows: %q", got)
			}
			run("add-flow", target, "priority=0,actions=NORMAL")
		})
	}
}

func TestErrorsKeepTheSessionAlive(t *testing.T) {
	_, target := newManagedBridge(t)
	out, code := ofctl(t, "add-flow", target, "actions=group:99")
	if code == 0 || !strings.Contains(out, "OFPBAC_BAD_OUT_GROUP") {
		t.Fatalf("flow to a missing group: exit %d, %q", code, out)
	}
	out, code = ofctl(t, "-O", "OpenFlow13", "add-flow", target, "check_overlap,priority=5,ip,actions=drop")
	if code != 0 {
		t.Fatalf("first overlapping flow refused: %q", out)
	}
	out, code = ofctl(t, "-O", "OpenFlow13", "add-flow", target, "check_overlap,priority=5,ip,nw_src=1.2.3.4,actions=drop")
	if code == 0 || !strings.Contains(out, "OFPFMFC_OVERLAP") {
		t.Fatalf("overlap: exit %d, %q", code, out)
	}
	if out, code := ofctl(t, "probe", target); code != 0 {
		t.Fatalf("probe after errors: exit %d, %q", code, out)
	}
}

// TestDumpFlowsWithRealOfctl checks the seed's dump-flows output, stats
// columns included, as real ovs-ofctl prints what govs replies.
func TestDumpFlowsWithRealOfctl(t *testing.T) {
	_, target := newManagedBridge(t)
	if out, code := ofctl(t, "add-flow", target, "priority=2,in_port=veth11,actions=drop"); code != 0 {
		t.Fatal(out)
	}
	duration := regexp.MustCompile(`duration=[0-9.]+s`)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"dump-flows", target}, "NXST_FLOW reply (xid=0x4):\n" +
			" cookie=0x0, duration=Ds, table=0, n_packets=0, n_bytes=0, idle_age=0, priority=2,in_port=1 actions=drop\n" +
			" cookie=0x0, duration=Ds, table=0, n_packets=0, n_bytes=0, idle_age=0, priority=0 actions=NORMAL"},
		{[]string{"--names", "dump-flows", target}, "" +
			" cookie=0x0, duration=Ds, table=0, n_packets=0, n_bytes=0, priority=2,in_port=veth11 actions=drop\n" +
			" cookie=0x0, duration=Ds, table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL"},
		{[]string{"dump-flows", target, "--no-stats"}, " priority=2,in_port=1 actions=drop\n priority=0 actions=NORMAL"},
		{[]string{"-O", "OpenFlow13", "dump-flows", target}, "OFPST_FLOW reply (OF1.3) (xid=0x2):\n" +
			" cookie=0x0, duration=Ds, table=0, n_packets=0, n_bytes=0, priority=2,in_port=1 actions=drop\n" +
			" cookie=0x0, duration=Ds, table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL"},
		{[]string{"dump-aggregate", target}, "NXST_AGGREGATE reply (xid=0x4): packet_count=0 byte_count=0 flow_count=2"},
	}
	ofctlPath := testutil.RequireCommand(t, "ovs-ofctl")
	for _, tt := range tests {
		raw, err := exec.Command(ofctlPath, tt.args...).Output()
		if err != nil {
			t.Fatalf("ovs-ofctl %s: %v", strings.Join(tt.args, " "), err)
		}
		got := strings.TrimRight(duration.ReplaceAllString(string(raw), "duration=Ds"), "\n")
		if got != tt.want {
			t.Errorf("ovs-ofctl %s:\n got %q\nwant %q", strings.Join(tt.args, " "), got, tt.want)
		}
	}
}

// TestAddFlowsMixedFormats: add-flows whose batch needs NXM makes
// ovs-ofctl enable table ids and send adds for table 255, which go to
// table 0 as in OVS.
func TestAddFlowsMixedFormats(t *testing.T) {
	b, target := newManagedBridge(t)
	file := filepath.Join(t.TempDir(), "flows.txt")
	flows := "priority=100,ip,nw_dst=10.0.0.0,actions=output:1\n" +
		"priority=101,tcp,nw_src=172.0.0.1,tp_dst=2,actions=drop\n" +
		"table=1,priority=103,reg0=3,actions=resubmit(,2)\n"
	if err := os.WriteFile(file, []byte(flows), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := ofctl(t, "add-flows", target, file); code != 0 {
		t.Fatalf("add-flows: %s", out)
	}
	if n0, n1 := b.Table(0).Len(), b.Table(1).Len(); n0 != 3 || n1 != 1 {
		t.Fatalf("tables hold %d and %d flows, want 3 (with NORMAL) and 1", n0, n1)
	}
}

// TestGroupsWithRealOfctl drives groups with the real ovs-ofctl and
// compares with what real OVS 3.1 prints for the same session.
func TestGroupsWithRealOfctl(t *testing.T) {
	_, target := newManagedBridge(t)
	run := func(args ...string) string {
		t.Helper()
		out, code := ofctl(t, args...)
		if code != 0 {
			t.Fatalf("ovs-ofctl %s: exit %d: %s", strings.Join(args, " "), code, out)
		}
		return regexp.MustCompile(`duration=[0-9.]+s`).ReplaceAllString(out, "duration=Ds")
	}
	run("-O", "OpenFlow13", "add-group", target, "group_id=1,type=all,bucket=output:1,bucket=output:2")
	run("-O", "OpenFlow13", "add-flow", target, "actions=group:1")
	if got, want := run("-O", "OpenFlow13", "dump-groups", target),
		"OFPST_GROUP_DESC reply (OF1.3) (xid=0x2):\n group_id=1,type=all,bucket=actions=output:1,bucket=actions=output:2"; got != want {
		t.Errorf("dump-groups:\n got %q\nwant %q", got, want)
	}
	if got, want := run("-O", "OpenFlow13", "dump-group-stats", target),
		"OFPST_GROUP reply (OF1.3) (xid=0x6):\n group_id=1,duration=Ds,ref_count=1,packet_count=0,byte_count=0,bucket0:packet_count=0,byte_count=0,bucket1:packet_count=0,byte_count=0"; got != want {
		t.Errorf("dump-group-stats:\n got %q\nwant %q", got, want)
	}
	features := run("-O", "OpenFlow13", "dump-group-features", target)
	if !strings.Contains(features, "Types:  0xf\n    Capabilities:  0x7") ||
		!strings.Contains(features, "actions: output group set_field strip_vlan push_vlan mod_nw_ttl dec_ttl set_mpls_ttl dec_mpls_ttl push_mpls pop_mpls set_queue") {
		t.Errorf("dump-group-features:\n%s", features)
	}
	out, code := ofctl(t, "-O", "OpenFlow13", "add-group", target, "group_id=1,type=all,bucket=output:1")
	if code == 0 || !strings.Contains(out, "OFPGMFC_GROUP_EXISTS") {
		t.Errorf("adding group 1 twice: exit %d, %q", code, out)
	}
	run("-O", "OpenFlow13", "del-groups", target, "group_id=1")
	if got := run("-O", "OpenFlow13", "dump-groups", target); got != "OFPST_GROUP_DESC reply (OF1.3) (xid=0x2):" {
		t.Errorf("after del-groups: %q", got)
	}
}

// TestModifyAllTables: a modify that matches nothing adds the flow, once
// and to table 0, only when it carries a new cookie (OpenFlow 1.0 and 1.1);
// from OpenFlow 1.2 on it changes nothing, as in OVS. A modify that
// matches changes the flow in whichever table holds it.
func TestModifyAllTables(t *testing.T) {
	b, target := newManagedBridge(t)
	total := func() int {
		n := 0
		for id := 0; id < 254; id++ {
			n += b.Table(uint8(id)).Len()
		}
		return n
	}
	if out, code := ofctl(t, "-O", "OpenFlow13", "mod-flows", target, "ip,actions=NORMAL"); code != 0 {
		t.Fatal(out)
	}
	if n := total(); n != 1 {
		t.Fatalf("after an OpenFlow 1.3 mod-flows that matches nothing: %d flows, want the 1 default", n)
	}
	if out, code := ofctl(t, "-O", "OpenFlow10", "mod-flows", target, "ip,actions=NORMAL"); code != 0 {
		t.Fatal(out)
	}
	if got := tableText(b, 0); total() != 2 || len(got) != 2 || got[0] != "ip actions=NORMAL" {
		t.Fatalf("after an OpenFlow 1.0 mod-flows: %d flows in all, table 0 = %q", total(), got)
	}
	if out, code := ofctl(t, "-O", "OpenFlow13", "mod-flows", target, "ip,actions=drop"); code != 0 {
		t.Fatal(out)
	}
	if got := tableText(b, 0); len(got) != 2 || got[0] != "ip actions=drop" {
		t.Fatalf("after the second mod-flows: %q", got)
	}
}

// TestModPortWithRealOfctl: ovs-ofctl mod-port changes a port's config,
// which port descriptions then report; unknown ports are refused.
func TestModPortWithRealOfctl(t *testing.T) {
	b, target := newManagedBridge(t)
	if out, code := ofctl(t, "mod-port", target, "veth11", "down"); code != 0 {
		t.Fatalf("mod-port down: %s", out)
	}
	if p, _ := b.Port("veth11"); p.Live() {
		t.Error("veth11 still live after mod-port down")
	}
	out, code := ofctl(t, "show", target)
	if code != 0 || !strings.Contains(out, "1(veth11): addr:00:00:00:00:00:00\n     config:     PORT_DOWN") {
		t.Fatalf("show after mod-port down:\n%s", out)
	}
	if out, code := ofctl(t, "mod-port", target, "veth11", "up"); code != 0 {
		t.Fatalf("mod-port up: %s", out)
	}
	if p, _ := b.Port("veth11"); !p.Live() {
		t.Error("veth11 not live after mod-port up")
	}
	if out, code := ofctl(t, "mod-port", target, "nosuch", "down"); code == 0 {
		t.Fatalf("mod-port of a missing port succeeded: %s", out)
	}
}

// TestInternalPortsStartDown: internal ports (LOCAL, type=internal) start
// administratively down with no link, as OVS's tap devices do, and
// mod-port up brings both up, as the real switch reports them (compare
// OVS: "config: PORT_DOWN / state: LINK_DOWN", then "0 / 0").
func TestInternalPortsStartDown(t *testing.T) {
	b, target := newManagedBridge(t)
	if _, err := b.AddPort(ofproto.PortConfig{Name: "p1", OFPort: 7, Internal: true}); err != nil {
		t.Fatal(err)
	}
	const down = "config:     PORT_DOWN\n     state:      LINK_DOWN\n     current:    10GB-FD COPPER\n"
	const up = "config:     0\n     state:      0\n     current:    10GB-FD COPPER\n"
	out, code := ofctl(t, "show", target)
	for _, want := range []string{"7(p1): addr:00:00:00:00:00:00\n     " + down, "LOCAL(br0): addr:00:00:00:00:00:00\n     " + down,
		"1(veth11): addr:00:00:00:00:00:00\n     config:     0\n     state:      0\n"} {
		if code != 0 || !strings.Contains(out+"\n", want) {
			t.Fatalf("show: want\n%s\nin:\n%s", want, out)
		}
	}
	if p, _ := b.Port("br0"); p.Live() {
		t.Error("LOCAL live before mod-port up")
	}
	if out, code := ofctl(t, "mod-port", target, "br0", "up"); code != 0 {
		t.Fatalf("mod-port br0 up: %s", out)
	}
	if p, _ := b.Port("br0"); !p.Live() {
		t.Error("LOCAL not live after mod-port up")
	}
	out, _ = ofctl(t, "dump-ports-desc", target)
	if want := "LOCAL(br0): addr:00:00:00:00:00:00\n     " + up; !strings.Contains(out+"\n", want) {
		t.Fatalf("dump-ports-desc after mod-port up: want\n%s\nin:\n%s", want, out)
	}
	if want := "7(p1): addr:00:00:00:00:00:00\n     " + down; !strings.Contains(out+"\n", want) {
		t.Fatalf("dump-ports-desc: p1 should still be down:\n%s", out)
	}
}
