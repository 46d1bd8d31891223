package ofctl

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govs/govs/internal/testutil"
)

// startRealOVS runs Open vSwitch itself (ovsdb-server and ovs-vswitchd)
// in a network namespace of its own with a private run directory, with a
// netdev bridge br0 and internal ports p1 (1) and p2 (2). It returns the
// run directory.
func startRealOVS(t *testing.T) string {
	t.Helper()
	testutil.RequireRoot(t)
	ip := testutil.RequireCommand(t, "ip")
	tool := testutil.RequireCommand(t, "ovsdb-tool")
	server := testutil.RequireCommand(t, "ovsdb-server")
	vswitchd := testutil.RequireCommand(t, "ovs-vswitchd")
	vsctl := testutil.RequireCommand(t, "ovs-vsctl")
	schema := "/usr/share/openvswitch/vswitch.ovsschema"
	if _, err := os.Stat(schema); err != nil {
		testutil.RequireCommand(t, schema)
	}
	ns := testutil.UniqueName("ofm")
	dir := t.TempDir()
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), "OVS_RUNDIR="+dir, "OVS_DBDIR="+dir, "OVS_LOGDIR="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	run(ip, "netns", "add", ns)
	t.Cleanup(func() { exec.Command(ip, "netns", "del", ns).Run() })
	db := filepath.Join(dir, "conf.db")
	run(tool, "create", db, schema)
	sock := filepath.Join(dir, "db.sock")
	for _, d := range []struct{ path, pidfile string }{{server, "ovsdb-server.pid"}, {vswitchd, "ovs-vswitchd.pid"}} {
		pidfile := filepath.Join(dir, d.pidfile)
		args := []string{"netns", "exec", ns, d.path, "--pidfile=" + pidfile, "--detach", "--log-file=" + filepath.Join(dir, d.pidfile+".log")}
		if d.path == server {
			args = append(args, db, "--remote=punix:"+sock)
		} else {
			args = append(args, "unix:"+sock)
		}
		run(ip, args...)
		t.Cleanup(func() {
			// Only the daemons this test started, by their pid.
			if b, err := os.ReadFile(pidfile); err == nil {
				if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
					syscall.Kill(pid, syscall.SIGTERM)
				}
			}
		})
	}
	run(vsctl, "--db=unix:"+sock, "add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
		"--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=internal", "ofport_request=1",
		"--", "add-port", "br0", "p2", "--", "set", "interface", "p2", "type=internal", "ofport_request=2")
	return dir
}

// TestAgainstRealOVS runs the real and govs' ovs-ofctl against Open
// vSwitch itself: queue statistics and their errors, probe, and monitor
// with flow changes and a packet-in, must print the same.
func TestAgainstRealOVS(t *testing.T) {
	path := testutil.RequireCommand(t, "ovs-ofctl")
	dir := startRealOVS(t)
	for _, args := range []string{"queue-stats br0", "queue-stats br0 1 5", "queue-stats br0 9", "-O OpenFlow13 queue-stats br0 p1",
		"-O OpenFlow14 queue-stats br0 ALL 3", "probe br0", "--read-only add-flow br0 actions=drop"} {
		argv := strings.Fields(args)
		real, ours := runReal(t, path, dir, "", argv), runOurs(t, dir, "", argv)
		if real != ours {
			t.Errorf("%s:\n govs %+v\n real %+v", args, ours, real)
		}
	}
	pingLine := regexp.MustCompile(`time=[0-9.]+ ms`)
	real, ours := runReal(t, path, dir, "", []string{"ping", "br0", "5"}), runOurs(t, dir, "", []string{"ping", "br0", "5"})
	real.stdout, ours.stdout = pingLine.ReplaceAllString(real.stdout, "time=?"), pingLine.ReplaceAllString(ours.stdout, "time=?")
	if real != ours {
		t.Errorf("ping:\n govs %+v\n real %+v", ours, real)
	}

	packet := "ffffffffffff0000000000010800450000280000000040063cce0a0000010a00000204d200500000000000000000500200002d290000"
	for _, proto := range []string{"OpenFlow10", "OpenFlow13", "OpenFlow15"} {
		t.Run("monitor-"+proto, func(t *testing.T) {
			change := func(args ...string) {
				t.Helper()
				if r := runReal(t, path, dir, "", append([]string{"-O", "OpenFlow13"}, args...)); r.status != 0 {
					t.Fatalf("%v: %s", args, r.stderr)
				}
			}
			change("del-flows", "br0")
			change("add-flow", "br0", "priority=5,in_port=1,actions=drop")
			argv := []string{"-O", proto, "monitor", "br0", "65534", "watch:"}
			var realOut testutil.SyncBuffer
			cmd := exec.Command(path, argv...)
			cmd.Env = append(os.Environ(), "OVS_RUNDIR="+dir)
			cmd.Stdout, cmd.Stderr = &realOut, &realOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			t.Setenv("OVS_RUNDIR", dir)
			var oursOut testutil.SyncBuffer
			go Run(argv, strings.NewReader(""), &oursOut, &oursOut, false)
			deadline := time.Now().Add(10 * time.Second)
			for (!strings.Contains(realOut.String(), "\n") || !strings.Contains(oursOut.String(), "\n")) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			// Both set their packet-in format after the initial reply.
			time.Sleep(300 * time.Millisecond)
			change("add-flow", "br0", "table=1,cookie=0x5,idle_timeout=30,priority=7,tcp,tp_dst=80,actions=output:2")
			change("mod-flows", "br0", "table=1,tcp,actions=output:1")
			change("--strict", "del-flows", "br0", "table=1,priority=7,tcp,tp_dst=80")
			change("packet-out", "br0", "in_port=LOCAL,packet="+packet+",actions=controller(userdata=01.02)")
			time.Sleep(time.Second)
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			want := fatalSignal.ReplaceAllString(realOut.String(), "")
			if !strings.Contains(want, "userdata=01.02") {
				t.Fatalf("real ovs-ofctl printed:\n%s", want)
			}
			if got := oursOut.String(); got != want {
				t.Errorf("govs printed:\n%s\nreal ovs-ofctl printed:\n%s", got, want)
			}
		})
	}
}
