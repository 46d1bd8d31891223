package flowtable

import "sync/atomic"

// hashFilter is a blocked Bloom filter of hashes: each hash sets two
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

// filterBits picks a cmap hash's word and bits from its high half, which
// the table's bucket index, taken from the low end, does not use.
func filterBits(h uint64) (word, bits uint64) {
	return h >> 32, 1<<(h>>52&63) | 1<<(h>>58&63)
}

// keyFilterBits picks a hashSet key's word and bits. A key has only 32
// bits, so they share them with the slot index; what keeps the filter's
// false positives rare is that the word and the two bits come from
// disjoint runs of the key (in tables of up to 32 768 slots).
func keyFilterBits(k uint32) (word, bits uint64) {
	return uint64(k>>20 | k<<12), 1<<(k>>8&63) | 1<<(k>>14&63)
}

// mayHave reports false if the hash or key whose word and bits these are
// was certainly never added.
func (f *hashFilter) mayHave(word, bits uint64) bool {
	return f.words[word&f.mask].Load()&bits == bits
}

// add sets a hash's or key's bits in its word. Writers only.
func (f *hashFilter) add(word, bits uint64) {
	x := &f.words[word&f.mask]
	x.Store(x.Load() | bits)
}
