package connmgr

import (
	"io"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// testController is a minimal OpenFlow controller: it completes the
// handshake, answers echo requests and sends what the test asks.
type testController struct {
	t    *testing.T
	conn net.Conn
	r    *ofp.Reader
	v    ofp.Version
}

func acceptController(t *testing.T, ln net.Listener) *testController {
	t.Helper()
	return acceptControllerAt(t, ln, ofp.OF13)
}

// acceptControllerAt accepts the switch's connection and completes the
// handshake offering only version v.
func acceptControllerAt(t *testing.T, ln net.Listener, v ofp.Version) *testController {
	t.Helper()
	ln.(interface{ SetDeadline(time.Time) error }).SetDeadline(time.Now().Add(5 * time.Second))
	conn, err := ln.Accept()
	if err != nil {
		t.Fatalf("the switch never connected: %v", err)
	}
	return handshakeAt(t, conn, v)
}

func handshake(t *testing.T, conn net.Conn) *testController {
	t.Helper()
	return handshakeAt(t, conn, ofp.OF13)
}

// handshakeAt completes the handshake offering only version v.
func handshakeAt(t *testing.T, conn net.Conn, v ofp.Version) *testController {
	t.Helper()
	c := &testController{t: t, conn: conn, r: ofp.NewReader(conn), v: v}
	c.send(&ofp.Hello{Versions: 1 << v})
	if _, ok := c.recv().(*ofp.Hello); !ok {
		t.Fatal("switch did not start with HELLO")
	}
	c.send(&ofp.FeaturesRequest{})
	if f, ok := c.recv().(*ofp.FeaturesReply); !ok || f.NTables != 254 {
		t.Fatalf("features reply %+v", f)
	}
	return c
}

func (c *testController) send(m ofp.Message) {
	c.t.Helper()
	b, err := ofp.Encode(c.v, 1, m)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

// recv returns the next message that is not an echo request (those it
// answers).
func (c *testController) recv() ofp.Message {
	c.t.Helper()
	for {
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		raw, err := c.r.Next()
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		_, m, err := ofp.Decode(raw)
		if err != nil {
			c.t.Fatalf("decode: %v", err)
		}
		if e, ok := m.(*ofp.EchoRequest); ok {
			c.send(&ofp.EchoReply{Data: e.Data})
			continue
		}
		return m
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newControlledBridge(t *testing.T) (*ofproto.Bridge, *Manager) {
	t.Helper()
	b := ofproto.NewBridge("br0")
	m, _ := listenBridge(t, b, io.Discard)
	return b, m
}

// listenBridge serves b's management socket, br0.mgmt in a fresh
// directory, logging to log, until the test ends; it returns the manager
// and the socket's path.
func listenBridge(t *testing.T, b *ofproto.Bridge, log io.Writer) (*Manager, string) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "br0.mgmt")
	m, err := Listen(b, sock, daemon.NewLog(log), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, sock
}

// TestActiveControllers: the switch connects out to controllers over tcp
// and unix, takes their flow_mods, answers barriers, and reports them
// connected.
func TestActiveControllers(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			b, m := newControlledBridge(t)
			addr := "127.0.0.1:0"
			if network == "unix" {
				addr = filepath.Join(t.TempDir(), "ctl.sock")
			}
			ln, err := net.Listen(network, addr)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			target := network + ":" + ln.Addr().String()
			m.SetControllers([]ControllerConfig{{Target: target}}, false)
			c := acceptController(t, ln)
			waitUntil(t, "is_connected", func() bool { return m.ControllerConnected()[target] })

			f, err := flowtable.ParseFlow("table=1,priority=9,ip,actions=drop", flowtable.FlowAdd, nil, flowtable.OpenFlow15)
			if err != nil {
				t.Fatal(err)
			}
			c.send(&ofp.FlowMod{Command: flowtable.FlowAdd, Flow: *f})
			c.send(&ofp.BarrierRequest{})
			if _, ok := c.recv().(*ofp.BarrierReply); !ok {
				t.Fatal("no barrier reply")
			}
			if b.Table(1).Len() != 1 {
				t.Fatal("the controller's flow_mod did not reach table 1")
			}
			c.conn.Close()
			waitUntil(t, "disconnect noticed", func() bool { return !m.ControllerConnected()[target] })
			// The switch reconnects on its own (after its 1 s back-off).
			c = acceptController(t, ln)
			c.conn.Close()
		})
	}
}

// TestPassiveController: with ptcp the controller dials the switch.
func TestPassiveController(t *testing.T) {
	_, m := newControlledBridge(t)
	probe, _ := net.Listen("tcp", "127.0.0.1:0")
	port := probe.Addr().(*net.TCPAddr).Port
	probe.Close()
	target := "ptcp:" + itoa(port) + ":127.0.0.1"
	m.SetControllers([]ControllerConfig{{Target: target}}, true)
	conn, err := net.Dial("tcp", "127.0.0.1:"+itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	handshake(t, conn)
	waitUntil(t, "is_connected", func() bool { return m.ControllerConnected()[target] })
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestFailModes: a standalone bridge fails open three probe intervals
// after losing its controller and stops when one returns; a secure bridge
// never fails open; the controller's silence is probed with echo.
func TestFailModes(t *testing.T) {
	for _, standalone := range []bool{true, false} {
		b, m := newControlledBridge(t)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		probe := 200 * time.Millisecond
		m.SetControllers([]ControllerConfig{{Target: "tcp:" + ln.Addr().String(), InactivityProbe: probe}}, standalone)
		c := acceptController(t, ln)
		// Silent controller: the switch probes with an echo request.
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		raw, err := c.r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if _, msg, _ := ofp.Decode(raw); msg == nil {
			t.Fatal("undecodable probe")
		} else if _, ok := msg.(*ofp.EchoRequest); !ok {
			t.Fatalf("expected an echo request probe, got %T", msg)
		}
		if b.FailOpen() {
			t.Fatal("fail-open while the controller is connected")
		}
		c.conn.Close()
		ln.Close() // the controller is gone for good
		if standalone {
			waitUntil(t, "fail-open", b.FailOpen)
		} else {
			time.Sleep(5 * probe)
			if b.FailOpen() {
				t.Fatal("secure bridge failed open")
			}
		}
		m.SetControllers(nil, standalone)
		if b.FailOpen() {
			t.Fatal("fail-open with no controllers configured")
		}
	}
}

// TestPortStatusToControllers: a controller hears about ports that come
// and go (OVS's default async config sends every port status reason).
func TestPortStatusToControllers(t *testing.T) {
	_, m := newControlledBridge(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	target := "tcp:" + ln.Addr().String()
	m.SetControllers([]ControllerConfig{{Target: target}}, true)
	c := acceptController(t, ln)
	waitUntil(t, "is_connected", func() bool { return m.ControllerConnected()[target] })
	// A barrier round trip makes sure the session's settings are published.
	c.send(&ofp.BarrierRequest{})
	if _, ok := c.recv().(*ofp.BarrierReply); !ok {
		t.Fatal("no barrier reply")
	}
	m.PortStatus(ofp.PortAdded, 7, "p7")
	ps, ok := c.recv().(*ofp.PortStatus)
	if !ok || ps.Reason != ofp.PortAdded || ps.Desc.Port != 7 || ps.Desc.Name != "p7" {
		t.Fatalf("port status %+v", ps)
	}
	m.PortStatus(ofp.PortDeleted, 7, "p7")
	if ps, ok := c.recv().(*ofp.PortStatus); !ok || ps.Reason != ofp.PortDeleted {
		t.Fatalf("port status %+v", ps)
	}
}
