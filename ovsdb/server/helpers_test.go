package server

import (
	"path/filepath"
	"testing"

	"github.com/govs/govs/ovsdb"
	"github.com/govs/govs/ovsdb/internal/ovstest"
)

func requireBinary(t testing.TB, name string) string {
	t.Helper()
	return ovstest.RequireBinary(t, name)
}

func ovsEnv(dir string) []string { return ovstest.Env(dir) }

func maskUUIDs(s string) string { return ovstest.MaskUUIDs(s) }

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

// startOVS runs the real ovsdb-server on a fresh Open_vSwitch database.
func startOVS(t testing.TB) string {
	t.Helper()
	return ovstest.StartOVSDBServer(t, ovsdb.VSwitchSchemaText())
}
