package flowtable

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Ethernet types and IP protocols that the match syntax names.
const (
	EthTypeIPv4  = 0x0800
	EthTypeARP   = 0x0806
	EthTypeRARP  = 0x8035
	EthTypeIPv6  = 0x86dd
	EthTypeMPLS  = 0x8847
	EthTypeMPLSM = 0x8848
	EthTypeVLAN  = 0x8100
	EthTypeQinQ  = 0x88a8
	EthTypeNSH   = 0x894f

	IPProtoICMP   = 1
	IPProtoTCP    = 6
	IPProtoUDP    = 17
	IPProtoICMPv6 = 58
	IPProtoSCTP   = 132
)

// protocolShorthand is a keyword like "tcp6": a dl_type and maybe nw_proto.
type protocolShorthand struct {
	dlType   uint16
	nwProto  uint8
	hasProto bool
}

var protocolShorthands = map[string]protocolShorthand{
	"ip":    {EthTypeIPv4, 0, false},
	"ipv4":  {EthTypeIPv4, 0, false},
	"icmp":  {EthTypeIPv4, IPProtoICMP, true},
	"tcp":   {EthTypeIPv4, IPProtoTCP, true},
	"udp":   {EthTypeIPv4, IPProtoUDP, true},
	"sctp":  {EthTypeIPv4, IPProtoSCTP, true},
	"ipv6":  {EthTypeIPv6, 0, false},
	"ip6":   {EthTypeIPv6, 0, false},
	"icmp6": {EthTypeIPv6, IPProtoICMPv6, true},
	"tcp6":  {EthTypeIPv6, IPProtoTCP, true},
	"udp6":  {EthTypeIPv6, IPProtoUDP, true},
	"sctp6": {EthTypeIPv6, IPProtoSCTP, true},
	"arp":   {EthTypeARP, 0, false},
	"rarp":  {EthTypeRARP, 0, false},
	"mpls":  {EthTypeMPLS, 0, false},
	"mplsm": {EthTypeMPLSM, 0, false},
}

// SetProtocol applies a shorthand such as "tcp" or "arp", or "eth", which
// sets the packet type back to Ethernet; it reports false for a word that
// is none of them.
func (m *Match) SetProtocol(word string) bool {
	if word == "eth" {
		m.Clear(FieldPacketType) // Ethernet, as every match is unless it says otherwise
		return true
	}
	p, ok := protocolShorthands[word]
	if !ok {
		return false
	}
	m.SetExact(FieldEthType, uint64(p.dlType))
	if p.hasProto {
		m.SetExact(FieldNwProto, uint64(p.nwProto))
	}
	return true
}

// SetFieldText parses value (with optional /mask) for the named field and
// applies it to the match with OVS's semantics: the new value replaces the
// field's old one, and fields that are views of another (dl_vlan, nw_tos,
// vlan_vid, ...) update only their part of it.
//
// As in ovs-ofctl, "*" means any value, and a field given no value, or
// an empty one, reads as "0/0", which only integer fields take.
func (m *Match) SetFieldText(name, value string, names PortNamer) error {
	if strings.Contains(name, "[") {
		return m.setSubfieldText(name, value, names)
	}
	f, ok := matchFieldNamed(name, names)
	if !ok {
		return fmt.Errorf("unknown keyword %s", name)
	}
	switch value {
	case "*":
		m.wildcardField(f)
		return nil
	case "":
		value = "0/0"
	}
	v, mask, err := f.parseValueBytes(value, names)
	switch {
	case err != nil:
		return err
	case mask != nil && len(mask) != len(v):
		return fmt.Errorf("%s: mask too large for %d-byte field %s", value, f.Bytes(), f.Name)
	case f == FieldDlVLAN && mask == nil && toU64(v) == 0xffff:
		m.SetExact(FieldVLANTCI, 0) // OFP10_VLAN_NONE: no 802.1Q header
		return nil
	}
	f.trimToBits(v)
	f.trimToBits(mask)
	if mask != nil && allBytes(mask, 0) {
		m.wildcardField(f)
		return nil
	}
	m.setField(f, v, mask)
	return nil
}

// matchFieldNamed returns the field a match item names, with the aliases
// only matches know.
func matchFieldNamed(name string, names PortNamer) (*Field, bool) {
	if f, ok := lookupField(name, names, false); ok {
		return f, true
	}
	switch name {
	case "tp_src":
		return FieldTCPSrc, true
	case "tp_dst":
		return FieldTCPDst, true
	}
	return nil, false
}

