package vsctl

import (
	"fmt"
	"io"
	"sort"
)

// printUsage lists ovs-vsctl's options and commands.
func printUsage(w io.Writer) {
	fmt.Fprintf(w, `ovs-vsctl: Open vSwitch configuration utility (govs)
usage: ovs-vsctl [OPTIONS] COMMAND [ARG...] [-- [OPTIONS] COMMAND [ARG...]]...

Options:
  --db=DATABASE          connect to DATABASE (default: %s)
  --no-wait              do not wait for ovs-vswitchd to apply changes
  -t, --timeout=SECS     give up after SECS seconds
  --dry-run              do not commit changes to the database
  --oneline              print each command's output on one line
  -f, --format=FORMAT    list, table, csv, html, json or bare
  -d, --data=FORMAT      string, bare or json
  --no-headings          omit table headings
  --pretty               indent JSON output
  --bare                 same as --format=list --data=bare --no-headings
  -p, --private-key=FILE, -c, --certificate=FILE, -C, --ca-cert=FILE
                         SSL configuration for ssl: databases

Commands:
`, defaultDB())
	names := make([]string, 0, len(commandTable))
	for name := range commandTable {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		spec := commandTable[name]
		if spec.options != "" {
			fmt.Fprintf(w, "  [%s] %s\n", spec.options, name)
		} else {
			fmt.Fprintf(w, "  %s\n", name)
		}
	}
}
