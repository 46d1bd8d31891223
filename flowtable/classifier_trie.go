package flowtable

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"sync/atomic"
)

// Prefix tracking. For an address field such as nw_dst, the classifier
// keeps a binary trie of the prefixes its rules match on that field. When a
// lookup finds no rule in a subtable whose mask is a /L prefix on the field,
// it asks the trie which prefix lengths some rule matches for the packet's
// address. If no rule's /L prefix matches, the miss is proven by the address
// bits the trie walk looked at, which are usually far fewer than L, and the
// megaflow needs only those (at most L) instead of the subtable's whole
// stage.
//
// Addresses are handled as 128-bit values, left-aligned in (hi, lo): an
// IPv4 address occupies the top 32 bits of hi.

// maxPrefixFields bounds the tries per classifier so that a lookup's trie
// results fit in a fixed array on the stack.
const maxPrefixFields = 4

// The jump table resolves an address's first few bits in one step. Rule
// sets commonly hold many prefixes spread over the address space, which
// makes the trie's top a nearly complete binary tree: without the table a
// walk would spend a dependent memory load on each of its first levels.
// The table's stride (how many leading bits it resolves) follows the
// number of prefixes, about log2 of it, so that below the table a walk
// usually has at most a node or two left; the table then costs about 8
// bytes per prefix.
const (
	minTrieStride = 8
	maxTrieStride = 16
)

// jumpStride returns the stride suited to a trie of n prefixes.
func jumpStride(n int) int {
	return min(max(bits.Len(uint(n)), minTrieStride), maxTrieStride)
}

// jumpTable holds, for every value v of an address's first stride bits,
// the walk of the addresses starting so, packed in one word: a lookup
// resumes the walk from one load. The walk goes down the trie's top and
// pauses before its first node of stride bits or more, if the address's
// first stride bits are that node's (else it ends there, as the node's
// prefix decides). A paused walk's next node is kept in targets and named
// by its index there, unless it is a leaf short enough for its prefix's
// remaining bits to fit in the entry: then the lookup finishes the walk
// with one comparison, touching no node. In tries of many prefixes most
// paused walks are at such leaves.
type jumpTable struct {
	stride  int
	entries []atomic.Uint64
	// targets grows by appending in place; readers load an entry before
	// the slice, so they see every index an entry they loaded names.
	targets atomic.Pointer[[]*trieNode]
	spare   []*trieNode // the latest targets, with room to append; writer only

	// anchors saves inserts the walk down the trie's top, which is as
	// long as the stride and, in a large trie, a cache miss per node. For
	// every entry it holds the node whose child link the insert of a
	// prefix at least stride bits long, starting with the entry's
	// address, goes through first below the top; nil stands for the
	// root link. Writer only.
	anchors []*trieNode
}

// publishTargets lets readers see the targets appended so far. Writers
// only.
func (tab *jumpTable) publishTargets() {
	targets := tab.spare
	tab.targets.Store(&targets)
}

// A jump table entry, bit by bit. The walk has only seen prefixes shorter
// than the stride, whose lengths the 24 plens bits hold.
const (
	jumpEnded      = 1 << 63
	jumpLeaf       = 1 << 62 // paused at a leaf held in the entry
	jumpDepthShift = 56      // 6 bits: address bits matched, less than the stride
	jumpMaskShift  = 48      // 8 bits: once ended, the bits the walk examined; at a leaf, its plen
	jumpPlensShift = 24      // 24 bits: the walk's plens
	jumpDepthMask  = 1<<6 - 1
	jumpPlensMask  = 1<<24 - 1
	jumpTargetMask = 1<<24 - 1 // the rest: the index of the next node in targets, or the leaf's bits past the stride
	jumpLeafBits   = 24
)

