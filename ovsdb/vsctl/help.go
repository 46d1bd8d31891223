package vsctl

import (
	_ "embed"
	"fmt"
	"io"

	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/ovsdb"
)

// helpText is ovs-vsctl 3.1's --help, recorded by scripts/gen-help.sh.
//
//go:embed help.txt
var helpText string

// printHelp prints --help as ovs-vsctl does, with this run's directories.
func printHelp(w io.Writer) {
	io.WriteString(w, daemon.ExpandHelp(helpText))
}

// printVersion prints --version: the OVS release and the schema's version.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "ovs-vsctl (Open vSwitch) %s\nDB Schema %s\n", daemon.Version, ovsdb.VSwitchSchema().Version)
}
