package ofctl

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// formatPacketOut writes a packet-out's body as ovs-ofctl prints it: the
// input port, the actions, and the packet.
func formatPacketOut(b *strings.Builder, m *ofp.PacketOut, names flowtable.PortNamer) {
	fmt.Fprintf(b, " in_port=%s actions=%s", flowtable.FormatPort(m.InPort, names), m.Actions.Format(names))
	if m.BufferID != ofp.NoBuffer {
		fmt.Fprintf(b, " buffer=0x%08x\n", m.BufferID)
		return
	}
	fmt.Fprintf(b, " data_len=%d\n", len(m.Data))
	if len(m.Data) > 0 {
		b.WriteString(packetString(m.Data))
		b.WriteByte('\n')
	}
}

// packetString describes an Ethernet frame as OVS's ofp_packet_to_string
// does: the flow extracted from it, with the fields the packet has, and
// the transport checksum.
func packetString(frame []byte) string {
	var m flowtable.Match
	info := m.Key.ParseFrame(frame)
	exact := func(fs ...*flowtable.Field) {
		for _, f := range fs {
			f.SetAllOnes(&m.Mask)
		}
	}
	exact(flowtable.FieldEthSrc, flowtable.FieldEthDst, flowtable.FieldEthType, flowtable.FieldVLANTCI)
	dlType := flowtable.FieldEthType.Get(&m.Key)
	ip := false
	switch dlType {
	case 0x0800:
		exact(flowtable.FieldIPSrc, flowtable.FieldIPDst)
		ip = true
	case 0x86dd:
		exact(flowtable.FieldIPv6Src, flowtable.FieldIPv6Dst, flowtable.FieldIPv6Label)
		ip = true
		if p := flowtable.FieldNwProto.Get(&m.Key); p == 58 {
			if t := flowtable.FieldICMPv6Type.Get(&m.Key); (t == 135 || t == 136) && flowtable.FieldICMPv6Code.Get(&m.Key) == 0 {
				exact(flowtable.FieldNDTarget, flowtable.FieldNDSLL, flowtable.FieldNDTLL)
			}
		}
	case 0x0806, 0x8035:
		exact(flowtable.FieldARPSPA, flowtable.FieldARPTPA, flowtable.FieldARPOp, flowtable.FieldARPSHA, flowtable.FieldARPTHA)
	case 0x8847, 0x8848:
		exact(flowtable.FieldMPLSLabel, flowtable.FieldMPLSTC, flowtable.FieldMPLSBOS, flowtable.FieldMPLSTTL)
	}
	proto := flowtable.FieldNwProto.Get(&m.Key)
	if ip {
		exact(flowtable.FieldIPFrag, flowtable.FieldNwTOS, flowtable.FieldNwECN, flowtable.FieldNwTTL, flowtable.FieldNwProto)
		later := flowtable.FieldIPFrag.Get(&m.Key)&uint64(flowtable.FragLater) != 0
		if !later {
			switch proto {
			case 6:
				exact(flowtable.FieldTCPSrc, flowtable.FieldTCPDst, flowtable.FieldTCPFlags)
			case 17:
				exact(flowtable.FieldUDPSrc, flowtable.FieldUDPDst)
			case 132:
				exact(flowtable.FieldSCTPSrc, flowtable.FieldSCTPDst)
			case 1, 2:
				exact(flowtable.FieldICMPType, flowtable.FieldICMPCode)
			case 58:
				exact(flowtable.FieldICMPv6Type, flowtable.FieldICMPv6Code)
			}
		}
	}
	m.Key.And(&m.Mask)
	s := withInnerVLAN(m.Format(nil), frame)
	if ip && info.L4 > 0 {
		l4 := frame[info.L4:]
		switch {
		case proto == 6 && len(l4) >= 20:
			s += fmt.Sprintf(" tcp_csum:%x", binary.BigEndian.Uint16(l4[16:]))
		case proto == 17 && len(l4) >= 8:
			s += fmt.Sprintf(" udp_csum:%x", binary.BigEndian.Uint16(l4[6:]))
		case proto == 132 && len(l4) >= 12:
			s += fmt.Sprintf(" sctp_csum:%x", binary.BigEndian.Uint32(l4[8:]))
		case proto == 1 && dlType == 0x0800 && len(l4) >= 4:
			s += fmt.Sprintf(" icmp_csum:%x", binary.BigEndian.Uint16(l4[2:]))
		case proto == 58 && dlType == 0x86dd && len(l4) >= 4:
			s += fmt.Sprintf(" icmp6_csum:%x", binary.BigEndian.Uint16(l4[2:]))
		}
	}
	return s
}

// withInnerVLAN adds what OVS prints for a frame with one VLAN tag: its
// flow has room for two, and the absent inner one shows as
// "vlan_tci1=0x0000" after the outer tag's fields. (govs' flow key has
// no second tag to format; frames with two tags print only the outer.)
func withInnerVLAN(s string, frame []byte) string {
	if len(frame) < 18 {
		return s
	}
	isTPID := func(t uint16) bool { return t == 0x8100 || t == 0x88a8 }
	if !isTPID(binary.BigEndian.Uint16(frame[12:])) || isTPID(binary.BigEndian.Uint16(frame[16:])) {
		return s
	}
	i := strings.Index(s, "dl_vlan_pcp=")
	if i < 0 {
		return s
	}
	end := strings.IndexByte(s[i:], ',')
	if end < 0 {
		return s + ",vlan_tci1=0x0000"
	}
	return s[:i+end] + ",vlan_tci1=0x0000" + s[i+end:]
}
