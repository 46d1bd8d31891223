package flowtable

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Format writes the actions as ovs-ofctl dump-flows prints them: "drop"
// for an empty list, ports by name where names knows them.
func (a Actions) Format(names PortNamer) string {
	var b strings.Builder
	a.appendList(&b, names)
	return b.String()
}

// String formats the actions without port names.
func (a Actions) String() string { return a.Format(nil) }

// appendList writes the actions separated by commas, "drop" for none, as
// OVS prints nested lists too (clone(drop)).
func (a Actions) appendList(b *strings.Builder, names PortNamer) {
	if len(a) == 0 {
		b.WriteString("drop")
		return
	}
	for i, act := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		act.appendText(b, names)
	}
}

// hex0 formats v as OVS's "%#x" does: "0" for zero, else 0x-prefixed.
func hex0(v uint64) string { return formatHex(bigEndian(v, 8)) }

func (a *Output) appendText(b *strings.Builder, names PortNamer) {
	if a.Port < PortMax {
		b.WriteString("output:")
	}
	b.WriteString(FormatPort(a.Port, names))
}

func (a *OutputTrunc) appendText(b *strings.Builder, names PortNamer) {
	fmt.Fprintf(b, "output(port=%s,max_len=%d)", FormatPort(a.Port, names), a.MaxLen)
}

func (a *OutputReg) appendText(b *strings.Builder, _ PortNamer) {
	b.WriteString("output:" + a.Src.String())
}

func (a *Controller) appendText(b *strings.Builder, _ PortNamer) {
	if a.IsOutput() {
		fmt.Fprintf(b, "CONTROLLER:%d", a.MaxLen)
		return
	}
	var args []string
	if a.Reason != ReasonAction {
		args = append(args, "reason="+a.Reason.String())
	}
	if a.MaxLen != 0xffff {
		args = append(args, fmt.Sprintf("max_len=%d", a.MaxLen))
	}
	if a.ID != 0 {
		args = append(args, fmt.Sprintf("id=%d", a.ID))
	}
	if len(a.Userdata) > 0 {
		args = append(args, "userdata="+dottedHex(a.Userdata))
	}
	if a.Pause {
		args = append(args, "pause")
	}
	if a.MeterID != 0 {
		args = append(args, fmt.Sprintf("meter_id=%d", a.MeterID))
	}
	b.WriteString("controller(" + strings.Join(args, ",") + ")")
}

// dottedHex formats bytes as "01.02.03", OVS's notation for opaque data.
func dottedHex(data []byte) string {
	parts := make([]string, len(data))
	for i, x := range data {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(parts, ".")
}

func (a *Enqueue) appendText(b *strings.Builder, names PortNamer) {
	fmt.Fprintf(b, "enqueue:%s:%d", FormatPort(a.Port, names), a.Queue)
}

func (a *SetVLANVID) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "mod_vlan_vid:%d", a.VID)
}

func (a *SetVLANPCP) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "mod_vlan_pcp:%d", a.PCP)
}

func (a *StripVLAN) appendText(b *strings.Builder, _ PortNamer) {
	if a.Pop {
		b.WriteString("pop_vlan")
		return
	}
	b.WriteString("strip_vlan")
}

func (a *PushVLAN) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "push_vlan:%#x", a.EthType)
}

func (a *SetEthSrc) appendText(b *strings.Builder, _ PortNamer) {
	b.WriteString("mod_dl_src:" + formatEthernet(a.MAC[:]))
}

func (a *SetEthDst) appendText(b *strings.Builder, _ PortNamer) {
	b.WriteString("mod_dl_dst:" + formatEthernet(a.MAC[:]))
}

func (a *SetIPv4Src) appendText(b *strings.Builder, _ PortNamer) {
	b.WriteString("mod_nw_src:" + formatIP(a.Addr[:], nil))
}

func (a *SetIPv4Dst) appendText(b *strings.Builder, _ PortNamer) {
	b.WriteString("mod_nw_dst:" + formatIP(a.Addr[:], nil))
}

func (a *SetIPTOS) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "mod_nw_tos:%d", a.TOS)
}

func (a *SetIPECN) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "mod_nw_ecn:%d", a.ECN)
}

func (a *SetIPTTL) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "mod_nw_ttl:%d", a.TTL)
}

func (a *SetL4Src) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "mod_tp_src:%d", a.Port)
}

func (a *SetL4Dst) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "mod_tp_dst:%d", a.Port)
}

