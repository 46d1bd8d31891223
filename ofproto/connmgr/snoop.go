package connmgr

import (
	"net"
	"strings"
	"sync"

	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/ofproto/ofp"
)

// The snoop socket, as OVS's: $OVS_RUNDIR/<bridge>.snoop (next to the
// management socket) takes any number of connections ("ovs-ofctl snoop
// BRIDGE"); after a HELLO exchange each gets a copy of every message sent
// and received on the bridge's controller connections. A slow snooper
// loses messages rather than slowing a controller.

// snoopQueueLen is how many copies wait for a slow snooper.
const snoopQueueLen = 100

// snoopers are the snoop socket's listener and connections.
type snoopers struct {
	ln    net.Listener
	mu    sync.Mutex
	conns map[chan []byte]struct{}
}

// snoopPath is the snoop socket next to management socket mgmt.
func snoopPath(mgmt string) string {
	return strings.TrimSuffix(mgmt, ".mgmt") + ".snoop"
}

// listenSnoop opens the snoop socket and serves it until the manager
// closes. Without one (the path is taken) the bridge works on unsnooped.
func (m *Manager) listenSnoop() {
	ln, err := daemon.ListenUnix(snoopPath(m.path))
	if err != nil {
		m.log.Printf("connmgr", "WARN", "%s: snoop: %v", m.bridge.Name(), err)
		return
	}
	m.snoop.ln = ln
	m.snoop.conns = map[chan []byte]struct{}{}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			m.wg.Add(1)
			go func() {
				defer m.wg.Done()
				m.serveSnooper(c)
			}()
		}
	}()
}

// serveSnooper exchanges HELLOs with a snooper and then writes it the
// copies until it or the manager goes away.
func (m *Manager) serveSnooper(c net.Conn) {
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-m.quit:
			c.Close()
		case <-done:
			c.Close()
		}
	}()
	hello, err := ofp.Encode(ofp.OF15, 0, &ofp.Hello{Versions: SupportedVersions})
	if err != nil {
		return
	}
	if _, err := c.Write(hello); err != nil {
		return
	}
	if _, err := ofp.NewReader(c).Next(); err != nil {
		return
	}
	q := make(chan []byte, snoopQueueLen)
	m.snoop.mu.Lock()
	m.snoop.conns[q] = struct{}{}
	m.snoop.mu.Unlock()
	defer func() {
		m.snoop.mu.Lock()
		delete(m.snoop.conns, q)
		m.snoop.mu.Unlock()
	}()
	for {
		select {
		case <-m.quit:
			return
		case b := <-q:
			if _, err := c.Write(b); err != nil {
				return
			}
		}
	}
}

// snooped copies b, a message a controller connection sent or received,
// to every snooper.
func (m *Manager) snooped(b []byte) {
	m.snoop.mu.Lock()
	defer m.snoop.mu.Unlock()
	if len(m.snoop.conns) == 0 {
		return
	}
	c := append([]byte(nil), b...)
	for q := range m.snoop.conns {
		select {
		case q <- c:
		default:
		}
	}
}

// closeSnoop stops listening on the snoop socket.
func (m *Manager) closeSnoop() {
	if m.snoop.ln != nil {
		m.snoop.ln.Close()
	}
}