// setSubfieldText applies "field[bits]=value", which matches those bits
// of the field on an integer and leaves the field's other bits as they
// were, as ovs-ofctl does.
func (m *Match) setSubfieldText(name, value string, names PortNamer) error {
	sf, err := ParseSubfieldNames(name, names)
	if err != nil {
		return err
	}
	f := sf.Field
	v, n, err := scanIntString(value, f.Bytes())
	if err != nil || n != len(value) {
		return fmt.Errorf("%s: cannot parse integer value: %s", name, value)
	}
	if err := sf.checkFits(v, name); err != nil {
		return err
	}
	old, oldMask := make([]byte, f.Bytes()), make([]byte, f.Bytes())
	f.GetBytes(&m.Key, old)
	f.GetBytes(&m.Mask, oldMask)
	bits := sf.bits()
	key := new(big.Int).AndNot(toBig(old), bits)
	key.Or(key, new(big.Int).Lsh(v, uint(sf.Ofs)))
	mask := new(big.Int).Or(toBig(oldMask), bits).FillBytes(oldMask)
	if !f.Maskable && !isAllOnes(mask, f.Bits) {
		// Part of a field that takes no mask: OVS lets the match through
		// and then finds it inconsistent with any actions.
		return inconsistent("%s matches part of a field that takes no mask", name)
	}
	m.SetBytesMasked(f, key.FillBytes(old), mask)
	return nil
}

// setFieldWithoutValue applies a match item that has a field's name and
// no value, which ovs-ofctl reads as "0/0"; ok is false if name is no
// field's.
func (m *Match) setFieldWithoutValue(name string, names PortNamer) (ok bool, err error) {
	if strings.Contains(name, "[") {
		return true, m.setSubfieldText(name, "", names)
	}
	if _, ok := matchFieldNamed(name, names); !ok {
		return false, nil
	}
	return true, m.SetFieldText(name, "", names)
}

// wildcardField makes the match ignore f, as a zero mask asks. For a
// view of the VLAN TCI, that clears the view's bits, or the whole TCI
// (its present bit too) when the view's partner, VID or PCP, is not
// matched either: vlan_vid keeps the present bit, as dl_vlan does;
// nw_tos and ip_dscp leave ECN matched.
func (m *Match) wildcardField(f *Field) {
	tci := FieldVLANTCI
	clearTCI := func(bits, partner uint64) {
		if m.FieldMask(tci)&partner == 0 {
			m.Clear(tci)
			return
		}
		m.SetMasked(tci, m.Key.tci()&^bits, m.FieldMask(tci)&^bits)
	}
	switch f {
	case FieldDlVLAN, FieldVLANVID:
		clearTCI(0x0fff, 0xe000)
	case FieldDlVLANPCP, FieldVLANPCP:
		clearTCI(0xe000, 0x0fff)
	case FieldNwTOS:
		m.Clear(FieldIPDSCP)
	default:
		m.setField(f, make([]byte, f.Bytes()), make([]byte, f.Bytes()))
	}
}

// setField stores a parsed value. v and mask are big-endian, f.Bytes() long.
func (m *Match) setField(f *Field, v, mask []byte) {
	tci := FieldVLANTCI
	switch f {
	case FieldDlVLAN:
		vid := toU64(v)
		m.SetMasked(tci, m.Key.tci()&^0x1fff|vid&0xfff|VLANCFI, m.FieldMask(tci)|0x1fff)
		return
	case FieldDlVLANPCP, FieldVLANPCP:
		pcp := toU64(v) & 7
		m.SetMasked(tci, m.Key.tci()&^0xf000|pcp<<13|VLANCFI, m.FieldMask(tci)|0xf000)
		return
	case FieldVLANVID:
		vid := toU64(v) & 0x1fff
		if mask == nil {
			m.SetMasked(tci, m.Key.tci()&^0x1fff|vid, m.FieldMask(tci)|0x1fff)
			return
		}
		vm := toU64(mask) & 0x1fff
		m.SetMasked(tci, m.Key.tci()&^vm|vid&vm, m.FieldMask(tci)&^0x1fff|vm)
		return
	case FieldNwTOS:
		m.SetExact(FieldIPDSCP, toU64(v)>>2)
		return
	case FieldPacketType:
		// Ethernet, (0,0), is what every flow matches unless it says
		// otherwise; OVS sends no match for it.
		m.Clear(f)
		if pt := toU64(v); pt != 0 {
			m.SetExact(f, pt)
		}
		return
	case FieldTunFlags:
		// Only the flags OVS defines (oam) can be matched.
		val, msk := toU64(v), uint64(1)
		if mask != nil {
			msk = toU64(mask) & 1
		}
		m.SetMasked(f, val&msk, msk)
		return
	}
	m.Clear(f)
	m.SetBytesMasked(f, v, mask)
	if n, ok := TunMetadataIndex(f); ok {
		setPresent(m, n)
	}
}

