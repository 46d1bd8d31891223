package server

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/ovsdb"
)

// requireBinary returns the path of an OVS tool, skipping the test when it
// is missing, or failing it when CI=true.
func requireBinary(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (install openvswitch-switch): %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return path
}

// startGovs serves a fresh Open_vSwitch database from a file in a temp dir
// on a unix socket, returning the server, the socket path and the file.
func startGovs(t testing.TB) (*Server, string, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "conf.db")
	if err := ovsdb.CreateFile(path, ovsdb.VSwitchSchemaText()); err != nil {
		t.Fatal(err)
	}
	f, db, err := ovsdb.OpenFile(path, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	s := New()
	s.Logf = t.Logf
	if err := s.AddDatabase(db, f); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "db.sock")
	if err := s.AddRemote("punix:" + sock); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		f.Close()
	})
	return s, sock, path
}

// startOVS runs the real ovsdb-server on a fresh Open_vSwitch database in a
// temp dir, returning its socket path.
func startOVS(t testing.TB) string {
	t.Helper()
	tool := requireBinary(t, "ovsdb-tool")
	server := requireBinary(t, "ovsdb-server")
	dir := t.TempDir()
	db := filepath.Join(dir, "conf.db")
	schema := filepath.Join(dir, "vswitch.ovsschema")
	if err := os.WriteFile(schema, ovsdb.VSwitchSchemaText(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool, "create", db, schema).CombinedOutput(); err != nil {
		t.Fatalf("ovsdb-tool create: %v\n%s", err, out)
	}
	sock := filepath.Join(dir, "db.sock")
	pidfile := filepath.Join(dir, "ovsdb-server.pid")
	cmd := exec.Command(server, db, "--remote=punix:"+sock, "--pidfile="+pidfile, "--detach",
		"--no-chdir", "--log-file="+filepath.Join(dir, "ovsdb-server.log"),
		"--unixctl="+filepath.Join(dir, "ovsdb-server.ctl"))
	cmd.Env = ovsEnv(dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ovsdb-server: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		data, err := os.ReadFile(pidfile)
		if err != nil {
			return
		}
		var pid int
		for _, c := range strings.TrimSpace(string(data)) {
			pid = pid*10 + int(c-'0')
		}
		if p, err := os.FindProcess(pid); err == nil {
			p.Kill()
			p.Wait()
		}
		time.Sleep(50 * time.Millisecond)
	})
	return sock
}

// ovsEnv keeps OVS tools' run, db and log dirs inside dir.
func ovsEnv(dir string) []string {
	return append(os.Environ(), "OVS_RUNDIR="+dir, "OVS_DBDIR="+dir, "OVS_LOGDIR="+dir, "OVS_SYSCONFDIR="+dir)
}

// maskUUIDs replaces every UUID in s with a placeholder; short UUID
// prefixes of 8 hex digits (as in ovsdb-client's tables) are left alone.
func maskUUIDs(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+36 <= len(s) && ovsdb.IsUUID(s[i:i+36]) {
			b.WriteString("<uuid>")
			i += 36
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}
