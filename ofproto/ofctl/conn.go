package ofctl

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/govs/govs/ofproto/ofp"
)

// defaultRundir is OVS_RUNDIR's default, where bridges' management
// sockets live.
const defaultRundir = "/var/run/openvswitch"

// defaultOpenFlowPort is the TCP port a "tcp:IP" target without a port
// connects to.
const defaultOpenFlowPort = "6653"

// connectTimeout bounds connecting and negotiating.
const connectTimeout = 30 * time.Second

func rundir() string {
	if d := os.Getenv("OVS_RUNDIR"); d != "" {
		return d
	}
	return defaultRundir
}

// conn is one OpenFlow connection to the switch.
type conn struct {
	c      *ctl
	target string
	nc     net.Conn
	r      *ofp.Reader
	v      ofp.Version
}

// versionByName parses "OpenFlow13" (any case).
func versionByName(name string) (ofp.Version, bool) {
	for v := ofp.OF10; v <= ofp.OF15; v++ {
		if strings.EqualFold(name, v.String()) {
			return v, true
		}
	}
	return 0, false
}

// allowedVersions is the HELLO bitmap: -O's list, else OpenFlow 1.0.
func (c *ctl) allowedVersions() uint32 {
	if c.bundle {
		return c.bundleVersions()
	}
	if c.versions != 0 {
		return c.versions
	}
	return 1 << ofp.OF10
}

// strerror writes a system error as C's strerror does ("No such file or
// directory").
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return err.Error()
}

// unixPath resolves a unix socket name: relative names are in the rundir.
func unixPath(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(rundir(), name)
}

// open connects to target as ovs-ofctl does: "unix:PATH", "tcp:IP[:PORT]"
// or "ssl:IP[:PORT]"
// as given; otherwise a socket of that name, then the bridge's management
// socket, failing with "NAME is not a bridge or a socket".
func (c *ctl) open(target string) (*conn, error) {
	if strings.Contains(target, ":") {
		kind, addr, _ := strings.Cut(target, ":")
		var nc net.Conn
		var err error
		switch kind {
		case "unix":
			nc, err = net.DialTimeout("unix", unixPath(addr), connectTimeout)
		case "tcp":
			if _, _, splitErr := net.SplitHostPort(addr); splitErr != nil {
				addr = net.JoinHostPort(addr, defaultOpenFlowPort)
			}
			nc, err = net.DialTimeout("tcp", addr, connectTimeout)
		case "ssl":
			if nc, err = c.dialSSL(target, addr); err != nil {
				return nil, err
			}
		default:
			err = syscall.EAFNOSUPPORT
		}
		if err != nil {
			return nil, fatalf("connecting to %s (%s)", target, strerror(err))
		}
		return c.handshake(target, nc)
	}
	for _, path := range []string{target, filepath.Join(rundir(), target+".mgmt")} {
		nc, err := net.DialTimeout("unix", unixPath(path), connectTimeout)
		if err == nil {
			return c.handshake("unix:"+path, nc)
		}
		if !errors.Is(err, syscall.ENOENT) {
			return nil, fatalf("%s: failed to open socket (%s)", path, strerror(err))
		}
	}
	return nil, fatalf("%s is not a bridge or a socket", target)
}

// nextXid allocates a transaction id; like ovs-ofctl's, the counter
// spans all of an invocation's connections, HELLOs included.
func (c *ctl) nextXid() uint32 {
	x := c.xid
	c.xid++
	return x
}

// handshake exchanges HELLOs and settles the version.
func (c *ctl) handshake(target string, nc net.Conn) (*conn, error) {
	cn := &conn{c: c, target: target, nc: nc, r: ofp.NewReader(nc)}
	hello, err := ofp.Encode(ofp.OF10, c.nextXid(), &ofp.Hello{Versions: c.allowedVersions()})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("%s: %w", target, err)
	}
	if _, err := nc.Write(hello); err != nil {
		nc.Close()
		return nil, fatalf("%s: failed to connect (%s)", target, strerror(err))
	}
	raw, err := cn.r.Next()
	if err != nil {
		nc.Close()
		return nil, cn.receiveError(err)
	}
	_, msg, err := ofp.Decode(raw)
	theirs, ok := msg.(*ofp.Hello)
	if err != nil || !ok {
		nc.Close()
		return nil, fatalf("%s: failed to connect (Protocol error)", target)
	}
	if cn.v, err = ofp.Negotiate(c.allowedVersions(), theirs.Versions); err != nil {
		nc.Close()
		return nil, fatalf("%s: failed to connect (Protocol error)", target)
	}
	return cn, nil
}

