package ofctl

import (
	"fmt"
	"strings"
)

// fieldID names an NXM or OXM field in a table features property: its
// class, field number and, for class 0xffff, experimenter.
type fieldID struct {
	class uint16
	field uint8
	exp   uint32
}

// ovsField is a field ovs-ofctl knows by name, with the headers naming it
// and its payload length without mask.
type ovsField struct {
	name string
	size int
	ids  []fieldID
}

// ovsFields lists, in the order ovs-ofctl prints them, the fields that
// OVS 3.1's ovs-ofctl names in table features; the headers are those its
// ofp-print accepts for each (found by feeding it every class, field and
// length). It includes fields govs does not implement, since a real OVS
// switch announces them.
var ovsFields = []ovsField{
	{"dp_hash", 4, []fieldID{{0x0001, 35, 0}, {0xffff, 0, 0x00002320}}},
	{"recirc_id", 4, []fieldID{{0x0001, 36, 0}}},
	{"packet_type", 4, []fieldID{{0x8000, 44, 0}}},
	{"conj_id", 4, []fieldID{{0x0001, 37, 0}}},
	{"tun_id", 8, []fieldID{{0x0001, 16, 0}, {0x8000, 38, 0}}},
	{"tun_src", 4, []fieldID{{0x0001, 31, 0}}},
	{"tun_dst", 4, []fieldID{{0x0001, 32, 0}}},
	{"tun_ipv6_src", 16, []fieldID{{0x0001, 109, 0}}},
	{"tun_ipv6_dst", 16, []fieldID{{0x0001, 110, 0}}},
	{"tun_flags", 2, []fieldID{{0x0001, 104, 0}}},
	{"tun_gbp_id", 2, []fieldID{{0x0001, 38, 0}}},
	{"tun_gbp_flags", 1, []fieldID{{0x0001, 39, 0}}},
	{"tun_erspan_idx", 4, []fieldID{{0xffff, 11, 0x00002320}}},
	{"tun_erspan_ver", 1, []fieldID{{0xffff, 12, 0x00002320}}},
	{"tun_erspan_dir", 1, []fieldID{{0xffff, 13, 0x00002320}}},
	{"tun_erspan_hwid", 1, []fieldID{{0xffff, 14, 0x00002320}}},
	{"tun_gtpu_flags", 1, []fieldID{{0xffff, 15, 0x00002320}}},
	{"tun_gtpu_msgtype", 1, []fieldID{{0xffff, 16, 0x00002320}}},
	// tun_metadata0...tun_metadata63 are inserted here by init.
	{"metadata", 8, []fieldID{{0x8000, 2, 0}}},
	{"in_port", 2, []fieldID{{0x0000, 0, 0}}},
	{"in_port_oxm", 4, []fieldID{{0x8000, 0, 0}}},
	{"actset_output", 4, []fieldID{{0x8000, 43, 0}, {0xffff, 43, 0x4f4e4600}}},
	{"pkt_mark", 4, []fieldID{{0x0001, 33, 0}}},
	{"ct_state", 4, []fieldID{{0x0001, 105, 0}}},
	{"ct_zone", 2, []fieldID{{0x0001, 106, 0}}},
	{"ct_mark", 4, []fieldID{{0x0001, 107, 0}}},
	{"ct_label", 16, []fieldID{{0x0001, 108, 0}}},
	{"ct_nw_proto", 1, []fieldID{{0x0001, 119, 0}}},
	{"ct_nw_src", 4, []fieldID{{0x0001, 120, 0}}},
	{"ct_nw_dst", 4, []fieldID{{0x0001, 121, 0}}},
	{"ct_ipv6_src", 16, []fieldID{{0x0001, 122, 0}}},
	{"ct_ipv6_dst", 16, []fieldID{{0x0001, 123, 0}}},
	{"ct_tp_src", 2, []fieldID{{0x0001, 124, 0}}},
	{"ct_tp_dst", 2, []fieldID{{0x0001, 125, 0}}},
	{"reg0", 4, []fieldID{{0x0001, 0, 0}}},
	{"reg1", 4, []fieldID{{0x0001, 1, 0}}},
	{"reg2", 4, []fieldID{{0x0001, 2, 0}}},
	{"reg3", 4, []fieldID{{0x0001, 3, 0}}},
	{"reg4", 4, []fieldID{{0x0001, 4, 0}}},
	{"reg5", 4, []fieldID{{0x0001, 5, 0}}},
	{"reg6", 4, []fieldID{{0x0001, 6, 0}}},
	{"reg7", 4, []fieldID{{0x0001, 7, 0}}},
	{"reg8", 4, []fieldID{{0x0001, 8, 0}}},
	{"reg9", 4, []fieldID{{0x0001, 9, 0}}},
	{"reg10", 4, []fieldID{{0x0001, 10, 0}}},
	{"reg11", 4, []fieldID{{0x0001, 11, 0}}},
	{"reg12", 4, []fieldID{{0x0001, 12, 0}}},
	{"reg13", 4, []fieldID{{0x0001, 13, 0}}},
	{"reg14", 4, []fieldID{{0x0001, 14, 0}}},
	{"reg15", 4, []fieldID{{0x0001, 15, 0}}},
	{"xreg0", 8, []fieldID{{0x8001, 0, 0}}},
	{"xreg1", 8, []fieldID{{0x8001, 1, 0}}},
	{"xreg2", 8, []fieldID{{0x8001, 2, 0}}},
	{"xreg3", 8, []fieldID{{0x8001, 3, 0}}},
	{"xreg4", 8, []fieldID{{0x8001, 4, 0}}},
	{"xreg5", 8, []fieldID{{0x8001, 5, 0}}},
	{"xreg6", 8, []fieldID{{0x8001, 6, 0}}},
	{"xreg7", 8, []fieldID{{0x8001, 7, 0}}},
	{"xxreg0", 16, []fieldID{{0x0001, 111, 0}}},
	{"xxreg1", 16, []fieldID{{0x0001, 112, 0}}},
	{"xxreg2", 16, []fieldID{{0x0001, 113, 0}}},
	{"xxreg3", 16, []fieldID{{0x0001, 114, 0}}},
	{"eth_src", 6, []fieldID{{0x0000, 2, 0}, {0x8000, 4, 0}}},
	{"eth_dst", 6, []fieldID{{0x0000, 1, 0}, {0x8000, 3, 0}}},
	{"eth_type", 2, []fieldID{{0x0000, 3, 0}, {0x8000, 5, 0}}},
	{"vlan_tci", 2, []fieldID{{0x0000, 4, 0}}},
	{"vlan_vid", 2, []fieldID{{0x8000, 6, 0}}},
	{"vlan_pcp", 1, []fieldID{{0x8000, 7, 0}}},
	{"mpls_label", 4, []fieldID{{0x8000, 34, 0}}},
	{"mpls_tc", 1, []fieldID{{0x8000, 35, 0}}},
	{"mpls_bos", 1, []fieldID{{0x8000, 36, 0}}},
	{"mpls_ttl", 1, []fieldID{{0x0001, 30, 0}}},
	{"ip_src", 4, []fieldID{{0x0000, 7, 0}, {0x8000, 11, 0}}},
	{"ip_dst", 4, []fieldID{{0x0000, 8, 0}, {0x8000, 12, 0}}},
	{"ipv6_src", 16, []fieldID{{0x0001, 19, 0}, {0x8000, 26, 0}}},
	{"ipv6_dst", 16, []fieldID{{0x0001, 20, 0}, {0x8000, 27, 0}}},
	{"ipv6_label", 4, []fieldID{{0x0001, 27, 0}, {0x8000, 28, 0}}},
	{"nw_proto", 1, []fieldID{{0x0000, 6, 0}, {0x8000, 10, 0}}},
	{"nw_tos", 1, []fieldID{{0x0000, 5, 0}}},
	{"ip_dscp", 1, []fieldID{{0x8000, 8, 0}}},
	{"nw_ecn", 1, []fieldID{{0x0001, 28, 0}, {0x8000, 9, 0}}},
	{"nw_ttl", 1, []fieldID{{0x0001, 29, 0}}},
	{"ip_frag", 1, []fieldID{{0x0001, 26, 0}}},
	{"arp_op", 2, []fieldID{{0x0000, 15, 0}, {0x8000, 21, 0}}},
	{"arp_spa", 4, []fieldID{{0x0000, 16, 0}, {0x8000, 22, 0}}},
	{"arp_tpa", 4, []fieldID{{0x0000, 17, 0}, {0x8000, 23, 0}}},
	{"arp_sha", 6, []fieldID{{0x0001, 17, 0}, {0x8000, 24, 0}}},
	{"arp_tha", 6, []fieldID{{0x0001, 18, 0}, {0x8000, 25, 0}}},
	{"tcp_src", 2, []fieldID{{0x0000, 9, 0}, {0x8000, 13, 0}}},
	{"tcp_dst", 2, []fieldID{{0x0000, 10, 0}, {0x8000, 14, 0}}},
	{"tcp_flags", 2, []fieldID{{0x0001, 34, 0}, {0x8000, 42, 0}, {0xffff, 42, 0x4f4e4600}}},
	{"udp_src", 2, []fieldID{{0x0000, 11, 0}, {0x8000, 15, 0}}},
	{"udp_dst", 2, []fieldID{{0x0000, 12, 0}, {0x8000, 16, 0}}},
	{"sctp_src", 2, []fieldID{{0x8000, 17, 0}}},
	{"sctp_dst", 2, []fieldID{{0x8000, 18, 0}}},
	{"icmp_type", 1, []fieldID{{0x0000, 13, 0}, {0x8000, 19, 0}}},
	{"icmp_code", 1, []fieldID{{0x0000, 14, 0}, {0x8000, 20, 0}}},
	{"icmpv6_type", 1, []fieldID{{0x0001, 21, 0}, {0x8000, 29, 0}}},
	{"icmpv6_code", 1, []fieldID{{0x0001, 22, 0}, {0x8000, 30, 0}}},
	{"nd_target", 16, []fieldID{{0x0001, 23, 0}, {0x8000, 31, 0}}},
	{"nd_sll", 6, []fieldID{{0x0001, 24, 0}, {0x8000, 32, 0}}},
	{"nd_tll", 6, []fieldID{{0x0001, 25, 0}, {0x8000, 33, 0}}},
	{"nd_reserved", 4, []fieldID{{0x1000, 1, 0}}},
	{"nd_options_type", 1, []fieldID{{0x1000, 2, 0}}},
	{"nsh_flags", 1, []fieldID{{0xffff, 1, 0x005ad650}}},
	{"nsh_mdtype", 1, []fieldID{{0xffff, 2, 0x005ad650}}},
	{"nsh_np", 1, []fieldID{{0xffff, 3, 0x005ad650}}},
	{"nsh_spi", 4, []fieldID{{0xffff, 4, 0x005ad650}}},
	{"nsh_si", 1, []fieldID{{0xffff, 5, 0x005ad650}}},
	{"nsh_c1", 4, []fieldID{{0xffff, 6, 0x005ad650}}},
	{"nsh_c2", 4, []fieldID{{0xffff, 7, 0x005ad650}}},
	{"nsh_c3", 4, []fieldID{{0xffff, 8, 0x005ad650}}},
	{"nsh_c4", 4, []fieldID{{0xffff, 9, 0x005ad650}}},
	{"nsh_ttl", 1, []fieldID{{0xffff, 10, 0x005ad650}}},
}

