package connmgr

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/govs/govs/internal/tlsconfig"
)

// ControllerConfig is one of a bridge's Controller rows.
type ControllerConfig struct {
	// Target is where the controller is: tcp:IP[:PORT], ssl:IP[:PORT] or
	// unix:PATH to connect to it, ptcp:[PORT][:IP], pssl:[PORT][:IP] or
	// punix:PATH to wait for it.
	Target string
	// InactivityProbe is how long a silent connection waits before the
	// switch sends an echo request (and as long again before it gives up);
	// 0 means OVS's default of 5 seconds.
	InactivityProbe time.Duration
	// MaxBackoff caps the wait between connection attempts; 0 means 8 s.
	MaxBackoff time.Duration
	// SSL names the key, certificate and CA certificate files that ssl:
	// and pssl: targets use (ssl.go).
	SSL tlsconfig.Files
}

const (
	defaultProbe      = 5 * time.Second
	defaultMaxBackoff = 8 * time.Second
	defaultOFPort     = "6653"
)

func (c ControllerConfig) probe() time.Duration {
	if c.InactivityProbe > 0 {
		return c.InactivityProbe
	}
	return defaultProbe
}

// controller is a running connection (or listener) for one target.
type controller struct {
	cfg    ControllerConfig
	cancel context.CancelFunc
	done   chan struct{}

	mu        sync.Mutex
	connected int // live sessions
	ln        net.Listener
}

func (c *controller) isConnected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connected > 0
}

// SetControllers makes the bridge's controller connections match cfgs and
// sets the fail mode: standalone bridges fail open after three inactivity
// probe intervals without a controller, secure ones never do.
func (m *Manager) SetControllers(cfgs []ControllerConfig, standalone bool) {
	want := map[string]ControllerConfig{}
	for _, c := range cfgs {
		want[c.Target] = c
	}
	// Stop removed or changed controllers without holding m.mu: their
	// sessions take it on the way out.
	m.mu.Lock()
	var stopping []*controller
	for target, c := range m.controllers {
		if nc, ok := want[target]; !ok || nc != c.cfg {
			stopping = append(stopping, c)
			delete(m.controllers, target)
			m.log.Printf("connmgr", "INFO", "%s: removed primary controller \"%s\"", m.bridge.Name(), target)
		}
	}
	m.mu.Unlock()
	for _, c := range stopping {
		c.cancel()
		<-c.done
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	for target, cfg := range want {
		if _, ok := m.controllers[target]; ok {
			continue
		}
		c, err := m.startController(cfg)
		if err != nil {
			m.log.Printf("connmgr", "ERR", "%s: %v", m.bridge.Name(), err)
			continue
		}
		m.controllers[target] = c
		m.log.Printf("connmgr", "INFO", "%s: added primary controller \"%s\"", m.bridge.Name(), target)
	}
	m.standalone = standalone
	if len(m.controllers) > 0 && m.lastControl.IsZero() {
		m.lastControl = time.Now()
	}
	m.updateFailOpenLocked(time.Now())
}

// ControllerConnected reports, per target, whether a controller is
// connected (the Controller table's is_connected).
func (m *Manager) ControllerConnected() map[string]bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]bool{}
	for target, c := range m.controllers {
		out[target] = c.isConnected()
	}
	return out
}

func (m *Manager) startController(cfg ControllerConfig) (*controller, error) {
	kind, addr, _ := strings.Cut(cfg.Target, ":")
	ctx, cancel := context.WithCancel(context.Background())
	c := &controller{cfg: cfg, cancel: cancel, done: make(chan struct{})}
	switch kind {
	case "tcp", "unix", "ssl":
		network, address := "unix", addr
		if kind != "unix" {
			network, address = "tcp", withDefaultPort(addr)
		}
		go m.connectLoop(ctx, c, network, address)
	case "ptcp", "punix", "pssl":
		network, address := "unix", addr
		if kind != "punix" {
			network, address = "tcp", passiveTCPAddr(addr)
		}
		ln, err := net.Listen(network, address)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("%s: listen: %w", cfg.Target, err)
		}
		c.ln = ln
		go m.acceptLoop(ctx, c)
	default:
		cancel()
		return nil, fmt.Errorf("%s: unsupported controller target", cfg.Target)
	}
	return c, nil
}

// withDefaultPort turns "IP" into "IP:6653".
func withDefaultPort(addr string) string {
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	return net.JoinHostPort(addr, defaultOFPort)
}

