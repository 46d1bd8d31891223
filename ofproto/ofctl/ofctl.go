// Package ofctl is govs' ovs-ofctl: the command-line OpenFlow client that
// adds, modifies, deletes and dumps a switch's flows and shows its ports,
// tables and statistics. It owns the command line (commands, options,
// their checks and messages), connecting to a switch (a bridge name's
// management socket, unix:PATH or tcp:IP:PORT), choosing the protocol and
// flow format as ovs-ofctl does, and printing replies and OpenFlow errors
// in Open vSwitch 3.1's exact text, with its exit statuses.
//
// The OpenFlow wire format is ofproto/ofp's; flow text is flowtable's.
// Entry point: [Main].
package ofctl

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/tlsconfig"
	"github.com/govs/govs/ofproto/ofp"
)

// Main runs ovs-ofctl with args (without the program name) on the
// process's standard streams and returns the exit status.
func Main(args []string) int {
	return Run(args, os.Stdin, os.Stdout, os.Stderr, isTerminal(os.Stdout))
}

// isTerminal reports whether f is a character device (a terminal), which
// makes ovs-ofctl show port names and sorted flows by default.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Run is [Main] with explicit streams; tty says whether stdout is a
// terminal.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer, tty bool) int {
	c := &ctl{stdin: stdin, out: stdout, errOut: stderr, tty: tty, xid: 1}
	status := c.run(args)
	if f, ok := stdout.(interface{ Flush() error }); ok {
		f.Flush()
	}
	return status
}

// exitError ends the program with "ovs-ofctl: MESSAGE" on stderr and
// status 1, as OVS's ovs_fatal does.
type exitError struct{ msg string }

func (e *exitError) Error() string { return e.msg }

func fatalf(format string, args ...any) error {
	return &exitError{msg: fmt.Sprintf(format, args...)}
}

// silentExit ends the program with a status and no further message (what
// was to be said is printed already).
type silentExit struct{ status int }

func (e *silentExit) Error() string { return fmt.Sprintf("exit status %d", e.status) }

// ctl is one invocation: options, streams and the connection state that
// spans the commands' connections (the xid counter).
type ctl struct {
	stdin       io.Reader
	out, errOut io.Writer
	tty         bool
	xid         uint32

	strict     bool
	names      int // -1 --no-names, 0 default (names on a terminal), 1 --names
	noStats    bool
	sortKey    string // "" for none; "priority" or a field name
	sortSet    bool
	rsort      bool
	versions   uint32 // allowed OpenFlow versions as a HELLO bitmap
	flowFormat string // -F: "", "openflow10" or "nxm"

	ports         flowtable.PortMap // the switch's port names, once fetched
	tablesFetched bool              // the table lookup has been done
	tableNames    map[uint8]string  // the named tables it found
	bundle        bool              // --bundle (bundle.go)
	readOnly      bool              // --read-only (monitor.go)
	logSeq        int               // warnings logged so far
	ssl           tlsconfig.Files   // for ssl: targets (ssl.go)
}

