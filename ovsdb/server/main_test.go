package server

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/ovsdb"
)

// mainArgsEnv, when set, makes the test binary run a command line entry
// point instead of the tests: its value is a JSON array whose first element
// names the entry point ("ovsdb-server" or "ovsdb-tool").
const mainArgsEnv = "GOVS_TEST_MAIN_ARGS"

func TestMain(m *testing.M) {
	if text := os.Getenv(mainArgsEnv); text != "" {
		var args []string
		if err := json.Unmarshal([]byte(text), &args); err != nil || len(args) == 0 {
			os.Exit(99)
		}
		switch args[0] {
		case "ovsdb-server":
			os.Exit(ServerMain(args[1:]))
		case "ovsdb-tool":
			os.Exit(ToolMain(args[1:]))
		}
		os.Exit(99)
	}
	os.Exit(m.Run())
}

// mainCommand returns a command running an entry point of this package in
// a child process (the test binary itself), with OVS directories in dir.
func mainCommand(t testing.TB, dir string, args ...string) *exec.Cmd {
	t.Helper()
	text, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(ovsEnv(dir), mainArgsEnv+"="+string(text))
	return cmd
}

// waitForSocket waits until path accepts connections.
func waitForSocket(t testing.TB, path string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
}

// killPidfile kills the process a pid file names, if it still runs.
func killPidfile(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return
	}
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}

func TestServerMainLifecycle(t *testing.T) {
	vsctl := requireBinary(t, "ovs-vsctl")
	appctl := requireBinary(t, "ovs-appctl")
	dir := t.TempDir()
	db := filepath.Join(dir, "conf.db")
	if out, err := mainCommand(t, dir, "ovsdb-tool", "create", db).CombinedOutput(); err != nil {
		t.Fatalf("ovsdb-tool create: %v\n%s", err, out)
	}
	sock := filepath.Join(dir, "db.sock")
	ctl := filepath.Join(dir, "ovsdb-server.ctl")
	pidfile := filepath.Join(dir, "ovsdb-server.pid")
	cmd := mainCommand(t, dir, "ovsdb-server", db, "--remote=punix:"+sock, "--remote", "ptcp:0:127.0.0.1",
		"--pidfile", "--detach", "--log-file", "--unixctl="+ctl)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ovsdb-server --detach: %v\n%s", err, out)
	}
	t.Cleanup(func() { killPidfile(pidfile) })
	waitForSocket(t, sock)
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o750 {
		t.Errorf("socket mode = %v, %v; want 0750", fi.Mode().Perm(), err)
	}
	if _, err := os.Stat(pidfile); err != nil {
		t.Errorf("pidfile: %v", err)
	}
	run := func(name string, args ...string) string {
		c := exec.Command(name, args...)
		c.Env = ovsEnv(dir)
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	run(vsctl, "--db=unix:"+sock, "--no-wait", "init")
	run(vsctl, "--db=unix:"+sock, "--no-wait", "add-br", "br0")
	if got := run(vsctl, "--db=unix:"+sock, "--no-wait", "list-br"); got != "br0\n" {
		t.Errorf("list-br = %q", got)
	}
	if got := run(appctl, "-t", ctl, "ovsdb-server/list-dbs"); got != "Open_vSwitch\n_Server\n" {
		t.Errorf("list-dbs = %q", got)
	}
	run(appctl, "-t", ctl, "ovsdb-server/compact")
	run(appctl, "-t", ctl, "exit")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(pidfile); os.IsNotExist(err) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := os.Stat(pidfile); !os.IsNotExist(err) {
		t.Errorf("pidfile still present after exit: %v", err)
	}
	logText, _ := os.ReadFile(filepath.Join(dir, "ovsdb-server.log"))
	if !strings.Contains(string(logText), "|vlog|INFO|opened log file") {
		t.Errorf("log file lacks the opening line:\n%s", logText)
	}
	// The database survived compaction and restart.
	d, err := ovsdb.ReadFile(db, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.Tables["Bridge"].Rows); n != 1 {
		t.Errorf("after restart: %d bridges, want 1", n)
	}

	// The real ovsdb-server serves the file govs wrote (and compacted).
	ovsServer := requireBinary(t, "ovsdb-server")
	ovsSock := filepath.Join(dir, "ovs.sock")
	ovsPid := filepath.Join(dir, "ovs.pid")
	c := exec.Command(ovsServer, db, "--remote=punix:"+ovsSock, "--pidfile="+ovsPid, "--detach", "--no-chdir",
		"--log-file="+filepath.Join(dir, "ovs.log"), "--unixctl="+filepath.Join(dir, "ovs.ctl"))
	c.Env = ovsEnv(dir)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("real ovsdb-server on govs' file: %v\n%s", err, out)
	}
	run(vsctl, "--db=unix:"+ovsSock, "--no-wait", "add-port", "br0", "p1")
	if got := run(vsctl, "--db=unix:"+ovsSock, "--no-wait", "list-ports", "br0"); got != "p1\n" {
		t.Errorf("real ovsdb-server on govs' file: list-ports = %q", got)
	}
	run(appctl, "-t", filepath.Join(dir, "ovs.ctl"), "exit")
	// And govs reads what ovsdb-server appended.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(ovsPid); os.IsNotExist(err) {
			break
		}
	}
	if d, err = ovsdb.ReadFile(db, t.Logf); err != nil {
		t.Fatal(err)
	}
	if n := len(d.Tables["Port"].Rows); n != 2 {
		t.Errorf("after ovsdb-server appended: %d ports, want 2", n)
	}
}