func (k *Key) tci() uint64 { return FieldVLANTCI.Get(k) }

// NormalizeFor turns the match into what survives a trip through proto's
// wire format, as a switch would store it and dump-flows print it back.
// OpenFlow 1.0 keeps a fully masked VLAN ID only as "this VLAN" or "no
// VLAN"; OpenFlow 1.2+ carries the VLAN as OXM vlan_vid (ID and present
// bit) and vlan_pcp, which needs a tag.
func (m *Match) NormalizeFor(proto Protocol) {
	tci, mask := m.Key.tci(), FieldVLANTCI.Get(&m.Mask)
	switch proto {
	case OpenFlow10:
		if (mask == 0x1fff || mask == 0xffff) && tci&VLANCFI == 0 {
			m.SetExact(FieldVLANTCI, 0)
		}
	case OpenFlow15:
		oxm := mask & 0x1fff
		if mask&VLANCFI != 0 && tci&VLANCFI != 0 && mask&0xe000 == 0xe000 {
			oxm |= 0xe000
		}
		m.SetMasked(FieldVLANTCI, tci&oxm, oxm)
	}
}

// ParseMatch parses a match in ovs-ofctl syntax: protocol shorthands and
// field=value[/mask] items separated by commas or spaces. Fields whose
// prerequisites the match does not meet are dropped, as ovs-ofctl does.
func ParseMatch(s string, names PortNamer) (Match, error) {
	var m Match
	err := forEachKeyValue(s, func(key, value string, hasValue bool) error {
		if m.SetProtocol(key) {
			return nil // a value after a shorthand is ignored, as in OVS
		}
		if !hasValue {
			if ok, err := m.setFieldWithoutValue(key, names); ok {
				return err
			}
			return fmt.Errorf("field %s missing value", key)
		}
		return m.SetFieldText(key, value, names)
	})
	if err != nil {
		return Match{}, err
	}
	m.DropUnmetPrerequisites()
	return m, nil
}

// forEachKeyValue calls fn for each item of s, as split by
// nextKeyValue. An empty value counts as none, as in OVS ("k=" is "k").
func forEachKeyValue(s string, fn func(key, value string, hasValue bool) error) error {
	for {
		key, value, _, rest, ok := nextKeyValue(s)
		if !ok {
			return nil
		}
		if err := fn(key, value, value != ""); err != nil {
			return err
		}
		s = rest
	}
}

// nextKeyValue takes the first item off s, as OVS's key-value reader
// does for matches, action lists and most action arguments. Commas and
// white space separate items. A key ends at one of ":=(" or a separator;
// after ':' or '=' the value runs to the next separator, after '(' to
// the next ')' (and on through "->" and what follows it, if the ')' is
// followed by "->"), and in both a parenthesized part of the value counts
// as one character (to the end of s, if its ')' is missing). delim is the
// byte that ended the key, 0 at the end of s; ok is false when s holds
// only separators.
func nextKeyValue(s string) (key, value string, delim byte, rest string, ok bool) {
	s = strings.TrimLeft(s, itemSeparators)
	if s == "" {
		return "", "", 0, "", false
	}
	n := strings.IndexAny(s, ":=("+itemSeparators)
	if n < 0 {
		return s, "", 0, "", true
	}
	key, delim, s = s[:n], s[n], s[n+1:]
	var valueEnds string
	switch delim {
	case ':', '=':
		valueEnds = itemSeparators
	case '(':
		valueEnds = ")"
	default:
		return key, "", delim, s, true
	}
	n = valueLen(s, valueEnds)
	if delim == '(' && strings.HasPrefix(s[n:], ")->") {
		// "key(x)->y": the value is "x)->y", up to the next separator
		// (check_pkt_larger's destination, and ignored by the rest).
		n += 3 + valueLen(s[n+3:], itemSeparators)
	}
	value, rest = s[:n], s[n:]
	if rest != "" {
		rest = rest[1:] // the byte that ended the value
	}
	return key, value, delim, rest, true
}

// itemSeparators separate nextKeyValue's items.
const itemSeparators = ", \t\r\n"

// valueLen measures the value at the start of s, which ends before a byte
// of ends outside parentheses.
func valueLen(s, ends string) int {
	n := 0
	for n < len(s) && strings.IndexByte(ends, s[n]) < 0 {
		if s[n] != '(' {
			n++
			continue
		}
		for level := 0; ; {
			if n == len(s) {
				return n
			}
			switch s[n] {
			case '(':
				level++
			case ')':
				level--
			}
			n++
			if level <= 0 {
				break
			}
		}
	}
	return n
}

