package connmgr

import (
	"context"
	"crypto/tls"
	"errors"
	"io/fs"
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
	boot := c.cfg.SSL.Bootstrapping()
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
	if boot {
		err := m.bootstrap(c, tc)
		tc.Close()
		return nil, err
	}
	return tc, nil
}

// errProtocol is EPROTO as OVS prints it.
var errProtocol = errors.New("Protocol error")

// bootstrap saves the CA certificate a connection made in bootstrap mode
// received (the last of the peer's chain) and fails the connection, so
// that the next one is verified against it, logging what OVS logs.
func (m *Manager) bootstrap(c *controller, tc *tls.Conn) error {
	path := c.cfg.SSL.CACert
	err := tlsconfig.BootstrapCA(path, tc.ConnectionState().PeerCertificates)
	var be *tlsconfig.BootstrapError
	switch {
	case err == nil:
		m.log.Printf("stream_ssl", "INFO", "successfully bootstrapped CA cert to %s", path)
		m.log.Printf("stream_ssl", "INFO", "killing successful connection to retry using CA cert")
	case errors.Is(err, fs.ErrExist):
		m.log.Printf("stream_ssl", "INFO", "reading CA cert %s created by another process", path)
	case errors.As(err, &be):
		for _, msg := range be.Messages {
			m.log.Printf("stream_ssl", "ERR", "%s", msg)
		}
	default:
		m.log.Printf("stream_ssl", "ERR", "could not bootstrap CA cert: creating %s failed: %v", path, err)
	}
	return errProtocol
}

// sslServer runs the server side of the TLS handshake on a connection a
// pssl: target accepted. It returns nil, having closed the connection
// and logged why, if the handshake cannot be made.
func (m *Manager) sslServer(ctx context.Context, c *controller, conn net.Conn) net.Conn {
	// Bootstrap mode is decided before the files are read: a CA file
	// that appears in between then only drops this connection.
	boot := c.cfg.SSL.Bootstrapping()
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
	if boot {
		m.bootstrap(c, tc)
		tc.Close()
		return nil
	}
	return tc
}
