// Package vsctl owns govs' ovs-vsctl: the same commands, options, output
// and exit codes as OVS 3.1's ovs-vsctl, run against any OVSDB server that
// serves the Open_vSwitch database.
package vsctl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// options are ovs-vsctl's global options.
type options struct {
	db       string
	noWait   bool
	retry    bool
	timeout  time.Duration
	dryRun   bool
	oneline  bool
	format   string
	data     string
	headings bool
	pretty   bool
	ssl      sslFiles
}

// command is one command of a "--"-separated chain with its own options.
type command struct {
	name string
	args []string
	// opts holds per-command options such as --if-exists or --columns=.
	opts map[string]string
	out  strings.Builder
}

func (c *command) has(opt string) bool { _, ok := c.opts[opt]; return ok }

// exitError carries an exit status and an optional message.
type exitError struct {
	status int
	msg    string
}

func (e *exitError) Error() string { return e.msg }

func fail(format string, args ...any) error {
	return &exitError{status: 1, msg: fmt.Sprintf(format, args...)}
}

var globalOptions = map[string]bool{
	"db": true, "no-wait": false, "wait": false, "timeout": true, "t": true, "retry": false, "dry-run": false,
	"oneline": false, "format": true, "f": true, "data": true, "d": true, "bare": false, "no-headings": false,
	"pretty": false, "no-syslog": false, "verbose": false, "v": false, "private-key": true, "p": true,
	"certificate": true, "c": true, "ca-cert": true, "C": true, "bootstrap-ca-cert": true, "peer-ca-cert": true,
	"log-file": false, "help": false, "h": false, "version": false, "V": false, "no-color": false,
}

// commandOptions are the options a command may carry.
var commandOptions = map[string]bool{
	"if-exists": false, "may-exist": false, "with-iface": false, "all": false, "fake-iface": false,
	"columns": true, "id": true, "inactivity-probe": true, "real": false, "fake": false, "bootstrap": false,
}

// Main runs "ovs-vsctl [OPTIONS] COMMAND [ARG...] [-- COMMAND...]" and
// returns the exit status.
func Main(args []string) int {
	err := run(os.Stdout, args)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(os.Stderr, "ovs-vsctl: %s\n", ee.msg)
		}
		return ee.status
	}
	fmt.Fprintf(os.Stderr, "ovs-vsctl: %v\n", err)
	return 1
}

func defaultDB() string {
	dir := os.Getenv("OVS_RUNDIR")
	if dir == "" {
		dir = "/var/run/openvswitch"
	}
	return "unix:" + filepath.Join(dir, "db.sock")
}

// splitOption splits "--name=value" or "-x".
func splitOption(a string) (string, string, bool) {
	name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
	return name, value, hasValue
}

func parseArgs(args []string) (*options, []*command, error) {
	o := &options{db: defaultDB(), timeout: 0, format: "list", data: "string", headings: true}
	i := 0
	var firstOpts map[string]string
	for ; i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "--"; i++ {
		name, value, hasValue := splitOption(args[i])
		needsValue, global := globalOptions[name]
		if !global {
			if _, ok := commandOptions[name]; ok {
				if firstOpts == nil {
					firstOpts = map[string]string{}
				}
				firstOpts[name] = value
				continue
			}
			if len(args[i]) > 1 && !strings.HasPrefix(args[i], "--") {
				return nil, nil, fail("invalid option -- '%c'", args[i][1])
			}
			return nil, nil, fail("unrecognized option '%s'", args[i])
		}
		if needsValue && !hasValue {
			if i+1 >= len(args) {
				return nil, nil, fail("option '%s' requires an argument", args[i])
			}
			i++
			value = args[i]
		}
		switch name {
		case "db":
			o.db = value
		case "no-wait":
			o.noWait = true
		case "timeout", "t":
			secs, err := strconv.Atoi(value)
			if err != nil || secs < 0 {
				return nil, nil, fail("value %s on -t or --timeout is invalid", value)
			}
			o.timeout = time.Duration(secs) * time.Second
		case "retry":
			o.retry = true
		case "dry-run":
			o.dryRun = true
		case "oneline":
			o.oneline = true
		case "format", "f":
			o.format = value
		case "data", "d":
			o.data = value
		case "bare":
			o.format, o.data, o.headings = "list", "bare", false
		case "no-headings":
			o.headings = false
		case "pretty":
			o.pretty = true
		case "private-key", "p":
			o.ssl.privateKey = value
		case "certificate", "c":
			o.ssl.certificate = value
		case "ca-cert", "C":
			o.ssl.caCert = value
		case "help", "h":
			printHelp(os.Stdout)
			return nil, nil, &exitError{status: 0}
		case "version", "V":
			printVersion(os.Stdout)
			return nil, nil, &exitError{status: 0}
		}
	}
	switch o.format {
	case "list", "table", "csv", "html", "json", "bare":
	default:
		return nil, nil, fail("%s: unknown output format", o.format)
	}
	if o.format == "bare" {
		o.format, o.data, o.headings = "list", "bare", false
	}
	var cmds []*command
	cur := &command{opts: firstOpts}
	if cur.opts == nil {
		cur.opts = map[string]string{}
	}
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if cur.name != "" {
				cmds = append(cmds, cur)
			}
			cur = &command{opts: map[string]string{}}
			continue
		}
		if cur.name == "" && strings.HasPrefix(a, "--") {
			name, value, _ := splitOption(a)
			if _, ok := commandOptions[name]; !ok {
				return nil, nil, fail("unrecognized option '%s'", a)
			}
			cur.opts[name] = value
			continue
		}
		if cur.name == "" {
			cur.name = a
			continue
		}
		cur.args = append(cur.args, a)
	}
	if cur.name != "" {
		cmds = append(cmds, cur)
	}
	if len(cmds) == 0 {
		return nil, nil, fail("missing command name (use --help for help)")
	}
	return o, cmds, nil
}

// invokedBy names the parent process, for the transaction comment.
func invokedBy() string {
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", os.Getppid()))
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(comm))
}

func run(out io.Writer, args []string) error {
	o, cmds, err := parseArgs(args)
	if err != nil {
		return err
	}
	for _, c := range cmds {
		spec := commandTable[c.name]
		if spec == nil {
			return fail("unknown command '%s'; use --help for help", c.name)
		}
		if len(c.args) < spec.minArgs {
			return fail("'%s' command requires at least %d arguments", c.name, spec.minArgs)
		}
		if spec.maxArgs >= 0 && len(c.args) > spec.maxArgs {
			return fail("'%s' command takes at most %d arguments", c.name, spec.maxArgs)
		}
		for opt := range c.opts {
			if !strings.Contains(spec.options, "--"+opt) {
				return fail("'%s' command has no '--%s' option", c.name, opt)
			}
		}
	}
	comment := "ovs-vsctl (invoked by " + invokedBy() + "): ovs-vsctl " + strings.Join(args, " ")
	deadline := time.Time{}
	if o.timeout > 0 {
		deadline = time.Now().Add(o.timeout)
	}
	for {
		done, err := attempt(out, o, cmds, comment, deadline)
		if err != nil || done {
			return err
		}
		for _, c := range cmds {
			c.out.Reset()
		}
	}
}
