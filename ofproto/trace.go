package ofproto

import (
	"fmt"
	"strings"

	"github.com/govs/govs/flowtable"
)

// tracer records a translation's steps as `ovs-appctl ofproto/trace`
// prints them. level is the nesting of non-tail resubmits (and group
// buckets); a table line is indented 4 columns per level and its actions
// 4 more.
type tracer struct {
	b     strings.Builder
	level int
}

func (x *xlate) level() int {
	if x.tr == nil {
		return 0
	}
	return x.tr.level
}

// traceLine writes one line indented by indent columns.
func (x *xlate) traceLine(indent int, format string, args ...any) {
	if x.tr == nil {
		return
	}
	x.tr.b.WriteString(strings.Repeat(" ", indent))
	fmt.Fprintf(&x.tr.b, format, args...)
	x.tr.b.WriteByte('\n')
}

// traceNote writes a remark about the current action (" -> ...", ">> ...").
func (x *xlate) traceNote(format string, args ...any) {
	x.traceLine(4*x.level()+5, format, args...)
}

func (x *xlate) traceRule(table uint8, f *flowtable.Flow) {
	if x.tr == nil {
		return
	}
	desc := f.Match.Format(nil)
	if desc != "" {
		desc += ", "
	}
	desc += fmt.Sprintf("priority %d", f.Priority)
	if f.Cookie != 0 {
		desc += fmt.Sprintf(", cookie %#x", f.Cookie)
	}
	x.traceLine(4*x.level(), "%2d. %s", table, desc)
}

func (x *xlate) traceAction(a flowtable.Action) {
	if x.tr == nil {
		return
	}
	x.traceLine(4*x.level()+4, "%s", flowtable.Actions{a}.String())
}

// Trace translates a packet without side effects (no MAC or learn-action
// learning, no counters) and explains the walk as `ovs-appctl
// ofproto/trace` does: the flow, each table visited with the flow it
// matched and that flow's actions, the final flow, the megaflow and the
// datapath actions.
func (b *Bridge) Trace(key *flowtable.Key) string {
	tr := &tracer{}
	res := b.xlate(key, 0, false, tr)
	var out strings.Builder
	fmt.Fprintf(&out, "Flow: %s\n\n", FormatFlow(key))
	head := fmt.Sprintf("bridge(%q)", b.name)
	fmt.Fprintf(&out, "%s\n%s\n", head, strings.Repeat("-", len(head)))
	out.WriteString(tr.b.String())
	out.WriteByte('\n')
	if res.Final == *key {
		out.WriteString("Final flow: unchanged\n")
	} else {
		fmt.Fprintf(&out, "Final flow: %s\n", FormatFlow(&res.Final))
	}
	fmt.Fprintf(&out, "Megaflow: %s\n", FormatMegaflow(key, &res.Mask))
	if res.Err != nil {
		fmt.Fprintf(&out, "Translation failed (%v), packet is dropped.\n", res.Err)
	}
	fmt.Fprintf(&out, "Datapath actions: %s\n", res.Actions)
	return out.String()
}

// FormatFlow writes a packet's key as OVS writes a flow: every header
// field the packet has, plus the metadata (registers, metadata, pkt_mark,
// tunnel id) that is not zero.
func FormatFlow(k *flowtable.Key) string {
	m := flowtable.Match{Key: *k}
	for _, f := range append(flowtable.FieldReg[:], flowtable.FieldMetadata, flowtable.FieldPktMark, flowtable.FieldTunID) {
		if f.Get(k) != 0 {
			f.SetAllOnes(&m.Mask)
		}
	}
	exact := func(fs ...*flowtable.Field) {
		for _, f := range fs {
			f.SetAllOnes(&m.Mask)
		}
	}
	exact(flowtable.FieldInPort, flowtable.FieldVLANTCI, flowtable.FieldEthSrc, flowtable.FieldEthDst, flowtable.FieldEthType)
	switch flowtable.FieldEthType.Get(k) {
	case flowtable.EthTypeIPv4, flowtable.EthTypeIPv6:
		if flowtable.FieldEthType.Get(k) == flowtable.EthTypeIPv4 {
			exact(flowtable.FieldIPSrc, flowtable.FieldIPDst)
		} else {
			exact(flowtable.FieldIPv6Src, flowtable.FieldIPv6Dst, flowtable.FieldIPv6Label)
		}
		exact(flowtable.FieldNwProto, flowtable.FieldNwTOS, flowtable.FieldNwTTL, flowtable.FieldIPFrag)
		switch flowtable.FieldNwProto.Get(k) {
		case flowtable.IPProtoTCP:
			exact(flowtable.FieldTCPSrc, flowtable.FieldTCPDst, flowtable.FieldTCPFlags)
		case flowtable.IPProtoUDP, flowtable.IPProtoSCTP:
			exact(flowtable.FieldTCPSrc, flowtable.FieldTCPDst)
		case flowtable.IPProtoICMP, flowtable.IPProtoICMPv6:
			exact(flowtable.FieldICMPType, flowtable.FieldICMPCode)
		}
	case flowtable.EthTypeARP, flowtable.EthTypeRARP:
		exact(flowtable.FieldARPOp, flowtable.FieldARPSPA, flowtable.FieldARPTPA, flowtable.FieldARPSHA, flowtable.FieldARPTHA)
	}
	m.Key.And(&m.Mask)
	return m.Format(nil)
}

// FormatMegaflow writes the megaflow a translation of key with mask wc
// installs, as OVS's trace does ("recirc_id=0,eth,ip,in_port=1,..."). An
// untagged packet's VLAN bits are left out, as in OVS, whose datapath key
// says "untagged" through the EtherType.
func FormatMegaflow(key *flowtable.Key, wc *flowtable.Mask) string {
	m := flowtable.Match{Key: *key, Mask: *wc}
	if flowtable.FieldVLANTCI.Get(key)&flowtable.VLANCFI == 0 {
		flowtable.FieldVLANTCI.Set(&m.Mask, 0)
	}
	m.Key.And(&m.Mask)
	s := m.Format(nil)
	if rest, ok := strings.CutPrefix(s, "recirc_id=0"); ok {
		s = "recirc_id=0,eth" + rest
	}
	return s
}