// Context the prerequisites of L3 and L4 fields depend on. A packet type
// in the Ethertype namespace, (1,type), implies the Ethertype.
func (m *Match) dlType() (uint16, bool) {
	if pt, ok := m.PacketType(); ok && pt>>16 == PacketTypeNSEthertype {
		return uint16(pt), true
	}
	return uint16(FieldEthType.Get(&m.Key)), m.IsExact(FieldEthType)
}

// PacketTypeNSEthertype is the packet type namespace whose types are
// Ethertypes: (1,0x800) is an IPv4 packet without an Ethernet header.
const PacketTypeNSEthertype = 1

// PacketType returns the packet type the match requires, if it names one
// other than Ethernet.
func (m *Match) PacketType() (uint32, bool) {
	if m.IsWildcard(FieldPacketType) {
		return 0, false
	}
	return uint32(FieldPacketType.Get(&m.Key)), true
}

func (m *Match) nwProto() (uint8, bool) {
	return uint8(FieldNwProto.Get(&m.Key)), m.IsExact(FieldNwProto)
}

// PrereqsMet reports whether the match pins down what p requires.
func (m *Match) PrereqsMet(p Prereq) bool {
	dl, dlExact := m.dlType()
	proto, protoExact := m.nwProto()
	isIP := dlExact && (dl == EthTypeIPv4 || dl == EthTypeIPv6)
	switch p {
	case PrereqNone:
		return true
	case PrereqVLANVID:
		return FieldVLANTCI.Get(&m.Mask)&VLANCFI != 0 && m.Key.tci()&VLANCFI != 0
	case PrereqARP:
		return dlExact && (dl == EthTypeARP || dl == EthTypeRARP)
	case PrereqIPv4:
		return dlExact && dl == EthTypeIPv4
	case PrereqIPv6:
		return dlExact && dl == EthTypeIPv6
	case PrereqIPAny:
		return isIP
	case PrereqMPLS:
		return dlExact && (dl == EthTypeMPLS || dl == EthTypeMPLSM)
	case PrereqTCP:
		return isIP && protoExact && proto == IPProtoTCP
	case PrereqUDP:
		return isIP && protoExact && proto == IPProtoUDP
	case PrereqSCTP:
		return isIP && protoExact && proto == IPProtoSCTP
	case PrereqICMPv4:
		return dlExact && dl == EthTypeIPv4 && protoExact && proto == IPProtoICMP
	case PrereqICMPv6:
		return dlExact && dl == EthTypeIPv6 && protoExact && proto == IPProtoICMPv6
	case PrereqND, PrereqNDSolicit, PrereqNDAdvert:
		if !m.PrereqsMet(PrereqICMPv6) || !m.IsExact(FieldICMPv6Type) {
			return false
		}
		t := FieldICMPv6Type.Get(&m.Key)
		switch p {
		case PrereqNDSolicit:
			return t == 135
		case PrereqNDAdvert:
			return t == 136
		}
		return t == 135 || t == 136
	case PrereqCT:
		return FieldCTState.Get(&m.Mask)&0x20 != 0 && FieldCTState.Get(&m.Key)&0x20 != 0
	case PrereqNSH:
		return dlExact && dl == EthTypeNSH
	}
	return false
}

