// Package tlsconfig builds the TLS configuration OVS daemons use for
// their ssl: and pssl: connections: each side presents its certificate
// and verifies the peer's against a CA certificate, identifying peers by
// CA rather than by host name (OVS peers are addressed by IP and their
// certificates, as ovs-pki makes them, name no hosts).
package tlsconfig

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// Files names the PEM files a daemon's SSL connections use: the
// Open_vSwitch database's SSL row, or --private-key, --certificate and
// --ca-cert.
type Files struct {
	PrivateKey, Certificate, CACert string
	// BootstrapCACert lets the first peer supply the CA certificate when
	// the CACert file does not exist yet (see [Files.Bootstrapping]).
	BootstrapCACert bool
}

// Bootstrapping reports whether connections made with f are in bootstrap
// mode: BootstrapCACert is set and the CA file does not exist. Such a
// connection trusts any peer; the caller saves the peer's CA with
// [BootstrapCA] and drops the connection, so that the next one is
// verified against it, as OVS does.
func (f Files) Bootstrapping() bool {
	if !f.BootstrapCACert || f.CACert == "" {
		return false
	}
	_, err := os.Stat(f.CACert)
	return errors.Is(err, fs.ErrNotExist)
}

// MissingError says which files were not configured, one message per
// file in OVS's words.
type MissingError struct {
	Messages []string
}

func (e *MissingError) Error() string { return strings.Join(e.Messages, "; ") }

// Load reads the key pair and the CA certificate into a config usable
// by both clients and servers: it presents the certificate, requires
// one from the peer and checks it against the CA. Unset files give a
// *MissingError.
func Load(f Files) (*tls.Config, error) {
	var missing []string
	if f.PrivateKey == "" {
		missing = append(missing, "Private key must be configured to use SSL")
	}
	if f.Certificate == "" {
		missing = append(missing, "Certificate must be configured to use SSL")
	}
	if f.CACert == "" && !f.BootstrapCACert {
		missing = append(missing, "CA certificate must be configured to use SSL")
	}
	if len(missing) > 0 {
		return nil, &MissingError{Messages: missing}
	}
	cert, err := tls.LoadX509KeyPair(f.Certificate, f.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("load SSL key pair: %w", err)
	}
	if f.Bootstrapping() {
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
			InsecureSkipVerify: true, ClientAuth: tls.RequireAnyClientCert}, nil
	}
	caPEM, err := os.ReadFile(f.CACert)
	if err != nil {
		return nil, fmt.Errorf("load CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("load CA certificate %s: no certificates found", f.CACert)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		// Go's own verification would check host names (clients) and the
		// client-auth key usage (servers); OVS checks neither, so both
		// sides accept any certificate here and VerifyPeerCertificate
		// checks the chain against the CA.
		InsecureSkipVerify: true,
		ClientAuth:         tls.RequireAnyClientCert,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			return Verify(pool, raw)
		},
	}, nil
}

// Verify checks a peer's certificate chain (leaf first, as TLS sends it)
// against the CAs in pool, for any key usage.
func Verify(pool *x509.CertPool, raw [][]byte) error {
	if len(raw) == 0 {
		return errors.New("peer presented no certificate")
	}
	certs := make([]*x509.Certificate, len(raw))
	for i, b := range raw {
		c, err := x509.ParseCertificate(b)
		if err != nil {
			return fmt.Errorf("parse peer certificate: %w", err)
		}
		certs[i] = c
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	return err
}

// BootstrapError says why a peer's chain gave no CA certificate, one
// message per line OVS logs.
type BootstrapError struct {
	Messages []string
}

func (e *BootstrapError) Error() string { return strings.Join(e.Messages, "; ") }

// BootstrapCA saves the last certificate of a peer's chain, which must be
// self-signed, as the CA certificate file path (created, never replaced:
// an fs.ErrExist error means another connection got there first).
func BootstrapCA(path string, chain []*x509.Certificate) error {
	if len(chain) == 0 {
		return &BootstrapError{[]string{"could not bootstrap CA cert: no certificate presented by peer"}}
	}
	ca := chain[len(chain)-1]
	if err := ca.CheckSignatureFrom(ca); err != nil || !bytes.Equal(ca.RawIssuer, ca.RawSubject) {
		msgs := []string{"could not bootstrap CA cert: obtained certificate is not self-signed"}
		if len(chain) < 2 {
			msgs = append(msgs, "only one certificate was received, so probably the peer is not configured to send its CA certificate")
		}
		return &BootstrapError{msgs}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o444)
	if err != nil {
		return err
	}
	if err := pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}
