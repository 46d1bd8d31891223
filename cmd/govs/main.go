// Command govs is the one binary behind every govs tool. Invoked as
// "govs TOOL ARGS..." or through a link named after an Open vSwitch tool
// (ovsdb-server, ovs-vsctl, ...), it runs that tool with OVS's options,
// output and exit codes. Each tool's logic lives in its own package; this
// file only dispatches.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// version is what --version reports; it tracks the OVS release whose
// behaviour govs reproduces.
const version = "3.1.0-govs"

// tool runs one OVS tool with its arguments (argv[0] excluded) and returns
// the process exit code.
type tool func(args []string) int

// tools maps every name govs answers to onto its implementation. Both the
// OVS name (ovsdb-server) and the short govs subcommand (ovsdb-server)
// are accepted.
var tools = map[string]tool{}

// aliases maps govs subcommands onto OVS tool names.
var aliases = map[string]string{
	"vsctl":     "ovs-vsctl",
	"ofctl":     "ovs-ofctl",
	"appctl":    "ovs-appctl",
	"vswitchd":  "ovs-vswitchd",
	"dbserver":  "ovsdb-server",
	"ovsdbtool": "ovsdb-tool",
}

func main() {
	os.Exit(run(os.Args))
}

func run(argv []string) int {
	name := filepath.Base(argv[0])
	args := argv[1:]
	if name == "govs" || strings.HasPrefix(name, "govs.") || strings.HasSuffix(name, ".test") {
		if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
			usage(os.Stdout)
			return 0
		}
		if args[0] == "version" || args[0] == "--version" {
			fmt.Printf("govs %s\n", version)
			return 0
		}
		name, args = args[0], args[1:]
	}
	if full, ok := aliases[name]; ok {
		name = full
	}
	t, ok := tools[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "govs: unknown tool %q (run \"govs help\")\n", name)
		return 1
	}
	return t(args)
}

func usage(w *os.File) {
	fmt.Fprintf(w, "govs %s: a userspace Open vSwitch.\n\nusage: govs TOOL [ARGS...]\n   or: TOOL [ARGS...] through a link named TOOL\n\ntools:\n", version)
	names := make([]string, 0, len(tools))
	for n := range tools {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %s\n", n)
	}
	if len(names) == 0 {
		fmt.Fprintln(w, "  (none yet: see README.md for the status of each tool)")
	}
}