// DropUnmetPrerequisites clears the L3 and L4 parts of the match that its
// dl_type and nw_proto do not allow, as ovs-ofctl does when it encodes a
// flow (tp_dst=80 without tcp matches nothing more than no tp_dst at all).
func (m *Match) DropUnmetPrerequisites() {
	dl, dlExact := m.dlType()
	proto, protoExact := m.nwProto()
	var keep Mask
	keepField := func(fs ...*Field) {
		for _, f := range fs {
			f.SetAllOnes(&keep)
		}
	}
	for w := 0; w < stageEnd[StageMetadata]; w++ {
		keep[w] = ^uint64(0)
	}
	// Connection-tracking tuple fields need the packet's own L3 and L4.
	for _, f := range []*Field{FieldCTNwSrc, FieldCTNwDst, FieldCTIPv6Src, FieldCTIPv6Dst, FieldCTNwProto, FieldCTTpSrc, FieldCTTpDst} {
		f.Set(&keep, 0)
		if f.Bits > 64 {
			f.SetBytes(&keep, make([]byte, 16))
		}
	}
	// ovs-ofctl leaves NSH fields to the switch, which refuses them
	// without their prerequisite.
	keep[wNSH], keep[wNSHC1], keep[wNSHC3] = ^uint64(0), ^uint64(0), ^uint64(0)
	keep[wEthDst], keep[wEthSrc] = ^uint64(0), ^uint64(0)
	keep[wVLANMPLS] = 0xffff_ffff_0000_0000
	isIPv4 := dlExact && dl == EthTypeIPv4
	isIPv6 := dlExact && dl == EthTypeIPv6
	switch {
	case dlExact && (dl == EthTypeMPLS || dl == EthTypeMPLSM):
		keep[wVLANMPLS] = ^uint64(0)
	case dlExact && (dl == EthTypeARP || dl == EthTypeRARP):
		// OVS keeps an ARP opcode where IP keeps nw_proto, so nw_proto=1
		// on an ARP flow means arp_op=1.
		if !m.IsWildcard(FieldNwProto) && m.IsWildcard(FieldARPOp) {
			m.SetExact(FieldARPOp, uint64(proto))
		}
		keepField(FieldARPOp, FieldARPSPA, FieldARPTPA, FieldARPSHA, FieldARPTHA)
	case isIPv4 || isIPv6:
		keepField(FieldNwProto, FieldNwTTL, FieldIPFrag, FieldNwTOS)
		keepField(FieldCTNwProto)
		if m.IsExact(FieldCTNwProto) {
			keepField(FieldCTTpSrc, FieldCTTpDst)
		}
		if isIPv4 {
			keepField(FieldIPSrc, FieldIPDst, FieldCTNwSrc, FieldCTNwDst)
		} else {
			keepField(FieldIPv6Src, FieldIPv6Dst, FieldIPv6Label, FieldCTIPv6Src, FieldCTIPv6Dst)
		}
		switch {
		case !protoExact:
		case proto == IPProtoTCP:
			keepField(FieldTCPSrc, FieldTCPDst, FieldTCPFlags)
		case proto == IPProtoUDP || proto == IPProtoSCTP:
			keepField(FieldTCPSrc, FieldTCPDst)
		case proto == IPProtoICMP && isIPv4:
			keepField(FieldICMPType, FieldICMPCode)
		case proto == IPProtoICMPv6 && isIPv6:
			keepField(FieldICMPv6Type, FieldICMPv6Code)
			if m.PrereqsMet(PrereqND) {
				keepField(FieldNDTarget, FieldNDReserved, FieldNDOptionsType)
			}
			if m.PrereqsMet(PrereqNDSolicit) {
				keepField(FieldNDSLL)
			}
			if m.PrereqsMet(PrereqNDAdvert) {
				keepField(FieldNDTLL)
			}
		}
	}
	m.Mask.And(&keep)
	m.normalize()
}

