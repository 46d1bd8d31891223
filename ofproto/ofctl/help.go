package ofctl

import (
	_ "embed"
	"fmt"
	"io"

	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/ofproto/ofp"
)

// helpText is ovs-ofctl 3.1's --help, recorded by scripts/gen-help.sh.
//
//go:embed help.txt
var helpText string

// help prints --help as ovs-ofctl does and ends the program successfully.
func (c *ctl) help(string, bool) error {
	io.WriteString(c.out, daemon.ExpandHelp(helpText))
	return &silentExit{status: 0}
}

// version prints --version (the OVS release and the OpenFlow versions
// supported) and ends the program successfully.
func (c *ctl) version(string, bool) error {
	fmt.Fprintf(c.out, "ovs-ofctl (Open vSwitch) %s\nOpenFlow versions %#x:%#x\n", daemon.Version, uint8(ofp.OF10), uint8(ofp.OF15))
	return &silentExit{status: 0}
}