// resume sets the fresh walk w to the entry of the address hi (left
// aligned).
func (tab *jumpTable) resume(w *trieWalk, hi uint64) {
	e := tab.entries[hi>>(64-tab.stride)].Load()
	w.started = true
	w.plens[0] = e >> jumpPlensShift & jumpPlensMask
	w.depth = int(e >> jumpDepthShift & jumpDepthMask)
	switch {
	case e&jumpEnded != 0:
		w.ended, w.maskbits = true, int(e>>jumpMaskShift&0xff)
	case e&jumpLeaf != 0:
		// What step would do at the leaf, whose first stride bits hi has.
		plen := int(e >> jumpMaskShift & 0xff)
		w.ended = true
		if c := tab.stride + bits.LeadingZeros64((hi<<tab.stride>>(64-jumpLeafBits)^e&jumpTargetMask)<<(64-jumpLeafBits)); c < plen {
			w.maskbits = c + 1
		} else {
			w.depth, w.maskbits = plen, plen
			w.plens[0] |= 1 << (plen - 1)
		}
	default:
		w.next = (*tab.targets.Load())[e&jumpTargetMask]
	}
}

// prefixTrie is the trie of one field. Lookups never lock: a node's
// prefix never changes once it is published, while its rule count and
// child links are atomics that the writer updates in place. A writer
// builds any new node completely before linking it with one atomic store,
// and unlinks nodes without touching them, so a reader walking an unlinked
// node still sees a valid, merely older, subtrie.
//
// The jump table lets a walk skip the nodes shorter than its stride. The
// writer recomputes the entries a change affects after making it, and
// replaces each whole, so a reader sees an entry of the trie before or
// after the change, as it would see the nodes themselves; when the number
// of prefixes calls for another stride it builds a new table and swaps it
// in.
type prefixTrie struct {
	field *Field
	root  atomic.Pointer[trieNode]
	jump  atomic.Pointer[jumpTable] // nil until the first prefix

	prefixes int // nodes with rules; writer only
}

// trieNode is a path-compressed node: it stands for the prefix (hi, lo)/plen
// and is reached by matching all of it, so the bits a node skips over are
// checked with one comparison.
type trieNode struct {
	hi, lo uint64 // the prefix; bits past plen are zero
	plen   int
	rules  atomic.Int32                // rule groups whose prefix on the field is exactly this one
	child  [2]atomic.Pointer[trieNode] // by the bit at position plen
	_      [16]byte                    // to 64 bytes, so a node is one cache line
}

// checkPrefixField panics unless the classifier can track prefixes of f:
// its bits must sit in one key word, or be 128 bits filling two words.
func checkPrefixField(f *Field) {
	if f == nil {
		panic("flowtable: classifier cannot track prefixes of a nil field")
	}
	if f.Bits == 0 || f.Bits%8 != 0 || !(f.inOneWord() || f.Bits == 128 && f.lsbShift == 0) {
		panic(fmt.Sprintf("flowtable: classifier cannot track prefixes of field %s (%d bits)", f.Name, f.Bits))
	}
}

// fieldValue returns the bits of f in k, left-aligned.
func fieldValue(f *Field, k *Key) (hi, lo uint64) {
	if f.Bits == 128 {
		return k[f.lsbWord-1], k[f.lsbWord]
	}
	return k[f.lsbWord] >> f.lsbShift << (64 - f.Bits), 0
}

// prefixMask returns a left-aligned mask of the first n bits.
func prefixMask(n int) (hi, lo uint64) {
	switch {
	case n <= 0:
		return 0, 0
	case n < 64:
		return ^uint64(0) << (64 - n), 0
	case n < 128:
		return ^uint64(0), ^uint64(0) << (128 - n)
	default:
		return ^uint64(0), ^uint64(0)
	}
}

// prefixLen returns L if mask selects exactly the first L bits of f, and 0
// if it selects none of f or is not a prefix (such subtables cannot use the
// trie).
func prefixLen(f *Field, mask *Mask) int {
	hi, lo := fieldValue(f, mask)
	n := bits.LeadingZeros64(^hi)
	if n == 64 {
		n += bits.LeadingZeros64(^lo)
	}
	n = min(n, f.Bits)
	if wantHi, wantLo := prefixMask(n); hi != wantHi || lo != wantLo {
		return 0
	}
	return n
}

// unwildcardPrefix sets the first n bits of f in wc.
func unwildcardPrefix(f *Field, wc *Mask, n int) {
	hi, lo := prefixMask(n)
	if f.Bits == 128 {
		wc[f.lsbWord-1] |= hi
		wc[f.lsbWord] |= lo
		return
	}
	wc[f.lsbWord] |= hi >> (64 - f.Bits) << f.lsbShift
}

