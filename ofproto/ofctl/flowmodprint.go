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
	switch {
	case m.Command == flowtable.FlowAdd || v == ofp.OF10:
		// OpenFlow 1.0 has no cookie mask: its cookie is the new one
		// (all ones: leave it).
		if f.Cookie != 0 && f.Cookie != ^uint64(0) {
			fmt.Fprintf(b, "cookie:%#x ", f.Cookie)
		}
	case f.CookieMask != 0:
		fmt.Fprintf(b, "cookie:%#x/%#x ", f.Cookie&f.CookieMask, f.CookieMask)
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
	for _, fl := range []struct {
		flag flowtable.FlowFlags
		name string
	}{
		{flowtable.FlagSendFlowRem, "send_flow_rem"}, {flowtable.FlagCheckOverlap, "check_overlap"},
		{flowtable.FlagResetCounts, "reset_counts"}, {flowtable.FlagNoPacketCounts, "no_packet_counts"},
		{flowtable.FlagNoByteCounts, "no_byte_counts"},
	} {
		if f.Flags&fl.flag != 0 {
			b.WriteString(fl.name + " ")
		}
	}
	fmt.Fprintf(b, "actions=%s\n", actions)
}
