package flowtable

import (
	"cmp"
	"slices"
)

// subtable holds every rule whose match has one particular mask, in a hash
// table keyed by the masked key. It touches only the key words its mask
// has bits in, and hashes them stage by stage so a lookup can give up
// after an early stage (see [subtable.lookupWC]).
type subtable[T any] struct {
	mask   Mask
	words  []maskedWord // the words mask touches, ascending, so stages are contiguous runs
	stages []stage      // the stages with words, in lookup order; the last is the final one
	groups cmap[ruleGroup[T]]

	// Writer-only state, guarded by Classifier.mu.
	plens  [maxPrefixFields]int // per classifier trie: the mask's prefix length on its field, 0 if none
	prios  priorityBag
	maxPri int // the priority published in the subtable list
}

type maskedWord struct {
	idx  int
	mask uint64
	salt uint64 // wordSalt[idx]
}

// stage is one lookup stage of a subtable.
type stage struct {
	end   int         // words[:end] are hashed once this stage is done
	tries []trieCheck // prefix fields hashed in this stage
	index hashSet     // partial hashes of the rule groups; empty in the final stage
}

// trieCheck names a classifier trie and the subtable's prefix length on
// its field, for asking whether any rule's /plen prefix matches.
type trieCheck struct {
	trie, plen int
}

// ruleGroup holds the rules that share one masked key: an immutable value,
// replaced whole when its rules change. Viewed as a list, top is rule 0
// and rest follows.
//
// The masked key, one value per subtable word, is held inline when it is
// short, as most are, so that a lookup that finds the group's hash
// compares the key, and on a match reads the top rule's priority, without
// another cache miss; copies of the group (the cmap copies its links)
// carry it along. Its length is the subtable's word count.
type ruleGroup[T any] struct {
	top  prioRule[T] // the highest-priority rule, inline: a lookup hit reads no further
	inl  [inlineVals]uint64
	ext  []uint64 // the masked key, if longer than inlineVals
	rest []prioRule[T]
}

// inlineVals is how many masked key words a rule group holds inline. The
// group's top rule and first four words share the first 64 bytes of a
// cmap link with its hash and next pointer (when T is a word).
const inlineVals = 5

// values returns the group's masked key, of n words.
func (g *ruleGroup[T]) values(n int) []uint64 {
	if n > inlineVals {
		return g.ext[:n]
	}
	return g.inl[:n]
}

// setValues makes vals the group's masked key.
func (g *ruleGroup[T]) setValues(vals []uint64) {
	if len(vals) > inlineVals {
		g.ext = slices.Clone(vals)
		return
	}
	copy(g.inl[:], vals)
}

type prioRule[T any] struct {
	priority int
	value    T
}

func newSubtable[T any](mask *Mask, tries []prefixTrie) *subtable[T] {
	st := &subtable[T]{mask: *mask}
	for i, m := range mask {
		if m != 0 {
			st.words = append(st.words, maskedWord{idx: i, mask: m, salt: wordSalt[i]})
		}
	}
	for i := range st.words {
		last := i+1 == len(st.words)
		if last || StageOf(st.words[i+1].idx) != StageOf(st.words[i].idx) {
			st.stages = append(st.stages, stage{end: i + 1})
		}
	}
	for i := range tries {
		f := tries[i].field
		plen := prefixLen(f, mask)
		if plen == 0 {
			continue
		}
		st.plens[i] = plen
		// Check before hashing any word of the field: the most significant
		// word comes first.
		top := f.lsbWord - (f.Bits-1+int(f.lsbShift))/64
		s := st.stageHolding(top)
		s.tries = append(s.tries, trieCheck{trie: i, plen: plen})
	}
	return st
}

// stageHolding returns the stage that hashes key word idx, which the mask
// must touch.
func (st *subtable[T]) stageHolding(idx int) *stage {
	start := 0
	for i := range st.stages {
		s := &st.stages[i]
		for _, w := range st.words[start:s.end] {
			if w.idx == idx {
				return s
			}
		}
		start = s.end
	}
	panic("flowtable: subtable mask does not touch the word of a tracked prefix")
}