// Format writes the match as ovs-ofctl prints it, in OVS's field order and
// with its shorthands (e.g. "tcp,in_port=1,nw_dst=10.0.0.0/8,tp_dst=80").
// It does not include the priority. names, if not nil, names ports.
func (m *Match) Format(names PortNamer) string {
	var b matchWriter
	b.uint32Masked(m, "pkt_mark", FieldPktMark)
	if !m.IsWildcard(FieldRecircID) {
		b.item("recirc_id", formatHex(bigEndian(FieldRecircID.Get(&m.Key), 4)))
	}
	b.uint32Masked(m, "dp_hash", FieldDPHash)
	if !m.IsWildcard(FieldConjID) {
		b.item("conj_id", strconv.FormatUint(FieldConjID.Get(&m.Key), 10))
	}
	if !m.IsWildcard(FieldActsetOutput) {
		b.item("actset_output", FormatPort(Port(FieldActsetOutput.Get(&m.Key)), names))
	}
	if !m.IsWildcard(FieldCTState) {
		b.item("ct_state", formatFlagsMatch(ctStateNames, FieldCTState.Get(&m.Key), FieldCTState.Get(&m.Mask), definedFlags(ctStateNames)))
	}
	if !m.IsWildcard(FieldCTZone) {
		b.item("ct_zone", strconv.FormatUint(FieldCTZone.Get(&m.Key), 10))
	}
	b.uint32Masked(m, "ct_mark", FieldCTMark)
	for _, f := range []*Field{FieldCTLabel, FieldCTNwSrc, FieldCTNwDst, FieldCTIPv6Src, FieldCTIPv6Dst} {
		b.generic(m, f.Name, f, names)
	}
	if !m.IsWildcard(FieldCTNwProto) {
		b.item("ct_nw_proto", strconv.FormatUint(FieldCTNwProto.Get(&m.Key), 10))
	}
	b.be16Masked(m, "ct_tp_src", FieldCTTpSrc)
	b.be16Masked(m, "ct_tp_dst", FieldCTTpDst)
	if pt, ok := m.PacketType(); ok {
		b.item("packet_type", formatPacketType(pt))
	}

	skipType, skipProto := false, false
	dl, dlExact := m.dlType()
	proto, protoExact := m.nwProto()
	if m.IsExact(FieldEthType) {
		skipType = true
		switch dl {
		case EthTypeIPv4, EthTypeIPv6:
			name := ""
			if protoExact {
				name = ipProtoShorthand(proto, dl == EthTypeIPv6)
			}
			if name != "" {
				skipProto = true
				b.word(name)
			} else if dl == EthTypeIPv4 {
				b.word("ip")
			} else {
				b.word("ipv6")
			}
		case EthTypeARP:
			b.word("arp")
		case EthTypeRARP:
			b.word("rarp")
		case EthTypeMPLS:
			b.word("mpls")
		case EthTypeMPLSM:
			b.word("mplsm")
		default:
			skipType = false
		}
	}
	for i, f := range FieldReg {
		b.uint32Masked(m, fmt.Sprintf("reg%d", i), f)
	}
	b.generic(m, "tun_id", FieldTunID, nil)
	b.generic(m, "tun_src", FieldTunSrc, nil)
	b.generic(m, "tun_dst", FieldTunDst, nil)
	b.generic(m, "tun_ipv6_src", FieldTunIPv6Src, nil)
	b.generic(m, "tun_ipv6_dst", FieldTunIPv6Dst, nil)
	if !m.IsWildcard(FieldTunGBPID) {
		b.be16Masked(m, "tun_gbp_id", FieldTunGBPID)
	}
	b.generic(m, "tun_gbp_flags", FieldTunGBPFlags, nil)
	b.erspanGTPU(m)
	if !m.IsWildcard(FieldTunFlags) {
		b.item("tun_flags", formatFlags(tunFlagNames, FieldTunFlags.Get(&m.Key), FieldTunFlags.Get(&m.Mask)))
	}
	if tlv := tlvOf(names); tlv != nil {
		for n := 0; n < MaxTunMetadata; n++ {
			f, ok := tlv.Field(n)
			switch {
			case !ok:
			case m.IsWildcard(f) && m.Mask[wTunMetaPresent]&(1<<n) != 0:
				b.word(f.Name) // the option must be there, with any value
			default:
				b.generic(m, f.Name, f, nil)
			}
		}
	}
	b.generic(m, "metadata", FieldMetadata, nil)
	if !m.IsWildcard(FieldInPort) {
		b.item("in_port", FormatPort(Port(FieldInPort.Get(&m.Key)), names))
	}
	b.vlan(m)
	b.generic(m, "dl_src", FieldEthSrc, nil)
	b.generic(m, "dl_dst", FieldEthDst, nil)
	if !skipType && !m.IsWildcard(FieldEthType) {
		b.item("dl_type", fmt.Sprintf("0x%04x", dl))
	}
	if dlExact && dl == EthTypeNSH {
		b.nsh(m)
	}
	isARP := dlExact && (dl == EthTypeARP || dl == EthTypeRARP)
	b.generic(m, "ipv6_src", FieldIPv6Src, nil)
	b.generic(m, "ipv6_dst", FieldIPv6Dst, nil)
	if !isARP && !m.IsWildcard(FieldIPv6Label) {
		if m.IsExact(FieldIPv6Label) {
			b.item("ipv6_label", fmt.Sprintf("0x%05x", FieldIPv6Label.Get(&m.Key)))
		} else {
			b.item("ipv6_label", fmt.Sprintf("0x%05x/0x%05x", FieldIPv6Label.Get(&m.Key), FieldIPv6Label.Get(&m.Mask)))
		}
	}
	if isARP {
		b.generic(m, "arp_spa", FieldARPSPA, nil)
		b.generic(m, "arp_tpa", FieldARPTPA, nil)
	} else {
		b.generic(m, "nw_src", FieldIPSrc, nil)
		b.generic(m, "nw_dst", FieldIPDst, nil)
	}
	if isARP {
		if !m.IsWildcard(FieldARPOp) {
			b.item("arp_op", strconv.FormatUint(FieldARPOp.Get(&m.Key), 10))
		}
		b.generic(m, "arp_sha", FieldARPSHA, nil)
		b.generic(m, "arp_tha", FieldARPTHA, nil)
	} else if !skipProto && !m.IsWildcard(FieldNwProto) {
		b.item("nw_proto", strconv.FormatUint(uint64(proto), 10))
	}
	if !m.IsWildcard(FieldIPDSCP) {
		b.item("nw_tos", strconv.FormatUint(FieldIPDSCP.Get(&m.Key)<<2, 10))
	}
	if !m.IsWildcard(FieldNwECN) {
		b.item("nw_ecn", strconv.FormatUint(FieldNwECN.Get(&m.Key), 10))
	}
	if !m.IsWildcard(FieldNwTTL) {
		b.item("nw_ttl", strconv.FormatUint(FieldNwTTL.Get(&m.Key), 10))
	}
	for _, f := range []*Field{FieldMPLSLabel, FieldMPLSTC, FieldMPLSTTL, FieldMPLSBOS} {
		if !m.IsWildcard(f) {
			b.item(f.Name, strconv.FormatUint(f.Get(&m.Key), 10))
		}
	}
	if !m.IsWildcard(FieldIPFrag) {
		var v, mk [1]byte
		v[0], mk[0] = byte(FieldIPFrag.Get(&m.Key)), byte(FieldIPFrag.Get(&m.Mask))
		b.item("nw_frag", FieldIPFrag.FormatValue(v[:], mk[:], nil))
	}
	isICMP := skipProto && (proto == IPProtoICMP || proto == IPProtoICMPv6)
	if isICMP {
		if !m.IsWildcard(FieldICMPType) {
			b.item("icmp_type", strconv.FormatUint(FieldICMPType.Get(&m.Key), 10))
		}
		if !m.IsWildcard(FieldICMPCode) {
			b.item("icmp_code", strconv.FormatUint(FieldICMPCode.Get(&m.Key), 10))
		}
		b.generic(m, "nd_target", FieldNDTarget, nil)
		b.generic(m, "nd_sll", FieldNDSLL, nil)
		b.generic(m, "nd_tll", FieldNDTLL, nil)
		if !m.IsWildcard(FieldNDReserved) {
			b.item("nd_reserved", strconv.FormatUint(FieldNDReserved.Get(&m.Key), 10))
		}
		if !m.IsWildcard(FieldNDOptionsType) {
			b.item("nd_options_type", strconv.FormatUint(FieldNDOptionsType.Get(&m.Key), 10))
		}
	} else {
		b.be16Masked(m, "tp_src", FieldTCPSrc)
		b.be16Masked(m, "tp_dst", FieldTCPDst)
	}
	if !m.IsWildcard(FieldTCPFlags) {
		b.item("tcp_flags", formatFlagsMatch(tcpFlagNames, FieldTCPFlags.Get(&m.Key), FieldTCPFlags.Get(&m.Mask), definedFlags(tcpFlagNames)))
	}
	return b.String()
}

