package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeTestPKI writes a CA and a certificate/key pair signed by it for
// the server and for the client, returning their file names.
func writeTestPKI(t *testing.T, dir string) (server, client TLSFiles) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "govs test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	writePEM := func(name, kind string, der []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	caPath := writePEM("cacert.pem", "CERTIFICATE", caDER)
	issue := func(name string, serial int64) TLSFiles {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			KeyUsage:    x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return TLSFiles{
			PrivateKey:  writePEM(name+"-privkey.pem", "PRIVATE KEY", keyDER),
			Certificate: writePEM(name+"-cert.pem", "CERTIFICATE", der),
			CACert:      caPath,
		}
	}
	return issue("server", 2), issue("client", 3)
}

// TestSSLRemoteWithOVSClient serves over pssl: with keys named in the
// database (as OVS's startup scripts configure them) and drives it with
// the real ovs-vsctl over ssl:.
func TestSSLRemoteWithOVSClient(t *testing.T) {
	vsctl := requireBinary(t, "ovs-vsctl")
	s, sock, _ := startGovs(t)
	dir := t.TempDir()
	serverFiles, clientFiles := writeTestPKI(t, dir)
	vsctlArgs := func(db string, args ...string) []string {
		return append([]string{"--db=" + db, "--no-wait", "--private-key=" + clientFiles.PrivateKey,
			"--certificate=" + clientFiles.Certificate, "--ca-cert=" + clientFiles.CACert}, args...)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(vsctl, args...)
		cmd.Env = ovsEnv(dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ovs-vsctl %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("--db=unix:"+sock, "--no-wait", "init")
	run("--db=unix:"+sock, "--no-wait", "set-ssl", serverFiles.PrivateKey, serverFiles.Certificate, serverFiles.CACert)
	s.SetTLSFiles(TLSFiles{
		PrivateKey: "db:Open_vSwitch,SSL,private_key", Certificate: "db:Open_vSwitch,SSL,certificate",
		CACert: "db:Open_vSwitch,SSL,ca_cert",
	})
	if err := s.AddRemote("pssl:0:127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	addr := s.ListenAddr("pssl:0:127.0.0.1").(*net.TCPAddr)
	db := fmt.Sprintf("ssl:127.0.0.1:%d", addr.Port)
	run(vsctlArgs(db, "add-br", "br-ssl")...)
	if got := run(vsctlArgs(db, "list-br")...); got != "br-ssl\n" {
		t.Errorf("list-br over SSL = %q", got)
	}
	// A client without a certificate from the CA is refused.
	otherDir := t.TempDir()
	_, stranger := writeTestPKI(t, otherDir)
	cmd := exec.Command(vsctl, "--db="+db, "--no-wait", "--timeout=2", "--private-key="+stranger.PrivateKey,
		"--certificate="+stranger.Certificate, "--ca-cert="+clientFiles.CACert, "list-br")
	cmd.Env = ovsEnv(dir)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("client with a foreign certificate was served: %s", out)
	}
}

// TestDBRemotes follows db:Open_vSwitch,Open_vSwitch,manager_options: a
// manager set with ovs-vsctl starts a listener, removing it stops it.
func TestDBRemotes(t *testing.T) {
	vsctl := requireBinary(t, "ovs-vsctl")
	s, sock, _ := startGovs(t)
	dir := t.TempDir()
	if err := s.addConfiguredRemote("db:Open_vSwitch,Open_vSwitch,manager_options"); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	target := fmt.Sprintf("ptcp:%d:127.0.0.1", port)
	for _, args := range [][]string{{"init"}, {"set-manager", target}} {
		cmd := exec.Command(vsctl, append([]string{"--db=unix:" + sock, "--no-wait"}, args...)...)
		cmd.Env = ovsEnv(dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ovs-vsctl %v: %v\n%s", args, err, out)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(strings.Join(s.Remotes(), " "), target) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	c := dialTest(t, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if got := mustJSON(t, c.call(t, "list_dbs")); got != `["Open_vSwitch","_Server"]` {
		t.Errorf("list_dbs over the manager remote = %s", got)
	}
	cmd := exec.Command(vsctl, "--db=unix:"+sock, "--no-wait", "del-manager")
	cmd.Env = ovsEnv(dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("del-manager: %v\n%s", err, out)
	}
	deadline = time.Now().Add(5 * time.Second)
	for strings.Contains(strings.Join(s.Remotes(), " "), target) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if strings.Contains(strings.Join(s.Remotes(), " "), target) {
		t.Errorf("remote %s still active after del-manager: %v", target, s.Remotes())
	}
}
