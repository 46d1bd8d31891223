package connmgr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBundleWithRealOfctl drives bundles with the real ovs-ofctl --bundle
// in OpenFlow 1.3 (ONF extension) and 1.4+: a good bundle is applied
// whole, a bundle with a failing message changes nothing.
func TestBundleWithRealOfctl(t *testing.T) {
	for _, proto := range []string{"OpenFlow13", "OpenFlow14", "OpenFlow15"} {
		t.Run(proto, func(t *testing.T) {
			b, target := newManagedBridge(t)
			dir := t.TempDir()
			good := filepath.Join(dir, "good")
			os.WriteFile(good, []byte("priority=5,in_port=1,actions=output:2\ntable=1,priority=6,ip,actions=drop\n"), 0o644)
			if out, code := ofctl(t, "-O", proto, "--bundle", "add-flows", target, good); code != 0 {
				t.Fatalf("add-flows --bundle: exit %d: %s", code, out)
			}
			if got := strings.Join(append(tableText(b, 0), tableText(b, 1)...), "|"); got != "priority=0 actions=NORMAL|priority=5,in_port=1 actions=output:2|table=1, priority=6,ip actions=drop" {
				t.Fatalf("after good bundle: %s", got)
			}
			bad := filepath.Join(dir, "bad")
			os.WriteFile(bad, []byte("delete in_port=1\nadd priority=7,actions=drop\nadd priority=8,actions=group:9\n"), 0o644)
			out, code := ofctl(t, "-O", proto, "--bundle", "add-flows", target, bad)
			if code == 0 || !strings.Contains(out, "OFPBAC_BAD_OUT_GROUP") || !strings.Contains(out, "OFPBFC_MSG_FAILED") {
				t.Fatalf("bad bundle: exit %d: %s", code, out)
			}
			t.Logf("bad bundle output:\n%s", out)
			if got := strings.Join(append(tableText(b, 0), tableText(b, 1)...), "|"); got != "priority=0 actions=NORMAL|priority=5,in_port=1 actions=output:2|table=1, priority=6,ip actions=drop" {
				t.Fatalf("after failed bundle: %s", got)
			}
			for _, args := range [][]string{
				{"--bundle", "mod-flows", target, "in_port=1,actions=drop"},
				{"--bundle", "del-flows", target, "table=1"},
				{"--bundle", "add-flow", target, "priority=9,actions=drop"},
			} {
				if out, code := ofctl(t, append([]string{"-O", proto}, args...)...); code != 0 {
					t.Fatalf("%s: exit %d: %s", args, code, out)
				}
			}
			if got := strings.Join(append(tableText(b, 0), tableText(b, 1)...), "|"); got != "priority=0 actions=NORMAL|priority=5,in_port=1 actions=drop|priority=9 actions=drop" {
				t.Fatalf("after mod/del/add bundles: %s", got)
			}
		})
	}
}
