package govs_test

import (
	"os/exec"
	"strings"
	"testing"
)

// forbidden lists, per package tree, the govs trees it must not import:
// imports point one way (cmd → ofproto → {datapath, ovsdb}; datapath →
// tunnel → flowtable → internal/header), and ovsdb stands alone.
var forbidden = map[string][]string{
	"flowtable": {"ofproto", "datapath", "tunnel", "ovsdb", "cmd"},
	"datapath":  {"ofproto", "ovsdb", "cmd"},
	"tunnel":    {"ofproto", "datapath", "ovsdb", "cmd"},
	"ovsdb":     {"flowtable", "datapath", "tunnel", "ofproto", "cmd"},
	"ofproto":   {"cmd"},
	"internal":  {"flowtable", "datapath", "tunnel", "ovsdb", "ofproto", "cmd"},
}

func TestLayering(t *testing.T) {
	const module = "github.com/govs/govs/"
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		tree, _, _ := strings.Cut(pkg, "/")
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			dep, _, _ := strings.Cut(strings.TrimPrefix(imp, module), "/")
			for _, bad := range forbidden[tree] {
				if dep == bad {
					t.Errorf("%s imports %s: %s must not depend on %s", pkg, imp, tree, bad)
				}
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no govs imports found; is go list working?")
	}
}