// prefixSet reports whether wc has the first n bits of f.
func prefixSet(f *Field, wc *Mask, n int) bool {
	hi, lo := prefixMask(n)
	if f.Bits == 128 {
		return wc[f.lsbWord-1]&hi == hi && wc[f.lsbWord]&lo == lo
	}
	m := hi >> (64 - f.Bits) << f.lsbShift
	return wc[f.lsbWord]&m == m
}

// commonLen returns how many leading bits (a, b) and (c, d) share, at most
// limit.
func commonLen(a, b, c, d uint64, limit int) int {
	n := bits.LeadingZeros64(a ^ c)
	if n == 64 {
		n += bits.LeadingZeros64(b ^ d)
	}
	return min(n, limit)
}

// bitAt returns bit i (0 = most significant) of the left-aligned (hi, lo).
func bitAt(hi, lo uint64, i int) int {
	if i < 64 {
		return int(hi >> (63 - i) & 1)
	}
	return int(lo >> (127 - i) & 1)
}

// trieWalk is one classifier lookup's walk down one trie with the packet's
// address. Subtables ask in turn about their prefix length, and the walk
// goes only as deep as the longest length asked about so far (or the jump
// table's entry, if that is deeper): a hit usually needs only the first
// levels.
type trieWalk struct {
	started, ended bool
	hi, lo         uint64    // the address
	next           *trieNode // the node to examine next, unless ended
	depth          int       // address bits matched so far
	maskbits       int       // once ended: leading address bits the whole walk examined
	plens          [2]uint64 // bit L-1 set: some rule's /L prefix matches; known for L ≤ depth, or all once ended
}

// has reports whether some rule's /plen prefix matches; the walk must have
// reached depth plen or ended.
func (w *trieWalk) has(plen int) bool {
	return w.plens[(plen-1)/64]>>((plen-1)%64)&1 != 0
}

// advance walks on until it has matched upto bits of the address or ended.
// Walking further than asked never changes an answer, so the walk starts
// from the jump table's entry even when that is past upto.
func (w *trieWalk) advance(t *prefixTrie, k *Key, upto int) {
	if !w.started {
		hi, lo := fieldValue(t.field, k)
		if tab := t.jump.Load(); tab != nil {
			tab.resume(w, hi)
		} else {
			w.start(t)
		}
		w.hi, w.lo = hi, lo
	}
	for !w.ended && w.depth < upto {
		w.step(t)
	}
}

// start begins a walk at the trie's root.
func (w *trieWalk) start(t *prefixTrie) {
	w.started = true
	w.next = t.root.Load()
	w.ended = w.next == nil
}

// step examines the next node of a walk that has not ended.
func (w *trieWalk) step(t *prefixTrie) {
	n := w.next
	if c := commonLen(w.hi, w.lo, n.hi, n.lo, n.plen); c < n.plen {
		// Bit c decided that the walk ends here.
		w.ended, w.maskbits = true, c+1
		return
	}
	w.depth = n.plen
	if n.rules.Load() > 0 {
		w.plens[(n.plen-1)/64] |= 1 << ((n.plen - 1) % 64)
	}
	if n.plen == t.field.Bits {
		w.ended, w.maskbits = true, n.plen
		return
	}
	b := bitAt(w.hi, w.lo, n.plen)
	if w.next = n.child[b].Load(); w.next == nil {
		// The next bit matters only if the other branch exists; at a
		// leaf every address with this prefix ends the walk here.
		w.ended, w.maskbits = true, n.plen
		if n.child[1-b].Load() != nil {
			w.maskbits++
		}
	}
}