// Hashing: each word is scrambled on its own, salted by its position, and
// added up, so the multiplies of a subtable's words run in parallel rather
// than as one dependent chain. A stage's partial hash is the finalized sum
// after its last word, so hashing stage by stage costs the same as hashing
// everything at once.

// wordSalt holds an odd multiplier per key word so equal values in
// different words hash differently.
var wordSalt = func() (salt [NumWords]uint64) {
	x := uint64(0x2545f4914f6cdd1d)
	for i := range salt {
		x = hashFinal(x + 0x9e3779b97f4a7c15)
		salt[i] = x | 1
	}
	return salt
}()

// hashWord adds a key word holding w, whose position has the given salt
// (its wordSalt), to the hash h.
func hashWord(h, salt, w uint64) uint64 {
	w *= 0x9e3779b97f4a7c15
	w ^= w >> 32
	return h + w*salt
}

func hashFinal(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return h ^ h>>33
}

// matchKey is a match reduced to what a subtable stores and indexes.
type matchKey struct {
	vals    [NumWords]uint64  // the masked key, one value per subtable word
	partial [NumStages]uint64 // the hash after each stage; the last keys the group
	nvals   int
	nhashes int
}

func (mk *matchKey) values() []uint64      { return mk.vals[:mk.nvals] }
func (mk *matchKey) hash() uint64          { return mk.partial[mk.nhashes-1] }
func (mk *matchKey) stageHashes() []uint64 { return mk.partial[:mk.nhashes-1] }

// reduce fills mk from a match's key.
func (st *subtable[T]) reduce(key *Key, mk *matchKey) {
	var h uint64
	start := 0
	for i := range st.stages {
		end := st.stages[i].end
		for j := start; j < end; j++ {
			w := st.words[j]
			mk.vals[j] = key[w.idx] & w.mask
			h = hashWord(h, w.salt, mk.vals[j])
		}
		mk.partial[i] = hashFinal(h)
		start = end
	}
	mk.nvals = len(st.words)
	mk.nhashes = len(st.stages)
	if mk.nhashes == 0 {
		// A catch-all: one group, keyed by the hash of nothing.
		mk.partial[0] = hashFinal(h)
		mk.nhashes = 1
	}
}

// find returns the link holding the group of mk, or nil.
func (st *subtable[T]) find(mk *matchKey) *cmapNode[ruleGroup[T]] {
	h := mk.hash()
	if !st.groups.mayHold(h) {
		// Most inserts add a group: the filter usually says so from
		// cache, sparing a walk of the bucket's chain.
		return nil
	}
	for n := st.groups.first(h); n != nil; n = n.next {
		if n.hash == h && slices.Equal(n.val.values(mk.nvals), mk.values()) {
			return n
		}
	}
	return nil
}

// lookup returns the group matching key k, or nil.
func (st *subtable[T]) lookup(k *Key) *ruleGroup[T] {
	return st.probe(k, hashFinal(hashWords(st.words, k, 0)))
}

// lookupWC is lookup that also ORs into wc the mask bits it had to look
// at: the whole mask for a hit or a miss in the final stage, and only the
// stages done so far when an early stage rules the subtable out. When a
// prefix trie can prove that miss with fewer bits, the stage's own bits
// give way to the address bits the trie examined. tr caches trie walks
// across the subtables of one classifier lookup.
//
// OVS consults the tries before probing a stage; asking them only after
// the probe failed gives the same megaflows, because a probe that succeeds
// means some rule has the packet's prefix, which is exactly when the trie
// would not have ruled the subtable out. Most probes thus need no walk.
//
// Stages whose bits wc already has, as subtables searched earlier often
// leave it, need no probe of their own: a miss there adds nothing to wc,
// so all that matters is whether the key gets past them, which the last
// of them answers alone (a partial hash in its index means some group
// matches every stage up to it). When wc has the whole mask, a plain
// probe (no stage indexes or tries) gives the same answer; this covers
// the catch-all subtable, which has no words, too.
func (st *subtable[T]) lookupWC(k *Key, wc *Mask, tries []prefixTrie, tr *[maxPrefixFields]trieWalk) *ruleGroup[T] {
	words, stages := st.words, st.stages
	covered := 0
	for covered < len(words) && words[covered].mask&^wc[words[covered].idx] == 0 {
		covered++
	}
	if covered == len(words) {
		return st.lookup(k)
	}
	var h uint64
	start := 0
	i := 0
	for stages[i].end <= covered {
		i++
	}
	if i > 0 {
		// Stages [0, i) are covered: probe only the last of them.
		start = stages[i-1].end
		h = hashWords(words[:start], k, 0)
		if !stages[i-1].index.has(hashFinal(h)) {
			return nil
		}
	}
	last := len(stages) - 1
	for ; i < last; i++ {
		s := &stages[i]
		h = hashWords(words[start:s.end], k, h)
		if !s.index.has(hashFinal(h)) {
			st.miss(k, wc, s, start, tries, tr)
			return nil
		}
		start = s.end
	}
	s := &stages[last]
	h = hashWords(words[start:s.end], k, h)
	if g := st.probe(k, hashFinal(h)); g != nil {
		st.unwildcard(wc, s.end)
		return g
	}
	st.miss(k, wc, s, start, tries, tr)
	return nil
}

