package vsctl

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/govs/govs/internal/jsonrpc"
	"github.com/govs/govs/internal/tlsconfig"
	"github.com/govs/govs/ovsdb"
)

// conn is a synchronous JSON-RPC connection to an OVSDB server.
type conn struct {
	c      net.Conn
	dec    *jsonrpc.Decoder
	enc    *jsonrpc.Encoder
	nextID int
}

// sslFiles are the --private-key, --certificate and --ca-cert options.
type sslFiles struct{ privateKey, certificate, caCert string }

func dial(remote string, ssl sslFiles, timeout time.Duration) (*conn, error) {
	kind, arg, _ := strings.Cut(remote, ":")
	d := net.Dialer{Timeout: timeout}
	var c net.Conn
	var err error
	switch kind {
	case "unix":
		c, err = d.Dial("unix", arg)
	case "tcp":
		c, err = d.Dial("tcp", hostPort(arg))
	case "ssl":
		var cfg *tls.Config
		if cfg, err = ssl.config(); err == nil {
			c, err = tls.DialWithDialer(&d, "tcp", hostPort(arg), cfg)
		}
	default:
		err = syscall.EAFNOSUPPORT
	}
	if err != nil {
		return nil, fmt.Errorf("%s: database connection failed (%s)", remote, strerror(err))
	}
	cn := &conn{c: c}
	cn.dec, cn.enc = newCodec(c)
	return cn, nil
}

func newCodec(c net.Conn) (*jsonrpc.Decoder, *jsonrpc.Encoder) {
	return jsonrpc.NewDecoder(c), jsonrpc.NewEncoder(c)
}

// strerror describes a connection error as C's strerror does, which is
// what OVS prints: "No such file or directory", "Connection refused".
func strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	text := errno.Error()
	return strings.ToUpper(text[:1]) + text[1:]
}

// hostPort turns OVS's "IP:PORT" (IPv6 in brackets) into a dial address.
func hostPort(arg string) string {
	i := strings.LastIndex(arg, ":")
	if i < 0 {
		return arg
	}
	host := strings.TrimSuffix(strings.TrimPrefix(arg[:i], "["), "]")
	return net.JoinHostPort(host, arg[i+1:])
}

// config loads the SSL files into the TLS config OVS's clients use: the
// server is authenticated by its CA, not by host name.
func (s sslFiles) config() (*tls.Config, error) {
	if s.privateKey == "" || s.certificate == "" || s.caCert == "" {
		return nil, errors.New("SSL requires --private-key, --certificate and --ca-cert")
	}
	return tlsconfig.Load(tlsconfig.Files{PrivateKey: s.privateKey, Certificate: s.certificate, CACert: s.caCert})
}

// call sends a request and returns its result, answering echo requests
// and skipping notifications meanwhile.
func (c *conn) call(method string, params ...any) (any, error) {
	c.nextID++
	if params == nil {
		params = []any{}
	}
	req, err := jsonrpc.NewRequest(method, params, c.nextID)
	if err != nil {
		return nil, err
	}
	if err := c.enc.Encode(req); err != nil {
		return nil, err
	}
	if err := c.enc.Flush(); err != nil {
		return nil, err
	}
	want, _ := json.Marshal(c.nextID)
	for {
		m, err := c.dec.Decode()
		if err != nil {
			return nil, fmt.Errorf("%s: receive failed (%w)", method, err)
		}
		if m.Kind() == jsonrpc.KindRequest && m.Method == "echo" {
			reply, _ := jsonrpc.NewReply(m.ID, json.RawMessage(m.Params))
			c.enc.Encode(reply)
			c.enc.Flush()
			continue
		}
		if m.Kind() != jsonrpc.KindReply || string(m.ID) != string(want) {
			continue
		}
		if len(m.Error) > 0 && string(m.Error) != "null" {
			return nil, fmt.Errorf("%s: %s", method, m.Error)
		}
		return ovsdb.ParseJSON(m.Result)
	}
}

func (c *conn) close() { c.c.Close() }
