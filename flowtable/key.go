package flowtable

import "math/bits"

// Key is a packet's flow key: every header field a flow can match, at fixed
// bit positions in 64-bit words. Matching, masking, hashing and comparing are
// loops over words with no branch per field. A Mask has the same layout; a
// one bit means "this key bit matters".
//
// Words are grouped by lookup stage (metadata, L2, L3, L4, in that order) so
// the classifier can reject a rule after hashing only the early stages and
// then report only those stages' bits as examined.
//
// Wide fields (IPv6 addresses, ct_label, tun_metadata) span consecutive
// words, most significant word first.
type Key [NumWords]uint64

// Mask selects bits of a Key; it has the Key's layout.
type Mask = Key

// Word indices of the key. The comment on each gives its bit layout from
// the most significant bit down.
const (
	// Metadata stage.
	wPort           = iota // in_port[47:32] (OpenFlow 1.0 port numbers) | pkt_mark[31:0]
	wMetadata              // metadata
	wRecirc                // recirc_id[63:32] | dp_hash[31:0]
	wConj                  // conj_id[63:32] | actset_output[31:0]
	wPacketType            // packet_type[63:32] (ns[63:48] | ns_type[47:32]); 0 is Ethernet
	wXReg0                 // reg0[63:32] | reg1[31:0], i.e. xreg0
	wXReg1                 // xreg1 = reg2:reg3
	wXReg2                 // xreg2 = reg4:reg5
	wXReg3                 // xreg3 = reg6:reg7
	wXReg4                 // xreg4 = reg8:reg9
	wXReg5                 // xreg5 = reg10:reg11
	wXReg6                 // xreg6 = reg12:reg13
	wXReg7                 // xreg7 = reg14:reg15
	wTunID                 // tun_id
	wTunIPv4               // tun_src[63:32] | tun_dst[31:0]
	wTunIPv6SrcHi          // tun_ipv6_src[127:64]
	wTunIPv6SrcLo          // tun_ipv6_src[63:0]
	wTunIPv6DstHi          // tun_ipv6_dst[127:64]
	wTunIPv6DstLo          // tun_ipv6_dst[63:0]
	wTunMisc               // tun_flags[63:48] | tun_tos[47:40] | tun_ttl[39:32] | tun_gbp_id[31:16] | tun_gbp_flags[15:8] | tun_erspan_hwid[7:0]
	wTunExt                // tun_erspan_idx[63:32] | tun_erspan_ver[31:24] | tun_erspan_dir[23:16] | tun_gtpu_flags[15:8] | tun_gtpu_msgtype[7:0]
	wTunMetaPresent        // bit N set: tun_metadataN is present in the packet
	wTunMeta0              // tun_metadata bytes 0..7; TunMetadataBytes in all
	wTunMeta1
	wTunMeta2
	wTunMeta3
	wTunMeta4
	wTunMeta5
	wTunMeta6
	wTunMeta7
	wCTState     // ct_state[63:32] | ct_zone[31:16] | ct_nw_proto[15:8]
	wCTMark      // ct_mark[63:32] | ct_tp_src[31:16] | ct_tp_dst[15:0]
	wCTLabelHi   // ct_label[127:64]
	wCTLabelLo   // ct_label[63:0]
	wCTNw        // ct_nw_src[63:32] | ct_nw_dst[31:0]
	wCTIPv6SrcHi // ct_ipv6_src[127:64]
	wCTIPv6SrcLo // ct_ipv6_src[63:0]
	wCTIPv6DstHi // ct_ipv6_dst[127:64]
	wCTIPv6DstLo // ct_ipv6_dst[63:0]

	// L2 stage.
	wEthDst   // dl_dst[63:16] | dl_type[15:0]
	wEthSrc   // dl_src[63:16] | vlan_tci[15:0] (outermost 802.1Q/802.1ad tag; 0x1000 = present)
	wVLANMPLS // vlan_tpid[63:48] | inner vlan_tci[47:32] | mpls_lse[31:0] (label<<12 | tc<<9 | bos<<8 | ttl)

	// L3 stage.
	wIPv4       // nw_src[63:32] | nw_dst[31:0]; for ARP: arp_spa | arp_tpa
	wIPv6SrcHi  // ipv6_src[127:64]
	wIPv6SrcLo  // ipv6_src[63:0]
	wIPv6DstHi  // ipv6_dst[127:64]
	wIPv6DstLo  // ipv6_dst[63:0]
	wIPMisc     // ipv6_label[51:32] (ARP: arp_op[47:32]) | nw_proto[31:24] | nw_tos[23:16] | nw_ttl[15:8] | nw_frag[7:0]
	wARPSha     // arp_sha / nd_sll [63:16]
	wARPTha     // arp_tha / nd_tll [63:16]
	wNDTargetHi // nd_target[127:64]
	wNDTargetLo // nd_target[63:0]
	// NSH (dl_type 0x894f) has words of its own rather than sharing the IP
	// ones: a flow may name NSH fields next to IP ones, which the switch
	// then refuses (OFPBMC_BAD_PREREQ) rather than misreads.
	wNSH   // nsh_flags[63:56] | nsh_ttl[55:48] | nsh_mdtype[47:40] | nsh_np[39:32] | nsh_spi[31:8] | nsh_si[7:0]
	wNSHC1 // nsh_c1[63:32] | nsh_c2[31:0]
	wNSHC3 // nsh_c3[63:32] | nsh_c4[31:0]

	// L4 stage.
	wL4 // tp_src[63:48] (ICMP type) | tp_dst[47:32] (ICMP code) | tcp_flags[31:16]
	wND // nd_reserved[63:32] | nd_options_type[31:24]

	// NumWords is the number of 64-bit words in a Key.
	NumWords
)