// command is one ovs-ofctl command: its argument counts (excluding the
// command name) and what it does.
type command struct {
	name     string
	min, max int
	run      func(c *ctl, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"show", 1, 1, (*ctl).show},
		{"dump-desc", 1, 1, (*ctl).dumpDesc},
		{"dump-tables", 1, 1, (*ctl).dumpTables},
		{"dump-ports", 1, 2, (*ctl).dumpPorts},
		{"dump-ports-desc", 1, 2, (*ctl).dumpPortsDesc},
		{"dump-flows", 1, 2, (*ctl).dumpFlows},
		{"dump-aggregate", 1, 2, (*ctl).dumpAggregate},
		{"add-flow", 2, 2, (*ctl).addFlow},
		{"add-flows", 2, 2, (*ctl).addFlows},
		{"mod-flows", 2, 2, (*ctl).modFlows},
		{"del-flows", 1, 2, (*ctl).delFlows},
		{"probe", 1, 1, (*ctl).probe},
		{"add-group", 1, 2, groupCommand(ofp.GroupAdd)},
		{"add-groups", 2, 2, (*ctl).addGroups},
		{"mod-group", 1, 2, groupCommand(ofp.GroupModify)},
		{"del-groups", 1, 2, groupCommand(ofp.GroupDelete)},
		{"dump-groups", 1, 2, (*ctl).dumpGroups},
		{"dump-group-stats", 1, 2, (*ctl).dumpGroupStats},
		{"dump-group-features", 1, 1, (*ctl).dumpGroupFeatures},
		{"add-meter", 2, 2, meterModCommand(ofp.MeterAdd)},
		{"mod-meter", 2, 2, meterModCommand(ofp.MeterModify)},
		{"del-meter", 1, 2, meterModCommand(ofp.MeterDelete)},
		{"del-meters", 1, 2, meterModCommand(ofp.MeterDelete)},
		{"dump-meter", 1, 2, meterRequestCommand(false)},
		{"dump-meters", 1, 2, meterRequestCommand(false)},
		{"meter-stats", 1, 2, meterRequestCommand(true)},
		{"meter-features", 1, 1, (*ctl).meterFeatures},
		{"add-tlv-map", 2, 2, (*ctl).addTLVMap},
		{"del-tlv-map", 1, 2, (*ctl).delTLVMap},
		{"dump-tlv-map", 1, 1, (*ctl).dumpTLVMap},
		{"packet-out", 2, 1 << 30, (*ctl).packetOut},
		{"replace-flows", 2, 2, (*ctl).replaceFlows},
		{"diff-flows", 2, 2, (*ctl).diffFlows},
		{"mod-port", 3, 3, (*ctl).modPort},
		{"dump-table-features", 1, 1, (*ctl).dumpTableFeatures},
		{"monitor", 1, 4, (*ctl).monitor},
		{"snoop", 1, 1, (*ctl).snoop},
		{"queue-stats", 1, 3, (*ctl).queueStats},
		{"ping", 1, 2, (*ctl).ping},
		{"mod-table", 3, 3, (*ctl).modTable},
		{"dump-table-desc", 1, 1, (*ctl).dumpTableDesc},
	}
}

func (c *ctl) run(args []string) int {
	err := c.runErr(args)
	switch e := err.(type) {
	case nil:
		return 0
	case *silentExit:
		return e.status
	case *exitError:
		fmt.Fprintf(c.errOut, "ovs-ofctl: %s\n", e.msg)
		return 1
	default:
		fmt.Fprintf(c.errOut, "ovs-ofctl: %v\n", err)
		return 1
	}
}

func (c *ctl) runErr(args []string) error {
	operands, err := c.parseOptions(args)
	if err != nil {
		return err
	}
	if len(operands) == 0 {
		return fatalf("missing command name; use --help for help")
	}
	name, rest := operands[0], operands[1:]
	for _, cmd := range commands {
		if cmd.name != name {
			continue
		}
		if len(rest) < cmd.min {
			return fatalf("'%s' command requires at least %d arguments", name, cmd.min)
		}
		if len(rest) > cmd.max {
			return fatalf("'%s' command takes at most %d arguments", name, cmd.max)
		}
		if err := c.checkReadOnly(name); err != nil {
			return err
		}
		return cmd.run(c, rest)
	}
	return fatalf("unknown command '%s'; use --help for help", name)
}

