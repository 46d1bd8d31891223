package vsctl

import (
	stdcontext "context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/ovsdb"
	"github.com/govs/govs/ovsdb/internal/ovstest"
	"github.com/govs/govs/ovsdb/server"
)

// mainArgsEnv makes the test binary run Main with the JSON array of
// arguments it holds, so tests can run govs' ovs-vsctl as a process.
const mainArgsEnv = "GOVS_TEST_VSCTL_ARGS"

func TestMain(m *testing.M) {
	if text := os.Getenv(mainArgsEnv); text != "" {
		var args []string
		if err := json.Unmarshal([]byte(text), &args); err != nil {
			os.Exit(99)
		}
		os.Exit(Main(args))
	}
	os.Exit(m.Run())
}

// script is a session of ovs-vsctl commands; "#unordered" marks outputs
// whose line order depends on row hashes in OVS.
var script = []string{
	"init",
	"show",
	"add-br br0",
	"add-br br0",
	"--may-exist add-br br0",
	"list-br",
	"br-exists br0",
	"br-exists nobr",
	"br-to-vlan br0",
	"br-to-parent br0",
	"add-port br0 p1",
	"add-port br0 p2 -- set interface p2 type=internal",
	"add-port br0 p1",
	"add-port nobr p9",
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
	"set port p1 tag=abc",
	"set port p1 nocol=1",
	"get port nop tag",
	"list port p1",
	"--columns=name,tag list port p1",
	"find port tag=20",
	"--columns=name find port tag>5",
	"--bare --columns=name find interface type=internal #unordered",
	"set bridge br0 external_ids:key1=value1 external_ids:key2=value2",
	"get bridge br0 external_ids",
	"get bridge br0 external_ids:key1",
	"get bridge br0 external_ids:nokey",
	"--if-exists get bridge br0 external_ids:nokey",
	"remove bridge br0 external_ids key1",
	"get bridge br0 external_ids",
	"br-set-external-id br0 k9 v9",
	"br-get-external-id br0 k9",
	"br-get-external-id br0",
	"port-to-br p1",
	"port-to-br nop",
	"iface-to-br p2",
	"iface-to-br noi",
	"list-ifaces br0",
	"add-br fb0 br0 10",
	"add-br fb0 br0 10",
	"--may-exist add-br fb0 br0 10",
	"--may-exist add-br fb0 br0 11",
	"--may-exist add-br fb0",
	"add-br fb1 nobr 5",
	"add-br fb2 br0",
	"add-br fb2 br0 5000",
	"list-br",
	"--fake list-br",
	"--real list-br",
	"br-to-vlan fb0",
	"br-to-parent fb0",
	"add-port fb0 fp1",
	"list-ports fb0",
	"list-ports br0",
	"list-ifaces fb0",
	"port-to-br fp1",
	"iface-to-br fp1",
	"get port fp1 tag",
	"br-set-external-id fb0 a b",
	"br-get-external-id fb0",
	"br-get-external-id fb0 a",
	"del-port br0 fp1",
	"show #unordered",
	"del-br fb0",
	"list-br",
	"list-ports br0",
	"add-br br1",
	"list-br",
	"add-bond br1 bond0 e1 e2",
	"add-bond br1 bond1 e3",
	"list-ports br1",
	"list-ifaces br1",
	"show #unordered",
	"--format=table --columns=name,tag list port p1",
	"--format=csv --columns=name,tag,other_config list interface e1",
	"--format=json --columns=name,type list interface p2",
	"--format=html --columns=name,type list interface p2",
	"--bare --columns=name,tag list port p1",
	"--data=json --columns=name,tag list port p1",
	"--oneline list-br",
	"--oneline --columns=name list bridge br1",
	"--no-headings --format=table --columns=name list bridge br1",
	"set-fail-mode br0 secure",
	"get-fail-mode br0",
	"set-fail-mode br0 bogus",
	"del-fail-mode br0",
	"get-fail-mode br0",
	"set-controller br0 tcp:127.0.0.1:6653 tcp:127.0.0.2:6653",
	"get-controller br0",
	"del-controller br0",
	"get-controller br0",
	"set-manager ptcp:6640",
	"get-manager",
	"del-manager",
	"get-manager",
	"set-ssl /k.pem /c.pem /ca.pem",
	"get-ssl",
	"del-ssl",
	"del-port br0 p1",
	"del-port br0 p1",
	"--if-exists del-port br0 p1",
	"del-port br1 p2",
	"--with-iface del-port e1",
	"list-ports br1",
	"list-ports br0",
	"--id=@q create qos type=linux-htb -- set port p2 qos=@q",
	"--columns=type list qos",
	"clear port p2 qos",
	"list qos",
	"create qos type=x",
	"--id=@c create controller target=x",
	"create controller target=x",
	"-- set bridge br0 mirrors=@m -- --id=@p2 get port p2 -- --id=@m create mirror name=m0 select-all=true output-port=@p2",
	"--columns=name,select_all list mirror",
	"set bridge br0 mirrors=@zz",
	"set bridge br0 mirrors=@m -- --id=@m get port p2",
	"clear bridge br0 mirrors",
	"list mirror",
	"--all destroy qos",
	"list qos",
	"destroy qos nonexistent",
	"--if-exists destroy qos nonexistent",
	"set bridge br0 other_config:hwaddr=\"00:11:22:33:44:55\"",
	"get bridge br0 other_config",
	"get bridge br0 other_config:hwaddr",
	"wait-until bridge br0 other_config:hwaddr=\"00:11:22:33:44:55\"",
	"set open . external_ids:system-id=abc",
	"get open . external_ids",
	"set-controller br0 tcp:1.2.3.4:6653 -- set-fail-mode br0 secure -- set-manager ptcp:6640 -- set bridge br0 other_config:hwaddr=\"00:11:22:33:44:55\" other_config:x=y -- set port p2 other_config:a=b",
	"emer-reset",
	"show #unordered",
	"get bridge br0 other_config",
	"list controller",
	"frobnicate",
	"list-ports",
	"show #unordered",
	"del-br br1",
	"del-br br1",
	"--if-exists del-br br1",
	"list-br",
	"del-br br0",
	"list-br",
	"show",
}

