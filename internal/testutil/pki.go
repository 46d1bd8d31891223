package testutil

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PKI is a throwaway certificate authority whose files live in a test's
// temporary directory, for SSL tests (as ovs-pki would make them: the CA
// signs each party's certificate, and peers check each other against it).
type PKI struct {
	tb     testing.TB
	dir    string
	key    *ecdsa.PrivateKey
	cert   *x509.Certificate
	serial int64
	// CACert is the CA certificate's PEM file.
	CACert string
}

// Identity is one party's private key and certificate files.
type Identity struct {
	PrivateKey, Certificate string
}

// NewPKI makes a CA named name in a new temporary directory.
func NewPKI(tb testing.TB, name string) *PKI {
	tb.Helper()
	p := &PKI{tb: tb, dir: tb.TempDir(), serial: 1}
	p.key = newKey(tb)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(p.serial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &p.key.PublicKey, p.key)
	if err != nil {
		tb.Fatal(err)
	}
	if p.cert, err = x509.ParseCertificate(der); err != nil {
		tb.Fatal(err)
	}
	p.CACert = p.write(name+"-cacert.pem", "CERTIFICATE", der)
	return p
}

// Issue makes a key pair for name and a certificate for it signed by the CA.
func (p *PKI) Issue(name string) Identity {
	p.tb.Helper()
	key := newKey(p.tb)
	p.serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(p.serial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.cert, &key.PublicKey, p.key)
	if err != nil {
		p.tb.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		p.tb.Fatal(err)
	}
	return Identity{
		PrivateKey:  p.write(name+"-privkey.pem", "PRIVATE KEY", keyDER),
		Certificate: p.write(name+"-cert.pem", "CERTIFICATE", der),
	}
}

func (p *PKI) write(file, kind string, der []byte) string {
	path := filepath.Join(p.dir, file)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		p.tb.Fatal(err)
	}
	return path
}

func newKey(tb testing.TB) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return key
}
