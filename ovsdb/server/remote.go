package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/internal/tlsconfig"
)

// InactivityProbe is how long a TCP or SSL peer may stay silent before the
// server sends it an echo request, and then how long it has to answer
// before being disconnected (OVS's default, 5 s). Unix sockets are not
// probed.
var InactivityProbe = 5 * time.Second

// remote is one configured remote: a listener for punix:/ptcp:/pssl:, or a
// connection loop for unix:/tcp:/ssl:.
type remote struct {
	name string
	ln   net.Listener

	mu      sync.Mutex
	stopped bool
	conn    net.Conn
	done    chan struct{}
}

func (r *remote) stop() {
	r.mu.Lock()
	r.stopped = true
	if r.conn != nil {
		r.conn.Close()
	}
	r.mu.Unlock()
	if r.ln != nil {
		r.ln.Close()
	}
	close(r.done)
}

// TLSFiles names the PEM files for SSL remotes, as ovsdb-server's
// --private-key, --certificate and --ca-cert options do.
type TLSFiles struct {
	PrivateKey, Certificate, CACert string
}

// tlsConfig loads the key pair and CA into a config that requires and
// verifies peer certificates, as OVS does (internal/tlsconfig, shared
// with the switch's ssl: controllers).
func (f TLSFiles) tlsConfig() (*tls.Config, error) {
	if f.PrivateKey == "" || f.Certificate == "" || f.CACert == "" {
		return nil, errors.New("SSL remote requires private key, certificate and CA certificate")
	}
	return tlsconfig.Load(tlsconfig.Files{PrivateKey: f.PrivateKey, Certificate: f.Certificate, CACert: f.CACert})
}

// SetTLSFiles sets the files SSL remotes use.
func (s *Server) SetTLSFiles(f TLSFiles) {
	s.remotesMu.Lock()
	s.tlsFiles = f
	s.remotesMu.Unlock()
}

// resolveTLSFiles returns the SSL file names, reading those given as
// db:DB,TABLE,COLUMN from the database (the first string found), as
// ovsdb-server does for --private-key=db:Open_vSwitch,SSL,private_key.
// remotesMu is held.
func (s *Server) resolveTLSFiles() TLSFiles {
	f := s.tlsFiles
	for _, field := range []*string{&f.PrivateKey, &f.Certificate, &f.CACert} {
		if !strings.HasPrefix(*field, "db:") {
			continue
		}
		spec, err := parseDBColumn(*field)
		*field = ""
		if err != nil {
			continue
		}
		s.mu.Lock()
		if values := s.dbRemoteTargets(spec); len(values) > 0 {
			*field = values[0]
		}
		s.mu.Unlock()
	}
	return f
}

