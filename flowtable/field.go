package flowtable

import (
	"fmt"
	"strings"
)

// Prereq is what a match must already pin down before a field may be
// matched or set (ovs-fields(7), "Prerequisites").
type Prereq uint8

// Prerequisites, as ovs-fields(7) names them.
const (
	PrereqNone      Prereq = iota
	PrereqVLANVID          // an 802.1Q tag is present
	PrereqARP              // dl_type is ARP or RARP
	PrereqIPv4             // dl_type=0x0800
	PrereqIPv6             // dl_type=0x86dd
	PrereqIPAny            // IPv4 or IPv6
	PrereqMPLS             // dl_type is MPLS unicast or multicast
	PrereqTCP              // IP and nw_proto=6
	PrereqUDP              // IP and nw_proto=17
	PrereqSCTP             // IP and nw_proto=132
	PrereqICMPv4           // IPv4 and nw_proto=1
	PrereqICMPv6           // IPv6 and nw_proto=58
	PrereqND               // ICMPv6 type 135 or 136, code 0
	PrereqNDSolicit        // ICMPv6 type 135, code 0
	PrereqNDAdvert         // ICMPv6 type 136, code 0
	PrereqCT               // ct_state has +trk
	PrereqNSH              // dl_type=0x894f (or packet_type=(1,0x894f))
)

// Format is how a field's value is written in ovs-ofctl syntax.
type Format uint8

// Field value formats.
const (
	FormatDecimal    Format = iota // 10
	FormatHex                      // 0xa
	FormatEthernet                 // 00:11:22:33:44:55
	FormatIPv4                     // 10.0.0.1
	FormatIPv6                     // 2001:db8::1
	FormatOFPort                   // 1, or LOCAL, CONTROLLER, ... ; names when known
	FormatFrag                     // no, yes, first, later, not_later
	FormatTCPFlags                 // +syn-ack, or hex
	FormatCTState                  // +trk+new
	FormatTunFlags                 // +oam
	FormatPacketType               // (1,0x800)
)

// Field describes one matchable (and maybe settable) field of the key.
type Field struct {
	Name     string   // canonical name, as ovs-fields(7) gives it
	Aliases  []string // other names accepted in flow text (OpenFlow 1.0 names first)
	NXMName  string   // NXM_* or OXM_* name, used in load/move subfield syntax
	Bits     int      // width in bits
	Maskable bool     // arbitrary bitwise masks allowed
	Writable bool     // may be the target of set_field/load/move
	Prereq   Prereq
	Format   Format

	// Storage: the field's least significant bit is bit lsbShift of word
	// lsbWord; its higher bits continue upward and into lower-numbered words.
	lsbWord  int
	lsbShift uint

	// wireBytes, when set, is the field's width on the wire and in text
	// where that is more than Bits rounds up to (nsh_spi: 24 bits kept,
	// 4 bytes sent; mpls_label and ipv6_label: 20 bits in 4 bytes).
	// subBits, when set, is the width "FIELD[]" names where OVS counts
	// fewer bits than the key keeps (tun_erspan_ver: 8 bits kept and
	// printed, 4 bits loaded).
	wireBytes int
	subBits   int
}

// Word returns the index of the key word holding the field's least
// significant bit.
func (f *Field) Word() int { return f.lsbWord }

// Bytes is the width of the field rounded up to whole bytes.
func (f *Field) Bytes() int {
	if f.wireBytes != 0 {
		return f.wireBytes
	}
	return (f.Bits + 7) / 8
}

// SubfieldBits is the width of the whole field in subfield syntax
// ("NXOXM_ET_ERSPAN_VER[]"): OVS's bit width of the field, which for a few
// fields is narrower than what the key keeps.
func (f *Field) SubfieldBits() int {
	if f.subBits != 0 {
		return f.subBits
	}
	return f.Bits
}

// Experimenter reports whether the field's only OXM is an experimenter
// one (NXOXM_*), which NXAST_REG_LOAD's 32-bit headers cannot name.
func (f *Field) Experimenter() bool { return strings.HasPrefix(f.NXMName, "NXOXM_") }

