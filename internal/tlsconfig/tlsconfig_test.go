package tlsconfig

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/govs/govs/internal/testutil"
)

// TestMissing: each unset file gets OVS's message.
func TestMissing(t *testing.T) {
	_, err := Load(Files{Certificate: "cert.pem"})
	var missing *MissingError
	if !errors.As(err, &missing) {
		t.Fatalf("Load: %v", err)
	}
	want := []string{"Private key must be configured to use SSL", "CA certificate must be configured to use SSL"}
	if !reflect.DeepEqual(missing.Messages, want) {
		t.Fatalf("messages %q, want %q", missing.Messages, want)
	}
}

// TestMutualTLS: two parties with certificates from one CA talk; a party
// from another CA is refused by the server, and the client refuses a
// server from another CA.
func TestMutualTLS(t *testing.T) {
	pki := testutil.NewPKI(t, "ca")
	load := func(pki *testutil.PKI, name string, ca string) *tls.Config {
		id := pki.Issue(name)
		cfg, err := Load(Files{PrivateKey: id.PrivateKey, Certificate: id.Certificate, CACert: ca})
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	other := testutil.NewPKI(t, "other")
	server := load(pki, "server", pki.CACert)
	for _, tc := range []struct {
		name   string
		client *tls.Config
		ok     bool
	}{
		{"same CA", load(pki, "client", pki.CACert), true},
		{"client from another CA", load(other, "stranger", pki.CACert), false},
		{"client trusting another CA", load(pki, "doubter", other.CACert), false},
	} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			a, err := ln.Accept()
			ln.Close()
			if err != nil {
				done <- err
				return
			}
			a.SetDeadline(time.Now().Add(5 * time.Second))
			s := tls.Server(a, server)
			err = s.Handshake()
			if err == nil {
				_, err = s.Write([]byte{1})
			}
			a.Close()
			done <- err
		}()
		b, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		b.SetDeadline(time.Now().Add(5 * time.Second))
		c := tls.Client(b, tc.client)
		err = c.Handshake()
		if err == nil {
			_, err = c.Read(make([]byte, 1))
		}
		b.Close()
		serr := <-done
		if ok := err == nil && serr == nil; ok != tc.ok {
			t.Errorf("%s: client %v, server %v", tc.name, err, serr)
		}
	}
}

// TestBootstrapCA: only a self-signed last certificate is saved, once.
func TestBootstrapCA(t *testing.T) {
	pki := testutil.NewPKI(t, "ca")
	id := pki.Issue("peer")
	parse := func(file string) *x509.Certificate {
		t.Helper()
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(b)
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	leaf, ca := parse(id.Certificate), parse(pki.CACert)
	path := filepath.Join(t.TempDir(), "cacert.pem")
	f := Files{CACert: path, BootstrapCACert: true}
	if !f.Bootstrapping() {
		t.Fatal("not bootstrapping without a CA file")
	}
	var be *BootstrapError
	if err := BootstrapCA(path, []*x509.Certificate{leaf}); !errors.As(err, &be) || len(be.Messages) != 2 {
		t.Fatalf("leaf alone: %v", err)
	}
	if err := BootstrapCA(path, nil); !errors.As(err, &be) || be.Messages[0] != "could not bootstrap CA cert: no certificate presented by peer" {
		t.Fatalf("no chain: %v", err)
	}
	if err := BootstrapCA(path, []*x509.Certificate{leaf, ca}); err != nil {
		t.Fatal(err)
	}
	if f.Bootstrapping() || !parse(path).Equal(ca) {
		t.Fatal("the CA was not saved")
	}
	if err := BootstrapCA(path, []*x509.Certificate{leaf, ca}); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second bootstrap: %v", err)
	}
}
