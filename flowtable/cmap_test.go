package flowtable

import (
	"testing"

	"github.com/govs/govs/internal/testutil"
)

// TestCmapRandom drives a cmap through inserts, replacements and removals
// (with growth and shrinking) and compares it with a Go map. Hashes take
// few values so chains hold collisions, scrambled as real hashes are so
// that the table's filter sees them spread.
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
			h := hashFinal(rng.Uint64N(512))
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

// TestCmapResizeKeepsOldTable grows and shrinks a cmap whose chains hold
// collisions, and checks after every resize that the table readers may
// still hold is unchanged, while the new one shares most of its links.
func TestCmapResizeKeepsOldTable(t *testing.T) {
	rng := testutil.Rand(t)
	var m cmap[int]
	chains := func(tab *cmapTable[int]) map[*cmapNode[int]][2]uint64 {
		links := map[*cmapNode[int]][2]uint64{}
		for i := range tab.buckets {
			for n := tab.buckets[i].Load(); n != nil; n = n.next {
				links[n] = [2]uint64{n.hash, uint64(n.val)}
			}
		}
		return links
	}
	resizes := 0
	for step := range 8000 { // fill, then drain
		old := m.table.Load()
		var before map[*cmapNode[int]][2]uint64
		if old != nil {
			before = chains(old)
		}
		if step < 4000 {
			m.insert(hashFinal(rng.Uint64N(1024)), step)
		} else {
			var victim *cmapNode[int]
			m.all(func(n *cmapNode[int]) bool { victim = n; return false })
			m.remove(victim)
			delete(before, victim) // removed before the resize, as it should be
		}
		if old == nil || m.table.Load() == old {
			continue
		}
		resizes++
		if after := chains(old); len(after) != len(before) {
			t.Fatalf("step %d: resize changed the old table: %d links, had %d", step, len(after), len(before))
		} else {
			for n, v := range before {
				if after[n] != v {
					t.Fatalf("step %d: resize changed a link of the old table", step)
				}
			}
		}
		if step < 4000 && len(before) > 100 {
			shared := 0
			for n := range chains(m.table.Load()) {
				if _, ok := before[n]; ok {
					shared++
				}
			}
			if 2*shared < len(before) {
				t.Fatalf("step %d: growing shared %d of %d links", step, shared, len(before))
			}
		}
	}
	if resizes < 10 {
		t.Fatalf("only %d resizes", resizes)
	}
}

// TestHashSetRandom compares a hashSet with a map of counts through adds
// and removes that leave tombstones, force rebuilds, and include the
// hashes equal to the slot markers (which the set merges with 2 and 3).
func TestHashSetRandom(t *testing.T) {
	rng := testutil.Rand(t)
	var s hashSet
	counts := map[uint32]int{} // by setKey
	// Hashes as real ones, scrambled, plus the markers.
	hash := func(q uint64) uint64 {
		if q >= 2990 {
			return q - 2990 // 0 and 1 are the slot markers
		}
		return hashFinal(q)
	}
	for step := range 50000 {
		h := hash(rng.Uint64N(3000))
		if counts[setKey(h)] > 0 && (step > 30000 || rng.IntN(2) == 0) {
			s.remove(h)
			counts[setKey(h)]--
		} else {
			s.add(h)
			counts[setKey(h)]++
		}
		if step%1000 == 0 {
			for q := range uint64(3000) {
				h := hash(q)
				if got, n := s.has(h), counts[setKey(h)]; got != (n > 0) {
					t.Fatalf("step %d: has(%#x) = %v, count %d", step, h, got, n)
				}
			}
		}
	}
}

// TestHashSetKeeps32Bits checks that a hashSet tells hashes apart by
// their low 32 bits only, as OVS's stage indexes do.
func TestHashSetKeeps32Bits(t *testing.T) {
	var s hashSet
	h := hashFinal(7)
	s.add(h)
	if !s.has(h ^ 0xdead<<40) {
		t.Fatal("a hash differing only in its high 32 bits is not taken for the stored one")
	}
	if s.has(h ^ 1<<31) {
		t.Fatal("a hash differing in its low 32 bits is taken for the stored one")
	}
}

// TestFiltersStayUseful churns a hashSet and a cmap at a steady size, each
// hash added once and removed later, and checks that their filters still
// turn away most absent hashes: removed hashes' bits must not pile up.
func TestFiltersStayUseful(t *testing.T) {
	var s hashSet
	var m cmap[int]
	const live = 500
	for i := range uint64(20 * live) {
		h := hashFinal(i)
		s.add(h)
		m.insert(h, int(i))
		if i >= live {
			old := hashFinal(i - live)
			s.remove(old)
			n := m.first(old)
			for n.hash != old {
				n = n.next
			}
			m.remove(n)
		}
	}
	passed := func(mayHave func(uint64) bool) int {
		n := 0
		for i := range uint64(10000) {
			if mayHave(hashFinal(1<<40 + i)) {
				n++
			}
		}
		return n
	}
	setPassed := passed(func(h uint64) bool { return s.table.Load().filter.mayHave(keyFilterBits(setKey(h))) })
	mapPassed := passed(func(h uint64) bool { return m.table.Load().filter.mayHave(filterBits(h)) })
	// About 1.5% pass a filter of 16 or more bits per hash.
	if setPassed > 500 || mapPassed > 500 {
		t.Fatalf("of 10000 absent hashes, the hashSet's filter passed %d and the cmap's %d", setPassed, mapPassed)
	}
}
