package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/govs/govs/ovsdb"
	"github.com/govs/govs/ovsdb/jsonrpc"
)

// unixctl is the control socket that ovs-appctl talks to: JSON-RPC
// requests whose params are string arguments, answered with a string
// result or a string error.
type unixctl struct {
	ln       net.Listener
	commands map[string]unixctlCommand
}

type unixctlCommand struct {
	usage   string
	minArgs int
	maxArgs int
	run     func(args []string) (string, error)
}

func startUnixctl(path string, s *Server, log *vlog, files []*ovsdb.File, exit chan<- struct{}) (*unixctl, error) {
	ln, err := listenUnix(path)
	if err != nil {
		return nil, fmt.Errorf("unixctl %s: %w", path, err)
	}
	u := &unixctl{ln: ln}
	u.commands = map[string]unixctlCommand{
		"exit": {"", 0, 0, func([]string) (string, error) {
			select {
			case exit <- struct{}{}:
			default:
			}
			return "", nil
		}},
		"version": {"", 0, 0, func([]string) (string, error) {
			return "ovsdb-server (Open vSwitch) " + Version + "\n", nil
		}},
		"list-commands": {"", 0, 0, func([]string) (string, error) {
			names := make([]string, 0, len(u.commands))
			for name := range u.commands {
				names = append(names, name)
			}
			sort.Strings(names)
			var b strings.Builder
			b.WriteString("The available commands are:\n")
			for _, name := range names {
				fmt.Fprintf(&b, "  %-23s %s\n", name, u.commands[name].usage)
			}
			return b.String(), nil
		}},
		"vlog/reopen": {"", 0, 0, func([]string) (string, error) { return "", log.reopen() }},
		"ovsdb-server/compact": {"[DB]...", 0, 100, func(args []string) (string, error) {
			for _, f := range files {
				var err error
				s.Do(func() {
					for _, d := range s.dbs {
						if d.file == f && (len(args) == 0 || contains(args, d.name)) {
							err = f.Compact(d.db)
						}
					}
				})
				if err != nil {
					return "", err
				}
			}
			return "", nil
		}},
		"ovsdb-server/add-remote": {"REMOTE", 1, 1, func(args []string) (string, error) {
			return "", s.addConfiguredRemote(args[0])
		}},
		"ovsdb-server/remove-remote": {"REMOTE", 1, 1, func(args []string) (string, error) {
			if !s.RemoveRemote(args[0]) {
				return "", errors.New("no such remote")
			}
			return "", nil
		}},
		"ovsdb-server/list-remotes": {"", 0, 0, func([]string) (string, error) {
			return strings.Join(s.Remotes(), "\n") + "\n", nil
		}},
		"ovsdb-server/list-dbs": {"", 0, 0, func([]string) (string, error) {
			var names []string
			s.Do(func() { names = s.databaseNames() })
			return strings.Join(names, "\n") + "\n", nil
		}},
	}
	go u.serve()
	return u, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (u *unixctl) serve() {
	for {
		conn, err := u.ln.Accept()
		if err != nil {
			return
		}
		go u.session(conn)
	}
}

func (u *unixctl) session(conn net.Conn) {
	defer conn.Close()
	dec := jsonrpc.NewDecoder(conn)
	enc := jsonrpc.NewEncoder(conn)
	for {
		msg, err := dec.Decode()
		if err != nil {
			return
		}
		if msg.Kind() != jsonrpc.KindRequest {
			continue
		}
		var args []string
		if len(msg.Params) > 0 && json.Unmarshal(msg.Params, &args) != nil {
			reply, _ := jsonrpc.NewErrorReply(msg.ID, "arguments must be strings")
			enc.Encode(reply)
			enc.Flush()
			continue
		}
		var reply *jsonrpc.Message
		cmd, ok := u.commands[msg.Method]
		switch {
		case !ok:
			reply, _ = jsonrpc.NewErrorReply(msg.ID, fmt.Sprintf("\"%s\" is not a valid command (use \"list-commands\" to see a list of valid commands)", msg.Method))
		case len(args) < cmd.minArgs:
			reply, _ = jsonrpc.NewErrorReply(msg.ID, fmt.Sprintf("\"%s\" command requires at least %d arguments", msg.Method, cmd.minArgs))
		case len(args) > cmd.maxArgs:
			reply, _ = jsonrpc.NewErrorReply(msg.ID, fmt.Sprintf("\"%s\" command takes at most %d arguments", msg.Method, cmd.maxArgs))
		default:
			out, err := cmd.run(args)
			if err != nil {
				reply, _ = jsonrpc.NewErrorReply(msg.ID, err.Error()+"\n")
			} else {
				reply, _ = jsonrpc.NewReply(msg.ID, out)
			}
		}
		enc.Encode(reply)
		enc.Flush()
	}
}

// Close stops the control socket.
func (u *unixctl) Close() error { return u.ln.Close() }