// rejump recomputes the jump table entries of the addresses that share
// their first d bits with the left-aligned hi, d being the prefix length
// of holder (0 for the root link): those whose walks pass holder's rule
// count (linkOnly false) or its link on hi's side (linkOnly true), which
// changed. A change at the stride or deeper can only affect the entry of
// hi, if it pauses at holder (see [jumpTable.repause]). It builds
// a new table instead when the trie's size calls for another stride, or
// when the table's targets are mostly nodes no entry names any more.
// Writers only.
//
// The entries are refilled from holder rather than from the root, sparing
// the walk down the trie's top, a cache miss per node in a large trie.
// For the same reason a table that needs one more bit of stride, as a
// growing trie's does, is made from the old one (see [jumpTable.grow])
// and then refilled like the old one would have been.
func (t *prefixTrie) rejump(hi uint64, holder *trieNode, linkOnly bool) {
	tab := t.jump.Load()
	want := jumpStride(t.prefixes)
	cluttered := tab != nil && len(tab.spare) > 2*len(tab.entries)+64
	if tab == nil || cluttered || want > tab.stride+1 || want < tab.stride-1 {
		tab = &jumpTable{stride: want, entries: make([]atomic.Uint64, 1<<want), anchors: make([]*trieNode, 1<<want)}
		tab.fill(t, 0, 1<<want, false)
		tab.publishTargets()
		t.jump.Store(tab)
		return
	}
	if want > tab.stride {
		grown := tab.grow(t)
		grown.refill(t, hi, holder, linkOnly)
		grown.publishTargets()
		t.jump.Store(grown)
		return
	}
	tab.refill(t, hi, holder, linkOnly)
}

// refill recomputes the entries that rejump's change affects. Writers
// only.
func (tab *jumpTable) refill(t *prefixTrie, hi uint64, holder *trieNode, linkOnly bool) {
	if holder == nil {
		tab.fill(t, 0, 1<<tab.stride, true)
		return
	}
	d := holder.plen
	if d >= tab.stride {
		tab.repause(t, hi, holder)
		return
	}
	first := hi >> (64 - tab.stride) &^ (1<<(tab.stride-d) - 1)
	// The entries' walks all reach holder, so what they found above it
	// is what hi's walk found: its prefix lengths shorter than holder's.
	f := jumpFill{tab: tab, bits: t.field.Bits, first: first, end: first + 1<<(tab.stride-d), published: true}
	if side := bitAt(hi, 0, d); linkOnly && holder.child[1-side].Load() != nil {
		// The walks that take the other link do not see this one: only
		// walks that end at holder count its links (see step).
		f.first += uint64(side) << (tab.stride - d - 1)
		f.end = f.first + 1<<(tab.stride-d-1)
	}
	plens := tab.entries[hi>>(64-tab.stride)].Load() >> jumpPlensShift & jumpPlensMask
	if d > 0 {
		plens &= 1<<(d-1) - 1
	} else {
		plens = 0
	}
	// holder is shorter than the stride, so than the field: no entry
	// ends at it for lack of bits, and parent is not needed.
	f.below(holder, nil, plens)
}

// repause refills the entry of the address hi if its walk pauses at
// holder, a node of the stride or longer whose links or rules changed: it
// may have become a leaf the entry can hold, or stopped being one.
// Changes deeper down leave the entries alone: no entry looks past the
// node it pauses at.
func (tab *jumpTable) repause(t *prefixTrie, hi uint64, holder *trieNode) {
	v := hi >> (64 - tab.stride)
	anchor := tab.anchors[v]
	slot, depth := &t.root, 0
	if anchor != nil {
		slot, depth = &anchor.child[bitAt(hi, 0, anchor.plen)], anchor.plen
	}
	if slot.Load() != holder {
		return
	}
	size := tab.stride - depth
	f := jumpFill{tab: tab, bits: t.field.Bits, first: v, end: v + 1, published: true}
	f.from(holder, anchor, depth, tab.entries[v].Load()>>jumpPlensShift&jumpPlensMask, v>>size<<size, size)
}

