package flowtable

import "sync/atomic"

// hashSet is a counted set of hashes that readers query without locks
// while one writer at a time (serialized by the caller) changes it. It is
// an open-addressing table with linear probing: a query usually costs a
// single cache line, which matters because a lookup queries one per
// subtable stage.
//
// It keeps 32 bits of each hash, as Open vSwitch's stage indexes do: two
// partial hashes that agree on them are taken for one, which costs at
// worst a megaflow a stage narrower than needed, about once in 2^32
// probes, and halves the slots' size, so more of them stay in cache.
//
// A query first asks a small Bloom filter in front of the slots: most
// queries are for hashes the set does not hold, and the filter, a quarter
// of the slots' size, answers most of those from cache where the slots
// would cost a memory access each. Its false positives go on to the slots,
// so answers are exact.
//
// Readers only ever see slots change by single atomic stores: a free slot
// or a tombstone becoming a hash, or a hash becoming a tombstone. Since a
// used slot never becomes free again, no probe sequence is cut short. A
// hash's filter bits are set before its slot and stay set after it is
// removed, until the next rebuild; as the tombstones that removals leave
// count towards rebuilding, the filter never holds many more removed
// hashes than live ones. The writer grows or cleans the table by building
// a new one and swapping the pointer.
type hashSet struct {
	table atomic.Pointer[hashSetTable]
}

type hashSetTable struct {
	filter hashFilter
	mask   uint32
	slots  []atomic.Uint32 // slotFree, slotGone or a stored hash's key
	counts []int32         // per slot, how many times its hash was added; writer only
	used   int             // slots not free (live or tombstones); writer only
	live   int             // slots holding a hash; writer only
}

// Slot values that no stored key takes: setKey moves hashes off them.
const (
	slotFree = 0
	slotGone = 1
)

const hashSetMinSlots = 8

// setKey returns the 32 bits of h that the set keeps; their low bits
// place it in the table.
func setKey(h uint64) uint32 {
	k := uint32(h)
	if k <= slotGone {
		k += 2
	}
	return k
}

// has reports whether h was added more times than removed.
func (s *hashSet) has(h uint64) bool {
	t := s.table.Load()
	if t == nil {
		return false
	}
	k := setKey(h)
	if !t.filter.mayHave(keyFilterBits(k)) {
		return false
	}
	for i := k & t.mask; ; i = (i + 1) & t.mask {
		switch t.slots[i].Load() {
		case k:
			return true
		case slotFree:
			return false
		}
	}
}

// add counts h once more.
func (s *hashSet) add(h uint64) {
	k := setKey(h)
	t := s.table.Load()
	if t == nil {
		t = s.rebuild(hashSetMinSlots)
	}
	gone := -1
	for i := k & t.mask; ; i = (i + 1) & t.mask {
		switch t.slots[i].Load() {
		case k:
			t.counts[i]++
			return
		case slotGone:
			if gone < 0 {
				gone = int(i)
			}
			continue
		case slotFree:
		default:
			continue
		}
		if gone >= 0 {
			// Reuse the first tombstone on the way: readers looking for
			// other hashes step over a live slot just as over a tombstone.
			i = uint32(gone)
		} else {
			t.used++
		}
		t.live++
		t.counts[i] = 1
		t.filter.add(keyFilterBits(k))
		t.slots[i].Store(k)
		break
	}
	// Keep at least half the slots free so probes stay short and end.
	if 2*t.used > len(t.slots) {
		s.rebuild(4 * t.live)
	}
}

// remove takes back one add of h, which must have been added.
func (s *hashSet) remove(h uint64) {
	k := setKey(h)
	t := s.table.Load()
	for i := k & t.mask; ; i = (i + 1) & t.mask {
		switch t.slots[i].Load() {
		case k:
			if t.counts[i]--; t.counts[i] > 0 {
				return
			}
			t.slots[i].Store(slotGone)
			if t.live--; len(t.slots) > hashSetMinSlots && 8*t.live < len(t.slots) {
				s.rebuild(4 * t.live)
			}
			return
		case slotFree:
			panic("flowtable: hashSet remove of a hash it does not hold")
		}
	}
}

// rebuild publishes a table of at least want slots holding the live
// hashes and no tombstones.
func (s *hashSet) rebuild(want int) *hashSetTable {
	size := hashSetMinSlots
	for size < want {
		size *= 2
	}
	t := &hashSetTable{mask: uint32(size - 1), slots: make([]atomic.Uint32, size), counts: make([]int32, size)}
	t.filter.init(size)
	if old := s.table.Load(); old != nil {
		for j := range old.slots {
			k := old.slots[j].Load()
			if k <= slotGone {
				continue
			}
			i := k & t.mask
			for t.slots[i].Load() != slotFree {
				i = (i + 1) & t.mask
			}
			t.filter.add(keyFilterBits(k))
			t.slots[i].Store(k)
			t.counts[i] = old.counts[j]
			t.used++
			t.live++
		}
	}
	s.table.Store(t)
	return t
}
