package connmgr

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// logStamp is the timestamp that starts an ovs-ofctl log line.
var logStamp = regexp.MustCompile(`(?m)^\S+\|\d+\|`)

// TestTunMetadataWithRealOfctl uses tun_metadata everywhere a flow match
// goes with the real ovs-ofctl: flows added in bundles (OpenFlow 1.3's
// ONF bundles and 1.4's), flow and aggregate statistics filters and
// strict deletes. The expected output is what
// OVS 3.1 (ovs-vswitchd, netdev datapath) prints for the same commands.
func TestTunMetadataWithRealOfctl(t *testing.T) {
	_, target := newManagedBridge(t)
	dir := t.TempDir()
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flows10 := file("flows10", "tun_metadata0=0x5,actions=drop\npriority=5,tun_metadata5=0x1234/0xff00,actions=drop\n")
	flows13 := file("flows13", "table=1,tun_metadata0=0x6,actions=drop\ntable=1,priority=6,tun_metadata5=0x99,tun_metadata0=0x7/0xf,actions=drop\n")
	runOfctlSteps(t, target, []ofctlStep{
		{[]string{"add-tlv-map", "{class=0xffff,type=0,len=4}->tun_metadata0,{class=0x102,type=3,len=8}->tun_metadata5"}, 0, ""},
		{[]string{"--bundle", "add-flows", flows10}, 0, ""},
		{[]string{"-O", "OpenFlow13", "--bundle", "add-flows", flows13}, 0, ""},
		{[]string{"-O", "OpenFlow14", "--bundle", "add-flow", "table=2,tun_metadata0=0x8,actions=drop"}, 0, ""},
		{[]string{"--bundle", "add-flow", "tun_metadata1=1,actions=drop"}, 1,
			"Error NXFMFC_INVALID_TLV_FIELD for: OFPT_FLOW_MOD (OF1.4) (xid=0x6): ADD tun_metadata1=0x1 actions=drop\n" +
				"ovs-ofctl: talking to TARGET (Protocol error)"},
		{[]string{"dump-flows", "--no-stats", "tun_metadata0=0x5"}, 0, "tun_metadata0=0x5 actions=drop"},
		{[]string{"dump-flows", "--no-stats", "table=1,tun_metadata0=0x7/0xf"}, 0,
			"table=1, priority=6,tun_metadata0=0x7/0xf,tun_metadata5=0x99 actions=drop"},
		{[]string{"-O", "OpenFlow13", "dump-flows", "--no-stats", "tun_metadata5=0x1234/0xff00"}, 0,
			"priority=5,tun_metadata5=0x1200/0xff00 actions=drop"},
		{[]string{"-O", "OpenFlow15", "dump-flows", "--no-stats", "tun_metadata0=0x8"}, 0, "table=2, tun_metadata0=0x8 actions=drop"},
		{[]string{"dump-flows", "--no-stats", "tun_metadata1=0x8"}, 1,
			"vconn|WARN|received bad reply: OFPT_ERROR (xid=0x8): NXFMFC_INVALID_TLV_FIELD\n" +
				"NXST_FLOW request (xid=0x8): tun_metadata1=0x8\n" +
				"ovs-ofctl: dump flows (Protocol error)"},
		{[]string{"dump-aggregate", "tun_metadata0=0x5"}, 0, "NXST_AGGREGATE reply (xid=0x8): packet_count=0 byte_count=0 flow_count=1"},
		{[]string{"-O", "OpenFlow13", "dump-aggregate", "tun_metadata5=0x99"}, 0,
			"OFPST_AGGREGATE reply (OF1.3) (xid=0x6): packet_count=0 byte_count=0 flow_count=1"},
		{[]string{"--strict", "del-flows", "table=1,priority=6,tun_metadata5=0x99,tun_metadata0=0x7/0xf"}, 0, ""},
		{[]string{"dump-flows", "--no-stats"}, 0,
			"tun_metadata0=0x5 actions=drop\n" +
				"priority=5,tun_metadata5=0x1200/0xff00 actions=drop\n" +
				"priority=0 actions=NORMAL\n" +
				"table=1, tun_metadata0=0x6 actions=drop\n" +
				"table=2, tun_metadata0=0x8 actions=drop"},
		{[]string{"del-flows"}, 0, ""},
		{[]string{"del-tlv-map"}, 0, ""},
	})
}

// ofctlStep is one ovs-ofctl command and what OVS 3.1 answers it with.
type ofctlStep struct {
	args []string // the target goes after the first non-option
	rc   int
	out  string // stdout and stderr, the target as TARGET, log stamps cut
}

// runOfctlSteps runs the steps' ovs-ofctl commands against target in
// order and checks each one's exit status and output.
func runOfctlSteps(t *testing.T, target string, steps []ofctlStep) {
	t.Helper()
	for i, st := range steps {
		var args []string
		for j, a := range st.args {
			if !strings.HasPrefix(a, "-") && (j == 0 || st.args[j-1] != "-O") {
				args = append(append(append(args, st.args[:j+1]...), target), st.args[j+1:]...)
				break
			}
		}
		out, rc := ofctl(t, args...)
		out = logStamp.ReplaceAllString(strings.ReplaceAll(out, target, "TARGET"), "")
		var lines []string
		for _, l := range strings.Split(out, "\n") {
			lines = append(lines, strings.TrimSpace(l))
		}
		if got := strings.Join(lines, "\n"); rc != st.rc || got != st.out {
			t.Fatalf("step %d %v: exit %d, want %d\n%s\nwant\n%s", i, st.args, rc, st.rc, got, st.out)
		}
	}
}

// TestTunMetadataPacketOutWithRealOfctl: an OpenFlow 1.5 packet-out whose
// match has tun_metadata goes out, mapped or not, as with OVS 3.1 (which
// exits 0 for both).
func TestTunMetadataPacketOutWithRealOfctl(t *testing.T) {
	r := newSwitchRig(t)
	target := "unix:" + r.m.Path()
	frame := testFrame()
	if out, rc := ofctl(t, "add-tlv-map", target, "{class=0xffff,type=0,len=4}->tun_metadata0"); rc != 0 {
		t.Fatalf("add-tlv-map: exit %d: %s", rc, out)
	}
	for _, field := range []string{"tun_metadata0=0x5", "tun_metadata1=0x5"} {
		po := "in_port=1," + field + ",packet=" + hex.EncodeToString(frame) + ",actions=output:2"
		if out, rc := ofctl(t, "-O", "OpenFlow15", "packet-out", target, po); rc != 0 {
			t.Fatalf("packet-out %s: exit %d: %s", field, rc, out)
		}
		if got := r.egress(t, frame); !slices.Equal(got, []uint32{2}) {
			t.Errorf("packet-out %s: frame went out %v, want [2]", field, got)
		}
	}
}