// passiveTCPAddr turns ptcp's "[PORT][:IP]" into a listen address.
func passiveTCPAddr(s string) string {
	port, ip, _ := strings.Cut(s, ":")
	if port == "" {
		port = defaultOFPort
	}
	return net.JoinHostPort(ip, port)
}

// connectLoop keeps connecting to an active controller, backing off from 1
// second up to MaxBackoff between failures, as OVS's rconn does.
func (m *Manager) connectLoop(ctx context.Context, c *controller, network, address string) {
	defer close(c.done)
	name := fmt.Sprintf("%s<->%s", m.bridge.Name(), c.cfg.Target)
	maxBackoff := c.cfg.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = defaultMaxBackoff
	}
	backoff := time.Second
	for {
		m.log.Printf("rconn", "INFO", "%s: connecting...", name)
		conn, err := m.dial(ctx, c, network, address)
		if err == nil {
			m.log.Printf("rconn", "INFO", "%s: connected", name)
			backoff = time.Second
			m.runControllerSession(ctx, c, conn)
			m.log.Printf("rconn", "INFO", "%s: connection closed", name)
		} else if ctx.Err() == nil {
			m.log.Printf("rconn", "WARN", "%s: connection failed (%v)", name, err)
			m.log.Printf("rconn", "INFO", "%s: waiting %d seconds before reconnect", name, int(backoff/time.Second))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// acceptLoop serves every controller that connects to a passive target.
func (m *Manager) acceptLoop(ctx context.Context, c *controller) {
	defer close(c.done)
	go func() {
		<-ctx.Done()
		c.ln.Close()
	}()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c.ssl() {
				if conn = m.sslServer(ctx, c, conn); conn == nil {
					return
				}
			}
			m.runControllerSession(ctx, c, conn)
		}()
	}
}

// runControllerSession serves one controller connection until it ends or
// ctx is cancelled, probing it when it falls silent.
func (m *Manager) runControllerSession(ctx context.Context, c *controller, conn net.Conn) {
	s := &session{mgr: m, conn: conn, controller: true, probe: c.cfg.probe()}
	c.mu.Lock()
	c.connected++
	c.mu.Unlock()
	m.controllerUp()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	m.mu.Lock()
	m.sessions[s] = struct{}{}
	m.mu.Unlock()
	s.serve()
	m.mu.Lock()
	delete(m.sessions, s)
	m.mu.Unlock()
	stop()
	c.mu.Lock()
	c.connected--
	c.mu.Unlock()
	m.controllerDown()
}

func (m *Manager) controllerUp() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.liveControllers++
	m.lastControl = time.Now()
	m.updateFailOpenLocked(time.Now())
	m.notify()
}

func (m *Manager) controllerDown() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.liveControllers--
	m.lastControl = time.Now()
	m.notify()
}

// updateFailOpenLocked turns fail-open on once a standalone bridge with
// controllers has had none connected for three probe intervals, and off
// as soon as one connects or the bridge stops wanting it. m.mu is held.
func (m *Manager) updateFailOpenLocked(now time.Time) {
	want := false
	if m.standalone && len(m.controllers) > 0 && m.liveControllers == 0 {
		want = now.Sub(m.lastControl) >= m.failOpenAfterLocked()
	}
	if want == m.bridge.FailOpen() {
		return
	}
	m.bridge.SetFailOpen(want)
	if want {
		m.log.Printf("fail_open", "WARN", "Could not connect to controller (or switch failed controller's post-connection admission control policy) for %d seconds, failing open",
			int(m.failOpenAfterLocked()/time.Second))
	} else {
		m.log.Printf("fail_open", "WARN", "No longer in fail-open mode")
	}
}

// failOpenAfterLocked is three times the shortest inactivity probe.
func (m *Manager) failOpenAfterLocked() time.Duration {
	probe := time.Duration(0)
	for _, c := range m.controllers {
		if p := c.cfg.probe(); probe == 0 || p < probe {
			probe = p
		}
	}
	return 3 * probe
}

// watchFailOpen re-evaluates fail-open every quarter second until the
// manager closes.
func (m *Manager) watchFailOpen() {
	defer m.wg.Done()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-m.quit:
			return
		case now := <-t.C:
			m.mu.Lock()
			m.updateFailOpenLocked(now)
			m.mu.Unlock()
		}
	}
}

// notify tells the manager's owner that controller status changed.
func (m *Manager) notify() {
	if m.onChange != nil {
		go m.onChange()
	}
}