// Stage boundaries: stage s covers words [stageEnd[s-1], stageEnd[s]).
const (
	StageMetadata = iota
	StageL2
	StageL3
	StageL4
	NumStages
)

var stageEnd = [NumStages]int{wEthDst, wIPv4, wL4, NumWords}

// StageOf reports the lookup stage a key word belongs to.
func StageOf(word int) int {
	for s, end := range stageEnd {
		if word < end {
			return s
		}
	}
	return NumStages - 1
}

// TunMetadataBytes is the room the key gives Geneve option data. Options
// are mapped into it by a TLV table (tun_metadataN → offset, length).
const TunMetadataBytes = 8 * (wTunMeta7 - wTunMeta0 + 1)

// nw_frag bits, as OVS defines them.
const (
	FragAny   = 1 << 0 // the packet is a fragment
	FragLater = 1 << 1 // ...and not the first one
)

// VLANCFI marks vlan_tci as carrying a tag (OVS reuses the CFI/DEI bit).
const VLANCFI = 0x1000

// And sets k to k&m, word by word.
func (k *Key) And(m *Mask) {
	for i := range k {
		k[i] &= m[i]
	}
}

// Or sets k to k|m, word by word.
func (k *Key) Or(m *Key) {
	for i := range k {
		k[i] |= m[i]
	}
}

// IsZero reports whether every bit of k is zero.
func (k *Key) IsZero() bool {
	var acc uint64
	for _, w := range k {
		acc |= w
	}
	return acc == 0
}

// OnesCount returns the number of one bits in k.
func (k *Key) OnesCount() int {
	n := 0
	for _, w := range k {
		n += bits.OnesCount64(w)
	}
	return n
}

// bitPos locates bit j (0 = least significant) of a field whose least
// significant bit sits at bit shift of word lsbWord; wider fields continue
// into lower-numbered words.
func bitPos(lsbWord int, shift uint, j int) (word int, bit uint) {
	g := int(shift) + j
	return lsbWord - g/64, uint(g % 64)
}