// grow returns an unpublished table of one more bit of stride holding
// tab's walks, each continued by one bit. A walk that ended is the same
// for both addresses that extend its own. A paused walk goes on through
// its next node's bit at the old stride: one address still pauses there,
// the other ends, or, at a node of exactly the old stride, the walk goes
// through that node alone. A held leaf's bits say all this without
// reading it, so growing reads only the targets and the leaves of
// exactly the old stride, where filling a table afresh would read every
// node above the new stride. Targets keep their indexes. The entries
// that a change not yet refilled affects are as wrong as in tab, and the
// caller refills them. Writers only.
func (tab *jumpTable) grow(t *prefixTrie) *jumpTable {
	s := tab.stride
	nt := &jumpTable{stride: s + 1, entries: make([]atomic.Uint64, 2<<s), anchors: make([]*trieNode, 2<<s)}
	nt.spare = slices.Clone(tab.spare)
	f := jumpFill{tab: nt, bits: t.field.Bits}
	for v := range tab.entries {
		e, anchor := tab.entries[v].Load(), tab.anchors[v]
		nt.anchors[2*v], nt.anchors[2*v+1] = anchor, anchor
		depth := int(e >> jumpDepthShift & jumpDepthMask)
		var n *trieNode
		switch {
		case e&jumpEnded != 0:
			nt.entries[2*v].Store(e)
			nt.entries[2*v+1].Store(e)
			continue
		case e&jumpLeaf != 0 && e>>jumpMaskShift&0xff > uint64(s):
			// The leaf's next bit now picks the address that pauses there;
			// the other ends at it.
			b := int(e >> (jumpLeafBits - 1) & 1)
			nt.entries[2*v+b].Store(e&^jumpTargetMask | e<<1&jumpTargetMask)
			nt.entries[2*v+1-b].Store(jumpEnded | uint64(s+1)<<jumpMaskShift | e&(jumpPlensMask<<jumpPlensShift|jumpDepthMask<<jumpDepthShift))
			continue
		case e&jumpLeaf != 0:
			// A leaf of exactly the old stride, now above the new one.
			n = t.root.Load()
			if anchor != nil {
				n = anchor.child[bitAt(uint64(v)<<(64-s), 0, anchor.plen)].Load()
			}
		default:
			n = tab.spare[e&jumpTargetMask]
		}
		// The walk goes on from n, a child of the anchor, as it goes for
		// every address sharing the depth bits it matched; only these two
		// entries are filled.
		size := s + 1 - depth
		f.first, f.end = uint64(2*v), uint64(2*v+2)
		f.from(n, anchor, depth, e>>jumpPlensShift&jumpPlensMask, f.first>>size<<size, size)
	}
	return nt
}

// fill recomputes the entries [first, end), which lie in one subtree of
// the trie's top (they share their first bits), by walking that subtree
// once: an entry is the walk of its address, so the entries of the
// addresses below a node differ only where the walk leaves the node.
// Writers only; published says whether readers may see tab already, and
// so must see the targets an entry names before the entry.
func (tab *jumpTable) fill(t *prefixTrie, first, end uint64, published bool) {
	f := jumpFill{tab: tab, bits: t.field.Bits, first: first, end: end, published: published}
	root := t.root.Load()
	if root == nil {
		f.set(0, tab.stride, jumpEnded, nil)
		return
	}
	f.from(root, nil, 0, 0, 0, tab.stride)
}

// jumpFill is one fill's state.
type jumpFill struct {
	tab         *jumpTable
	bits        int // the field's
	first, end  uint64
	published   bool
	targetNode  *trieNode // the last target named, and its index
	targetIndex uint64
}

// from fills the entries of the addresses whose walk reaches node n, a
// child of parent (nil: n is the root), having matched depth bits and
// found plens: the 2^size entries from start.
func (f *jumpFill) from(n, parent *trieNode, depth int, plens uint64, start uint64, size int) {
	stride := f.tab.stride
	head := uint64(depth) << jumpDepthShift
	// The addresses that part from n's prefix at bit b < stride end
	// there, having examined b+1 bits.
	p := n.hi >> (64 - stride)
	for b := depth; b < min(n.plen, stride); b++ {
		k := stride - b - 1
		if part := (p>>k ^ 1) << k; part>>size == start>>size {
			f.set(part, k, jumpEnded|uint64(b+1)<<jumpMaskShift|plens<<jumpPlensShift|head, parent)
		}
	}
	if n.plen < stride {
		f.below(n, parent, plens)
		return
	}
	// The one address with n's first stride bits pauses at n.
	e := plens<<jumpPlensShift | head
	if n.plen-stride <= jumpLeafBits && n.child[0].Load() == nil && n.child[1].Load() == nil && n.rules.Load() > 0 {
		e |= jumpLeaf | uint64(n.plen)<<jumpMaskShift | n.hi<<stride>>(64-jumpLeafBits)
	} else {
		e |= f.target(n, p)
	}
	f.set(p, 0, e, parent)
}

