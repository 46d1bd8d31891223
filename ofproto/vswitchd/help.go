package vswitchd

import _ "embed"

// helpText is ovs-vswitchd 3.1's --help, recorded by scripts/gen-help.sh.
//
//go:embed help.txt
var helpText string