type runner func(args []string) (string, int)

func realVsctl(t *testing.T, dir string) runner {
	bin := ovstest.RequireBinary(t, "ovs-vsctl")
	return func(args []string) (string, int) {
		ctx, cancel := stdcontext.WithTimeout(stdcontext.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = ovstest.Env(dir)
		return runCmd(t, cmd)
	}
}

func govsVsctl(t *testing.T, dir string) runner {
	return func(args []string) (string, int) {
		text, _ := json.Marshal(args)
		ctx, cancel := stdcontext.WithTimeout(stdcontext.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0])
		cmd.Env = append(ovstest.Env(dir), mainArgsEnv+"="+string(text))
		return runCmd(t, cmd)
	}
}

func runCmd(t *testing.T, cmd *exec.Cmd) (string, int) {
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	return string(out), 0
}

// logTime matches the timestamp of OVS's console log lines.
var logTime = regexp.MustCompile(`[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z`)

func normalize(out, sock string, unordered bool) string {
	text := ovstest.MaskUUIDs(strings.ReplaceAll(out, sock, "SOCK"))
	text = logTime.ReplaceAllString(text, "TIME")
	if unordered {
		lines := strings.Split(strings.TrimSpace(text), "\n")
		sort.Strings(lines)
		text = strings.Join(lines, "\n")
	}
	return text
}

// startGovsServer serves a fresh in-memory Open_vSwitch database with
// govs' server on a unix socket.
func startGovsServer(t *testing.T) string {
	s := server.New()
	if err := s.AddDatabase(ovsdb.NewDatabase(ovsdb.VSwitchSchema()), nil); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "db.sock")
	if err := s.AddRemote("punix:" + sock); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return sock
}

