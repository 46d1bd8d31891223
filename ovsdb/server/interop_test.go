package server

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// vsctlScript is a session of ovs-vsctl commands (each a shell-free
// argument list); "#unordered" marks outputs whose line order depends on
// row hashes.
var vsctlScript = []string{
	"init",
	"show",
	"add-br br0",
	"add-br br0",
	"--may-exist add-br br0",
	"list-br",
	"br-exists br0",
	"br-exists nobr",
	"add-port br0 p1",
	"add-port br0 p2 -- set interface p2 type=internal",
	"list-ports br0",
	"set port p1 tag=10",
	"get port p1 tag",
	"set port p1 tag=20 trunks=1,2,3",
	"get port p1 trunks",
	"add port p1 trunks 4",
	"remove port p1 trunks 2",
	"get port p1 trunks",
	"clear port p1 trunks",
	"get port p1 trunks",
	"list port p1",
	"--columns=name,tag list port p1",
	"find port tag=20",
	"--bare --columns=name find interface type=internal #unordered",
	"set bridge br0 external_ids:key1=value1 external_ids:key2=value2",
	"get bridge br0 external_ids",
	"get bridge br0 external_ids:key1",
	"remove bridge br0 external_ids key1",
	"get bridge br0 external_ids",
	"port-to-br p1",
	"iface-to-br p2",
	"list-ifaces br0",
	"add-br br1",
	"list-br",
	"add-bond br1 bond0 e1 e2",
	"list-ports br1",
	"show #unordered",
	"--format=csv --columns=name list interface e1",
	"--format=json --columns=name,type list interface p2",
	"--oneline --columns=name list bridge br1",
	"set-fail-mode br0 secure",
	"get-fail-mode br0",
	"del-fail-mode br0",
	"get-fail-mode br0",
	"set-controller br0 tcp:127.0.0.1:6653",
	"get-controller br0",
	"del-controller br0",
	"set-manager ptcp:6640",
	"get-manager",
	"del-manager",
	"del-port br0 p1",
	"del-port br0 p1",
	"--if-exists del-port br0 p1",
	"list-ports br0",
	"--id=@q create qos type=linux-htb -- set port p2 qos=@q",
	"--columns=type list qos",
	"clear port p2 qos",
	"list qos",
	"show #unordered",
	"del-br br1",
	"list-br",
	"set bridge br0 other_config:hwaddr=\"00:11:22:33:44:55\"",
	"get bridge br0 other_config",
	"--timeout=5 wait-until bridge br0 other_config:hwaddr=\"00:11:22:33:44:55\"",
	"destroy qos nonexistent",
	"del-br br0",
	"list-br",
	"show",
}

func runVsctl(t *testing.T, vsctl, sock, dir, command string) string {
	unordered := strings.HasSuffix(command, " #unordered")
	command = strings.TrimSuffix(command, " #unordered")
	args := append([]string{"--db=unix:" + sock, "--no-wait"}, strings.Fields(command)...)
	cmd := exec.Command(vsctl, args...)
	cmd.Env = ovsEnv(dir)
	out, err := cmd.CombinedOutput()
	text := maskUUIDs(strings.ReplaceAll(string(out), sock, "SOCK"))
	if unordered {
		lines := strings.Split(strings.TrimSpace(text), "\n")
		sort.Strings(lines)
		text = strings.Join(lines, "\n")
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("ovs-vsctl %s: %v", command, err)
	}
	return text + "\nexit " + string(rune('0'+code))
}

// TestVsctlInterop drives govs' server and the real ovsdb-server with the
// same ovs-vsctl session and requires identical output, UUIDs aside.
func TestVsctlInterop(t *testing.T) {
	vsctl := requireBinary(t, "ovs-vsctl")
	ovsSock := startOVS(t)
	_, govsSock, _ := startGovs(t)
	dir := t.TempDir()
	for _, command := range vsctlScript {
		want := runVsctl(t, vsctl, ovsSock, dir, command)
		got := runVsctl(t, vsctl, govsSock, dir, command)
		if got != want {
			t.Errorf("ovs-vsctl %s:\n--- ovsdb-server:\n%s\n--- govs:\n%s", command, want, got)
		}
	}
}