// tunMetadataAfter is the field tun_metadata0...63 follow.
const tunMetadataAfter = "tun_gtpu_msgtype"

// fieldSet is a set of ovsFields, by index.
type fieldSet [3]uint64

func (s *fieldSet) add(i int)     { s[i/64] |= 1 << (i % 64) }
func (s fieldSet) has(i int) bool { return s[i/64]&(1<<(i%64)) != 0 }
func (s fieldSet) empty() bool    { return s == fieldSet{} }
func (s fieldSet) and(o fieldSet) fieldSet {
	return fieldSet{s[0] & o[0], s[1] & o[1], s[2] & o[2]}
}
func (s fieldSet) or(o fieldSet) fieldSet {
	return fieldSet{s[0] | o[0], s[1] | o[1], s[2] | o[2]}
}
func (s fieldSet) andNot(o fieldSet) fieldSet {
	return fieldSet{s[0] &^ o[0], s[1] &^ o[1], s[2] &^ o[2]}
}

// fieldByID maps a header to its field's index in ovsFields.
var fieldByID = map[fieldID]int{}

func init() {
	for i, f := range ovsFields {
		if f.name != tunMetadataAfter {
			continue
		}
		// tun_metadataN is NXM_NX_TUN_METADATAN: class 1, field 40+N.
		tun := make([]ovsField, 64)
		for n := range tun {
			tun[n] = ovsField{name: fmt.Sprintf("tun_metadata%d", n), size: -1, ids: []fieldID{{0x0001, uint8(40 + n), 0}}}
		}
		ovsFields = append(ovsFields[:i+1], append(tun, ovsFields[i+1:]...)...)
		break
	}
	if len(ovsFields) > len(fieldSet{})*64 {
		panic("ofctl: fieldSet too small")
	}
	for i, f := range ovsFields {
		for _, id := range f.ids {
			fieldByID[id] = i
		}
	}
}

