// Package ovstest owns helpers that let govs' OVSDB tests run the real Open
// vSwitch tools (ovsdb-server, ovsdb-tool, ovs-vsctl, ovsdb-client) as
// references, in private directories.
package ovstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RequireBinary returns the path of an OVS tool, skipping the test when it
// is missing, or failing it when CI=true.
func RequireBinary(tb testing.TB, name string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s not found (install openvswitch-switch): %v", name, err)
		}
		tb.Skipf("%s not installed", name)
	}
	return path
}

// Env keeps OVS tools' run, db and log dirs inside dir.
func Env(dir string) []string {
	return append(os.Environ(), "OVS_RUNDIR="+dir, "OVS_DBDIR="+dir, "OVS_LOGDIR="+dir, "OVS_SYSCONFDIR="+dir)
}

// StartOVSDBServer runs the real ovsdb-server on a fresh database created
// from schemaText in a temp dir and returns its unix socket path; the
// server is stopped when the test ends.
func StartOVSDBServer(tb testing.TB, schemaText []byte) string {
	tb.Helper()
	tool := RequireBinary(tb, "ovsdb-tool")
	server := RequireBinary(tb, "ovsdb-server")
	dir := tb.TempDir()
	db := filepath.Join(dir, "conf.db")
	schema := filepath.Join(dir, "db.ovsschema")
	if err := os.WriteFile(schema, schemaText, 0o644); err != nil {
		tb.Fatal(err)
	}
	if out, err := exec.Command(tool, "create", db, schema).CombinedOutput(); err != nil {
		tb.Fatalf("ovsdb-tool create: %v\n%s", err, out)
	}
	sock := filepath.Join(dir, "db.sock")
	pidfile := filepath.Join(dir, "ovsdb-server.pid")
	cmd := exec.Command(server, db, "--remote=punix:"+sock, "--pidfile="+pidfile, "--detach",
		"--no-chdir", "--log-file="+filepath.Join(dir, "ovsdb-server.log"),
		"--unixctl="+filepath.Join(dir, "ovsdb-server.ctl"))
	cmd.Env = Env(dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("ovsdb-server: %v\n%s", err, out)
	}
	tb.Cleanup(func() {
		data, err := os.ReadFile(pidfile)
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
		time.Sleep(20 * time.Millisecond)
	})
	return sock
}

// MaskUUIDs replaces every UUID in s with "<uuid>".
func MaskUUIDs(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+36 <= len(s) && isUUID(s[i:i+36]) {
			b.WriteString("<uuid>")
			i += 36
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func isUUID(s string) bool {
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}