// TestAgainstOVS runs the script with the real ovs-vsctl against the real
// ovsdb-server (the reference), with govs' ovs-vsctl against the real
// ovsdb-server, and with govs' ovs-vsctl against govs' server, and
// requires the same output and exit status, UUIDs aside.
func TestAgainstOVS(t *testing.T) {
	dir := t.TempDir()
	real, govs := realVsctl(t, dir), govsVsctl(t, dir)
	refSock := ovstest.StartOVSDBServer(t, ovsdb.VSwitchSchemaText())
	ovsSock := ovstest.StartOVSDBServer(t, ovsdb.VSwitchSchemaText())
	govsSock := startGovsServer(t)
	for _, line := range script {
		unordered := strings.HasSuffix(line, " #unordered")
		args := strings.Fields(strings.TrimSuffix(line, " #unordered"))
		wantOut, wantCode := real(append([]string{"--db=unix:" + refSock, "--no-wait"}, args...))
		want := normalize(wantOut, refSock, unordered) + "\nexit " + strconv.Itoa(wantCode)
		for _, sock := range []string{ovsSock, govsSock} {
			gotOut, gotCode := govs(append([]string{"--db=unix:" + sock, "--no-wait"}, args...))
			got := normalize(gotOut, sock, unordered) + "\nexit " + strconv.Itoa(gotCode)
			server := "ovsdb-server"
			if sock == govsSock {
				server = "govs server"
			}
			if got != want {
				t.Errorf("ovs-vsctl %s (govs ovs-vsctl, %s):\n--- OVS:\n%s\n--- govs:\n%s", line, server, want, got)
			}
		}
	}
}

// TestConnectionErrors compares the messages for unreachable databases.
func TestConnectionErrors(t *testing.T) {
	dir := t.TempDir()
	real, govs := realVsctl(t, dir), govsVsctl(t, dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := ln.Addr().String()
	ln.Close()
	for _, db := range []string{"unix:" + filepath.Join(dir, "nonexistent.sock"), "tcp:" + closedPort, "foo:bar"} {
		args := []string{"--db=" + db, "--no-wait", "list-br"}
		wantOut, wantCode := real(args)
		gotOut, gotCode := govs(args)
		if gotOut != wantOut || gotCode != wantCode {
			t.Errorf("--db=%s:\n--- OVS (exit %d):\n%s--- govs (exit %d):\n%s", db, wantCode, wantOut, gotCode, gotOut)
		}
	}
}

// TestUUIDPrefix compares how records named by abbreviated UUIDs resolve:
// unique prefixes of 4 or more lower-case hex digits, ambiguous ones,
// short and upper-case ones, names before prefixes.
func TestUUIDPrefix(t *testing.T) {
	dir := t.TempDir()
	real, govs := realVsctl(t, dir), govsVsctl(t, dir)
	client := ovstest.RequireBinary(t, "ovsdb-client")
	seed := func(sock string) {
		txn := `["Open_vSwitch",
			{"op":"insert","table":"QoS","uuid":"abcd0000-0000-4000-8000-000000000001","row":{"type":"x"}},
			{"op":"insert","table":"QoS","uuid":"abcd1000-0000-4000-8000-000000000002","row":{"type":"y"}},
			{"op":"insert","table":"QoS","uuid":"b0b00000-0000-4000-8000-000000000003","row":{"type":"z"}}]`
		if out, err := exec.Command(client, "transact", "unix:"+sock, txn).CombinedOutput(); err != nil {
			t.Fatalf("ovsdb-client transact: %v: %s", err, out)
		}
	}
	refSock := ovstest.StartOVSDBServer(t, ovsdb.VSwitchSchemaText())
	ovsSock := ovstest.StartOVSDBServer(t, ovsdb.VSwitchSchemaText())
	govsSock := startGovsServer(t)
	for _, sock := range []string{refSock, ovsSock, govsSock} {
		seed(sock)
	}
	lines := []string{
		"get qos abcd0 type",
		"get qos abcd1000-00 type",
		"get qos abcd type",
		"get qos abc type",
		"get qos ABCD0 type",
		"get qos abcd0x type",
		"get qos b0b0 type",
		"get qos abcd1000-0000-4000-8000-000000000002 type",
		"destroy qos abcd1",
		"--columns=type list qos abcd",
		"init",
		"add-br b0b0",
		"get bridge b0b0 name",
	}
	for _, line := range lines {
		args := strings.Fields(line)
		wantOut, wantCode := real(append([]string{"--db=unix:" + refSock, "--no-wait"}, args...))
		want := normalize(wantOut, refSock, false) + "\nexit " + strconv.Itoa(wantCode)
		for _, sock := range []string{ovsSock, govsSock} {
			gotOut, gotCode := govs(append([]string{"--db=unix:" + sock, "--no-wait"}, args...))
			if got := normalize(gotOut, sock, false) + "\nexit " + strconv.Itoa(gotCode); got != want {
				t.Errorf("ovs-vsctl %s (govs ovs-vsctl on %s):\n--- OVS:\n%s\n--- govs:\n%s", line, sock, want, got)
			}
		}
	}
}
