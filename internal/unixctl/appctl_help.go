package unixctl

import _ "embed"

// appctlHelp is ovs-appctl 3.1's --help, recorded by scripts/gen-help.sh.
//
//go:embed appctl_help.txt
var appctlHelp string
