package connmgr

import (
	"bytes"
	"crypto/tls"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/internal/tlsconfig"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// sslParties is a CA with the switch's and the controller's identities.
type sslParties struct {
	pki                *testutil.PKI
	switchFiles        tlsconfig.Files
	controllerTLS      *tls.Config
	controllerIdentity testutil.Identity
}

func newSSLParties(t *testing.T) sslParties {
	pki := testutil.NewPKI(t, "testca")
	sw, ctl := pki.Issue("switch"), pki.Issue("controller")
	cfg, err := tlsconfig.Load(tlsconfig.Files{PrivateKey: ctl.PrivateKey, Certificate: ctl.Certificate, CACert: pki.CACert})
	if err != nil {
		t.Fatal(err)
	}
	return sslParties{pki: pki, controllerTLS: cfg, controllerIdentity: ctl,
		switchFiles: tlsconfig.Files{PrivateKey: sw.PrivateKey, Certificate: sw.Certificate, CACert: pki.CACert}}
}

// checkPeerIsSwitch fails unless the TLS peer presented the switch's
// certificate.
func checkPeerIsSwitch(t *testing.T, tc *tls.Conn) {
	t.Helper()
	peers := tc.ConnectionState().PeerCertificates
	if len(peers) == 0 || peers[0].Subject.CommonName != "switch" {
		t.Fatalf("switch presented %v", peers)
	}
}

// exerciseController runs echo, features and a flow_mod through c.
func exerciseController(t *testing.T, b *ofproto.Bridge, c *testController) {
	t.Helper()
	c.send(&ofp.EchoRequest{Data: []byte("tls")})
	if e, ok := c.recv().(*ofp.EchoReply); !ok || string(e.Data) != "tls" {
		t.Fatalf("echo reply %+v", e)
	}
	c.send(&ofp.FeaturesRequest{})
	if f, ok := c.recv().(*ofp.FeaturesReply); !ok || f.DatapathID != DatapathID("br0") {
		t.Fatalf("features reply %+v", f)
	}
	f, err := flowtable.ParseFlow("table=2,priority=9,ip,actions=drop", flowtable.FlowAdd, nil, flowtable.OpenFlow15)
	if err != nil {
		t.Fatal(err)
	}
	c.send(&ofp.FlowMod{Command: flowtable.FlowAdd, Flow: *f})
	c.send(&ofp.BarrierRequest{})
	if _, ok := c.recv().(*ofp.BarrierReply); !ok {
		t.Fatal("no barrier reply")
	}
	if b.Table(2).Len() != 1 {
		t.Fatal("the controller's flow_mod did not reach table 2")
	}
}

// TestSSLActiveController: with ssl: the switch connects out, presents its
// certificate, checks the controller's against the CA, and then serves
// OpenFlow over TLS.
func TestSSLActiveController(t *testing.T) {
	p := newSSLParties(t)
	b, m := newControlledBridge(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	target := "ssl:" + ln.Addr().String()
	m.SetControllers([]ControllerConfig{{Target: target, SSL: p.switchFiles}}, false)
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
	raw, err := ln.Accept()
	if err != nil {
		t.Fatalf("the switch never connected: %v", err)
	}
	tc := tls.Server(raw, p.controllerTLS)
	defer tc.Close()
	if err := tc.Handshake(); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	checkPeerIsSwitch(t, tc)
	c := handshake(t, tc)
	waitUntil(t, "is_connected", func() bool { return m.ControllerConnected()[target] })
	exerciseController(t, b, c)
}

// TestSSLPassiveController: with pssl: the controller connects to the
// switch; a controller whose certificate another CA signed is refused.
func TestSSLPassiveController(t *testing.T) {
	p := newSSLParties(t)
	b, m := newControlledBridge(t)
	port := freePort(t)
	target := "pssl:" + itoa(port) + ":127.0.0.1"
	m.SetControllers([]ControllerConfig{{Target: target, SSL: p.switchFiles}}, true)

	tc, err := tls.Dial("tcp", "127.0.0.1:"+itoa(port), p.controllerTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	checkPeerIsSwitch(t, tc)
	c := handshake(t, tc)
	waitUntil(t, "is_connected", func() bool { return m.ControllerConnected()[target] })
	exerciseController(t, b, c)

	other := testutil.NewPKI(t, "otherca")
	stranger := other.Issue("stranger")
	cfg, err := tlsconfig.Load(tlsconfig.Files{PrivateKey: stranger.PrivateKey, Certificate: stranger.Certificate, CACert: p.pki.CACert})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := tls.Dial("tcp", "127.0.0.1:"+itoa(port), cfg)
	if err == nil {
		// With TLS 1.3 the client finishes first; the refusal arrives on
		// the first read.
		bad.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = bad.Read(make([]byte, 1))
		bad.Close()
	}
	if err == nil {
		t.Fatal("the switch accepted a certificate from another CA")
	}
}

// TestSSLMissingConfig: without SSL files the switch still connects (and
// listens), but each connection fails with OVS's log messages.
func TestSSLMissingConfig(t *testing.T) {
	var log testutil.SyncBuffer
	b := ofproto.NewBridge("br0")
	m, _ := listenBridge(t, b, &log)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := freePort(t)
	active, passive := "ssl:"+ln.Addr().String(), "pssl:"+itoa(port)+":127.0.0.1"
	m.SetControllers([]ControllerConfig{{Target: active}, {Target: passive}}, true)
	conn, err := net.Dial("tcp", "127.0.0.1:"+itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, _ := conn.Read(make([]byte, 1)); n != 0 {
		t.Fatal("pssl: without SSL files answered")
	}
	conn.Close()
	for _, want := range []string{
		"|stream_ssl|ERR|Private key must be configured to use SSL",
		"|stream_ssl|ERR|Certificate must be configured to use SSL",
		"|stream_ssl|ERR|CA certificate must be configured to use SSL",
		"|rconn|WARN|br0<->" + active + ": connection failed (Protocol not available)",
		"|connmgr|WARN|accept failed (Protocol not available)",
	} {
		waitUntil(t, want, func() bool { return strings.Contains(log.String(), want) })
	}
	if m.ControllerConnected()[active] || m.ControllerConnected()[passive] {
		t.Fatal("a controller counts as connected without SSL")
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestSSLBootstrapCACert: with bootstrap_ca_cert and no CA file, the
// switch's first connection saves the CA certificate the controller
// sends after its own and is dropped; the next is verified against it.
func TestSSLBootstrapCACert(t *testing.T) {
	p := newSSLParties(t)
	caPEM, err := os.ReadFile(p.pki.CACert)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(caPEM)
	ctlTLS := p.controllerTLS.Clone()
	ctlTLS.Certificates[0].Certificate = append(ctlTLS.Certificates[0].Certificate, block.Bytes)

	var log testutil.SyncBuffer
	b := ofproto.NewBridge("br0")
	m, _ := listenBridge(t, b, &log)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	files := p.switchFiles
	files.CACert = filepath.Join(t.TempDir(), "cacert.pem")
	files.BootstrapCACert = true
	target := "ssl:" + ln.Addr().String()
	m.SetControllers([]ControllerConfig{{Target: target, SSL: files}}, false)

	accept := func() *tls.Conn {
		t.Helper()
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
		raw, err := ln.Accept()
		if err != nil {
			t.Fatalf("the switch never connected: %v", err)
		}
		tc := tls.Server(raw, ctlTLS)
		if err := tc.Handshake(); err != nil {
			t.Fatalf("handshake: %v", err)
		}
		return tc
	}
	first := accept()
	first.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, _ := first.Read(make([]byte, 1)); n != 0 {
		t.Fatal("the bootstrap connection carried data")
	}
	first.Close()
	if saved, err := os.ReadFile(files.CACert); err != nil || !bytes.Equal(saved, caPEM) {
		t.Fatalf("bootstrapped CA file: %v\n%s\nwant\n%s", err, saved, caPEM)
	}
	for _, want := range []string{
		"|stream_ssl|INFO|successfully bootstrapped CA cert to " + files.CACert,
		"|stream_ssl|INFO|killing successful connection to retry using CA cert",
		"|rconn|WARN|br0<->" + target + ": connection failed (Protocol error)",
	} {
		waitUntil(t, want, func() bool { return strings.Contains(log.String(), want) })
	}
	second := accept()
	defer second.Close()
	c := handshake(t, second)
	waitUntil(t, "is_connected", func() bool { return m.ControllerConnected()[target] })
	exerciseController(t, b, c)
}
