package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/internal/testutil"
)

// TestHelpMatchesOVS runs each real Open vSwitch tool and govs' tool of the
// same name with the same arguments and OVS_* directories (set, then left
// to their defaults), and requires the same stdout, stderr and exit
// status: --help, --version, their short forms, no arguments (for the
// tools that are not daemons) and unknown options.
func TestHelpMatchesOVS(t *testing.T) {
	t.Setenv("PATH", os.Getenv("PATH")+":/usr/sbin")
	dir := t.TempDir()
	bin := buildGovs(t, dir)
	envs := []struct {
		name string
		env  []string
	}{
		{"dirs", append(os.Environ(),
			"OVS_RUNDIR="+filepath.Join(dir, "run"),
			"OVS_DBDIR="+filepath.Join(dir, "db"),
			"OVS_LOGDIR="+filepath.Join(dir, "log"),
			"OVS_PKGDATADIR="+filepath.Join(dir, "pkg"),
			"OVS_SYSCONFDIR=",
		)},
		{"defaults", append(os.Environ(),
			"OVS_RUNDIR=", "OVS_DBDIR=", "OVS_LOGDIR=", "OVS_PKGDATADIR=", "OVS_SYSCONFDIR=",
		)},
	}
	common := [][]string{{"--help"}, {"-h"}, {"--version"}, {"-V"}, {"--frob"}, {"-x"}}
	tests := []struct {
		tool string
		args [][]string // run with each of these, then with each of common
	}{
		{"ovs-vsctl", [][]string{nil, {"--oneline", "-V"}}},
		{"ovs-ofctl", [][]string{nil, {"--strict", "-V"}, {"show", "--help"}}},
		{"ovs-appctl", [][]string{nil}},
		{"ovsdb-tool", [][]string{nil}},
		{"ovsdb-server", nil},
		{"ovs-vswitchd", nil},
	}
	for _, tt := range tests {
		real := testutil.RequireCommand(t, tt.tool)
		link := filepath.Join(dir, tt.tool)
		if err := os.Symlink(bin, link); err != nil {
			t.Fatal(err)
		}
		for _, args := range slices.Concat(tt.args, common) {
			for _, e := range envs {
				t.Run(e.name+" "+strings.Join(append([]string{tt.tool}, args...), " "), func(t *testing.T) {
					want := runTool(t, e.env, real, args)
					got := runTool(t, e.env, link, args)
					if got != want {
						t.Errorf("govs:\n%s\nOpen vSwitch:\n%s", got, want)
					}
				})
			}
		}
	}
}

// buildGovs builds the govs binary into dir and returns its path.
func buildGovs(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "govs")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// runTool runs path with args and env, with the program's base name as
// argv[0], and describes what it did: exit status, stdout and stderr.
func runTool(t *testing.T, env []string, path string, args []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Args[0] = filepath.Base(path) // as run from $PATH: getopt names argv[0]
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatalf("%s: %v", path, err)
	}
	return fmt.Sprintf("%s\n--- stdout\n%s--- stderr\n%s", cmd.ProcessState, stdout.String(), stderr.String())
}