// lookupField returns the index in ovsFields of the field header h names
// and whether h has a mask, or -1 when ovs-ofctl would not recognise it:
// an unknown field or a payload length that is not the field's (after
// halving a masked one); tun_metadata fields take any length.
func lookupField(header, exp uint32) (int, bool) {
	id := fieldID{class: uint16(header >> 16), field: uint8(header >> 9 & 0x7f)}
	n := int(header & 0xff)
	if id.class == 0xffff {
		id.exp = exp
		if n < 4 {
			return -1, false
		}
		n -= 4
	}
	masked := header&0x100 != 0
	if masked {
		n /= 2
	}
	i, ok := fieldByID[id]
	if !ok || (ovsFields[i].size >= 0 && ovsFields[i].size != n) {
		return -1, false
	}
	return i, masked
}

// fieldNames writes the fields in s as ovs-ofctl does: in its order,
// abbreviated by abbreviateNames.
func fieldNames(s fieldSet) string {
	var names []string
	for i := range ovsFields {
		if s.has(i) {
			names = append(names, ovsFields[i].name)
		}
	}
	return strings.Join(abbreviateNames(names), " ")
}

// abbreviateNames shortens a list of field names the way ovs-ofctl 3.1
// does in table features, reproduced from its output:
//   - a run of consecutive names sharing the part up to their first '_'
//     becomes PREFIX{a,b,...}, where PREFIX is the longest common prefix
//     ending in '_' of the run's first two names, and the members are the
//     names with len(PREFIX) bytes cut off, abbreviated in turn; OVS cuts
//     that many bytes from every member even when the later ones do not
//     share the longer prefix (tun_ipv6_src,tun_ipv6_dst,tun_flags prints
//     as tun_ipv6_{src,dst,}), which is kept;
//   - a run that is wholly, or a name with no such run that starts, a
//     sequence of at least three names differing only in consecutive
//     trailing numbers becomes FIRST...LAST.
func abbreviateNames(names []string) []string {
	var out []string
	for i := 0; i < len(names); {
		j := i + 1
		if u := strings.IndexByte(names[i], '_'); u >= 0 {
			for j < len(names) && strings.HasPrefix(names[j], names[i][:u+1]) {
				j++
			}
		}
		n := j - i
		if n == 1 {
			n = numberedRun(names[i:])
			if n < 3 {
				n = 1
			}
		}
		switch {
		case n == 1:
			out = append(out, names[i])
		case n >= 3 && numberedRun(names[i:]) >= n:
			out = append(out, names[i]+"..."+names[i+n-1])
		default:
			prefix := commonPrefix(names[i], names[i+1])
			rest := make([]string, n)
			for k := range rest {
				if s := names[i+k]; len(s) > len(prefix) {
					rest[k] = s[len(prefix):]
				}
			}
			out = append(out, prefix+"{"+strings.Join(abbreviateNames(rest), ",")+"}")
		}
		i += n
	}
	return out
}

// commonPrefix returns the longest common prefix of a and b that ends in
// '_'.
func commonPrefix(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:strings.LastIndexByte(a[:n], '_')+1]
}

// numberedRun returns how many of names, from the first, are one stem
// followed by consecutive numbers (reg3 reg4 reg5: 3), at least 1.
func numberedRun(names []string) int {
	stem, num, ok := splitNumber(names[0])
	if !ok {
		return 1
	}
	n := 1
	for ; n < len(names); n++ {
		s, m, ok := splitNumber(names[n])
		if !ok || s != stem || m != num+n {
			break
		}
	}
	return n
}

// splitNumber splits a name into its stem and trailing decimal number.
func splitNumber(name string) (string, int, bool) {
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	if i == len(name) || len(name)-i > 9 {
		return "", 0, false
	}
	n := 0
	for _, c := range name[i:] {
		n = n*10 + int(c-'0')
	}
	return name[:i], n, true
}