func (cn *conn) close() { cn.nc.Close() }

// receiveError describes a failure to read from the switch.
func (cn *conn) receiveError(err error) error {
	if errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrClosed) || err.Error() == "EOF" {
		return fatalf("%s: receive failed (End of file)", cn.target)
	}
	return fatalf("%s: receive failed (%s)", cn.target, strerror(err))
}

// send encodes and writes m with xid.
func (cn *conn) send(xid uint32, m ofp.Message) error {
	b, err := ofp.Encode(cn.v, xid, m)
	if err != nil {
		return fmt.Errorf("%s: %w", cn.target, err)
	}
	return cn.sendRaw(b)
}

func (cn *conn) sendRaw(b []byte) error {
	if _, err := cn.nc.Write(b); err != nil {
		return fatalf("%s: send failed (%s)", cn.target, strerror(err))
	}
	return nil
}

// received is one message from the switch: its bytes, header and the
// decoded message (nil when it did not decode).
type received struct {
	raw []byte
	h   ofp.Header
	msg ofp.Message
}

// recv returns the next message that is not an echo request (those are
// answered) nor a HELLO.
func (cn *conn) recv() (received, error) {
	for {
		raw, err := cn.r.Next()
		if err != nil {
			return received{}, cn.receiveError(err)
		}
		raw = append([]byte(nil), raw...)
		h, msg, _ := ofp.Decode(raw)
		switch m := msg.(type) {
		case *ofp.EchoRequest:
			if err := cn.send(h.Xid, &ofp.EchoReply{Data: m.Data}); err != nil {
				return received{}, err
			}
			continue
		case *ofp.Hello:
			continue
		}
		return received{raw: raw, h: h, msg: msg}, nil
	}
}

// recvXid returns the next message with the given xid, skipping others.
func (cn *conn) recvXid(xid uint32) (received, error) {
	for {
		r, err := cn.recv()
		if err != nil || r.h.Xid == xid {
			return r, err
		}
	}
}

// transact sends m and returns the first message answering it.
func (cn *conn) transact(m ofp.Message) (received, error) {
	xid := cn.c.nextXid()
	if err := cn.send(xid, m); err != nil {
		return received{}, err
	}
	return cn.recvXid(xid)
}

// moreFollows reports whether a statistics reply has more parts.
func moreFollows(r received) bool {
	switch m := r.msg.(type) {
	case *ofp.FlowStatsReply:
		return m.More
	case *ofp.TableStatsReply:
		return m.More
	case *ofp.PortStatsReply:
		return m.More
	case *ofp.PortDescStatsReply:
		return m.More
	case *ofp.TableFeaturesReply:
		return m.More
	case *ofp.GroupDescStatsReply:
		return m.More
	case *ofp.GroupStatsReply:
		return m.More
	case *ofp.MeterConfigReply:
		return m.More
	case *ofp.MeterStatsReply:
		return m.More
	case *ofp.TableDescReply:
		return m.More
	}
	return false
}

// dump sends a statistics request and returns every reply part; an
// OFPT_ERROR ends the dump and is returned as the last part.
func (cn *conn) dump(m ofp.Message) ([]received, error) {
	xid := cn.c.nextXid()
	if err := cn.send(xid, m); err != nil {
		return nil, err
	}
	return cn.collectXid(xid)
}

// collectXid gathers the reply parts with the given xid.
func (cn *conn) collectXid(xid uint32) ([]received, error) {
	var parts []received
	for {
		r, err := cn.recvXid(xid)
		if err != nil {
			return parts, err
		}
		parts = append(parts, r)
		if !moreFollows(r) {
			return parts, nil
		}
	}
}

// barrier sends a barrier request and waits for its reply, returning any
// OFPT_ERROR received for earlier requests on the way.
func (cn *conn) barrier() ([]received, error) {
	xid := cn.c.nextXid()
	if err := cn.send(xid, &ofp.BarrierRequest{}); err != nil {
		return nil, err
	}
	var errs []received
	for {
		r, err := cn.recv()
		if err != nil {
			return errs, err
		}
		if _, ok := r.msg.(*ofp.ErrorMsg); ok {
			errs = append(errs, r)
			if r.h.Xid == xid {
				return errs, nil
			}
			continue
		}
		if r.h.Xid == xid {
			return errs, nil
		}
	}
}
