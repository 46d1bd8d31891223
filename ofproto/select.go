package ofproto

import (
	"math"

	"github.com/govs/govs/flowtable"
)

// selectBucket picks a live bucket of select group g by hashing the flow's
// addresses and ports symmetrically (both directions of a connection pick
// the same bucket) and weighting the buckets by rendezvous hashing, so
// that a bucket going down or coming back moves only its own flows. The
// hashed fields are marked examined.
func (x *xlate) selectBucket(g *Group) (int, bool) {
	h := x.symmetricHash()
	best, bestScore := -1, math.Inf(-1)
	for i := range g.Buckets {
		bk := &g.Buckets[i]
		if bk.Weight == 0 || !x.bucketLive(bk, 0) {
			continue
		}
		// -w/ln(u) with u uniform in (0,1) from the hash of (flow,
		// bucket): the largest wins, each bucket with odds ∝ its weight.
		u := (float64(mix64(h^uint64(i+1)*0x9e3779b97f4a7c15)>>11) + 0.5) / (1 << 53)
		score := -float64(bk.Weight) / math.Log(u)
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	return best, best >= 0
}

// symmetricHash hashes the Ethernet addresses, VLAN, EtherType, IP
// addresses, IP protocol and transport ports, each pair of addresses
// combined so direction does not matter (OVS's symmetric_l4).
func (x *xlate) symmetricHash() uint64 {
	get := func(f *flowtable.Field) uint64 {
		x.unwildcard(f)
		return f.Get(&x.key)
	}
	h := mix64(get(flowtable.FieldEthSrc) ^ get(flowtable.FieldEthDst))
	h = mix64(h ^ uint64(x.tci()&0x1fff) ^ get(flowtable.FieldEthType)<<16)
	x.markVLAN()
	if !x.isIP() {
		return h
	}
	if x.isIPv4() {
		h = mix64(h ^ get(flowtable.FieldIPSrc) ^ get(flowtable.FieldIPDst))
	} else {
		var a, b [16]byte
		for _, f := range []*flowtable.Field{flowtable.FieldIPv6Src, flowtable.FieldIPv6Dst} {
			x.unwildcard(f)
		}
		flowtable.FieldIPv6Src.GetBytes(&x.key, a[:])
		flowtable.FieldIPv6Dst.GetBytes(&x.key, b[:])
		for i := 0; i < 16; i += 8 {
			h = mix64(h ^ be64(a[i:]) ^ be64(b[i:]))
		}
	}
	proto := x.nwProto()
	h = mix64(h ^ proto)
	if proto == flowtable.IPProtoTCP || proto == flowtable.IPProtoUDP || proto == flowtable.IPProtoSCTP {
		h = mix64(h ^ get(flowtable.FieldTCPSrc) ^ get(flowtable.FieldTCPDst))
	}
	return h
}

func be64(b []byte) uint64 {
	var v uint64
	for _, c := range b[:8] {
		v = v<<8 | uint64(c)
	}
	return v
}

// mix64 is a 64-bit finalizer (splitmix64's): every input bit affects
// every output bit.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
