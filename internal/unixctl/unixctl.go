// Package unixctl is the control channel of govs' daemons, as OVS's
// unixctl is: a unix socket ($OVS_RUNDIR/<program>.<pid>.ctl) speaking
// JSON-RPC whose requests carry string arguments and whose replies carry
// a string result or a string error. Server serves commands; Call and
// AppctlMain (ovs-appctl) are the client side.
package unixctl

import (
	"encoding/json"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"

	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/internal/jsonrpc"
)

// Handler runs a command with its arguments and returns its output, or an
// error that ovs-appctl prints and exits 2 for.
type Handler func(args []string) (string, error)

type command struct {
	usage            string
	minArgs, maxArgs int
	run              Handler
}

// Server serves commands on a control socket.
type Server struct {
	ln       net.Listener
	mu       sync.Mutex
	commands map[string]command
}

// Listen opens a control socket at path (mode 0750, replacing a stale
// one) with the built-in "list-commands" command.
func Listen(path string) (*Server, error) {
	ln, err := daemon.ListenUnix(path)
	if err != nil {
		return nil, fmt.Errorf("unixctl: %w", err)
	}
	s := &Server{ln: ln, commands: map[string]command{}}
	s.Register("list-commands", "", 0, 0, func([]string) (string, error) { return s.list(), nil })
	go s.serve()
	return s, nil
}

// Register adds a command taking between minArgs and maxArgs arguments;
// usage is what list-commands shows after its name.
func (s *Server) Register(name, usage string, minArgs, maxArgs int, run Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands[name] = command{usage, minArgs, maxArgs, run}
}

// Path is the socket's file name.
func (s *Server) Path() string { return s.ln.Addr().String() }

// Close stops serving and removes the socket.
func (s *Server) Close() error { return s.ln.Close() }

func (s *Server) list() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.commands))
	for name := range s.commands {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("The available commands are:\n")
	for _, name := range names {
		fmt.Fprintf(&b, "  %-23s %s\n", name, s.commands[name].usage)
	}
	return b.String()
}

func (s *Server) serve() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(conn)
	}
}

func (s *Server) session(conn net.Conn) {
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
		reply := s.run(msg)
		enc.Encode(reply)
		enc.Flush()
	}
}

// run answers one request with OVS's messages for bad commands.
func (s *Server) run(msg *jsonrpc.Message) *jsonrpc.Message {
	var args []string
	if len(msg.Params) > 0 && json.Unmarshal(msg.Params, &args) != nil {
		reply, _ := jsonrpc.NewErrorReply(msg.ID, "arguments must be strings")
		return reply
	}
	s.mu.Lock()
	cmd, ok := s.commands[msg.Method]
	s.mu.Unlock()
	var reply *jsonrpc.Message
	switch {
	case !ok:
		reply, _ = jsonrpc.NewErrorReply(msg.ID, fmt.Sprintf("\"%s\" is not a valid command (use \"list-commands\" to see a list of valid commands)\n", msg.Method))
	case len(args) < cmd.minArgs:
		reply, _ = jsonrpc.NewErrorReply(msg.ID, fmt.Sprintf("\"%s\" command requires at least %d arguments\n", msg.Method, cmd.minArgs))
	case len(args) > cmd.maxArgs:
		reply, _ = jsonrpc.NewErrorReply(msg.ID, fmt.Sprintf("\"%s\" command takes at most %d arguments\n", msg.Method, cmd.maxArgs))
	default:
		out, err := cmd.run(args)
		if err != nil {
			reply, _ = jsonrpc.NewErrorReply(msg.ID, err.Error()+"\n")
		} else {
			reply, _ = jsonrpc.NewReply(msg.ID, out)
		}
	}
	return reply
}
