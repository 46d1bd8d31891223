package ofctl

import (
	"fmt"
	"strings"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// flowModCommandNames are ofp-print's names for flow_mod commands.
var flowModCommandNames = map[flowtable.FlowCommand]string{
	flowtable.FlowAdd: "ADD", flowtable.FlowModify: "MOD", flowtable.FlowModifyStrict: "MOD_STRICT",
	flowtable.FlowDelete: "DEL", flowtable.FlowDeleteStrict: "DEL_STRICT",
}

// formatFlowMod writes a flow_mod's body as ovs-ofctl prints one (as the
// request an OFPT_ERROR carries back): the command, a table other than
// 0, the match with its priority, then "key:value" settings, the flags
// and the actions.
func (c *ctl) formatFlowMod(b *strings.Builder, m *ofp.FlowMod, v ofp.Version) {
	f := &m.Flow
	names := c.portNames()
	fmt.Fprintf(b, " %s", flowModCommandNames[m.Command])
	if f.Table != 0 && f.Table != flowtable.TableAll {
		fmt.Fprintf(b, " table:%d", f.Table)
	}
	b.WriteByte(' ')
	text := (&flowtable.Flow{Priority: f.Priority, Match: f.Match, Actions: f.Actions}).Format(names, protocolOf(v))
	match, actions, found := strings.Cut(text, " actions=")
	if !found {
		match, actions = "", strings.TrimPrefix(text, "actions=")
	}
	if match != "" {
		b.WriteString(match)
		b.WriteByte(' ')
	}
	// OpenFlow 1.0 carries the new cookie (all ones: leave it) and, with
	// NXM, a filter in the match; from 1.1 on a modify or delete's cookie
	// and mask are the filter.
	newCookie, filter, mask := f.Cookie, f.CookieMatch, f.CookieMask
	if v != ofp.OF10 {
		if m.Command == flowtable.FlowAdd {
			mask = 0
		} else {
			newCookie, filter = ^uint64(0), f.Cookie&f.CookieMask
		}
	}
	if newCookie != 0 && newCookie != ^uint64(0) {
		fmt.Fprintf(b, "cookie:%#x ", newCookie)
	}
	if mask != 0 {
		fmt.Fprintf(b, "cookie:%#x/%#x ", filter, mask)
	}
	if f.IdleTimeout != 0 {
		fmt.Fprintf(b, "idle:%d ", f.IdleTimeout)
	}
	if f.HardTimeout != 0 {
		fmt.Fprintf(b, "hard:%d ", f.HardTimeout)
	}
	if f.Importance != 0 {
		fmt.Fprintf(b, "importance:%d ", f.Importance)
	}
	if m.BufferID != ^uint32(0) {
		fmt.Fprintf(b, "buf:%#x ", m.BufferID)
	}
	if f.OutPort != flowtable.PortNone {
		fmt.Fprintf(b, "out_port:%s ", flowtable.FormatPort(f.OutPort, names))
	}
	if f.OutGroup != flowtable.GroupAny {
		fmt.Fprintf(b, "out_group:%d ", f.OutGroup)
	}
	if fl := f.Flags.String(); fl != "" {
		b.WriteString(fl + " ")
	}
	fmt.Fprintf(b, "actions=%s\n", actions)
}