// below fills the entries of the addresses whose walk matches all of node
// n, a child of parent and shorter than the stride, having found plens
// above it.
func (f *jumpFill) below(n, parent *trieNode, plens uint64) {
	stride := f.tab.stride
	if n.rules.Load() > 0 {
		plens |= 1 << (n.plen - 1)
	}
	head := uint64(n.plen) << jumpDepthShift
	start, size := n.hi>>(64-stride)>>(stride-n.plen)<<(stride-n.plen), stride-n.plen
	if n.plen == f.bits {
		f.set(start, size, jumpEnded|uint64(n.plen)<<jumpMaskShift|plens<<jumpPlensShift|head, parent)
		return
	}
	for b := range 2 {
		half := start + uint64(b)<<(size-1)
		switch c := n.child[b].Load(); {
		case !f.overlaps(half, size-1):
		case c == nil:
			maskbits := n.plen
			if n.child[1-b].Load() != nil {
				maskbits++
			}
			f.set(half, size-1, jumpEnded|uint64(maskbits)<<jumpMaskShift|plens<<jumpPlensShift|head, n)
		default:
			f.from(c, n, n.plen, plens, half, size-1)
		}
	}
}

// overlaps reports whether the fill covers any of the 2^size entries
// from start.
func (f *jumpFill) overlaps(start uint64, size int) bool {
	return start < f.end && start+1<<size > f.first
}

// set sets the fill's entries among the 2^size from start to e, and
// their anchor.
func (f *jumpFill) set(start uint64, size int, e uint64, anchor *trieNode) {
	for v := max(start, f.first); v < min(start+1<<size, f.end); v++ {
		if x := &f.tab.entries[v]; x.Load() != e {
			x.Store(e)
		}
		f.tab.anchors[v] = anchor
	}
}

// target returns the index in the targets of node n, for the entries
// from start, appending n if they do not name it already.
func (f *jumpFill) target(n *trieNode, start uint64) uint64 {
	if n == f.targetNode {
		return f.targetIndex
	}
	tab := f.tab
	old := tab.entries[max(start, f.first)].Load()
	i := old & jumpTargetMask
	if old&(jumpEnded|jumpLeaf) != 0 || i >= uint64(len(tab.spare)) || tab.spare[i] != n {
		i = uint64(len(tab.spare))
		tab.spare = append(tab.spare, n)
		if f.published {
			tab.publishTargets()
		}
	}
	f.targetNode, f.targetIndex = n, i
	return i
}

// rulesOut reports whether the trie proves, as Open vSwitch's does, that
// no rule with a /plen prefix on the field matches k, and if so adds to wc
// the address bits the proof rests on: the bits the whole walk examined.
// A proof that examined more than plen bits, which the subtable's stage
// alone would not unwildcard, holds only if wc has those bits already;
// otherwise rulesOut declines it, as OVS does, and the caller tries its
// other tries or unwildcards the stage. Matching OVS here keeps
// megaflows, and so ofproto/trace, the same as OVS's.
func (w *trieWalk) rulesOut(t *prefixTrie, k *Key, wc *Mask, plen int) bool {
	w.advance(t, k, plen)
	if w.has(plen) {
		return false
	}
	w.advance(t, k, t.field.Bits)
	if w.maskbits > plen {
		return prefixSet(t.field, wc, w.maskbits)
	}
	unwildcardPrefix(t.field, wc, w.maskbits)
	return true
}

// newTrieNode returns an unlinked node for a rule group's prefix.
func newTrieNode(hi, lo uint64, plen int) *trieNode {
	n := &trieNode{hi: hi, lo: lo, plen: plen}
	n.rules.Store(1)
	return n
}

