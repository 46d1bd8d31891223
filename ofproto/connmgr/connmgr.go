// Package connmgr runs a bridge's OpenFlow connections: the passive
// management socket ($OVS_RUNDIR/<bridge>.mgmt) that ovs-ofctl talks to
// with no further configuration, one session per client. Each session
// negotiates a version with HELLO and then answers requests against the
// bridge; a request that fails to decode or apply gets the OpenFlow error
// OVS would send, and the session goes on.
package connmgr

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// SupportedVersions is the HELLO version bitmap the switch offers:
// OpenFlow 1.0 through 1.5.
const SupportedVersions = 1<<ofp.OF10 | 1<<ofp.OF11 | 1<<ofp.OF12 | 1<<ofp.OF13 | 1<<ofp.OF14 | 1<<ofp.OF15

// Manager serves one bridge's management socket and its controller
// connections, and sends them packet-ins (see [Manager.PacketIn]).
type Manager struct {
	bridge *ofproto.Bridge
	log    *daemon.Log
	ln     net.Listener
	path   string

	mu       sync.Mutex
	sessions map[*session]struct{}
	closed   bool
	wg       sync.WaitGroup
	quit     chan struct{}

	// Controllers and fail mode (controller.go).
	controllers     map[string]*controller
	standalone      bool
	liveControllers int
	lastControl     time.Time // when a controller was last connected or configured
	// missToController is what the bridge was last told about table
	// misses (packetio.go).
	missToController bool
	onChange         func()

	portModMu sync.Mutex // serializes port_mods' read-modify-write of port config

	snoop snoopers // the snoop socket (snoop.go)
}

// Listen opens the management socket at path for bridge b and serves it
// until Close. onChange, if not nil, is called (on its own goroutine)
// whenever a controller connects or disconnects.
func Listen(b *ofproto.Bridge, path string, log *daemon.Log, onChange func()) (*Manager, error) {
	ln, err := daemon.ListenUnix(path)
	if err != nil {
		return nil, fmt.Errorf("connmgr: %s: %w", b.Name(), err)
	}
	m := &Manager{bridge: b, log: log, ln: ln, path: path, sessions: map[*session]struct{}{},
		quit: make(chan struct{}), controllers: map[string]*controller{}, standalone: true, onChange: onChange}
	b.SetFlowWatcher(m.watchFlows)
	m.listenSnoop()
	m.wg.Add(3)
	go m.accept()
	go m.watchFailOpen()
	go m.expireLoop()
	return m, nil
}

// Path is the management socket's file name.
func (m *Manager) Path() string { return m.path }

func (m *Manager) accept() {
	defer m.wg.Done()
	for {
		conn, err := m.ln.Accept()
		if err != nil {
			return
		}
		s := &session{mgr: m, conn: conn}
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			conn.Close()
			return
		}
		m.sessions[s] = struct{}{}
		m.wg.Add(1)
		m.mu.Unlock()
		go func() {
			defer m.wg.Done()
			s.serve()
			m.mu.Lock()
			delete(m.sessions, s)
			m.mu.Unlock()
		}()
	}
}

// Close stops listening, ends every session and controller connection and
// removes the socket.
func (m *Manager) Close() error {
	m.SetControllers(nil, true)
	m.mu.Lock()
	m.closed = true
	for s := range m.sessions {
		s.conn.Close()
	}
	close(m.quit)
	m.mu.Unlock()
	err := m.ln.Close()
	m.closeSnoop()
	m.wg.Wait()
	m.bridge.SetFlowWatcher(nil)
	return err
}

// flowModError turns a refused flow_mod into the OpenFlow error to send.
func flowModError(err error) ofp.ErrorCode {
	var fe *flowtable.FlowModError
	if errors.As(err, &fe) {
		return ofp.ErrorCode(fe.Code)
	}
	var oe *ofp.Error
	if errors.As(err, &oe) {
		return oe.Code
	}
	return ofp.BadRequestEPerm
}
