package flowtable

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
)

// ovsFlowsFile holds frames and the flow real Open vSwitch 3.1 extracted
// from each, one "hex<TAB>flow" per line, as printed by
// `ovs-appctl ofproto/trace br0 in_port=1 <hex>` on a netdev bridge with
// other_config:vlan-limit=2. The frames are this package's test frames,
// their truncations and random byte mutations of them (see the README
// there).
const ovsFlowsFile = "../testdata/parse/ovs31_flows.txt"

// TestParseFrameMatchesOVS checks every field OVS printed for a frame
// against what ParseFrame put in the key.
func TestParseFrameMatchesOVS(t *testing.T) {
	f, err := os.Open(ovsFlowsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		hexFrame, flow, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			t.Fatalf("line %d: no tab", lines+1)
		}
		lines++
		frame, err := hex.DecodeString(hexFrame)
		if err != nil {
			t.Fatalf("line %d: %v", lines, err)
		}
		var k Key
		k.ParseFrame(frame)
		for name, want := range ovsFlowFields(flow) {
			if got, known := ovsFieldText(&k, name); known && got != want {
				t.Errorf("frame %s\nOVS: %s\n%s = %s, OVS has %s", hexFrame, flow, name, got, want)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if lines == 0 {
		t.Fatal("no frames")
	}
}

// ovsShorthands are the protocol names OVS prints in place of dl_type (and
// nw_proto).
var ovsShorthands = map[string][2]string{
	"ip": {"0x0800"}, "ipv6": {"0x86dd"}, "arp": {"0x0806"}, "rarp": {"0x8035"},
	"mpls": {"0x8847"}, "mplsm": {"0x8848"},
	"tcp": {"0x0800", "6"}, "tcp6": {"0x86dd", "6"}, "udp": {"0x0800", "17"}, "udp6": {"0x86dd", "17"},
	"sctp": {"0x0800", "132"}, "sctp6": {"0x86dd", "132"}, "icmp": {"0x0800", "1"}, "icmp6": {"0x86dd", "58"},
}

var ovsTCPFlagNames = map[string]uint64{
	"fin": 0x1, "syn": 0x2, "rst": 0x4, "psh": 0x8, "ack": 0x10, "urg": 0x20, "ece": 0x40, "cwr": 0x80, "ns": 0x100,
}

// ovsFlowFields splits an OVS flow string into field texts, expanding
// protocol shorthands and writing tcp_flags as hex.
func ovsFlowFields(flow string) map[string]string {
	fields := map[string]string{}
	for _, tok := range strings.Split(flow, ",") {
		name, value, ok := strings.Cut(tok, "=")
		if !ok {
			if sh, known := ovsShorthands[tok]; known {
				fields["dl_type"] = sh[0]
				if sh[1] != "" {
					fields["nw_proto"] = sh[1]
				}
			}
			continue
		}
		if name == "tcp_flags" {
			value = ovsTCPFlagsHex(value)
		}
		fields[name] = value
	}
	return fields
}

func ovsTCPFlagsHex(s string) string {
	var v uint64
	for _, name := range strings.Split(s, "|") {
		bit, ok := ovsTCPFlagNames[name]
		if !ok {
			n, err := strconv.ParseUint(name, 0, 16)
			if err != nil {
				return "unknown " + s
			}
			bit = n
		}
		v |= bit
	}
	return fmt.Sprintf("%#03x", v)
}

// ovsFieldText formats field name of k as OVS prints it; known is false
// for names the key does not hold.
func ovsFieldText(k *Key, name string) (text string, known bool) {
	dec := func(f *Field) string { return strconv.FormatUint(f.Get(k), 10) }
	mac := func(f *Field) string {
		b := make(net.HardwareAddr, 6)
		f.GetBytes(k, b)
		return b.String()
	}
	ip := func(f *Field) string {
		b := make([]byte, f.Bytes())
		f.GetBytes(k, b)
		a, _ := netip.AddrFromSlice(b)
		return a.String()
	}
	inner := testInnerTCI.Get(k)
	switch name {
	case "dl_src":
		return mac(FieldEthSrc), true
	case "dl_dst":
		return mac(FieldEthDst), true
	case "dl_type":
		return fmt.Sprintf("0x%04x", FieldEthType.Get(k)), true
	case "vlan_tci":
		return fmt.Sprintf("0x%04x", FieldVLANTCI.Get(k)), true
	case "dl_vlan":
		return dec(FieldDlVLAN), true
	case "dl_vlan_pcp":
		return dec(FieldDlVLANPCP), true
	case "vlan_tci1":
		return fmt.Sprintf("0x%04x", inner), true
	case "dl_vlan1":
		return strconv.FormatUint(inner&0xfff, 10), true
	case "dl_vlan_pcp1":
		return strconv.FormatUint(inner>>13, 10), true
	case "mpls_label":
		return dec(FieldMPLSLabel), true
	case "mpls_tc":
		return dec(FieldMPLSTC), true
	case "mpls_ttl":
		return dec(FieldMPLSTTL), true
	case "mpls_bos":
		return dec(FieldMPLSBOS), true
	case "nw_src":
		return ip(FieldIPSrc), true
	case "nw_dst":
		return ip(FieldIPDst), true
	case "arp_spa":
		return ip(FieldARPSPA), true
	case "arp_tpa":
		return ip(FieldARPTPA), true
	case "ipv6_src":
		return ip(FieldIPv6Src), true
	case "ipv6_dst":
		return ip(FieldIPv6Dst), true
	case "nd_target":
		return ip(FieldNDTarget), true
	case "ipv6_label":
		return fmt.Sprintf("0x%05x", FieldIPv6Label.Get(k)), true
	case "nw_proto":
		return dec(FieldNwProto), true
	case "nsh_flags", "nsh_ttl", "nsh_mdtype", "nsh_np", "nsh_si":
		f, _ := FieldByName(name)
		return dec(f), true
	case "nsh_spi", "nsh_c1", "nsh_c2", "nsh_c3", "nsh_c4":
		f, _ := FieldByName(name)
		return fmt.Sprintf("%#x", f.Get(k)), true
	case "nw_tos":
		return strconv.FormatUint(FieldIPDSCP.Get(k)<<2, 10), true
	case "nw_ecn":
		return dec(FieldNwECN), true
	case "nw_ttl":
		return dec(FieldNwTTL), true
	case "nw_frag":
		return [...]string{"no", "first", "2?", "later"}[FieldIPFrag.Get(k)], true
	case "tp_src":
		return dec(FieldTCPSrc), true
	case "tp_dst":
		return dec(FieldTCPDst), true
	case "icmp_type":
		return dec(FieldICMPType), true
	case "icmp_code":
		return dec(FieldICMPCode), true
	case "tcp_flags":
		return fmt.Sprintf("%#03x", FieldTCPFlags.Get(k)), true
	case "arp_op":
		return dec(FieldARPOp), true
	case "arp_sha":
		return mac(FieldARPSHA), true
	case "arp_tha":
		return mac(FieldARPTHA), true
	case "nd_sll":
		return mac(FieldNDSLL), true
	case "nd_tll":
		return mac(FieldNDTLL), true
	}
	return "", false
}
