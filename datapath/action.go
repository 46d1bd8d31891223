package datapath

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// Action is one datapath action. The set is closed (the interface has an
// unexported method) so [Executor] dispatches with a type switch. Every
// action is a pointer to one of the struct types of this file.
type Action interface {
	appendText(b *strings.Builder)
}

// Actions is a datapath action list, executed in order. An empty list
// drops the packet.
type Actions []Action

// Output sends the packet to a datapath port.
type Output struct{ Port uint32 }

// PushVLAN pushes an 802.1Q (TPID 0x8100) or 802.1ad (0x88a8) tag. TCI
// is in the flow key's form, where the CFI/DEI bit (0x1000) means "a tag is
// present"; as in OVS, that bit is not written to the wire.
type PushVLAN struct {
	TPID uint16
	TCI  uint16
}

// PopVLAN removes the outermost VLAN tag.
type PopVLAN struct{}

// SetEthernet rewrites the Ethernet addresses in the bits selected by the
// masks (a zero mask leaves that address alone).
type SetEthernet struct {
	Src, SrcMask [6]byte
	Dst, DstMask [6]byte
}

// SetIPv4 rewrites IPv4 header fields in the bits selected by the masks,
// updating the header checksum, and the TCP or UDP checksum when an
// address changes.
type SetIPv4 struct {
	Src, SrcMask uint32
	Dst, DstMask uint32
	TOS, TOSMask uint8
	TTL, TTLMask uint8
}

// SetIPv6 rewrites IPv6 header fields in the bits selected by the masks,
// updating the transport checksum when an address changes.
type SetIPv6 struct {
	Src, SrcMask       [16]byte
	Dst, DstMask       [16]byte
	Label, LabelMask   uint32 // flow label, 20 bits
	TClass, TClassMask uint8
	HLimit, HLimitMask uint8
}

// SetL4 rewrites the transport ports of a TCP, UDP or SCTP header (Proto
// says which) in the bits selected by the masks, fixing its checksum.
type SetL4 struct {
	Proto        uint8 // 6, 17 or 132
	Src, SrcMask uint16
	Dst, DstMask uint16
}

// Userspace sends the packet up to ofproto, for a controller (a packet-in)
// or for slow-path processing.
type Userspace struct {
	Reason       uint8  // OpenFlow packet-in reason: 0 no match, 1 action, 2 invalid TTL, ...
	MaxLen       uint16 // bytes of the packet the controller wants; 65535 for all
	ControllerID uint16 // connection id; 0 means every controller
	Cookie       uint64 // the cookie of the rule that sent the packet
	Table        uint8  // the table of that rule
	Userdata     []byte // the controller action's userdata
}

// Recirculate passes the packet through the datapath again with recirc_id
// set to ID (after connection tracking, bond hashing, ...).
type Recirculate struct{ ID uint32 }

// Truncate cuts the packet to MaxLen bytes for the next output only.
type Truncate struct{ MaxLen uint32 }

// Clone runs Actions on a copy of the packet; nothing they do is visible
// to the actions after the clone.
type Clone struct{ Actions Actions }

// String formats the list as `ovs-appctl dpctl/dump-flows` prints actions:
// "push_vlan(vid=10,pcp=0),2", "drop" when empty.
func (a Actions) String() string {
	var b strings.Builder
	a.appendList(&b)
	return b.String()
}

func (a Actions) appendList(b *strings.Builder) {
	if len(a) == 0 {
		b.WriteString("drop")
		return
	}
	for i, act := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		act.appendText(b)
	}
}

func (a *Output) appendText(b *strings.Builder) { fmt.Fprintf(b, "%d", a.Port) }

func (a *PushVLAN) appendText(b *strings.Builder) {
	b.WriteString("push_vlan(")
	if a.TPID != 0x8100 {
		fmt.Fprintf(b, "tpid=%#x,", a.TPID)
	}
	fmt.Fprintf(b, "vid=%d,pcp=%d", a.TCI&0xfff, a.TCI>>13)
	if a.TCI&0x1000 == 0 {
		// OVS writes the CFI only when it is unusual.
		b.WriteString(",cfi=0")
	}
	b.WriteByte(')')
}

func (a *PopVLAN) appendText(b *strings.Builder) { b.WriteString("pop_vlan") }

// fieldList accumulates "name=value[/mask]" items of a set action.
type fieldList struct {
	b     *strings.Builder
	count int
}

func (l *fieldList) add(name, value, mask string, full bool) {
	if l.count > 0 {
		l.b.WriteByte(',')
	}
	l.count++
	l.b.WriteString(name + "=" + value)
	if !full {
		l.b.WriteString("/" + mask)
	}
}

