// Package tlsconfig builds the TLS configuration OVS daemons use for
// their ssl: and pssl: connections: each side presents its certificate
// and verifies the peer's against a CA certificate, identifying peers by
// CA rather than by host name (OVS peers are addressed by IP and their
// certificates, as ovs-pki makes them, name no hosts).
package tlsconfig

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Files names the PEM files a daemon's SSL connections use: the
// Open_vSwitch database's SSL row, or --private-key, --certificate and
// --ca-cert.
type Files struct {
	PrivateKey, Certificate, CACert string
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
	if f.CACert == "" {
		missing = append(missing, "CA certificate must be configured to use SSL")
	}
	if len(missing) > 0 {
		return nil, &MissingError{Messages: missing}
	}
	cert, err := tls.LoadX509KeyPair(f.Certificate, f.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("load SSL key pair: %w", err)
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
