package unixctl

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/internal/testutil"
)

// startDaemon serves a control socket the way a daemon named "testd" does
// in OVS_RUNDIR: pidfile (locked) and testd.PID.ctl.
func startDaemon(t *testing.T) *Server {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("OVS_RUNDIR", dir)
	if err := daemon.WritePidfile(filepath.Join(dir, "testd.pid")); err != nil {
		t.Fatal(err)
	}
	s, err := Listen(filepath.Join(dir, "testd."+strconv.Itoa(os.Getpid())+".ctl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Register("echo", "WORD...", 1, 3, func(args []string) (string, error) { return strings.Join(args, " ") + "\n", nil })
	s.Register("fail", "", 0, 0, func([]string) (string, error) { return "", errors.New("it failed") })
	return s
}

func TestAppctl(t *testing.T) {
	startDaemon(t)
	tests := []struct {
		name       string
		args       []string
		out, err   string
		exitStatus int
	}{
		{"command", []string{"-t", "testd", "echo", "a", "b"}, "a b\n", "", 0},
		{"list-commands", []string{"-t", "testd", "list-commands"},
			"The available commands are:\n  echo                    WORD...\n  fail                    \n  list-commands           \n", "", 0},
		{"refused", []string{"-t", "testd", "fail"}, "", "it failed\novs-appctl: testd: server returned an error\n", 2},
		{"unknown command", []string{"-t", "testd", "nope"}, "",
			"\"nope\" is not a valid command (use \"list-commands\" to see a list of valid commands)\novs-appctl: testd: server returned an error\n", 2},
		{"too many arguments", []string{"-t", "testd", "echo", "1", "2", "3", "4"}, "",
			"\"echo\" command takes at most 3 arguments\novs-appctl: testd: server returned an error\n", 2},
		{"no daemon", []string{"-t", "nosuchd", "version"}, "", "", 1},
		{"no command", []string{"-t", "testd"}, "", "ovs-appctl: at least one non-option argument is required (use --help for help)\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := appctl(tt.args, &out, &errb)
			if code != tt.exitStatus || out.String() != tt.out || (tt.err != "" && errb.String() != tt.err) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, out.String(), errb.String(), tt.exitStatus, tt.out, tt.err)
			}
		})
	}
}

// TestRealAppctl: Debian's ovs-appctl finds a govs daemon through its
// pidfile and runs commands on it.
func TestRealAppctl(t *testing.T) {
	path := testutil.RequireCommand(t, "ovs-appctl")
	startDaemon(t)
	cmd := exec.Command(path, "-t", "testd", "echo", "hello")
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "hello\n" {
		t.Fatalf("ovs-appctl echo: %v, %q", err, out)
	}
	cmd = exec.Command(path, "-t", "testd", "fail")
	out, _ = cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 2 || !strings.HasPrefix(string(out), "it failed\n") {
		t.Fatalf("ovs-appctl fail: exit %d, %q", cmd.ProcessState.ExitCode(), out)
	}
}
