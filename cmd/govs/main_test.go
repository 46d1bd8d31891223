package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLinkDispatch builds govs and runs it through links named after OVS
// tools, as `make install` lays them out.
func TestLinkDispatch(t *testing.T) {
	dir := t.TempDir()
	bin := buildGovs(t, dir)
	link := filepath.Join(dir, "ovsdb-tool")
	if err := os.Symlink("govs", link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		argv []string
		want string
		code int
	}{
		{"version", []string{bin, "version"}, "govs " + version, 0},
		{"help lists tools", []string{bin, "help"}, "ovsdb-server", 0},
		{"subcommand", []string{bin, "ovsdb-tool", "--version"}, "ovsdb-tool", 0},
		{"link", []string{link, "--version"}, "ovsdb-tool", 0},
		{"unknown tool", []string{bin, "frob"}, `unknown tool "frob"`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(tt.argv[0], tt.argv[1:]...)
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("output %q lacks %q", out, tt.want)
			}
		})
	}
}
