package server

import (
	"encoding/json"
	"os/exec"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/internal/testutil"
)

func runClient(t *testing.T, client, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(client, args...)
	cmd.Env = ovsEnv(dir)
	out, err := cmd.CombinedOutput()
	text := maskUUIDs(string(out))
	if err != nil {
		text += "\n" + err.Error()
	}
	return text
}

// sameJSON compares two JSON texts as values.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// TestOVSDBClientInterop runs real ovsdb-client commands against the real
// ovsdb-server and govs and compares their output, UUIDs aside.
func TestOVSDBClientInterop(t *testing.T) {
	client := requireBinary(t, "ovsdb-client")
	ovsSock := startOVS(t)
	_, govsSock, _ := startGovs(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		json bool // compare as JSON values
		// unordered compares sorted lines: the order comes from the
		// client's hash of names, which depends on the server's
		// JSON member order.
		unordered bool
	}{
		{"list-dbs", []string{"list-dbs"}, false, false},
		{"get-schema", []string{"get-schema", "Open_vSwitch"}, true, false},
		{"get-schema _Server", []string{"get-schema", "_Server"}, true, false},
		{"get-schema-version", []string{"get-schema-version", "Open_vSwitch"}, false, false},
		{"get-schema-cksum", []string{"get-schema-cksum", "Open_vSwitch"}, false, false},
		{"list-tables", []string{"list-tables", "Open_vSwitch"}, false, true},
		{"list-columns", []string{"list-columns", "Open_vSwitch", "Bridge"}, false, true},
		{"insert", []string{"transact", `["Open_vSwitch",{"op":"insert","table":"Open_vSwitch","row":{"external_ids":["map",[["a","b"]]]}},{"op":"insert","table":"Bridge","row":{"name":"br0"}}]`}, false, false},
		{"select", []string{"transact", `["Open_vSwitch",{"op":"select","table":"Open_vSwitch","where":[],"columns":["external_ids","bridges","next_cfg"]}]`}, false, false},
		{"bad column", []string{"transact", `["Open_vSwitch",{"op":"insert","table":"Bridge","row":{"bogus":1}}]`}, false, false},
		{"unknown db", []string{"transact", `["Nope",{"op":"select","table":"Bridge","where":[]}]`}, false, false},
		{"referential integrity", []string{"transact", `["Open_vSwitch",{"op":"insert","table":"Bridge","row":{"name":"x","ports":["uuid","6019517c-7cf6-48a7-8c72-58e278f6fbaf"]}}]`}, false, false},
		{"wait timeout 0", []string{"transact", `["Open_vSwitch",{"op":"wait","table":"Open_vSwitch","where":[],"columns":["next_cfg"],"until":"==","rows":[{"next_cfg":5}],"timeout":0}]`}, false, false},
		{"wait timeout 100ms", []string{"transact", `["Open_vSwitch",{"op":"wait","table":"Open_vSwitch","where":[],"columns":["next_cfg"],"until":"==","rows":[{"next_cfg":5}],"timeout":100}]`}, false, false},
		{"mutate", []string{"transact", `["Open_vSwitch",{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","+=",3]]},{"op":"select","table":"Open_vSwitch","where":[],"columns":["next_cfg"]}]`}, false, false},
		{"abort", []string{"transact", `["Open_vSwitch",{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","+=",1]]},{"op":"abort"}]`}, false, false},
		{"dump", []string{"dump", "Open_vSwitch", "Open_vSwitch", "next_cfg", "external_ids"}, false, false},
		{"dump _Server", []string{"dump", "_Server", "Database", "name", "model", "connected", "leader"}, false, false},
		{"query", []string{"query", `["Open_vSwitch",{"op":"select","table":"Open_vSwitch","where":[],"columns":["next_cfg"]}]`}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := runClient(t, client, dir, append([]string{tt.args[0], "unix:" + ovsSock}, tt.args[1:]...)...)
			got := runClient(t, client, dir, append([]string{tt.args[0], "unix:" + govsSock}, tt.args[1:]...)...)
			// Elapsed times vary from run to run.
			elapsed := regexp.MustCompile(`after [0-9]+ ms`)
			got = elapsed.ReplaceAllString(got, "after N ms")
			want = elapsed.ReplaceAllString(want, "after N ms")
			if tt.unordered {
				got, want = sortLines(got), sortLines(want)
			}
			if tt.json && sameJSON(got, want) || got == want {
				return
			}
			t.Errorf("ovsdb-client %s:\n--- ovsdb-server:\n%s\n--- govs:\n%s", strings.Join(tt.args, " "), want, got)
		})
	}
}

func sortLines(s string) string {
	lines := strings.Split(s, "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// monitorSession runs an ovsdb-client monitor command while ovs-vsctl makes
// changes, returning what the monitor printed.
func monitorSession(t *testing.T, client, vsctl, sock, dir string, monitorArgs []string) string {
	t.Helper()
	args := append([]string{monitorArgs[0], "unix:" + sock}, monitorArgs[1:]...)
	cmd := exec.Command(client, args...)
	cmd.Env = ovsEnv(dir)
	var out testutil.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	waitFor := func(n int) {
		deadline := time.Now().Add(300 * time.Millisecond)
		for strings.Count(out.String(), "row ") < n && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor(1)
	steps := []string{"add-br br9", "set bridge br9 fail_mode=secure", "set bridge br9 external_ids:k=v", "del-br br9"}
	for i, step := range steps {
		runVsctl(t, vsctl, sock, dir, step)
		waitFor(i + 2)
	}
	text := maskUUIDs(out.String())
	// Blocks are separated by blank lines; their order is fixed, the rows
	// within a block are hash-ordered, so sort each block's lines.
	var blocks []string
	for _, block := range strings.Split(strings.TrimSpace(text), "\n\n") {
		lines := strings.Split(block, "\n")
		sort.Strings(lines)
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	return strings.Join(blocks, "\n\n")
}

func TestMonitorInterop(t *testing.T) {
	client := requireBinary(t, "ovsdb-client")
	vsctl := requireBinary(t, "ovs-vsctl")
	ovsSock := startOVS(t)
	_, govsSock, _ := startGovs(t)
	dir := t.TempDir()
	for _, sock := range []string{ovsSock, govsSock} {
		runVsctl(t, vsctl, sock, dir, "init")
		runVsctl(t, vsctl, sock, dir, "add-br br0")
	}
	tests := [][]string{
		{"monitor", "Open_vSwitch", "Bridge", "name", "fail_mode", "external_ids"},
		{"monitor-cond", "Open_vSwitch", `[["name","!=","br0"]]`, "Bridge", "name", "fail_mode", "external_ids"},
		{"monitor-cond-since", "Open_vSwitch", `[true]`, "Bridge", "name", "fail_mode"},
		{"monitor", "Open_vSwitch", "Interface", "name", "type"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args[:1], " "), func(t *testing.T) {
			want := monitorSession(t, client, vsctl, ovsSock, dir, args)
			got := monitorSession(t, client, vsctl, govsSock, dir, args)
			if got != want {
				t.Errorf("ovsdb-client %s:\n--- ovsdb-server:\n%s\n--- govs:\n%s", strings.Join(args, " "), want, got)
			}
		})
	}
}