// inOneWord reports whether the field lies within a single key word.
func (f *Field) inOneWord() bool { return int(f.lsbShift)+f.Bits <= 64 }

// Get returns the value of a field that is at most 64 bits wide.
func (f *Field) Get(k *Key) uint64 {
	if f.inOneWord() {
		return k[f.lsbWord] >> f.lsbShift & lowBits(f.Bits)
	}
	return f.getBits(k, 0, min(f.Bits, 64))
}

// Set stores v (truncated to the field's width) into a field of at most
// 64 bits, leaving every other key bit unchanged.
func (f *Field) Set(k *Key, v uint64) {
	if f.inOneWord() {
		m := lowBits(f.Bits) << f.lsbShift
		k[f.lsbWord] = k[f.lsbWord]&^m | v<<f.lsbShift&m
		return
	}
	f.setBits(k, 0, min(f.Bits, 64), v)
}

// GetBytes writes the field's value into dst, big-endian, in f.Bytes()
// bytes. dst must be at least that long.
func (f *Field) GetBytes(k *Key, dst []byte) {
	n := f.Bytes()
	for i := 0; i < n; i++ {
		dst[n-1-i] = 0
		if width := min(8, f.Bits-8*i); width > 0 {
			dst[n-1-i] = byte(f.getBits(k, 8*i, width))
		}
	}
}

// SetBytes stores a big-endian value of f.Bytes() bytes into the field.
func (f *Field) SetBytes(k *Key, v []byte) {
	n := f.Bytes()
	for i := 0; i < n; i++ {
		if width := min(8, f.Bits-8*i); width > 0 {
			f.setBits(k, 8*i, width, uint64(v[n-1-i]))
		}
	}
}

// SetAllOnes sets every bit of the field in m (an exact-match mask).
func (f *Field) SetAllOnes(m *Mask) {
	for j := 0; j < f.Bits; {
		w, b := bitPos(f.lsbWord, f.lsbShift, j)
		n := min(64-int(b), f.Bits-j)
		m[w] |= lowBits(n) << b
		j += n
	}
}

// getBits reads width (≤ 64) bits starting at field bit ofs.
func (f *Field) getBits(k *Key, ofs, width int) uint64 {
	var v uint64
	for j := 0; j < width; {
		w, b := bitPos(f.lsbWord, f.lsbShift, ofs+j)
		n := min(64-int(b), width-j)
		v |= (k[w] >> b & lowBits(n)) << j
		j += n
	}
	return v
}

// setBits writes the low width (≤ 64) bits of v starting at field bit ofs.
func (f *Field) setBits(k *Key, ofs, width int, v uint64) {
	for j := 0; j < width; {
		w, b := bitPos(f.lsbWord, f.lsbShift, ofs+j)
		n := min(64-int(b), width-j)
		m := lowBits(n) << b
		k[w] = k[w]&^m | (v>>j)<<b&m
		j += n
	}
}

// GetSubfield reads bits [ofs, ofs+width) of the field (width ≤ 64).
func (f *Field) GetSubfield(k *Key, ofs, width int) uint64 { return f.getBits(k, ofs, width) }

// SetSubfield writes bits [ofs, ofs+width) of the field (width ≤ 64).
func (f *Field) SetSubfield(k *Key, ofs, width int, v uint64) { f.setBits(k, ofs, width, v) }

func lowBits(n int) uint64 {
	if n >= 64 {
		return ^uint64(0)
	}
	return 1<<uint(n) - 1
}

// fieldAt places a field of the given width with its least significant bit
// at bit shift of word w.
func fieldAt(w int, shift uint, nbits int) Field {
	return Field{lsbWord: w, lsbShift: shift, Bits: nbits}
}

// inBytes sets the field's width on the wire and in text to n bytes, more
// than its bits need.
func (f Field) inBytes(n int) Field {
	f.wireBytes = n
	return f
}

// fields is the registry, in ovs-fields(7) order.
var fields []*Field

// byName maps canonical names and aliases to fields; byNXM maps NXM/OXM
// names. Match syntax accepts only the former; subfield syntax accepts both.
var (
	byName = map[string]*Field{}
	byNXM  = map[string]*Field{}
)