// formatPacketType prints (ns,ns_type) as OVS does: each number in
// decimal below 10 and in hex from there.
func formatPacketType(pt uint32) string {
	num := func(v uint32) string {
		if v < 10 {
			return strconv.FormatUint(uint64(v), 10)
		}
		return fmt.Sprintf("%#x", v)
	}
	return "(" + num(pt>>16) + "," + num(pt&0xffff) + ")"
}

// erspanGTPU prints the ERSPAN and GTP-U tunnel fields as OVS does: each
// as its bare value (a mask is not shown), the index only for ERSPAN
// version 1, the direction and hardware ID only for version 2.
func (b *matchWriter) erspanGTPU(m *Match) {
	ver := FieldTunERSPANVer.Get(&m.Key)
	plain := func(name string, f *Field, when bool) {
		if when && !m.IsWildcard(f) {
			v := f.Get(&m.Key)
			if f.Format == FormatHex {
				b.item(name, formatHex(bigEndian(v, 8)))
			} else {
				b.item(name, strconv.FormatUint(v, 10))
			}
		}
	}
	plain("tun_erspan_ver", FieldTunERSPANVer, true)
	plain("tun_erspan_idx", FieldTunERSPANIdx, ver == 1)
	plain("tun_erspan_dir", FieldTunERSPANDir, ver == 2)
	plain("tun_erspan_hwid", FieldTunERSPANHWID, ver == 2)
	plain("gtpu_flags", FieldTunGTPUFlags, true)
	plain("gtpu_msgtype", FieldTunGTPUMsgType, true)
}

