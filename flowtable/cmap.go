package flowtable

import "sync/atomic"

// cmap is a hash table keyed by 64-bit hashes that any number of readers
// search without locks while one writer at a time (serialized by the
// caller) changes it. Several entries may share a hash; readers walk the
// chain and compare whatever the values hold.
//
// Every chain link is immutable once published. A writer never edits a
// link that readers may be walking: it builds the changed part of a chain
// anew and swaps the bucket head with one atomic store, and it grows or
// shrinks the table by building a whole new table and swapping the table
// pointer. A reader therefore always sees some complete chain, old or new,
// and the garbage collector reclaims what no reader holds any more.
type cmap[V any] struct {
	table atomic.Pointer[cmapTable[V]]
	n     int // number of entries; writer only
}

type cmapTable[V any] struct {
	// filter holds the hash of every entry (and of entries removed since
	// the table was built): most searches are for hashes the table does
	// not hold, and the filter, an eighth of the buckets' size, usually
	// says so from cache without touching a bucket. Bits are set before
	// the entry is linked.
	filter  hashFilter
	mask    uint64 // len(buckets)-1; len(buckets) is a power of two
	buckets []atomic.Pointer[cmapNode[V]]
	stale   int // entries removed since the table was built; writer only
}

// cmapNode is one immutable link of a bucket chain. A lookup reads hash
// and next first, then the start of val: they come first so that they
// share a cache line.
type cmapNode[V any] struct {
	hash uint64
	next *cmapNode[V]
	val  V
}

// cmapMinBuckets keeps tiny tables from resizing back and forth.
const cmapMinBuckets = 8

// first returns the head of the chain that holds hash, or nil. Callers walk
// it with next and skip links whose hash differs.
func (m *cmap[V]) first(hash uint64) *cmapNode[V] {
	t := m.table.Load()
	if t == nil {
		return nil
	}
	return t.buckets[hash&t.mask].Load()
}

// mayHold reports false if no entry has hash, as the table's filter shows
// without touching a bucket. Readers ask it before walking a chain.
func (m *cmap[V]) mayHold(hash uint64) bool {
	t := m.table.Load()
	return t != nil && t.filter.mayHave(filterBits(hash))
}

// insert adds an entry; the caller guarantees it is not already present.
func (m *cmap[V]) insert(hash uint64, val V) {
	t := m.table.Load()
	// At most one entry per two buckets: most lookups in a subtable miss,
	// and a miss on an empty bucket costs no chain walk.
	if t == nil || 2*(m.n+1) > len(t.buckets) {
		t = m.resize(4 * (m.n + 1))
	}
	b := &t.buckets[hash&t.mask]
	t.filter.add(filterBits(hash))
	b.Store(&cmapNode[V]{hash: hash, val: val, next: b.Load()})
	m.n++
}

// replace swaps the value of link old, which must be in the table, for val.
func (m *cmap[V]) replace(old *cmapNode[V], val V) {
	m.relink(old, &cmapNode[V]{hash: old.hash, val: val, next: old.next})
}

// remove unlinks old, which must be in the table.
func (m *cmap[V]) remove(old *cmapNode[V]) {
	m.relink(old, old.next)
	m.n--
	t := m.table.Load()
	t.stale++
	switch {
	case len(t.buckets) > cmapMinBuckets && 8*m.n < len(t.buckets):
		m.resize(4 * m.n)
	case t.stale > m.n+cmapMinBuckets:
		// The filter passes too many removed hashes: rebuild it.
		m.resize(len(t.buckets))
	}
}

// relink publishes a copy of old's chain in which old is replaced by the
// chain starting at with. Links before old are copied because readers may
// be walking them; links after it are shared.
func (m *cmap[V]) relink(old, with *cmapNode[V]) {
	t := m.table.Load()
	b := &t.buckets[old.hash&t.mask]
	head := b.Load()
	if head == old {
		b.Store(with)
		return
	}
	newHead := &cmapNode[V]{hash: head.hash, val: head.val}
	tail := newHead
	for n := head.next; n != old; n = n.next {
		if n == nil {
			panic("flowtable: cmap relink of a link that is not in the table")
		}
		c := &cmapNode[V]{hash: n.hash, val: n.val}
		tail.next = c
		tail = c
	}
	tail.next = with
	b.Store(newHead)
}

// resize publishes a table with at least want buckets holding every entry.
//
// Links are immutable, so the new table shares each old chain's longest
// tail whose links all go to one bucket, if that bucket has nothing yet:
// readers of either table walk the same links. Chains are short, so when a
// table grows most links are shared; the others are copied.
func (m *cmap[V]) resize(want int) *cmapTable[V] {
	size := cmapMinBuckets
	for size < want {
		size *= 2
	}
	t := &cmapTable[V]{mask: uint64(size - 1), buckets: make([]atomic.Pointer[cmapNode[V]], size)}
	t.filter.init(size)
	if old := m.table.Load(); old != nil {
		for i := range old.buckets {
			head := old.buckets[i].Load()
			if head == nil {
				continue
			}
			tail := head
			for n := head; n != nil; n = n.next {
				t.filter.add(filterBits(n.hash))
				if n.hash&t.mask != tail.hash&t.mask {
					tail = n
				}
			}
			var shared *cmapNode[V] // where copying stops
			if b := &t.buckets[tail.hash&t.mask]; b.Load() == nil {
				b.Store(tail)
				shared = tail
			}
			for n := head; n != shared; n = n.next {
				b := &t.buckets[n.hash&t.mask]
				b.Store(&cmapNode[V]{hash: n.hash, val: n.val, next: b.Load()})
			}
		}
	}
	m.table.Store(t)
	return t
}

// all calls fn for every entry of the table as it was when all started
// (later writes may or may not show), until fn returns false. It reports
// whether it visited everything.
func (m *cmap[V]) all(fn func(n *cmapNode[V]) bool) bool {
	t := m.table.Load()
	if t == nil {
		return true
	}
	for i := range t.buckets {
		for n := t.buckets[i].Load(); n != nil; n = n.next {
			if !fn(n) {
				return false
			}
		}
	}
	return true
}
