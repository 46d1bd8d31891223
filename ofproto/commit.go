package ofproto

import (
	"github.com/govs/govs/datapath"
	"github.com/govs/govs/flowtable"
)

// Before the packet leaves (output, controller), the datapath must make it
// look like the key the pipeline changed: commit compares the key with
// base (the packet as the actions emitted so far leave it) and emits set,
// push and pop actions for the difference, as OVS does. A set action
// covers the changed field's examined bits, which include every bit an
// action wrote; since those bits are in the megaflow, the set is exact for
// every packet of it.
func (x *xlate) commit() {
	x.commitVLAN()
	x.commitEthernet()
	switch flowtable.FieldEthType.Get(&x.key) {
	case flowtable.EthTypeIPv4:
		x.commitIPv4()
	case flowtable.EthTypeIPv6:
		x.commitIPv6()
	default:
		return
	}
	switch flowtable.FieldNwProto.Get(&x.key) {
	case flowtable.IPProtoTCP, flowtable.IPProtoUDP, flowtable.IPProtoSCTP:
		x.commitL4()
	}
}

type vlanTag struct{ tpid, tci uint16 }

// vlanStack returns k's tags, outermost first.
func vlanStack(k *flowtable.Key) (tags [2]vlanTag, n int) {
	outer := uint16(flowtable.FieldVLANTCI.Get(k))
	if outer&flowtable.VLANCFI == 0 {
		return tags, 0
	}
	tpid := outerTPID(k)
	if tpid == 0 {
		tpid = flowtable.EthTypeVLAN
	}
	tags[0], n = vlanTag{tpid, outer}, 1
	if inner := innerTCI(k); inner&flowtable.VLANCFI != 0 {
		tags[1], n = vlanTag{flowtable.EthTypeVLAN, inner}, 2
	}
	return tags, n
}

// commitVLAN pops the packet's tags down to the ones the key shares with
// it (counting from the innermost) and pushes the key's others.
func (x *xlate) commitVLAN() {
	b, nb := vlanStack(&x.base)
	k, nk := vlanStack(&x.key)
	if nb == nk && b == k {
		return
	}
	x.markVLAN()
	s := min(nb, nk)
	for ; s > 0; s-- {
		if equalTags(b[nb-s:nb], k[nk-s:nk]) {
			break
		}
	}
	for i := 0; i < nb-s; i++ {
		x.out = append(x.out, &datapath.PopVLAN{})
	}
	for i := nk - s - 1; i >= 0; i-- {
		x.out = append(x.out, &datapath.PushVLAN{TPID: k[i].tpid, TCI: k[i].tci})
	}
	flowtable.FieldVLANTCI.Set(&x.base, flowtable.FieldVLANTCI.Get(&x.key))
	x.base[vlanWord] = x.base[vlanWord]&0xffffffff | x.key[vlanWord]&^0xffffffff
}

func equalTags(a, b []vlanTag) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// diff reports whether field f (at most 64 bits) differs between key and
// base, and if so the mask a set action should carry, and makes base
// agree.
func (x *xlate) diff(f *flowtable.Field) (v, mask uint64, changed bool) {
	kv, bv := f.Get(&x.key), f.Get(&x.base)
	if kv == bv {
		return 0, 0, false
	}
	f.Set(&x.base, kv)
	mask = f.Get(&x.wc) | (kv ^ bv)
	return kv & mask, mask, true
}

func (x *xlate) commitEthernet() {
	var a datapath.SetEthernet
	src, srcMask, c1 := x.diff(flowtable.FieldEthSrc)
	dst, dstMask, c2 := x.diff(flowtable.FieldEthDst)
	if !c1 && !c2 {
		return
	}
	a.Src, a.SrcMask, a.Dst, a.DstMask = macBytes(src), macBytes(srcMask), macBytes(dst), macBytes(dstMask)
	x.out = append(x.out, &a)
}

func (x *xlate) commitIPv4() {
	var a datapath.SetIPv4
	src, srcMask, c1 := x.diff(flowtable.FieldIPSrc)
	dst, dstMask, c2 := x.diff(flowtable.FieldIPDst)
	tos, tosMask, c3 := x.diff(flowtable.FieldNwTOS)
	ttl, ttlMask, c4 := x.diff(flowtable.FieldNwTTL)
	if !c1 && !c2 && !c3 && !c4 {
		return
	}
	a.Src, a.SrcMask, a.Dst, a.DstMask = uint32(src), uint32(srcMask), uint32(dst), uint32(dstMask)
	a.TOS, a.TOSMask, a.TTL, a.TTLMask = uint8(tos), uint8(tosMask), uint8(ttl), uint8(ttlMask)
	x.out = append(x.out, &a)
}

// diff128 is diff for a 128-bit field.
func (x *xlate) diff128(f *flowtable.Field) (v, mask [16]byte, changed bool) {
	var bv, wm [16]byte
	f.GetBytes(&x.key, v[:])
	f.GetBytes(&x.base, bv[:])
	if v == bv {
		return v, mask, false
	}
	f.GetBytes(&x.wc, wm[:])
	for i := range mask {
		mask[i] = wm[i] | (v[i] ^ bv[i])
	}
	f.SetBytes(&x.base, v[:])
	for i := range v {
		v[i] &= mask[i]
	}
	return v, mask, true
}

func (x *xlate) commitIPv6() {
	var a datapath.SetIPv6
	var c [5]bool
	a.Src, a.SrcMask, c[0] = x.diff128(flowtable.FieldIPv6Src)
	a.Dst, a.DstMask, c[1] = x.diff128(flowtable.FieldIPv6Dst)
	label, labelMask, c2 := x.diff(flowtable.FieldIPv6Label)
	tc, tcMask, c3 := x.diff(flowtable.FieldNwTOS)
	hl, hlMask, c4 := x.diff(flowtable.FieldNwTTL)
	c[2], c[3], c[4] = c2, c3, c4
	if c == [5]bool{} {
		return
	}
	if !c[0] {
		a.Src, a.SrcMask = [16]byte{}, [16]byte{}
	}
	if !c[1] {
		a.Dst, a.DstMask = [16]byte{}, [16]byte{}
	}
	a.Label, a.LabelMask = uint32(label), uint32(labelMask)
	a.TClass, a.TClassMask, a.HLimit, a.HLimitMask = uint8(tc), uint8(tcMask), uint8(hl), uint8(hlMask)
	x.out = append(x.out, &a)
}

func (x *xlate) commitL4() {
	src, srcMask, c1 := x.diff(flowtable.FieldTCPSrc)
	dst, dstMask, c2 := x.diff(flowtable.FieldTCPDst)
	if !c1 && !c2 {
		return
	}
	x.out = append(x.out, &datapath.SetL4{Proto: uint8(flowtable.FieldNwProto.Get(&x.key)),
		Src: uint16(src), SrcMask: uint16(srcMask), Dst: uint16(dst), DstMask: uint16(dstMask)})
}
