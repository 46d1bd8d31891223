package connmgr

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/govs/govs/internal/tlsconfig"
)

// sslHandshakeTimeout bounds a TLS handshake, so that a peer that
// connects and says nothing does not hold a connection attempt forever.
const sslHandshakeTimeout = 10 * time.Second

// ssl reports whether the controller's target is ssl: or pssl:.
func (c *controller) ssl() bool {
	return strings.HasPrefix(c.cfg.Target, "ssl:") || strings.HasPrefix(c.cfg.Target, "pssl:")
}

// errNoSSLConfig is ENOPROTOOPT as OVS prints it (strerror's capital
// letter, where Go's syscall text is lower case).
var errNoSSLConfig = errors.New("Protocol not available")

// sslConfig loads the SSL files for one connection. As in OVS, they are
// read for each connection, not when the target is configured, so a
// target without them keeps trying (and pssl: keeps listening); the
// missing ones are logged as OVS's stream_ssl module logs them and the
// connection fails with ENOPROTOOPT.
func (m *Manager) sslConfig(c *controller) (*tls.Config, error) {
	cfg, err := tlsconfig.Load(c.cfg.SSL)
	var missing *tlsconfig.MissingError
	if errors.As(err, &missing) {
		for _, msg := range missing.Messages {
			m.log.Printf("stream_ssl", "ERR", "%s", msg)
		}
		return nil, errNoSSLConfig
	}
	if err != nil {
		m.log.Printf("stream_ssl", "ERR", "%s: %v", c.cfg.Target, err)
		return nil, errNoSSLConfig
	}
	return cfg, nil
}

// dial connects to an active controller; for ssl: it first loads the
// SSL files (so that, as in OVS, missing ones fail the attempt before
// any connection is made) and then runs the client side of the TLS
// handshake.
func (m *Manager) dial(ctx context.Context, c *controller, network, address string) (net.Conn, error) {
	var d net.Dialer
	if !c.ssl() {
		return d.DialContext(ctx, network, address)
	}
	cfg, err := m.sslConfig(c)
	if err != nil {
		return nil, err
	}
	conn, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	tc := tls.Client(conn, cfg)
	hctx, cancel := context.WithTimeout(ctx, sslHandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// sslServer runs the server side of the TLS handshake on a connection a
// pssl: target accepted. It returns nil, having closed the connection
// and logged why, if the handshake cannot be made.
func (m *Manager) sslServer(ctx context.Context, c *controller, conn net.Conn) net.Conn {
	cfg, err := m.sslConfig(c)
	if err != nil {
		m.log.Printf("connmgr", "WARN", "accept failed (%v)", err)
		conn.Close()
		return nil
	}
	tc := tls.Server(conn, cfg)
	hctx, cancel := context.WithTimeout(ctx, sslHandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		m.log.Printf("stream_ssl", "WARN", "%s: SSL_accept: %v", c.cfg.Target, err)
		conn.Close()
		return nil
	}
	return tc
}
