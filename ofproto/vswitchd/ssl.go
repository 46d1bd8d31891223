package vswitchd

import (
	"strings"

	"github.com/govs/govs/internal/tlsconfig"
	"github.com/govs/govs/ovsdb"
	"github.com/govs/govs/ovsdb/client"
)

// sslFiles reads the SSL row the Open_vSwitch row points to: the files
// every ssl: and pssl: controller uses (OVS has one SSL configuration
// per process). With no row, the files are unset and SSL connections
// fail as OVS's do.
func sslFiles(root client.Row, rows map[ovsdb.UUID]client.Row) tlsconfig.Files {
	if root == nil {
		return tlsconfig.Files{}
	}
	for _, id := range root.UUIDs("ssl") {
		if row, ok := rows[id]; ok {
			boot := row["bootstrap_ca_cert"]
			return tlsconfig.Files{PrivateKey: row.Str("private_key"), Certificate: row.Str("certificate"), CACert: row.Str("ca_cert"),
				BootstrapCACert: len(boot.Keys) == 1 && boot.Keys[0] == true}
		}
	}
	return tlsconfig.Files{}
}

// usesSSL reports whether a controller target is ssl: or pssl:, the
// targets that take the SSL files (giving them to others would restart
// their connections whenever the SSL row changes).
func usesSSL(target string) bool {
	return strings.HasPrefix(target, "ssl:") || strings.HasPrefix(target, "pssl:")
}