// parseOptions takes the options out of args wherever they are (as GNU
// getopt permutes them) and returns the operands. "--" ends options.
func (c *ctl) parseOptions(args []string) ([]string, error) {
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(operands, args[i+1:]...), nil
		case strings.HasPrefix(a, "--"):
			name, value, hasValue := strings.Cut(a[2:], "=")
			opt, ok := longOptions[name]
			if !ok {
				return nil, fatalf("unrecognized option '--%s'", name)
			}
			switch {
			case opt.arg == argNone && hasValue:
				return nil, fatalf("option '--%s' doesn't allow an argument", name)
			case opt.arg == argRequired && !hasValue:
				if i+1 >= len(args) {
					return nil, fatalf("option '--%s' requires an argument", name)
				}
				i++
				value, hasValue = args[i], true
			}
			if err := opt.set(c, value, hasValue); err != nil {
				return nil, err
			}
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				opt, ok := shortOptions[a[j]]
				if !ok {
					return nil, fatalf("invalid option -- '%c'", a[j])
				}
				if opt.arg == argNone {
					if err := opt.set(c, "", false); err != nil {
						return nil, err
					}
					continue
				}
				value := a[j+1:]
				if value == "" {
					if i+1 >= len(args) {
						return nil, fatalf("option requires an argument -- '%c'", a[j])
					}
					i++
					value = args[i]
				}
				if err := opt.set(c, value, true); err != nil {
					return nil, err
				}
				break
			}
		default:
			operands = append(operands, a)
		}
	}
	return operands, nil
}

// Whether an option takes an argument.
const (
	argNone = iota
	argRequired
	argOptional
)

type option struct {
	arg int
	set func(c *ctl, value string, hasValue bool) error
}

var longOptions = map[string]option{
	"strict":      {argNone, func(c *ctl, _ string, _ bool) error { c.strict = true; return nil }},
	"names":       {argNone, func(c *ctl, _ string, _ bool) error { c.names = 1; return nil }},
	"no-names":    {argNone, func(c *ctl, _ string, _ bool) error { c.names = -1; return nil }},
	"no-stats":    {argNone, func(c *ctl, _ string, _ bool) error { c.noStats = true; return nil }},
	"sort":        {argOptional, func(c *ctl, v string, has bool) error { return c.setSort(v, has, false) }},
	"rsort":       {argOptional, func(c *ctl, v string, has bool) error { return c.setSort(v, has, true) }},
	"protocols":   {argRequired, func(c *ctl, v string, _ bool) error { return c.setProtocols(v) }},
	"bundle":      {argNone, func(c *ctl, _ string, _ bool) error { c.bundle = true; return nil }},
	"read-only":   {argNone, func(c *ctl, _ string, _ bool) error { c.readOnly = true; return nil }},
	"flow-format": {argRequired, func(c *ctl, v string, _ bool) error { return c.setFlowFormat(v) }},
	"help":        {argNone, (*ctl).help},
	"version":     {argNone, (*ctl).version},
}

var shortOptions = map[byte]option{
	'O': longOptions["protocols"],
	'F': longOptions["flow-format"],
	'h': longOptions["help"],
	'V': longOptions["version"],
}

// setSort handles --sort[=field] and --rsort[=field].
func (c *ctl) setSort(field string, hasField, reverse bool) error {
	if !hasField {
		field = "priority"
	}
	if field != "priority" && !knownSortField(field) {
		return fatalf("%s: unknown field name", field)
	}
	c.sortKey, c.sortSet, c.rsort = field, true, reverse
	return nil
}

// setProtocols handles -O/--protocols: a comma- or space-separated list of
// OpenFlow10 ... OpenFlow15.
func (c *ctl) setProtocols(list string) error {
	c.versions = 0
	for _, name := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		v, ok := versionByName(name)
		if !ok {
			return fatalf("Unknown OpenFlow version: \"%s\"", name)
		}
		c.versions |= 1 << v
	}
	return nil
}

// setFlowFormat handles -F/--flow-format for the OpenFlow 1.0 formats.
func (c *ctl) setFlowFormat(name string) error {
	switch strings.ToLower(name) {
	case "openflow10", "of10":
		c.flowFormat = "openflow10"
	case "nxm", "nx":
		c.flowFormat = "nxm"
	default:
		return fatalf("%s: unknown flow protocol", name)
	}
	return nil
}

// showNames reports whether port names are printed: --names, --no-names,
// or by default when stdout is a terminal.
func (c *ctl) showNames() bool {
	if c.names != 0 {
		return c.names > 0
	}
	return c.tty
}
