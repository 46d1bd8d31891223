package flowtable

import (
	"testing"

	"github.com/govs/govs/internal/testutil"
)

// TestCmapRandom drives a cmap through inserts, replacements and removals
// (with growth and shrinking) and compares it with a Go map. Hashes come
// from a small range so chains hold collisions.
func TestCmapRandom(t *testing.T) {
	rng := testutil.Rand(t)
	var m cmap[int]
	ref := map[int]uint64{} // value → hash; values are unique
	find := func(v int) *cmapNode[int] {
		for n := m.first(ref[v]); n != nil; n = n.next {
			if n.hash == ref[v] && n.val == v {
				return n
			}
		}
		return nil
	}
	next := 0
	for step := range 20000 {
		// Grow to a few thousand entries, then drain.
		growing := step < 12000
		switch op := rng.IntN(10); {
		case len(ref) == 0 || growing && op < 6 || !growing && op < 1:
			h := rng.Uint64N(512)
			m.insert(h, next)
			ref[next] = h
			next++
		case growing && op < 7 || !growing && op < 3:
			for v := range ref {
				n := find(v)
				if n == nil {
					t.Fatalf("step %d: value %d lost", step, v)
				}
				m.replace(n, next)
				ref[next] = ref[v]
				delete(ref, v)
				next++
				break
			}
		default:
			for v := range ref {
				n := find(v)
				if n == nil {
					t.Fatalf("step %d: value %d lost", step, v)
				}
				m.remove(n)
				delete(ref, v)
				break
			}
		}
	}
	seen := 0
	m.all(func(n *cmapNode[int]) bool {
		if h, ok := ref[n.val]; !ok || h != n.hash {
			t.Fatalf("entry (%d, %d) should not be there", n.hash, n.val)
		}
		seen++
		return true
	})
	if seen != len(ref) || m.n != len(ref) {
		t.Fatalf("cmap holds %d entries (counts %d), want %d", seen, m.n, len(ref))
	}
}

// TestHashSetRandom compares a hashSet with a map of counts through adds
// and removes that leave tombstones, force rebuilds, and include the
// hashes equal to the slot markers (which the set merges with 2 and 3).
func TestHashSetRandom(t *testing.T) {
	rng := testutil.Rand(t)
	var s hashSet
	counts := map[uint64]int{} // by setKey
	for step := range 50000 {
		h := rng.Uint64N(3000)
		if h >= 2990 {
			h -= 2990 // 0 and 1 are the slot markers
		}
		if counts[setKey(h)] > 0 && (step > 30000 || rng.IntN(2) == 0) {
			s.remove(h)
			counts[setKey(h)]--
		} else {
			s.add(h)
			counts[setKey(h)]++
		}
		if step%1000 == 0 {
			for q := range uint64(3000) {
				if got, n := s.has(q), counts[setKey(q)]; got != (n > 0) {
					t.Fatalf("step %d: has(%d) = %v, count %d", step, q, got, n)
				}
			}
		}
	}
}