func (a *DecTTL) appendText(b *strings.Builder, _ PortNamer) {
	if a.IDs == nil {
		b.WriteString("dec_ttl")
		return
	}
	ids := make([]string, len(a.IDs))
	for i, id := range a.IDs {
		ids[i] = strconv.Itoa(int(id))
	}
	b.WriteString("dec_ttl(" + strings.Join(ids, ",") + ")")
}

func (a *SetField) appendText(b *strings.Builder, names PortNamer) {
	if !a.Load {
		b.WriteString("set_field:" + a.Field.FormatValue(a.Value, a.Mask, names) + "->" + a.Field.Name)
		return
	}
	for i, seg := range a.loadSegments() {
		if i > 0 {
			b.WriteByte(',')
		}
		value := new(big.Int).Rsh(new(big.Int).SetBytes(a.Value), uint(seg.Ofs))
		value.And(value, new(big.Int).SetUint64(lowBits(seg.NBits)))
		b.WriteString("load:" + hex0(value.Uint64()) + "->" + seg.String())
	}
}

// loadSegments splits the mask into the subfields NXM loads write: runs
// of contiguous one bits from the least significant up, at most 64 bits
// each, since one NXAST_REG_LOAD carries a 64-bit value.
func (a *SetField) loadSegments() []Subfield {
	var segs []Subfield
	mask := new(big.Int).SetBytes(a.Mask)
	for ofs := 0; ofs < a.Field.Bits; {
		if mask.Bit(ofs) == 0 {
			ofs++
			continue
		}
		end := ofs
		for end < a.Field.Bits && end-ofs < 64 && mask.Bit(end) == 1 {
			end++
		}
		segs = append(segs, Subfield{Field: a.Field, Ofs: ofs, NBits: end - ofs})
		ofs = end
	}
	return segs
}

func (a *Move) appendText(b *strings.Builder, _ PortNamer) {
	b.WriteString("move:" + a.Src.String() + "->" + a.Dst.String())
}

func (a *StackPush) appendText(b *strings.Builder, _ PortNamer) {
	b.WriteString("push:" + a.Src.String())
}

func (a *StackPop) appendText(b *strings.Builder, _ PortNamer) {
	b.WriteString("pop:" + a.Dst.String())
}

func (a *Resubmit) appendText(b *strings.Builder, names PortNamer) {
	if a.InPort != PortInPort && a.Table == NoTable && !a.CT {
		b.WriteString("resubmit:" + FormatPort(a.InPort, names))
		return
	}
	b.WriteString("resubmit(")
	if a.InPort != PortInPort {
		b.WriteString(FormatPort(a.InPort, names))
	}
	b.WriteByte(',')
	if a.Table != NoTable {
		b.WriteString(strconv.Itoa(int(a.Table)))
	}
	if a.CT {
		b.WriteString(",ct")
	}
	b.WriteByte(')')
}

func (a *GotoTable) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "goto_table:%d", a.Table)
}

func (a *WriteMetadata) appendText(b *strings.Builder, _ PortNamer) {
	b.WriteString("write_metadata:" + hex0(a.Value))
	if a.Mask != ^uint64(0) {
		b.WriteString("/" + hex0(a.Mask))
	}
}

func (a *ClearActions) appendText(b *strings.Builder, _ PortNamer) { b.WriteString("clear_actions") }

func (a *WriteActions) appendText(b *strings.Builder, names PortNamer) {
	b.WriteString("write_actions(")
	a.Actions.appendList(b, names)
	b.WriteByte(')')
}

func (a *SetTunnel) appendText(b *strings.Builder, _ PortNamer) {
	if a.Wide || a.ID > 0xffffffff {
		b.WriteString("set_tunnel64:" + hex0(a.ID))
		return
	}
	b.WriteString("set_tunnel:" + hex0(a.ID))
}

func (a *SetQueue) appendText(b *strings.Builder, _ PortNamer) { fmt.Fprintf(b, "set_queue:%d", a.ID) }

func (a *PopQueue) appendText(b *strings.Builder, _ PortNamer) { b.WriteString("pop_queue") }

func (a *Group) appendText(b *strings.Builder, _ PortNamer) { fmt.Fprintf(b, "group:%d", a.ID) }

func (a *Meter) appendText(b *strings.Builder, _ PortNamer) { fmt.Fprintf(b, "meter:%d", a.ID) }

func (a *Note) appendText(b *strings.Builder, _ PortNamer) {
	b.WriteString("note:" + dottedHex(a.Data))
}

func (a *Conjunction) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "conjunction(%d,%d/%d)", a.ID, a.Clause, a.NClauses)
}

func (a *DeleteField) appendText(b *strings.Builder, _ PortNamer) {
	b.WriteString("delete_field:" + a.Field.Name)
}