// insert counts one more rule group with prefix (hi, lo)/plen, plen ≥ 1.
// Writers only.
func (t *prefixTrie) insert(hi, lo uint64, plen int) {
	// A change of l may affect the walks of the addresses that reach its
	// holder, whose walks may end there whichever link they take.
	l := t.firstLink(hi, lo, plen)
	for {
		n := l.slot.Load()
		if n == nil {
			l.slot.Store(newTrieNode(hi, lo, plen))
			t.prefixes++
			t.rejump(hi, l.holder, true)
			return
		}
		c := commonLen(hi, lo, n.hi, n.lo, min(plen, n.plen))
		switch {
		case c < plen && c < n.plen:
			// The prefixes part at bit c: a new branch node holds both.
			mhi, mlo := prefixMask(c)
			branch := &trieNode{hi: hi & mhi, lo: lo & mlo, plen: c}
			branch.child[bitAt(hi, lo, c)].Store(newTrieNode(hi, lo, plen))
			branch.child[bitAt(n.hi, n.lo, c)].Store(n)
			l.slot.Store(branch)
			t.prefixes++
			t.rejump(hi, l.holder, true)
			return
		case plen < n.plen:
			// The new prefix is a proper ancestor of n.
			parent := newTrieNode(hi, lo, plen)
			parent.child[bitAt(n.hi, n.lo, plen)].Store(n)
			l.slot.Store(parent)
			t.prefixes++
			t.rejump(hi, l.holder, true)
			return
		case plen == n.plen:
			// Entries record only whether a node has rules.
			if n.rules.Add(1) == 1 {
				t.prefixes++
				t.rejump(hi, n, false)
			}
			return
		default:
			l = trieLink{&n.child[bitAt(hi, lo, n.plen)], n}
		}
	}
}

// remove undoes one insert of the same prefix, unlinking nodes that no
// longer carry rules or branch. Writers only.
func (t *prefixTrie) remove(hi, lo uint64, plen int) {
	// The links walked, root first; a node per bit at most. As in
	// insert, a long prefix's walk starts below the trie's top.
	var path [129]trieLink
	n := 0
	l := t.firstLink(hi, lo, plen)
	// The shallowest change, for rejump: in holder's links (linkOnly) or
	// rule count; none yet.
	changed := false
	var holder *trieNode
	linkOnly := false
	for {
		node := l.slot.Load()
		if node == nil || plen < node.plen || commonLen(hi, lo, node.hi, node.lo, node.plen) < node.plen {
			panic("flowtable: prefix trie lost track of a prefix")
		}
		if plen == node.plen {
			if node.rules.Add(-1) == 0 {
				// Entries record whether a node has rules.
				t.prefixes--
				changed, holder = true, node
			}
			break
		}
		path[n] = l
		n++
		l = trieLink{&node.child[bitAt(hi, lo, node.plen)], node}
	}
	for {
		node := l.slot.Load()
		c0, c1 := node.child[0].Load(), node.child[1].Load()
		if node.rules.Load() > 0 || c0 != nil && c1 != nil {
			break
		}
		changed, holder, linkOnly = true, l.holder, true
		if c0 != nil || c1 != nil {
			l.slot.Store(cmp.Or(c0, c1))
			break
		}
		// A leaf went away: its parent lost a branch and may go too.
		l.slot.Store(nil)
		if n == 0 {
			if l.holder == nil {
				break
			}
			// The walk started at an anchor, which may go too: find the
			// links above it.
			n = t.linksTo(l.holder, hi, lo, path[:])
		}
		n--
		l = path[n]
	}
	if changed {
		t.rejump(hi, holder, linkOnly)
	}
}

// firstLink returns the link a writer's walk to prefix (hi, lo)/plen
// starts at: the root link, or for a prefix at least as long as the jump
// table's stride, the link below the trie's top that its entry's anchor
// names.
func (t *prefixTrie) firstLink(hi, lo uint64, plen int) trieLink {
	if tab := t.jump.Load(); tab != nil && plen >= tab.stride {
		if a := tab.anchors[hi>>(64-tab.stride)]; a != nil {
			return trieLink{&a.child[bitAt(hi, lo, a.plen)], a}
		}
	}
	return trieLink{slot: &t.root}
}

// trieLink is a child link of a trie node, or the root link.
type trieLink struct {
	slot   *atomic.Pointer[trieNode]
	holder *trieNode // the node whose child slot is; nil for the root link
}

// linksTo records in path the links from the root down to the one that
// holds node n, on the walk of (hi, lo), and returns how many it recorded.
func (t *prefixTrie) linksTo(n *trieNode, hi, lo uint64, path []trieLink) int {
	l := trieLink{slot: &t.root}
	i := 0
	for {
		path[i] = l
		i++
		node := l.slot.Load()
		if node == n {
			return i
		}
		l = trieLink{&node.child[bitAt(hi, lo, node.plen)], node}
	}
}
