package flowtable

import "sync/atomic"

// hashFilter is a blocked Bloom filter of 64-bit hashes: each hash sets two
// bits of one 64-bit word, so a query reads one word. It has 8 bits per
// slot (or bucket) of the table it guards, which keeps two or more per
// hash: with 16 bits or more per hash it passes about 1.5% of absent
// hashes. Readers query it without locks; the single writer only ever
// sets bits in a published filter, and tables build a new one to forget
// removed hashes.
type hashFilter struct {
	words []atomic.Uint64
	mask  uint64
}

// init sizes an empty filter for a table of slots slots (a power of two).
func (f *hashFilter) init(slots int) {
	n := max(slots/8, 1)
	f.words, f.mask = make([]atomic.Uint64, n), uint64(n-1)
}

// filterBits picks h's word and bits from bits that the tables' slot
// indexes, taken from the low end, do not use.
func filterBits(h uint64) (word, bits uint64) {
	return h >> 32, 1<<(h>>52&63) | 1<<(h>>58&63)
}

// mayHave reports false if h was certainly never added.
func (f *hashFilter) mayHave(h uint64) bool {
	w, b := filterBits(h)
	return f.words[w&f.mask].Load()&b == b
}

// add sets h's bits. Writers only.
func (f *hashFilter) add(h uint64) {
	w, b := filterBits(h)
	x := &f.words[w&f.mask]
	x.Store(x.Load() | b)
}