func (a *CTClear) appendText(b *strings.Builder, _ PortNamer) { b.WriteString("ct_clear") }

func (a *Exit) appendText(b *strings.Builder, _ PortNamer) { b.WriteString("exit") }

func (a *DecMPLSTTL) appendText(b *strings.Builder, _ PortNamer) { b.WriteString("dec_mpls_ttl") }

func (a *SetMPLSLabel) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "set_mpls_label(%d)", a.Label)
}

func (a *SetMPLSTC) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "set_mpls_tc(%d)", a.TC)
}

func (a *SetMPLSTTL) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "set_mpls_ttl(%d)", a.TTL)
}

func (a *PushMPLS) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "push_mpls:0x%04x", a.EthType)
}

func (a *PopMPLS) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "pop_mpls:0x%04x", a.EthType)
}

func (a *FinTimeout) appendText(b *strings.Builder, _ PortNamer) {
	var args []string
	if a.IdleTimeout != 0 {
		args = append(args, fmt.Sprintf("idle_timeout=%d", a.IdleTimeout))
	}
	if a.HardTimeout != 0 {
		args = append(args, fmt.Sprintf("hard_timeout=%d", a.HardTimeout))
	}
	b.WriteString("fin_timeout(" + strings.Join(args, ",") + ")")
}

func (a *Sample) appendText(b *strings.Builder, names PortNamer) {
	fmt.Fprintf(b, "sample(probability=%d,collector_set_id=%d,obs_domain_id=%d,obs_point_id=%d",
		a.Probability, a.CollectorSetID, a.ObsDomainID, a.ObsPointID)
	if a.SamplingPort != PortNone {
		b.WriteString(",sampling_port=" + FormatPort(a.SamplingPort, names))
	}
	switch a.Direction {
	case SampleIngress:
		b.WriteString(",ingress")
	case SampleEgress:
		b.WriteString(",egress")
	}
	b.WriteByte(')')
}

func (a *CheckPktLarger) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "check_pkt_larger(%d)->%s", a.PktLen, a.Dst)
}

func (a *Clone) appendText(b *strings.Builder, names PortNamer) {
	b.WriteString("clone(")
	a.Actions.appendList(b, names)
	b.WriteByte(')')
}

func (a *Multipath) appendText(b *strings.Builder, _ PortNamer) {
	fmt.Fprintf(b, "multipath(%s,%d,%s,%d,%d,%s)", hashFieldNames[a.Fields], a.Basis,
		multipathAlgorithmNames[a.Algorithm], int(a.MaxLink)+1, a.Arg, a.Dst)
}

func (a *Bundle) appendText(b *strings.Builder, names PortNamer) {
	if a.Dst == nil {
		b.WriteString("bundle(")
	} else {
		b.WriteString("bundle_load(")
	}
	fmt.Fprintf(b, "%s,%d,%s,ofport,", hashFieldNames[a.Fields], a.Basis, bundleAlgorithmNames[a.Algorithm])
	if a.Dst != nil {
		b.WriteString(a.Dst.String() + ",")
	}
	b.WriteString("members:")
	for i, m := range a.Members {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(FormatPort(m, names))
	}
	b.WriteByte(')')
}

// actionName is the keyword OVS names an action by in error messages.
func actionName(a Action) string {
	switch a := a.(type) {
	case *Output, *OutputReg:
		return "output"
	case *OutputTrunc:
		return "output_trunc"
	case *SetField:
		if a.Load {
			return "load"
		}
		return "set_field"
	case *SetVLANVID:
		return "mod_vlan_vid"
	case *SetVLANPCP:
		return "mod_vlan_pcp"
	case *StripVLAN:
		return "strip_vlan"
	case *SetEthSrc:
		return "mod_dl_src"
	case *SetEthDst:
		return "mod_dl_dst"
	case *SetIPv4Src:
		return "mod_nw_src"
	case *SetIPv4Dst:
		return "mod_nw_dst"
	case *SetIPTOS:
		return "mod_nw_tos"
	case *SetIPECN:
		return "mod_nw_ecn"
	case *SetIPTTL:
		return "mod_nw_ttl"
	case *SetL4Src:
		return "mod_tp_src"
	case *SetL4Dst:
		return "mod_tp_dst"
	case *StackPush:
		return "push"
	case *StackPop:
		return "pop"
	case *Bundle:
		if a.Dst != nil {
			return "bundle_load"
		}
		return "bundle"
	}
	// Every other action's keyword is the start of its text.
	var b strings.Builder
	a.appendText(&b, nil)
	s := b.String()
	if i := strings.IndexAny(s, ":("); i >= 0 {
		s = s[:i]
	}
	return strings.ToLower(s)
}