// splitPortHost parses "PORT[:IP]" (passive) into a listen address.
func splitPortHost(spec string) (string, error) {
	port, host, _ := strings.Cut(spec, ":")
	if port == "" {
		return "", fmt.Errorf("missing port in %q", spec)
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return net.JoinHostPort(host, port), nil
}

// splitHostPort parses "IP:PORT" (active), with IPv6 in brackets.
func splitHostPort(spec string) (string, error) {
	i := strings.LastIndex(spec, ":")
	if i <= 0 {
		return "", fmt.Errorf("%q is not IP:PORT", spec)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(spec[:i], "["), "]")
	return net.JoinHostPort(host, spec[i+1:]), nil
}

// AddRemote starts serving on a remote in ovsdb-server's syntax: punix:PATH,
// ptcp:PORT[:IP], pssl:PORT[:IP] listen; unix:PATH, tcp:IP:PORT,
// ssl:IP:PORT connect out and reconnect when the connection drops.
func (s *Server) AddRemote(name string) error {
	s.remotesMu.Lock()
	defer s.remotesMu.Unlock()
	if s.remotes[name] != nil {
		return nil
	}
	kind, arg, ok := strings.Cut(name, ":")
	if !ok {
		return fmt.Errorf("add remote %s: missing type prefix", name)
	}
	r := &remote{name: name, done: make(chan struct{})}
	var err error
	switch kind {
	case "punix":
		r.ln, err = listenUnix(arg)
	case "ptcp":
		var addr string
		if addr, err = splitPortHost(arg); err == nil {
			r.ln, err = net.Listen("tcp", addr)
		}
	case "pssl":
		var addr string
		var cfg *tls.Config
		if addr, err = splitPortHost(arg); err == nil {
			if cfg, err = s.resolveTLSFiles().tlsConfig(); err == nil {
				r.ln, err = tls.Listen("tcp", addr, cfg)
			}
		}
	case "unix", "tcp", "ssl":
		dial, derr := s.dialer(kind, arg)
		if derr != nil {
			return fmt.Errorf("add remote %s: %w", name, derr)
		}
		s.wg.Add(1)
		go s.connectLoop(r, dial)
	default:
		return fmt.Errorf("add remote %s: unknown remote type %q", name, kind)
	}
	if err != nil {
		return fmt.Errorf("add remote %s: %w", name, err)
	}
	if r.ln != nil {
		s.wg.Add(1)
		go s.acceptLoop(r)
	}
	s.remotes[name] = r
	return nil
}

// listenUnix binds a unix socket with mode 0750, replacing a stale one.
func listenUnix(path string) (net.Listener, error) { return daemon.ListenUnix(path) }

func (s *Server) dialer(kind, arg string) (func() (net.Conn, error), error) {
	switch kind {
	case "unix":
		return func() (net.Conn, error) { return net.Dial("unix", arg) }, nil
	case "tcp":
		addr, err := splitHostPort(arg)
		if err != nil {
			return nil, err
		}
		return func() (net.Conn, error) { return net.DialTimeout("tcp", addr, 10*time.Second) }, nil
	}
	addr, err := splitHostPort(arg)
	if err != nil {
		return nil, err
	}
	cfg, err := s.resolveTLSFiles().tlsConfig()
	if err != nil {
		return nil, err
	}
	return func() (net.Conn, error) {
		return tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, cfg)
	}, nil
}

func (s *Server) acceptLoop(r *remote) {
	defer s.wg.Done()
	for {
		conn, err := r.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.logf("ERR|%s: accept: %v", r.name, err)
			}
			return
		}
		probe := InactivityProbe
		if _, isUnix := conn.(*net.UnixConn); isUnix {
			probe = 0
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(conn, probe)
		}()
	}
}

// connectLoop keeps an active remote connected, backing off from 1 s to
// 8 s between attempts like OVS's reconnect.
func (s *Server) connectLoop(r *remote, dial func() (net.Conn, error)) {
	defer s.wg.Done()
	backoff := time.Second
	for {
		conn, err := dial()
		if err == nil {
			r.mu.Lock()
			if r.stopped {
				r.mu.Unlock()
				conn.Close()
				return
			}
			r.conn = conn
			r.mu.Unlock()
			s.logf("INFO|%s: connected", r.name)
			probe := InactivityProbe
			if _, isUnix := conn.(*net.UnixConn); isUnix {
				probe = 0
			}
			s.serve(conn, probe)
			backoff = time.Second
		} else {
			s.logf("WARN|%s: connection attempt failed (%v)", r.name, err)
		}
		select {
		case <-r.done:
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 8*time.Second)
	}
}

// RemoveRemote stops a remote started by AddRemote.
func (s *Server) RemoveRemote(name string) bool {
	s.remotesMu.Lock()
	defer s.remotesMu.Unlock()
	r := s.remotes[name]
	if r == nil {
		return false
	}
	r.stop()
	delete(s.remotes, name)
	return true
}

// Remotes lists the configured remotes, sorted.
func (s *Server) Remotes() []string {
	s.remotesMu.Lock()
	defer s.remotesMu.Unlock()
	names := make([]string, 0, len(s.remotes))
	for name := range s.remotes {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// ListenAddr returns the address a passive remote listens on (useful with
// ptcp:0), or nil.
func (s *Server) ListenAddr(name string) net.Addr {
	s.remotesMu.Lock()
	defer s.remotesMu.Unlock()
	if r := s.remotes[name]; r != nil && r.ln != nil {
		return r.ln.Addr()
	}
	return nil
}