// hashWords adds k's words ws to h.
func hashWords(ws []maskedWord, k *Key, h uint64) uint64 {
	for i := range ws {
		w := &ws[i]
		h = hashWord(h, w.salt, k[w.idx]&w.mask)
	}
	return h
}

// miss adds to wc what the failed probe of stage s (which starts at word
// start) rests on: the stages so far, or instead of stage s's own bits
// the fewer bits with which a trie proves the miss. Tries are asked in
// the classifier's order, and the first proof taken, as in OVS.
func (st *subtable[T]) miss(k *Key, wc *Mask, s *stage, start int, tries []prefixTrie, tr *[maxPrefixFields]trieWalk) {
	for _, c := range s.tries {
		if tr[c.trie].rulesOut(&tries[c.trie], k, wc, c.plen) {
			// The trie's verdict does not rest on the earlier stages,
			// but OVS reports them in the megaflow (they hold the
			// field's prerequisites), and ofproto/trace should show
			// the megaflows OVS shows.
			st.unwildcard(wc, start)
			return
		}
	}
	st.unwildcard(wc, s.end)
}

// probe returns the group that k matches among those with hash h, or nil.
func (st *subtable[T]) probe(k *Key, h uint64) *ruleGroup[T] {
	if !st.groups.mayHold(h) {
		return nil
	}
	words := st.words
next:
	for n := st.groups.first(h); n != nil; n = n.next {
		if n.hash != h {
			continue
		}
		vals := n.val.values(len(words))
		for j, v := range vals {
			if w := &words[j]; k[w.idx]&w.mask != v {
				continue next
			}
		}
		return &n.val
	}
	return nil
}

// unwildcard ORs into wc the mask of words[:n].
func (st *subtable[T]) unwildcard(wc *Mask, n int) {
	ws := st.words[:n]
	for i := range ws {
		wc[ws[i].idx] |= ws[i].mask
	}
}

// addStageHashes records a new rule group's partial hashes in the stage
// indexes. Writers only; done before the group is published so no lookup
// rejects it early.
func (st *subtable[T]) addStageHashes(mk *matchKey) {
	for i, h := range mk.stageHashes() {
		st.stages[i].index.add(h)
	}
}

// removeStageHashes undoes addStageHashes, after the group is unpublished.
func (st *subtable[T]) removeStageHashes(mk *matchKey) {
	for i, h := range mk.stageHashes() {
		st.stages[i].index.remove(h)
	}
}

// withRules returns a copy of g, with the same masked key, holding rules,
// which are sorted highest priority first.
func (g *ruleGroup[T]) withRules(rules []prioRule[T]) ruleGroup[T] {
	ng := *g
	ng.top, ng.rest = rules[0], nil
	if len(rules) > 1 {
		ng.rest = rules[1:]
	}
	return ng
}

// len returns the number of rules.
func (g *ruleGroup[T]) len() int { return 1 + len(g.rest) }

// rule returns rule i, highest priority first.
func (g *ruleGroup[T]) rule(i int) *prioRule[T] {
	if i == 0 {
		return &g.top
	}
	return &g.rest[i-1]
}