// Field names are case-sensitive in OVS, except the NXM_/OXM_ names.

func register(f Field, name, nxm string, aliases ...string) *Field {
	f.Name, f.NXMName, f.Aliases = name, nxm, aliases
	p := &f
	fields = append(fields, p)
	for _, n := range append([]string{name}, aliases...) {
		table := byName
		if isNXMName(n) {
			table = byNXM
		}
		if _, dup := table[n]; dup {
			panic("flowtable: duplicate field name " + n)
		}
		table[n] = p
	}
	if nxm != "" {
		byNXM[nxm] = p
	}
	return p
}

// with returns f with options applied; it keeps the registry table compact.
func (f Field) with(maskable, writable bool, p Prereq, fmt Format) Field {
	f.Maskable, f.Writable, f.Prereq, f.Format = maskable, writable, p, fmt
	return f
}

// Registered fields that other code refers to directly.
var (
	FieldDPHash, FieldRecircID, FieldConjID, FieldActsetOutput                                *Field
	FieldTunID, FieldTunSrc, FieldTunDst, FieldTunIPv6Src                                     *Field
	FieldTunIPv6Dst, FieldTunFlags, FieldTunGBPID, FieldTunGBPFlags, FieldTunTOS, FieldTunTTL *Field
	FieldInPort, FieldPktMark, FieldMetadata                                                  *Field
	FieldCTState, FieldCTZone, FieldCTMark, FieldCTLabel                                      *Field
	FieldCTNwProto, FieldCTNwSrc, FieldCTNwDst, FieldCTTpSrc                                  *Field
	FieldCTTpDst, FieldCTIPv6Src, FieldCTIPv6Dst                                              *Field
	FieldEthSrc, FieldEthDst, FieldEthType, FieldVLANTCI                                      *Field
	FieldDlVLAN, FieldVLANVID, FieldDlVLANPCP, FieldVLANPCP                                   *Field
	FieldMPLSLabel, FieldMPLSTC, FieldMPLSBOS, FieldMPLSTTL                                   *Field
	FieldIPSrc, FieldIPDst, FieldIPv6Src, FieldIPv6Dst                                        *Field
	FieldIPv6Label, FieldNwProto, FieldNwTTL, FieldIPFrag                                     *Field
	FieldNwTOS, FieldIPDSCP, FieldNwECN                                                       *Field
	FieldARPOp, FieldARPSPA, FieldARPTPA, FieldARPSHA, FieldARPTHA                            *Field
	FieldTCPSrc, FieldTCPDst, FieldTCPFlags                                                   *Field
	FieldUDPSrc, FieldUDPDst, FieldSCTPSrc, FieldSCTPDst                                      *Field
	FieldICMPType, FieldICMPCode, FieldICMPv6Type, FieldICMPv6Code                            *Field
	FieldNDTarget, FieldNDSLL, FieldNDTLL, FieldNDReserved, FieldNDOptionsType                *Field
	FieldPacketType                                                                           *Field
	FieldTunERSPANIdx, FieldTunERSPANVer, FieldTunERSPANDir, FieldTunERSPANHWID               *Field
	FieldTunGTPUFlags, FieldTunGTPUMsgType                                                    *Field
	FieldNSHFlags, FieldNSHTTL, FieldNSHMDType, FieldNSHNP, FieldNSHSPI, FieldNSHSI           *Field

	// FieldNSHC holds nsh_c1..nsh_c4 (MD type 1 context headers).
	FieldNSHC [4]*Field

	// FieldReg holds reg0..reg15, FieldXReg xreg0..xreg7, FieldXXReg
	// xxreg0..xxreg3.
	FieldReg   [16]*Field
	FieldXReg  [8]*Field
	FieldXXReg [4]*Field
)

