package vswitchd

import (
	"strings"

	"github.com/govs/govs/internal/tlsconfig"
	"github.com/govs/govs/ovsdb"
	"github.com/govs/govs/ovsdb/client"
)

// sslShortOptions are ovs-vswitchd's one-letter SSL options.
var sslShortOptions = map[string]string{"-p": "--private-key", "-c": "--certificate", "-C": "--ca-cert"}

// setSSLOption records an SSL command-line option in f.
func setSSLOption(f *tlsconfig.Files, name, value string) {
	switch name {
	case "--private-key":
		f.PrivateKey = value
	case "--certificate":
		f.Certificate = value
	case "--ca-cert":
		f.CACert, f.BootstrapCACert = value, false
	case "--bootstrap-ca-cert":
		f.CACert, f.BootstrapCACert = value, true
	}
}

// SetDefaultSSL sets the SSL files the command line gave, which the
// database's SSL row, when there is one, replaces.
func (s *Switch) SetDefaultSSL(f tlsconfig.Files) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sslDefault = f
}

// sslFiles reads the SSL row the Open_vSwitch row points to: the files
// every ssl: and pssl: controller uses (OVS has one SSL configuration
// per process). With no row, the command line's files (def) apply; with
// none either, SSL connections fail as OVS's do.
func sslFiles(root client.Row, rows map[ovsdb.UUID]client.Row, def tlsconfig.Files) tlsconfig.Files {
	if root == nil {
		return def
	}
	for _, id := range root.UUIDs("ssl") {
		if row, ok := rows[id]; ok {
			boot := row["bootstrap_ca_cert"]
			return tlsconfig.Files{PrivateKey: row.Str("private_key"), Certificate: row.Str("certificate"), CACert: row.Str("ca_cert"),
				BootstrapCACert: len(boot.Keys) == 1 && boot.Keys[0] == true}
		}
	}
	return def
}

// usesSSL reports whether a controller target is ssl: or pssl:, the
// targets that take the SSL files (giving them to others would restart
// their connections whenever the SSL row changes).
func usesSSL(target string) bool {
	return strings.HasPrefix(target, "ssl:") || strings.HasPrefix(target, "pssl:")
}
