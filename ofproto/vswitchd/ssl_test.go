package vswitchd

import (
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/internal/tlsconfig"
)

// TestRealOfctlOverSSL: `ovs-vsctl set-ssl` plus a pssl: controller
// target lets the real ovs-ofctl talk to the switch over mutual TLS, and
// without its certificate it gets nothing.
func TestRealOfctlOverSSL(t *testing.T) {
	ofctl := testutil.RequireCommand(t, "ovs-ofctl")
	remote, _ := startSwitch(t)
	pki := testutil.NewPKI(t, "testca")
	sw, ctl := pki.Issue("switch"), pki.Issue("ofctl")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	vsctl(t, remote, "add-br", "br0")
	vsctl(t, remote, "set-ssl", sw.PrivateKey, sw.Certificate, pki.CACert)
	vsctl(t, remote, "set-controller", "br0", "pssl:"+port+":127.0.0.1")

	show := func(args ...string) (string, error) {
		cmd := exec.Command(ofctl, append(args, "--timeout=5", "show", "ssl:127.0.0.1:"+port)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	var out string
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, err = show("--private-key="+ctl.PrivateKey, "--certificate="+ctl.Certificate, "--ca-cert="+pki.CACert)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("ovs-ofctl show over SSL: %v\n%s", err, out)
	}
	for _, want := range []string{"OFPT_FEATURES_REPLY", "n_tables:254", "LOCAL(br0)"} {
		if !strings.Contains(out, want) {
			t.Errorf("ovs-ofctl show lacks %q:\n%s", want, out)
		}
	}

	// A client whose certificate another CA signed is refused.
	other := testutil.NewPKI(t, "otherca").Issue("stranger")
	if out, err := show("--private-key="+other.PrivateKey, "--certificate="+other.Certificate, "--ca-cert="+pki.CACert); err == nil {
		t.Fatalf("the switch served a client from another CA:\n%s", out)
	}
}

// TestSSLCommandLineFiles: without an SSL row the command line's files
// serve; an SSL row replaces them.
func TestSSLCommandLineFiles(t *testing.T) {
	pki := testutil.NewPKI(t, "ca")
	id := pki.Issue("switch")
	var f tlsconfig.Files
	for _, o := range [][2]string{{"--private-key", id.PrivateKey}, {"--certificate", id.Certificate}, {"--bootstrap-ca-cert", pki.CACert}} {
		setSSLOption(&f, o[0], o[1])
	}
	want := tlsconfig.Files{PrivateKey: id.PrivateKey, Certificate: id.Certificate, CACert: pki.CACert, BootstrapCACert: true}
	if f != want {
		t.Fatalf("options gave %+v, want %+v", f, want)
	}
	remote, sw := startSwitch(t)
	sw.SetDefaultSSL(f)
	vsctl(t, remote, "add-br", "br0")
	sw.mu.Lock()
	got := sw.ssl
	sw.mu.Unlock()
	if got != f {
		t.Fatalf("without an SSL row: %+v", got)
	}
	vsctl(t, remote, "set-ssl", "/k", "/c", "/ca")
	sw.mu.Lock()
	got = sw.ssl
	sw.mu.Unlock()
	if got != (tlsconfig.Files{PrivateKey: "/k", Certificate: "/c", CACert: "/ca"}) {
		t.Fatalf("with an SSL row: %+v", got)
	}
}
