package server

import _ "embed"

// serverHelp and toolHelp are ovsdb-server's and ovsdb-tool's --help in
// OVS 3.1, recorded by scripts/gen-help.sh.
var (
	//go:embed server_help.txt
	serverHelp string
	//go:embed tool_help.txt
	toolHelp string
)