// list returns a fresh slice of the rules, with room for one more.
func (g *ruleGroup[T]) list() []prioRule[T] {
	l := make([]prioRule[T], 0, g.len()+1)
	return append(append(l, g.top), g.rest...)
}

// withRule returns a copy of g holding also (priority, v), or with v in
// place of the value at that priority; replaced reports the latter.
func (g *ruleGroup[T]) withRule(priority int, v T) (ng ruleGroup[T], old T, replaced bool) {
	i, found := g.search(priority)
	rules := g.list()
	if found {
		old = rules[i].value
		rules[i].value = v
	} else {
		rules = slices.Insert(rules, i, prioRule[T]{priority: priority, value: v})
	}
	return g.withRules(rules), old, found
}

// withoutRule returns a copy of g without rule i; g must hold another.
func (g *ruleGroup[T]) withoutRule(i int) ruleGroup[T] {
	return g.withRules(slices.Delete(g.list(), i, i+1))
}

// search finds the position of priority among the group's rules (sorted
// highest first), and whether a rule has it.
func (g *ruleGroup[T]) search(priority int) (int, bool) {
	if priority >= g.top.priority {
		return 0, priority == g.top.priority
	}
	i, found := slices.BinarySearchFunc(g.rest, priority, func(r prioRule[T], p int) int { return cmp.Compare(p, r.priority) })
	return i + 1, found
}

// priorityBag is the multiset of a subtable's rule priorities, kept to
// know the highest after removals. Inserts outnumber removals, so adding
// is only a heap push, with no search by priority; removals are noted
// apart and leave the heap when they reach its top, or all at once when
// they make up half of it.
type priorityBag struct {
	heap    []int       // max-heap of the priorities added, some of them removed
	removed map[int]int // per priority, how many of its copies in heap are removed
	pending int         // the sum of removed's counts
}

func (b *priorityBag) add(p int) {
	b.heap = append(b.heap, p)
	for i := len(b.heap) - 1; i > 0; {
		parent := (i - 1) / 2
		if b.heap[parent] >= b.heap[i] {
			break
		}
		b.heap[parent], b.heap[i] = b.heap[i], b.heap[parent]
		i = parent
	}
}

// remove takes back one add of p, which must have been added.
func (b *priorityBag) remove(p int) {
	if b.removed == nil {
		b.removed = map[int]int{}
	}
	b.removed[p]++
	if b.pending++; 2*b.pending >= len(b.heap) {
		b.compact()
	}
}

// max returns the highest priority with a rule; the bag must not be empty.
func (b *priorityBag) max() int {
	for {
		top := b.heap[0]
		if !b.takeRemoved(top) {
			return top
		}
		last := len(b.heap) - 1
		b.heap[0] = b.heap[last]
		b.heap = b.heap[:last]
		b.down(0)
	}
}

// takeRemoved reports whether a copy of p in the heap is a removed one,
// and if so forgets that it is, for the caller to drop it.
func (b *priorityBag) takeRemoved(p int) bool {
	c := b.removed[p]
	switch c {
	case 0:
		return false
	case 1:
		delete(b.removed, p)
	default:
		b.removed[p] = c - 1
	}
	b.pending--
	return true
}

// compact drops every removed copy and rebuilds the heap.
func (b *priorityBag) compact() {
	live := b.heap[:0]
	for _, p := range b.heap {
		if !b.takeRemoved(p) {
			live = append(live, p)
		}
	}
	if cap(live) > 4*len(live)+64 {
		live = slices.Clone(live)
	}
	b.heap = live
	for i := len(live)/2 - 1; i >= 0; i-- {
		b.down(i)
	}
}

// down moves the priority at i down the heap to its place.
func (b *priorityBag) down(i int) {
	n := len(b.heap)
	for {
		big, l, r := i, 2*i+1, 2*i+2
		if l < n && b.heap[l] > b.heap[big] {
			big = l
		}
		if r < n && b.heap[r] > b.heap[big] {
			big = r
		}
		if big == i {
			return
		}
		b.heap[i], b.heap[big] = b.heap[big], b.heap[i]
		i = big
	}
}
