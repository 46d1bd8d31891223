package ofctl

import (
	"io"
	"net"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/internal/tlsconfig"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/connmgr"
)

// TestSSLTarget: ours and the real ovs-ofctl print the same over an ssl:
// target (a switch's pssl: controller target) with the options that
// name the key, certificate and CA, and fail alike without them.
func TestSSLTarget(t *testing.T) {
	real := testutil.RequireCommand(t, "ovs-ofctl")
	pki := testutil.NewPKI(t, "ca")
	sw, cl := pki.Issue("switch"), pki.Issue("client")
	b := ofproto.NewBridge("br0")
	dir := t.TempDir()
	m, err := connmgr.Listen(b, filepath.Join(dir, "br0.mgmt"), daemon.NewLog(io.Discard), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	m.SetControllers([]connmgr.ControllerConfig{{Target: "pssl:" + port + ":127.0.0.1",
		SSL: tlsconfig.Files{PrivateKey: sw.PrivateKey, Certificate: sw.Certificate, CACert: pki.CACert}}}, true)
	target := "ssl:127.0.0.1:" + port
	for _, args := range [][]string{
		{"--private-key=" + cl.PrivateKey, "--certificate=" + cl.Certificate, "--ca-cert=" + pki.CACert, "show", target},
		{"-p", cl.PrivateKey, "-c", cl.Certificate, "-C", pki.CACert, "-O", "OpenFlow13", "dump-flows", target},
		{"show", target},
		{"-p", cl.PrivateKey, "show", "ssl:127.0.0.1:1"},
	} {
		want := runReal(t, real, dir, "", args).masked()
		got := runOurs(t, dir, "", args).masked()
		if got != want {
			t.Errorf("ovs-ofctl %v:\n got: %+v\nwant: %+v", args, got, want)
		}
	}
}