func (a *SetEthernet) appendText(b *strings.Builder) {
	b.WriteString("set(eth(")
	l := fieldList{b: b}
	for _, f := range []struct {
		name    string
		v, mask [6]byte
	}{{"src", a.Src, a.SrcMask}, {"dst", a.Dst, a.DstMask}} {
		if f.mask != [6]byte{} {
			l.add(f.name, formatMAC(f.v), formatMAC(f.mask), f.mask == [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		}
	}
	b.WriteString("))")
}

func formatMAC(m [6]byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

func formatIPv4(v uint32) string {
	var a [4]byte
	binary.BigEndian.PutUint32(a[:], v)
	return netip.AddrFrom4(a).String()
}

func (a *SetIPv4) appendText(b *strings.Builder) {
	b.WriteString("set(ipv4(")
	l := fieldList{b: b}
	if a.SrcMask != 0 {
		l.add("src", formatIPv4(a.Src), formatIPv4(a.SrcMask), a.SrcMask == 0xffffffff)
	}
	if a.DstMask != 0 {
		l.add("dst", formatIPv4(a.Dst), formatIPv4(a.DstMask), a.DstMask == 0xffffffff)
	}
	if a.TOSMask != 0 {
		l.add("tos", hex0(uint64(a.TOS)), fmt.Sprintf("%#x", a.TOSMask), a.TOSMask == 0xff)
	}
	if a.TTLMask != 0 {
		l.add("ttl", fmt.Sprintf("%d", a.TTL), fmt.Sprintf("%#x", a.TTLMask), a.TTLMask == 0xff)
	}
	b.WriteString("))")
}

func (a *SetIPv6) appendText(b *strings.Builder) {
	b.WriteString("set(ipv6(")
	l := fieldList{b: b}
	full := [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if a.SrcMask != [16]byte{} {
		l.add("src", netip.AddrFrom16(a.Src).String(), netip.AddrFrom16(a.SrcMask).String(), a.SrcMask == full)
	}
	if a.DstMask != [16]byte{} {
		l.add("dst", netip.AddrFrom16(a.Dst).String(), netip.AddrFrom16(a.DstMask).String(), a.DstMask == full)
	}
	if a.LabelMask != 0 {
		l.add("label", fmt.Sprintf("%d", a.Label), fmt.Sprintf("%#x", a.LabelMask), a.LabelMask == 0xfffff)
	}
	if a.TClassMask != 0 {
		l.add("tclass", hex0(uint64(a.TClass)), fmt.Sprintf("%#x", a.TClassMask), a.TClassMask == 0xff)
	}
	if a.HLimitMask != 0 {
		l.add("hlimit", fmt.Sprintf("%d", a.HLimit), fmt.Sprintf("%#x", a.HLimitMask), a.HLimitMask == 0xff)
	}
	b.WriteString("))")
}

// l4Name is the name OVS gives a transport's set action.
func l4Name(proto uint8) string {
	switch proto {
	case ipProtoTCP:
		return "tcp"
	case ipProtoUDP:
		return "udp"
	case ipProtoSCTP:
		return "sctp"
	}
	return fmt.Sprintf("l4_%d", proto)
}

func (a *SetL4) appendText(b *strings.Builder) {
	b.WriteString("set(" + l4Name(a.Proto) + "(")
	l := fieldList{b: b}
	if a.SrcMask != 0 {
		l.add("src", fmt.Sprintf("%d", a.Src), fmt.Sprintf("%#x", a.SrcMask), a.SrcMask == 0xffff)
	}
	if a.DstMask != 0 {
		l.add("dst", fmt.Sprintf("%d", a.Dst), fmt.Sprintf("%#x", a.DstMask), a.DstMask == 0xffff)
	}
	b.WriteString("))")
}

func (a *Userspace) appendText(b *strings.Builder) {
	// OVS's controller cookie also carries a recirc_id for continuations;
	// govs keeps a pause's continuation with the translation instead.
	fmt.Fprintf(b, "userspace(pid=0,controller(reason=%d,dont_send=0,continuation=0,rule_cookie=%s,controller_id=%d,max_len=%d",
		a.Reason, hex0(uint64(a.Cookie)), a.ControllerID, a.MaxLen)
	if len(a.Userdata) > 0 {
		b.WriteString(",userdata=")
		for i, x := range a.Userdata {
			if i > 0 {
				b.WriteByte('.')
			}
			fmt.Fprintf(b, "%02x", x)
		}
	}
	b.WriteString("))")
}

func (a *Recirculate) appendText(b *strings.Builder) {
	b.WriteString("recirc(" + hex0(uint64(a.ID)) + ")")
}

func (a *Truncate) appendText(b *strings.Builder) { fmt.Fprintf(b, "trunc(%d)", a.MaxLen) }

func (a *Clone) appendText(b *strings.Builder) {
	b.WriteString("clone(")
	a.Actions.appendList(b)
	b.WriteByte(')')
}

// hex0 formats v as C's "%#x" does: "0" for zero, else 0x-prefixed.
func hex0(v uint64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", v)
}
