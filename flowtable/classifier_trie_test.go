package flowtable

import (
	"testing"

	"github.com/govs/govs/internal/testutil"
)

// TestPrefixTrieJumpTable checks, through random inserts and removes, that
// the jump table matches the trie (every entry is what a walk from the
// root pauses at) and that walks starting from it answer exactly as walks
// from the root.
func TestPrefixTrieJumpTable(t *testing.T) {
	rng := testutil.Rand(t)
	for _, f := range []*Field{FieldIPDst, FieldIPv6Dst} {
		t.Run(f.Name, func(t *testing.T) {
			tr := &prefixTrie{field: f}
			type prefix struct {
				hi, lo uint64
				plen   int
			}
			var live []prefix
			// Prefixes drawn from a few bases so they nest and share
			// their first bits, short ones included.
			bases := make([][2]uint64, 6)
			for i := range bases {
				bases[i] = [2]uint64{rng.Uint64(), rng.Uint64()}
			}
			randAddr := func() (hi, lo uint64) {
				b := bases[rng.IntN(len(bases))]
				return b[0] ^ rng.Uint64()>>rng.IntN(64), b[1] ^ rng.Uint64()
			}
			insert := func(plen int) {
				hi, lo := randAddr()
				mhi, mlo := prefixMask(plen)
				p := prefix{hi & mhi, lo & mlo, plen}
				tr.insert(p.hi, p.lo, p.plen)
				live = append(live, p)
			}
			remove := func(i int) {
				p := live[i]
				tr.remove(p.hi, p.lo, p.plen)
				live[i] = live[len(live)-1]
				live = live[:len(live)-1]
			}
			check := func() {
				t.Helper()
				checkJumpTable(t, tr)
				for range 20 {
					var k Key
					hi, lo := randAddr()
					setFieldValue(f, &k, hi, lo)
					plen := 1 + rng.IntN(f.Bits)
					var viaJump, viaRoot trieWalk
					var wcJump, wcRoot Mask
					gotJump := viaJump.rulesOut(tr, &k, &wcJump, plen)
					viaRoot.start(tr)
					viaRoot.hi, viaRoot.lo = fieldValue(f, &k)
					gotRoot := viaRoot.rulesOut(tr, &k, &wcRoot, plen)
					if gotJump != gotRoot || wcJump != wcRoot {
						t.Fatalf("/%d of %x %x: via the jump table (%v, %x), from the root (%v, %x)", plen, hi, lo, gotJump, wcJump, gotRoot, wcRoot)
					}
				}
			}
			for range 600 {
				if len(live) > 0 && rng.IntN(3) == 0 {
					remove(rng.IntN(len(live)))
				} else {
					plen := 1 + rng.IntN(min(f.Bits, 40))
					if rng.IntN(4) == 0 {
						plen = 1 + rng.IntN(minTrieStride+2)
					}
					insert(plen)
				}
				check()
			}
			// Up to enough prefixes for a few wider strides (each table
			// grown from the last, checked as soon as it is) and back,
			// which rebuilds the table.
			grown := 0
			for i := range 3000 {
				stride := tr.jump.Load().stride
				insert(1 + rng.IntN(min(f.Bits, 40)))
				if tr.jump.Load().stride > stride {
					grown++
					check()
				} else if i%300 == 0 {
					check()
				}
			}
			if grown < 2 {
				t.Fatalf("the jump table grew %d times", grown)
			}
			check()
			// Down to an empty trie, whose table must say so.
			for i := 0; len(live) > 0; i++ {
				remove(rng.IntN(len(live)))
				if len(live) < 300 || i%300 == 0 {
					check()
				}
			}
		})
	}
}

// checkJumpTable fails unless every jump table entry is the walk from the
// root paused before its first node of the table's stride or more, when
// the entry's address has that node's first stride bits and the node is
// not a leaf the entry holds (else the walk goes on through that node),
// and the stride suits the number of prefixes.
func checkJumpTable(t *testing.T, tr *prefixTrie) {
	t.Helper()
	if n := countPrefixes(tr.root.Load()); n != tr.prefixes {
		t.Fatalf("trie counts %d prefixes, has %d", tr.prefixes, n)
	}
	tab := tr.jump.Load()
	if tab == nil {
		if tr.root.Load() != nil {
			t.Fatal("a trie with prefixes has no jump table")
		}
		return
	}
	if want := jumpStride(tr.prefixes); tab.stride != want && tab.stride != want+1 {
		t.Fatalf("jump table stride %d for %d prefixes, want %d (or one more)", tab.stride, tr.prefixes, want)
	}
	for v := range tab.entries {
		hi := uint64(v) << (64 - tab.stride)
		want := trieWalk{hi: hi}
		want.start(tr)
		for !want.ended {
			n := want.next
			held := n.child[0].Load() == nil && n.child[1].Load() == nil && n.plen-tab.stride <= jumpLeafBits
			if n.plen >= tab.stride && commonLen(hi, 0, n.hi, n.lo, tab.stride) == tab.stride && !held {
				break
			}
			want.step(tr)
		}
		if want.ended {
			want.next = nil // never read again; entries do not keep it
		}
		var got trieWalk
		tab.resume(&got, hi)
		got.hi = hi
		if got != want {
			t.Fatalf("jump[%#x] = %+v, want %+v", v, got, want)
		}
		// The anchor's link is where an insert walking from the root
		// with a long prefix of this address leaves the trie's top: at
		// the first link that is empty, holds a node of stride bits or
		// more, or holds a node the address parts from.
		slot := &tr.root
		for n := slot.Load(); n != nil && n.plen < tab.stride && commonLen(hi, 0, n.hi, n.lo, n.plen) == n.plen; n = slot.Load() {
			slot = &n.child[bitAt(hi, 0, n.plen)]
		}
		if tr.firstLink(hi, 0, tab.stride).slot != slot {
			t.Fatalf("jump[%#x]: anchor %+v does not lead to the link an insert from the root reaches", v, tab.anchors[v])
		}
	}
}

// countPrefixes returns how many nodes of the subtrie at n have rules.
func countPrefixes(n *trieNode) int {
	if n == nil {
		return 0
	}
	c := countPrefixes(n.child[0].Load()) + countPrefixes(n.child[1].Load())
	if n.rules.Load() > 0 {
		c++
	}
	return c
}

// setFieldValue stores the left-aligned (hi, lo) in f's bits of k.
func setFieldValue(f *Field, k *Key, hi, lo uint64) {
	if f.Bits == 128 {
		k[f.lsbWord-1], k[f.lsbWord] = hi, lo
		return
	}
	k[f.lsbWord] = hi >> (64 - f.Bits) << f.lsbShift
}
