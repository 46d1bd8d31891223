package ofctl

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/govs/govs/internal/tlsconfig"
)

// SSL targets: "ssl:IP[:PORT]" with --private-key (-p), --certificate
// (-c) and --ca-cert (-C), as ovs-ofctl takes them.
func init() {
	for name, short := range map[string]byte{"private-key": 'p', "certificate": 'c', "ca-cert": 'C'} {
		opt := option{argRequired, func(c *ctl, v string, _ bool) error {
			switch name {
			case "private-key":
				c.ssl.PrivateKey = v
			case "certificate":
				c.ssl.Certificate = v
			default:
				c.ssl.CACert = v
			}
			return nil
		}}
		longOptions[name] = opt
		shortOptions[short] = opt
	}
}

// dialSSL connects to an ssl: target and runs the TLS handshake, with
// ovs-ofctl's messages when the files are missing (checked before
// connecting, as OVS does) or the peer is not trusted.
func (c *ctl) dialSSL(target, addr string) (net.Conn, error) {
	cfg, err := tlsconfig.Load(c.ssl)
	var missing *tlsconfig.MissingError
	switch {
	case errors.As(err, &missing):
		for _, msg := range missing.Messages {
			fmt.Fprint(c.errOut, c.logLine("stream_ssl", "ERR", msg))
		}
		return nil, fatalf("connecting to %s (Protocol not available)", target)
	case err != nil:
		fmt.Fprint(c.errOut, c.logLine("stream_ssl", "ERR", err.Error()))
		return nil, fatalf("connecting to %s (Protocol not available)", target)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, defaultOpenFlowPort)
	}
	nc, err := net.DialTimeout("tcp", addr, connectTimeout)
	if err != nil {
		return nil, fatalf("%s: failed to connect to socket (%s)", target, strerror(err))
	}
	tc := tls.Client(nc, cfg)
	tc.SetDeadline(time.Now().Add(connectTimeout))
	if err := tc.Handshake(); err != nil {
		nc.Close()
		fmt.Fprint(c.errOut, c.logLine("stream_ssl", "WARN", "SSL_connect: "+err.Error()))
		return nil, fatalf("%s: failed to connect to socket (Protocol error)", target)
	}
	tc.SetDeadline(time.Time{})
	return tc, nil
}

// logLine formats a message as OVS logs it to the console.
func (c *ctl) logLine(module, level, msg string) string {
	c.logSeq++
	return fmt.Sprintf("%s|%05d|%s|%s|%s\n", time.Now().UTC().Format("2006-01-02T15:04:05Z"), c.logSeq, module, level, msg)
}
