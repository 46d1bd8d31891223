package flowtable

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkStagedProbesFloor measures the probes alone that a lookup with
// a megaflow mask makes, on the rule set and keys of
// BenchmarkClassifierLookup's case of 10 000 rules over 20 masks with
// priorities by mask: for each subtable visited, in priority order until
// none can beat the best hit, it hashes the key stage by stage and probes
// a plain table of the rule groups' partial hashes until one misses, or
// probes the rule table after the last stage, and unwildcards the stages
// it hashed. It is not a classifier: it has no prefix tries, no filters,
// and no safety for concurrent changes, and it skips no stage that the
// mask already covers. It exists to show how much of the 250 ns goal
// these probes take by themselves (see README.md), next to the real
// lookup in the same run.
func BenchmarkStagedProbesFloor(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	c, keys := benchClassifier(rng, 10_000, 20, true)
	subtables := floorSubtables(c)
	order := rng.Perm(len(keys))
	packets := packBenchKeys(b, keys)
	b.ReportAllocs()
	b.ResetTimer()
	var k Key
	for i := 0; i < b.N; i++ {
		var wc Mask
		packets[order[i%len(order)]].unpack(&k)
		if floorLookup(subtables, &k, &wc) == nil {
			b.Fatal("lookup of a rule's own key missed")
		}
	}
}

// floorSubtable is a subtable reduced to what a staged lookup reads.
type floorSubtable struct {
	maxPri int
	st     *subtable[int] // for its words and, after the last stage, its rule table
	stages []floorStage
}

// floorStage holds the partial hashes of a stage that is not the last in
// an open-addressing table a quarter full, keyed as a hashSet's slots
// (slotFree marks a free one).
type floorStage struct {
	end   int
	slots []uint32
}

func floorSubtables(c *Classifier[int]) []floorSubtable {
	var out []floorSubtable
	for _, ref := range *c.subtables.Load() {
		st := ref.st
		fs := floorSubtable{maxPri: ref.maxPri, st: st}
		size := 1
		for size < 4*st.groups.n {
			size *= 2
		}
		for i := range len(st.stages) - 1 {
			fs.stages = append(fs.stages, floorStage{end: st.stages[i].end, slots: make([]uint32, size)})
		}
		st.groups.all(func(n *cmapNode[ruleGroup[int]]) bool {
			var k Key
			var mk matchKey
			st.fill(&k, n.val.values(len(st.words)))
			st.reduce(&k, &mk)
			for i, h := range mk.stageHashes() {
				fs.stages[i].add(h)
			}
			return true
		})
		out = append(out, fs)
	}
	return out
}

func (s *floorStage) add(h uint64) {
	k, mask := setKey(h), uint32(len(s.slots)-1)
	i := k & mask
	for s.slots[i] != slotFree && s.slots[i] != k {
		i = (i + 1) & mask
	}
	s.slots[i] = k
}

func (s *floorStage) has(h uint64) bool {
	k, mask := setKey(h), uint32(len(s.slots)-1)
	for i := k & mask; s.slots[i] != slotFree; i = (i + 1) & mask {
		if s.slots[i] == k {
			return true
		}
	}
	return false
}

func floorLookup(subtables []floorSubtable, k *Key, wc *Mask) *ruleGroup[int] {
	var best *ruleGroup[int]
	for i := range subtables {
		fs := &subtables[i]
		if best != nil && best.top.priority >= fs.maxPri {
			break
		}
		if g := fs.lookup(k, wc); g != nil && (best == nil || g.top.priority > best.top.priority) {
			best = g
		}
	}
	return best
}

func (fs *floorSubtable) lookup(k *Key, wc *Mask) *ruleGroup[int] {
	words := fs.st.words
	var h uint64
	start := 0
	for i := range fs.stages {
		s := &fs.stages[i]
		h = hashWords(words[start:s.end], k, h)
		if !s.has(hashFinal(h)) {
			fs.st.unwildcard(wc, s.end)
			return nil
		}
		start = s.end
	}
	h = hashWords(words[start:], k, h)
	g := fs.st.probe(k, hashFinal(h))
	fs.st.unwildcard(wc, len(words))
	return g
}