// nsh prints the NSH fields, as OVS does: the context headers only for
// MD type 1.
func (b *matchWriter) nsh(m *Match) {
	if !m.IsWildcard(FieldNSHFlags) {
		if v, mk := FieldNSHFlags.Get(&m.Key), FieldNSHFlags.Get(&m.Mask); mk == 0xff {
			b.item("nsh_flags", strconv.FormatUint(v, 10))
		} else {
			b.item("nsh_flags", fmt.Sprintf("0x%02x/0x%02x", v, mk))
		}
	}
	for _, f := range []*Field{FieldNSHTTL, FieldNSHMDType, FieldNSHNP} {
		if !m.IsWildcard(f) {
			b.item(f.Name, strconv.FormatUint(f.Get(&m.Key), 10))
		}
	}
	if !m.IsWildcard(FieldNSHSPI) {
		b.item("nsh_spi", fmt.Sprintf("%#x", FieldNSHSPI.Get(&m.Key)))
	}
	if !m.IsWildcard(FieldNSHSI) {
		b.item("nsh_si", strconv.FormatUint(FieldNSHSI.Get(&m.Key), 10))
	}
	if !m.IsExact(FieldNSHMDType) || FieldNSHMDType.Get(&m.Key) != 1 {
		return
	}
	for _, f := range FieldNSHC {
		if m.IsWildcard(f) {
			continue
		}
		if v, mk := f.Get(&m.Key), f.Get(&m.Mask); mk == 0xffffffff {
			b.item(f.Name, fmt.Sprintf("%#x", v))
		} else {
			b.item(f.Name, fmt.Sprintf("%#x/%#x", v, mk))
		}
	}
}

func ipProtoShorthand(proto uint8, v6 bool) string {
	names := map[uint8]string{IPProtoICMP: "icmp", IPProtoTCP: "tcp", IPProtoUDP: "udp", IPProtoSCTP: "sctp"}
	if v6 {
		names = map[uint8]string{IPProtoICMPv6: "icmp6", IPProtoTCP: "tcp6", IPProtoUDP: "udp6", IPProtoSCTP: "sctp6"}
	}
	return names[proto]
}

// formatFlagsMatch prints flags the way match_format does: a match on
// every defined flag (all) as "a|b" (or "0"), a partial one as "+a-b".
func formatFlagsMatch(names []flagName, value, mask, all uint64) string {
	if mask&all != all {
		return formatFlags(names, value, mask)
	}
	var parts []string
	for _, fn := range names {
		if value&fn.bit != 0 {
			parts = append(parts, fn.name)
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

// matchWriter accumulates "k=v" items separated by commas.
type matchWriter struct{ strings.Builder }

func (b *matchWriter) word(s string) {
	if b.Len() > 0 {
		b.WriteByte(',')
	}
	b.WriteString(s)
}

func (b *matchWriter) item(name, value string) { b.word(name + "=" + value) }

// generic prints a field with FormatValue if the match looks at it.
func (b *matchWriter) generic(m *Match, name string, f *Field, names PortNamer) {
	if m.IsWildcard(f) {
		return
	}
	v := make([]byte, f.Bytes())
	mk := make([]byte, f.Bytes())
	f.GetBytes(&m.Key, v)
	f.GetBytes(&m.Mask, mk)
	b.item(name, f.FormatValue(v, mk, names))
}

// uint32Masked prints "0x5" or "0x5/0xff" (zero as "0").
func (b *matchWriter) uint32Masked(m *Match, name string, f *Field) {
	if m.IsWildcard(f) {
		return
	}
	v, mk := f.Get(&m.Key), f.Get(&m.Mask)
	s := formatHex(bigEndian(v, 8))
	if mk != lowBits(f.Bits) {
		s += "/" + formatHex(bigEndian(mk, 8))
	}
	b.item(name, s)
}

// be16Masked prints "80" when exact and "0x50/0xf0" otherwise.
func (b *matchWriter) be16Masked(m *Match, name string, f *Field) {
	if m.IsWildcard(f) {
		return
	}
	v, mk := f.Get(&m.Key), f.Get(&m.Mask)
	if mk == lowBits(f.Bits) {
		b.item(name, strconv.FormatUint(v, 10))
		return
	}
	b.item(name, fmt.Sprintf("%#x/%#x", v, mk))
}

// vlan prints the outer VLAN as dl_vlan/dl_vlan_pcp when that says it all,
// else as vlan_tci.
func (b *matchWriter) vlan(m *Match) {
	mask := FieldVLANTCI.Get(&m.Mask)
	if mask == 0 {
		return
	}
	tci := m.Key.tci()
	vidMask, pcpMask := mask&0x0fff, mask&0xe000
	if mask&VLANCFI != 0 && tci&VLANCFI != 0 &&
		(vidMask == 0 || vidMask == 0x0fff) && (pcpMask == 0 || pcpMask == 0xe000) &&
		(vidMask != 0 || pcpMask != 0) {
		if vidMask != 0 {
			b.item("dl_vlan", strconv.FormatUint(tci&0xfff, 10))
		}
		if pcpMask != 0 {
			b.item("dl_vlan_pcp", strconv.FormatUint(tci>>13, 10))
		}
		return
	}
	if mask == 0xffff {
		b.item("vlan_tci", fmt.Sprintf("0x%04x", tci))
		return
	}
	b.item("vlan_tci", fmt.Sprintf("0x%04x/0x%04x", tci, mask))
}
