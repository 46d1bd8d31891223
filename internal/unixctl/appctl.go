package unixctl

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/internal/jsonrpc"
)

// ErrCommand is a command the daemon ran and refused; its text is the
// daemon's error.
type ErrCommand struct{ Text string }

func (e *ErrCommand) Error() string { return e.Text }

// Call runs command with args on the daemon whose control socket is path
// and returns its output.
func Call(path, command string, args []string, timeout time.Duration) (string, error) {
	conn, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if timeout > 0 {
		conn.SetDeadline(time.Now().Add(timeout))
	}
	if args == nil {
		args = []string{}
	}
	req, err := jsonrpc.NewRequest(command, args, 0)
	if err != nil {
		return "", err
	}
	enc := jsonrpc.NewEncoder(conn)
	if err := enc.Encode(req); err != nil {
		return "", err
	}
	if err := enc.Flush(); err != nil {
		return "", err
	}
	reply, err := jsonrpc.NewDecoder(conn).Decode()
	if err != nil {
		return "", err
	}
	if len(reply.Error) > 0 && string(reply.Error) != "null" {
		var text string
		if json.Unmarshal(reply.Error, &text) != nil {
			text = string(reply.Error)
		}
		return "", &ErrCommand{Text: text}
	}
	var out string
	if json.Unmarshal(reply.Result, &out) != nil {
		return string(reply.Result), nil
	}
	return out, nil
}

// SocketPath is where a daemon named program keeps its control socket:
// $OVS_RUNDIR/program.PID.ctl, the pid read from program.pid.
func SocketPath(program string) (string, error) {
	pidfile := filepath.Join(daemon.RunDir(), program+".pid")
	b, err := os.ReadFile(pidfile)
	if err != nil {
		return "", fmt.Errorf("cannot read pidfile \"%s\" (%s)", pidfile, errText(err))
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return "", fmt.Errorf("pidfile \"%s\" does not hold a pid", pidfile)
	}
	return filepath.Join(daemon.RunDir(), fmt.Sprintf("%s.%d.ctl", program, pid)), nil
}

func errText(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, os.ErrPermission):
		return "Permission denied"
	}
	return err.Error()
}

// AppctlMain runs "ovs-appctl [-t TARGET] [-T SECS] COMMAND [ARG...]":
// the command's output goes to stdout; a refused command's error goes to
// stderr with exit status 2, as ovs-appctl does.
func AppctlMain(args []string) int { return appctl(args, os.Stdout, os.Stderr) }

func appctl(args []string, stdout, stderr io.Writer) int {
	target, timeout := "ovs-vswitchd", time.Duration(0)
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		opt := args[0]
		value, hasValue := "", false
		if name, v, ok := strings.Cut(opt, "="); ok {
			opt, value, hasValue = name, v, true
		}
		needValue := func() bool {
			if hasValue {
				return true
			}
			if len(args) < 2 {
				fmt.Fprintf(stderr, "ovs-appctl: option '%s' requires an argument\n", opt)
				return false
			}
			value, args = args[1], args[1:]
			return true
		}
		switch opt {
		case "-t", "--target":
			if !needValue() {
				return 1
			}
			target = value
		case "-T", "--timeout":
			if !needValue() {
				return 1
			}
			secs, err := strconv.Atoi(value)
			if err != nil || secs < 0 {
				fmt.Fprintf(stderr, "ovs-appctl: value %s on -T or --timeout is invalid\n", value)
				return 1
			}
			timeout = time.Duration(secs) * time.Second
		case "-h", "--help":
			fmt.Fprint(stdout, daemon.ExpandHelp(appctlHelp))
			return 0
		case "-V", "--version":
			fmt.Fprintf(stdout, "ovs-appctl (Open vSwitch) %s\n", daemon.Version)
			return 0
		default:
			if len(opt) > 1 && !strings.HasPrefix(opt, "--") {
				fmt.Fprintf(stderr, "ovs-appctl: invalid option -- '%c'\n", opt[1])
				return 1
			}
			fmt.Fprintf(stderr, "ovs-appctl: unrecognized option '%s'\n", opt)
			return 1
		}
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, "ovs-appctl: at least one non-option argument is required (use --help for help)")
		return 1
	}
	path := target
	if !strings.Contains(target, "/") {
		var err error
		if path, err = SocketPath(target); err != nil {
			fmt.Fprintf(stderr, "ovs-appctl: %v\n", err)
			return 1
		}
	}
	out, err := Call(path, args[0], args[1:], timeout)
	var cerr *ErrCommand
	switch {
	case errors.As(err, &cerr):
		fmt.Fprint(stderr, cerr.Text)
		fmt.Fprintln(stderr, "ovs-appctl: "+target+": server returned an error")
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "ovs-appctl: cannot connect to \"%s\" (%s)\n", path, errText(err))
		return 1
	}
	fmt.Fprint(stdout, out)
	return 0
}