func init() {
	const rw, ro = true, false
	const mask, exact = true, false

	FieldDPHash = register(fieldAt(wRecirc, 0, 32).with(mask, ro, PrereqNone, FormatHex), "dp_hash", "NXM_NX_DP_HASH")
	FieldRecircID = register(fieldAt(wRecirc, 32, 32).with(exact, ro, PrereqNone, FormatHex), "recirc_id", "NXM_NX_RECIRC_ID")
	FieldConjID = register(fieldAt(wConj, 32, 32).with(exact, ro, PrereqNone, FormatDecimal), "conj_id", "NXM_NX_CONJ_ID")
	FieldTunID = register(fieldAt(wTunID, 0, 64).with(mask, rw, PrereqNone, FormatHex), "tun_id", "NXM_NX_TUN_ID", "tunnel_id", "OXM_OF_TUNNEL_ID")
	FieldTunSrc = register(fieldAt(wTunIPv4, 32, 32).with(mask, rw, PrereqNone, FormatIPv4), "tun_src", "NXM_NX_TUN_IPV4_SRC")
	FieldTunDst = register(fieldAt(wTunIPv4, 0, 32).with(mask, rw, PrereqNone, FormatIPv4), "tun_dst", "NXM_NX_TUN_IPV4_DST")
	FieldTunIPv6Src = register(fieldAt(wTunIPv6SrcLo, 0, 128).with(mask, rw, PrereqNone, FormatIPv6), "tun_ipv6_src", "NXM_NX_TUN_IPV6_SRC")
	FieldTunIPv6Dst = register(fieldAt(wTunIPv6DstLo, 0, 128).with(mask, rw, PrereqNone, FormatIPv6), "tun_ipv6_dst", "NXM_NX_TUN_IPV6_DST")
	FieldTunGBPID = register(fieldAt(wTunMisc, 16, 16).with(mask, rw, PrereqNone, FormatDecimal), "tun_gbp_id", "NXM_NX_TUN_GBP_ID")
	FieldTunGBPFlags = register(fieldAt(wTunMisc, 8, 8).with(mask, rw, PrereqNone, FormatHex), "tun_gbp_flags", "NXM_NX_TUN_GBP_FLAGS")
	FieldTunTOS = register(fieldAt(wTunMisc, 40, 8).with(exact, rw, PrereqNone, FormatDecimal), "tun_tos", "")
	FieldTunTTL = register(fieldAt(wTunMisc, 32, 8).with(exact, rw, PrereqNone, FormatDecimal), "tun_ttl", "")
	FieldTunFlags = register(narrower(fieldAt(wTunMisc, 48, 16), 1).with(mask, rw, PrereqNone, FormatTunFlags), "tun_flags", "NXM_NX_TUN_FLAGS")
	FieldTunERSPANIdx = register(narrower(fieldAt(wTunExt, 32, 32), 20).with(mask, rw, PrereqNone, FormatHex), "tun_erspan_idx", "NXOXM_ET_ERSPAN_IDX")
	FieldTunERSPANVer = register(narrower(fieldAt(wTunExt, 24, 8), 4).with(mask, rw, PrereqNone, FormatDecimal), "tun_erspan_ver", "NXOXM_ET_ERSPAN_VER")
	FieldTunERSPANDir = register(narrower(fieldAt(wTunExt, 16, 8), 1).with(mask, rw, PrereqNone, FormatDecimal), "tun_erspan_dir", "NXOXM_ET_ERSPAN_DIR")
	FieldTunERSPANHWID = register(narrower(fieldAt(wTunMisc, 0, 8), 6).with(mask, rw, PrereqNone, FormatHex), "tun_erspan_hwid", "NXOXM_ET_ERSPAN_HWID")
	FieldTunGTPUFlags = register(fieldAt(wTunExt, 8, 8).with(mask, ro, PrereqNone, FormatHex), "tun_gtpu_flags", "NXOXM_ET_GTPU_FLAGS")
	FieldTunGTPUMsgType = register(fieldAt(wTunExt, 0, 8).with(mask, ro, PrereqNone, FormatDecimal), "tun_gtpu_msgtype", "NXOXM_ET_GTPU_MSGTYPE")
	FieldPacketType = register(fieldAt(wPacketType, 32, 32).with(exact, ro, PrereqNone, FormatPacketType), "packet_type", "OXM_OF_PACKET_TYPE")
	FieldInPort = register(fieldAt(wPort, 32, 16).with(exact, rw, PrereqNone, FormatOFPort), "in_port", "NXM_OF_IN_PORT")
	FieldPktMark = register(fieldAt(wPort, 0, 32).with(mask, rw, PrereqNone, FormatHex), "pkt_mark", "NXM_NX_PKT_MARK")
	FieldActsetOutput = register(fieldAt(wConj, 0, 32).with(exact, ro, PrereqNone, FormatOFPort), "actset_output", "ONFOXM_ET_ACTSET_OUTPUT")
	FieldCTState = register(fieldAt(wCTState, 32, 32).with(mask, ro, PrereqNone, FormatCTState), "ct_state", "NXM_NX_CT_STATE")
	FieldCTZone = register(fieldAt(wCTState, 16, 16).with(exact, ro, PrereqNone, FormatDecimal), "ct_zone", "NXM_NX_CT_ZONE")
	FieldCTMark = register(fieldAt(wCTMark, 32, 32).with(mask, rw, PrereqNone, FormatHex), "ct_mark", "NXM_NX_CT_MARK")
	FieldCTLabel = register(fieldAt(wCTLabelLo, 0, 128).with(mask, rw, PrereqNone, FormatHex), "ct_label", "NXM_NX_CT_LABEL")
	FieldCTNwProto = register(fieldAt(wCTState, 8, 8).with(exact, ro, PrereqCT, FormatDecimal), "ct_nw_proto", "NXM_NX_CT_NW_PROTO")
	FieldCTNwSrc = register(fieldAt(wCTNw, 32, 32).with(mask, ro, PrereqCT, FormatIPv4), "ct_nw_src", "NXM_NX_CT_NW_SRC")
	FieldCTNwDst = register(fieldAt(wCTNw, 0, 32).with(mask, ro, PrereqCT, FormatIPv4), "ct_nw_dst", "NXM_NX_CT_NW_DST")
	FieldCTTpSrc = register(fieldAt(wCTMark, 16, 16).with(mask, ro, PrereqCT, FormatDecimal), "ct_tp_src", "NXM_NX_CT_TP_SRC")
	FieldCTTpDst = register(fieldAt(wCTMark, 0, 16).with(mask, ro, PrereqCT, FormatDecimal), "ct_tp_dst", "NXM_NX_CT_TP_DST")
	FieldCTIPv6Src = register(fieldAt(wCTIPv6SrcLo, 0, 128).with(mask, ro, PrereqCT, FormatIPv6), "ct_ipv6_src", "NXM_NX_CT_IPV6_SRC")
	FieldCTIPv6Dst = register(fieldAt(wCTIPv6DstLo, 0, 128).with(mask, ro, PrereqCT, FormatIPv6), "ct_ipv6_dst", "NXM_NX_CT_IPV6_DST")
	FieldMetadata = register(fieldAt(wMetadata, 0, 64).with(mask, rw, PrereqNone, FormatHex), "metadata", "OXM_OF_METADATA")
	for i := range FieldReg {
		shift := uint(32)
		if i%2 == 1 {
			shift = 0
		}
		FieldReg[i] = register(fieldAt(wXReg0+i/2, shift, 32).with(mask, rw, PrereqNone, FormatHex),
			fmt.Sprintf("reg%d", i), fmt.Sprintf("NXM_NX_REG%d", i))
	}
	for i := range FieldXReg {
		FieldXReg[i] = register(fieldAt(wXReg0+i, 0, 64).with(mask, rw, PrereqNone, FormatHex),
			fmt.Sprintf("xreg%d", i), fmt.Sprintf("OXM_OF_PKT_REG%d", i))
	}
	for i := range FieldXXReg {
		FieldXXReg[i] = register(fieldAt(wXReg0+2*i+1, 0, 128).with(mask, rw, PrereqNone, FormatHex),
			fmt.Sprintf("xxreg%d", i), fmt.Sprintf("NXM_NX_XXREG%d", i))
	}

	FieldEthSrc = register(fieldAt(wEthSrc, 16, 48).with(mask, rw, PrereqNone, FormatEthernet), "eth_src", "NXM_OF_ETH_SRC", "dl_src", "OXM_OF_ETH_SRC")
	FieldEthDst = register(fieldAt(wEthDst, 16, 48).with(mask, rw, PrereqNone, FormatEthernet), "eth_dst", "NXM_OF_ETH_DST", "dl_dst", "OXM_OF_ETH_DST")
	FieldEthType = register(fieldAt(wEthDst, 0, 16).with(exact, ro, PrereqNone, FormatHex), "eth_type", "NXM_OF_ETH_TYPE", "dl_type", "OXM_OF_ETH_TYPE")
	FieldVLANTCI = register(fieldAt(wEthSrc, 0, 16).with(mask, rw, PrereqNone, FormatHex), "vlan_tci", "NXM_OF_VLAN_TCI")
	FieldDlVLAN = register(fieldAt(wEthSrc, 0, 12).with(exact, rw, PrereqNone, FormatDecimal), "dl_vlan", "")
	FieldVLANVID = register(fieldAt(wEthSrc, 0, 13).with(mask, rw, PrereqNone, FormatDecimal), "vlan_vid", "OXM_OF_VLAN_VID")
	FieldDlVLANPCP = register(fieldAt(wEthSrc, 13, 3).with(exact, rw, PrereqNone, FormatDecimal), "dl_vlan_pcp", "")
	FieldVLANPCP = register(fieldAt(wEthSrc, 13, 3).with(exact, rw, PrereqVLANVID, FormatDecimal), "vlan_pcp", "OXM_OF_VLAN_PCP")
	FieldMPLSLabel = register(fieldAt(wVLANMPLS, 12, 20).inBytes(4).with(exact, rw, PrereqMPLS, FormatDecimal), "mpls_label", "OXM_OF_MPLS_LABEL")
	FieldMPLSTC = register(fieldAt(wVLANMPLS, 9, 3).with(exact, rw, PrereqMPLS, FormatDecimal), "mpls_tc", "OXM_OF_MPLS_TC")
	FieldMPLSBOS = register(fieldAt(wVLANMPLS, 8, 1).with(exact, ro, PrereqMPLS, FormatDecimal), "mpls_bos", "OXM_OF_MPLS_BOS")
	FieldMPLSTTL = register(fieldAt(wVLANMPLS, 0, 8).with(exact, rw, PrereqMPLS, FormatDecimal), "mpls_ttl", "NXM_NX_MPLS_TTL")

	FieldIPSrc = register(fieldAt(wIPv4, 32, 32).with(mask, rw, PrereqIPv4, FormatIPv4), "ip_src", "NXM_OF_IP_SRC", "nw_src", "OXM_OF_IPV4_SRC")
	FieldIPDst = register(fieldAt(wIPv4, 0, 32).with(mask, rw, PrereqIPv4, FormatIPv4), "ip_dst", "NXM_OF_IP_DST", "nw_dst", "OXM_OF_IPV4_DST")
	FieldIPv6Src = register(fieldAt(wIPv6SrcLo, 0, 128).with(mask, rw, PrereqIPv6, FormatIPv6), "ipv6_src", "NXM_NX_IPV6_SRC", "OXM_OF_IPV6_SRC")
	FieldIPv6Dst = register(fieldAt(wIPv6DstLo, 0, 128).with(mask, rw, PrereqIPv6, FormatIPv6), "ipv6_dst", "NXM_NX_IPV6_DST", "OXM_OF_IPV6_DST")
	FieldIPv6Label = register(fieldAt(wIPMisc, 32, 20).inBytes(4).with(mask, rw, PrereqIPv6, FormatHex), "ipv6_label", "NXM_NX_IPV6_LABEL", "OXM_OF_IPV6_FLABEL")
	FieldNwProto = register(fieldAt(wIPMisc, 24, 8).with(exact, ro, PrereqIPAny, FormatDecimal), "nw_proto", "NXM_OF_IP_PROTO", "ip_proto", "OXM_OF_IP_PROTO")
	FieldNwTTL = register(fieldAt(wIPMisc, 8, 8).with(exact, rw, PrereqIPAny, FormatDecimal), "nw_ttl", "NXM_NX_IP_TTL")
	FieldIPFrag = register(fieldAt(wIPMisc, 0, 2).with(mask, ro, PrereqIPAny, FormatFrag), "ip_frag", "NXM_NX_IP_FRAG", "nw_frag")
	FieldNwTOS = register(fieldAt(wIPMisc, 16, 8).with(exact, rw, PrereqIPAny, FormatDecimal), "nw_tos", "NXM_OF_IP_TOS")
	FieldIPDSCP = register(fieldAt(wIPMisc, 18, 6).with(exact, rw, PrereqIPAny, FormatDecimal), "ip_dscp", "OXM_OF_IP_DSCP")
	FieldNwECN = register(fieldAt(wIPMisc, 16, 2).with(exact, rw, PrereqIPAny, FormatDecimal), "nw_ecn", "NXM_NX_IP_ECN", "ip_ecn", "OXM_OF_IP_ECN")
	FieldARPOp = register(fieldAt(wIPMisc, 32, 16).with(exact, rw, PrereqARP, FormatDecimal), "arp_op", "NXM_OF_ARP_OP", "OXM_OF_ARP_OP")
	FieldARPSPA = register(fieldAt(wIPv4, 32, 32).with(mask, rw, PrereqARP, FormatIPv4), "arp_spa", "NXM_OF_ARP_SPA", "OXM_OF_ARP_SPA")
	FieldARPTPA = register(fieldAt(wIPv4, 0, 32).with(mask, rw, PrereqARP, FormatIPv4), "arp_tpa", "NXM_OF_ARP_TPA", "OXM_OF_ARP_TPA")
	FieldARPSHA = register(fieldAt(wARPSha, 16, 48).with(mask, rw, PrereqARP, FormatEthernet), "arp_sha", "NXM_NX_ARP_SHA", "OXM_OF_ARP_SHA")
	FieldARPTHA = register(fieldAt(wARPTha, 16, 48).with(mask, rw, PrereqARP, FormatEthernet), "arp_tha", "NXM_NX_ARP_THA", "OXM_OF_ARP_THA")

	FieldTCPSrc = register(fieldAt(wL4, 48, 16).with(mask, rw, PrereqTCP, FormatDecimal), "tcp_src", "NXM_OF_TCP_SRC", "OXM_OF_TCP_SRC")
	FieldTCPDst = register(fieldAt(wL4, 32, 16).with(mask, rw, PrereqTCP, FormatDecimal), "tcp_dst", "NXM_OF_TCP_DST", "OXM_OF_TCP_DST")
	FieldTCPFlags = register(fieldAt(wL4, 16, 12).with(mask, ro, PrereqTCP, FormatTCPFlags), "tcp_flags", "NXM_NX_TCP_FLAGS", "OXM_OF_TCP_FLAGS")
	FieldUDPSrc = register(fieldAt(wL4, 48, 16).with(mask, rw, PrereqUDP, FormatDecimal), "udp_src", "NXM_OF_UDP_SRC", "OXM_OF_UDP_SRC")
	FieldUDPDst = register(fieldAt(wL4, 32, 16).with(mask, rw, PrereqUDP, FormatDecimal), "udp_dst", "NXM_OF_UDP_DST", "OXM_OF_UDP_DST")
	FieldSCTPSrc = register(fieldAt(wL4, 48, 16).with(mask, rw, PrereqSCTP, FormatDecimal), "sctp_src", "OXM_OF_SCTP_SRC")
	FieldSCTPDst = register(fieldAt(wL4, 32, 16).with(mask, rw, PrereqSCTP, FormatDecimal), "sctp_dst", "OXM_OF_SCTP_DST")
	FieldICMPType = register(fieldAt(wL4, 48, 8).with(exact, rw, PrereqICMPv4, FormatDecimal), "icmp_type", "NXM_OF_ICMP_TYPE", "OXM_OF_ICMPV4_TYPE")
	FieldICMPCode = register(fieldAt(wL4, 32, 8).with(exact, rw, PrereqICMPv4, FormatDecimal), "icmp_code", "NXM_OF_ICMP_CODE", "OXM_OF_ICMPV4_CODE")
	FieldICMPv6Type = register(fieldAt(wL4, 48, 8).with(exact, rw, PrereqICMPv6, FormatDecimal), "icmpv6_type", "NXM_NX_ICMPV6_TYPE", "OXM_OF_ICMPV6_TYPE")
	FieldICMPv6Code = register(fieldAt(wL4, 32, 8).with(exact, rw, PrereqICMPv6, FormatDecimal), "icmpv6_code", "NXM_NX_ICMPV6_CODE", "OXM_OF_ICMPV6_CODE")
	FieldNDTarget = register(fieldAt(wNDTargetLo, 0, 128).with(mask, rw, PrereqND, FormatIPv6), "nd_target", "NXM_NX_ND_TARGET", "OXM_OF_IPV6_ND_TARGET")
	FieldNDSLL = register(fieldAt(wARPSha, 16, 48).with(mask, rw, PrereqNDSolicit, FormatEthernet), "nd_sll", "NXM_NX_ND_SLL", "OXM_OF_IPV6_ND_SLL")
	FieldNDTLL = register(fieldAt(wARPTha, 16, 48).with(mask, rw, PrereqNDAdvert, FormatEthernet), "nd_tll", "NXM_NX_ND_TLL", "OXM_OF_IPV6_ND_TLL")
	FieldNDReserved = register(fieldAt(wND, 32, 32).with(exact, rw, PrereqND, FormatDecimal), "nd_reserved", "ERICOXM_OF_ICMPV6_ND_RESERVED")
	FieldNDOptionsType = register(fieldAt(wND, 24, 8).with(exact, rw, PrereqND, FormatDecimal), "nd_options_type", "ERICOXM_OF_ICMPV6_ND_OPTIONS_TYPE")

	FieldNSHFlags = register(fieldAt(wNSH, 56, 8).with(mask, rw, PrereqNSH, FormatDecimal), "nsh_flags", "NXOXM_NSH_FLAGS")
	FieldNSHTTL = register(fieldAt(wNSH, 48, 8).with(exact, rw, PrereqNSH, FormatDecimal), "nsh_ttl", "NXOXM_NSH_TTL")
	FieldNSHMDType = register(fieldAt(wNSH, 40, 8).with(exact, ro, PrereqNSH, FormatDecimal), "nsh_mdtype", "NXOXM_NSH_MDTYPE")
	FieldNSHNP = register(fieldAt(wNSH, 32, 8).with(exact, ro, PrereqNSH, FormatDecimal), "nsh_np", "NXOXM_NSH_NP")
	FieldNSHSPI = register(fieldAt(wNSH, 8, 24).inBytes(4).with(exact, rw, PrereqNSH, FormatHex), "nsh_spi", "NXOXM_NSH_SPI", "nsp")
	FieldNSHSI = register(fieldAt(wNSH, 0, 8).with(exact, rw, PrereqNSH, FormatDecimal), "nsh_si", "NXOXM_NSH_SI", "nsi")
	for i, at := range []Field{fieldAt(wNSHC1, 32, 32), fieldAt(wNSHC1, 0, 32), fieldAt(wNSHC3, 32, 32), fieldAt(wNSHC3, 0, 32)} {
		FieldNSHC[i] = register(at.with(mask, rw, PrereqNSH, FormatHex),
			fmt.Sprintf("nsh_c%d", i+1), fmt.Sprintf("NXOXM_NSH_C%d", i+1), fmt.Sprintf("nshc%d", i+1))
	}
}

// narrower gives f the narrower width OVS counts for it in subfields.
func narrower(f Field, subBits int) Field {
	f.subBits = subBits
	return f
}

// FieldByName finds a field by its canonical name, an alias, or its NXM/OXM
// name, with case, as OVS looks them up.
func FieldByName(name string) (*Field, bool) {
	if f, ok := byName[name]; ok {
		return f, true
	}
	f, ok := byNXM[name]
	return f, ok
}

func isNXMName(n string) bool {
	for _, p := range []string{"NXM_", "OXM_", "ONFOXM_", "ERICOXM_", "NXOXM_"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// Fields returns every registered field, in ovs-fields(7) order. The slice
// must not be modified.
func Fields() []*Field { return fields }
