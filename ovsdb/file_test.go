package ovsdb

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/govs/govs/ovsdb/internal/ovstest"
)

func requireBinary(t testing.TB, name string) string {
	t.Helper()
	return ovstest.RequireBinary(t, name)
}

// dumpDB renders every stored row of db deterministically.
func dumpDB(db *Database) string {
	var lines []string
	for name, tbl := range db.Tables {
		for id, r := range tbl.Rows {
			lines = append(lines, name+" "+id.String()+" "+jsonText(storedColumns(tbl.Schema, r)))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func mustTransact(t *testing.T, db *Database, f *File, ops string) *Commit {
	t.Helper()
	j, err := decodeJSON([]byte(ops))
	if err != nil {
		t.Fatal(err)
	}
	res := db.Transact(j.([]any), nil)
	if res.Commit == nil {
		t.Fatalf("transaction failed: %s", jsonText(res.Results))
	}
	if err := f.Write(res.Commit); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	return res.Commit
}

var fileTestTxns = []string{
	`[{"op":"insert","table":"Open_vSwitch","row":{}},{"op":"comment","comment":"init"}]`,
	`[{"op":"insert","table":"Interface","row":{"name":"br0","type":"internal"},"uuid-name":"i"},
	  {"op":"insert","table":"Port","row":{"name":"br0","interfaces":["named-uuid","i"],"tag":10},"uuid-name":"p"},
	  {"op":"insert","table":"Bridge","row":{"name":"br0","ports":["named-uuid","p"],"external_ids":["map",[["a","1"],["b","2"]]]},"uuid-name":"b"},
	  {"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["named-uuid","b"]]]}]`,
	`[{"op":"update","table":"Port","where":[["name","==","br0"]],"row":{"tag":20}},
	  {"op":"mutate","table":"Bridge","where":[],"mutations":[["external_ids","delete",["set",["b"]]],["external_ids","insert",["map",[["c","<&>"]]]]]}]`,
	`[{"op":"update","table":"Port","where":[["name","==","br0"]],"row":{"tag":["set",[]]}},
	  {"op":"update","table":"Bridge","where":[],"row":{"fail_mode":"secure"}}]`,
}

func TestFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "conf.db")
	if err := CreateFile(path, vswitchSchema); err != nil {
		t.Fatal(err)
	}
	if err := CreateFile(path, vswitchSchema); err == nil {
		t.Fatal("CreateFile over an existing file succeeded")
	}
	f, db, err := OpenFile(path, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenFile(path, t.Logf); err == nil {
		t.Fatal("second OpenFile of a locked file succeeded")
	}
	for _, ops := range fileTestTxns {
		mustTransact(t, db, f, ops)
	}
	want := dumpDB(db)
	f.Close()

	f2, db2, err := OpenFile(path, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if got := dumpDB(db2); got != want {
		t.Fatalf("reopened database differs\n got %s\nwant %s", got, want)
	}
	// Compaction keeps the contents and shrinks the log to two records.
	if err := f2.Compact(db2); err != nil {
		t.Fatal(err)
	}
	mustTransact(t, db2, f2, `[{"op":"update","table":"Bridge","where":[],"row":{"fail_mode":"standalone"}}]`)
	want = dumpDB(db2)
	f2.Close()
	db3, err := ReadFile(path, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if got := dumpDB(db3); got != want {
		t.Fatalf("compacted database differs\n got %s\nwant %s", got, want)
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), recordMagic); n != 3 {
		t.Errorf("compacted file has %d records, want 3", n)
	}
}

func TestFileTornTail(t *testing.T) {
	tests := []struct{ name, tail string }{
		{"partial header", "OVSDB JSON 12"},
		{"short body", "OVSDB JSON 100 0000000000000000000000000000000000000000\n{\"_date\":"},
		{"bad checksum", "OVSDB JSON 3 0000000000000000000000000000000000000000\n{}\n"},
		{"garbage", "\x00\x00\x00\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "conf.db")
			if err := CreateFile(path, vswitchSchema); err != nil {
				t.Fatal(err)
			}
			f, db, err := OpenFile(path, t.Logf)
			if err != nil {
				t.Fatal(err)
			}
			mustTransact(t, db, f, fileTestTxns[0])
			want := dumpDB(db)
			f.Close()
			good, _ := os.ReadFile(path)
			if err := os.WriteFile(path, append(good, tt.tail...), 0o640); err != nil {
				t.Fatal(err)
			}
			var logged []string
			f, db, err = OpenFile(path, func(format string, args ...any) { logged = append(logged, format) })
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got := dumpDB(db); got != want {
				t.Errorf("contents after torn tail\n got %s\nwant %s", got, want)
			}
			if len(logged) == 0 {
				t.Error("torn tail was not logged")
			}
			if data, _ := os.ReadFile(path); string(data) != string(good) {
				t.Errorf("file not truncated to its valid prefix (%d bytes, want %d)", len(data), len(good))
			}
			// Appending after recovery yields a readable file.
			mustTransact(t, db, f, fileTestTxns[1])
			if _, err := ReadFile(path, nil); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestOpenOVSWrittenFile opens a conf.db written by OVS 3.1's ovsdb-server
// (created with ovsdb-tool, then changed by ovs-vsctl: init, add-br,
// add-port, set tag, del-port, external_ids and fail_mode changes).
func TestOpenOVSWrittenFile(t *testing.T) {
	db, err := ReadFile("../testdata/ovsdb/ovs-3.1-conf.db", t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	got := maskUUIDs(dumpDB(db))
	want := strings.Join([]string{
		`Bridge <uuid> {"datapath_type":"netdev","external_ids":["map",[["a","9"]]],"fail_mode":"standalone","name":"br0","ports":["uuid","<uuid>"]}`,
		`Interface <uuid> {"name":"br0","type":"internal"}`,
		`Open_vSwitch <uuid> {"bridges":["uuid","<uuid>"]}`,
		`Port <uuid> {"interfaces":["uuid","<uuid>"],"name":"br0"}`,
	}, "\n")
	if got != want {
		t.Errorf("OVS-written database\n got %s\nwant %s", got, want)
	}
}

// TestOVSToolReadsGovsFile checks that the real ovsdb-tool accepts a file
// govs wrote, before and after compaction.
func TestOVSToolReadsGovsFile(t *testing.T) {
	tool := requireBinary(t, "ovsdb-tool")
	path := filepath.Join(t.TempDir(), "conf.db")
	if err := CreateFile(path, vswitchSchema); err != nil {
		t.Fatal(err)
	}
	f, db, err := OpenFile(path, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	for _, ops := range fileTestTxns {
		mustTransact(t, db, f, ops)
	}
	run := func(args ...string) string {
		out, err := exec.Command(tool, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("ovsdb-tool %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	log := run("show-log", "-m", path)
	for _, want := range []string{`"Open_vSwitch" schema, version="8.3.1"`, `"init"`, `table Bridge insert row "br0"`, "record 4:"} {
		if !strings.Contains(log, want) {
			t.Errorf("show-log output lacks %q:\n%s", want, log)
		}
	}
	query := func() string {
		return run("query", path, `["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name","external_ids","fail_mode"]},{"op":"select","table":"Port","where":[],"columns":["name","tag"]}]`)
	}
	wantQuery := `[{"rows":[{"external_ids":["map",[["a","1"],["c","<&>"]]],"fail_mode":"secure","name":"br0"}]},{"rows":[{"name":"br0","tag":["set",[]]}]}]`
	if got := strings.TrimSpace(query()); got != wantQuery {
		t.Errorf("ovsdb-tool query\n got %s\nwant %s", got, wantQuery)
	}
	if err := f.Compact(db); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got := strings.TrimSpace(query()); got != wantQuery {
		t.Errorf("ovsdb-tool query after compaction\n got %s\nwant %s", got, wantQuery)
	}
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o640) }
