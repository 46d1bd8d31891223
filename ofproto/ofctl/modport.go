package ofctl

import (
	"strconv"
	"strings"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// portConfigFlags are mod-port's commands: the config bit each changes
// and the value it sets ("no-" or "no" in front inverts it).
var portConfigFlags = []struct {
	name string
	bit  uint32
	on   bool
}{
	{"up", ofp.PortConfigDown, false},
	{"down", ofp.PortConfigDown, true},
	{"stp", ofp.PortConfigNoSTP, false},
	{"receive", ofp.PortConfigNoRecv, false},
	{"receive-stp", ofp.PortConfigNoRecvSTP, false},
	{"flood", ofp.PortConfigNoFlood, false},
	{"forward", ofp.PortConfigNoFwd, false},
	{"packet-in", ofp.PortConfigNoPacketIn, false},
}

// findPort looks a port up by number (or reserved name) or by name among
// the switch's port descriptions, fetched on a connection of their own.
func (c *ctl) findPort(target, name string) (*ofp.PortDesc, error) {
	// Only a decimal number is a port number here (not LOCAL and the
	// like, which are looked up as names).
	n, err := strconv.ParseUint(name, 10, 32)
	byNumber, num := err == nil, flowtable.Port(n)
	cn, err := c.open(target)
	if err != nil {
		return nil, err
	}
	defer cn.close()
	var req ofp.Message = &ofp.FeaturesRequest{}
	if cn.v >= ofp.OF13 {
		req = &ofp.PortDescStatsRequest{Port: flowtable.PortNone}
	}
	parts, err := cn.dump(req)
	if err != nil {
		return nil, err
	}
	for _, r := range parts {
		var descs []ofp.PortDesc
		switch m := r.msg.(type) {
		case *ofp.FeaturesReply:
			descs = m.Ports
		case *ofp.PortDescStatsReply:
			descs = m.Ports
		}
		for i := range descs {
			if d := &descs[i]; (byNumber && d.Port == num) || (!byNumber && d.Name == name) {
				return d, nil
			}
		}
	}
	return nil, fatalf("%s: couldn't find port `%s'", target, name)
}

// modPort is mod-port SWITCH PORT COMMAND: one port_mod changing one
// config bit.
func (c *ctl) modPort(args []string) error {
	d, err := c.findPort(args[0], args[1])
	if err != nil {
		return err
	}
	pm := &ofp.PortMod{Port: d.Port, HWAddr: d.HWAddr}
	cmd, not := args[2], false
	switch {
	case len(cmd) >= 3 && strings.EqualFold(cmd[:3], "no-"):
		cmd, not = cmd[3:], true
	case len(cmd) >= 2 && strings.EqualFold(cmd[:2], "no"):
		cmd, not = cmd[2:], true
	}
	found := false
	for _, f := range portConfigFlags {
		if strings.EqualFold(cmd, f.name) {
			pm.Mask = f.bit
			if f.on != not {
				pm.Config = f.bit
			}
			found = true
			break
		}
	}
	if !found {
		return fatalf("unknown mod-port command '%s'", args[2])
	}
	cn, err := c.open(args[0])
	if err != nil {
		return err
	}
	defer cn.close()
	return c.setupMessage(cn, pm)
}
