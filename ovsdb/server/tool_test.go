package server

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const ovsFile = "../../testdata/ovsdb/ovs-3.1-conf.db"

// TestShowLogMatchesOVS compares "show-log" (record lines) with the real
// ovsdb-tool on a file OVS wrote.
func TestShowLogMatchesOVS(t *testing.T) {
	tool := requireBinary(t, "ovsdb-tool")
	want, err := exec.Command(tool, "show-log", ovsFile).CombinedOutput()
	if err != nil {
		t.Fatalf("ovsdb-tool show-log: %v\n%s", err, want)
	}
	var got bytes.Buffer
	if err := runTool(&got, "show-log", []string{ovsFile}, 0); err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("show-log\n--- ovsdb-tool:\n%s\n--- govs:\n%s", want, got.String())
	}
	// With -mm every row line of ovsdb-tool appears in govs' output (the
	// order of rows within a record follows each tool's hashing).
	wantMM, _ := exec.Command(tool, "-mm", "show-log", ovsFile).CombinedOutput()
	got.Reset()
	if err := runTool(&got, "show-log", []string{ovsFile}, 2); err != nil {
		t.Fatal(err)
	}
	if sortLines(got.String()) != sortLines(string(wantMM)) {
		t.Errorf("show-log -mm lines differ\n--- ovsdb-tool:\n%s\n--- govs:\n%s", wantMM, got.String())
	}
}

func TestToolCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "conf.db")
	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := runTool(&out, args[0], args[1:], 0); err != nil {
			t.Fatalf("ovsdb-tool %v: %v", args, err)
		}
		return out.String()
	}
	run("create", db)
	if got := run("db-version", db); got != "8.3.1\n" {
		t.Errorf("db-version = %q", got)
	}
	if got := run("db-name", db); got != "Open_vSwitch\n" {
		t.Errorf("db-name = %q", got)
	}
	got := run("transact", db, `["Open_vSwitch",{"op":"insert","table":"Open_vSwitch","row":{"next_cfg":3}}]`)
	if !strings.HasPrefix(got, `[{"uuid":["uuid","`) {
		t.Errorf("transact = %q", got)
	}
	run("compact", db)
	run("compact", db, filepath.Join(dir, "copy.db"))
	for _, path := range []string{db, filepath.Join(dir, "copy.db")} {
		got = run("query", path, `["Open_vSwitch",{"op":"select","table":"Open_vSwitch","where":[],"columns":["next_cfg"]}]`)
		if got != `[{"rows":[{"next_cfg":3}]}]`+"\n" {
			t.Errorf("query %s = %q", path, got)
		}
	}
	if err := runTool(&bytes.Buffer{}, "create", []string{db}, 0); err == nil {
		t.Error("create over an existing database succeeded")
	}
	if err := runTool(&bytes.Buffer{}, "frobnicate", nil, 0); err == nil {
		t.Error("unknown command succeeded")
	}
}
