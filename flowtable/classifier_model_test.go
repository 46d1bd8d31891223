package flowtable

import (
	"math/rand/v2"
	"testing"

	"github.com/govs/govs/internal/testutil"
)

// The megaflow model: what Lookup must return and the exact mask it must
// report, computed from the rules alone by the definition of staged lookup
// and prefix tracking, with no hashes, indexes, tries or shortcuts. Only
// the order in which subtables of equal maximum priority are searched is
// taken from the classifier, as it is not otherwise defined.
//
//   - Subtables are searched highest maximum priority first; the search
//     stops at a subtable whose maximum priority is no more than the best
//     rule found.
//   - A subtable hashes its stages (the key stages its mask has words in)
//     in order. If no rule agrees with the key on the stages so far, it
//     misses there: the mask gets those stages' bits; or, if a tracked
//     prefix field of the subtable starts in that stage and no rule of any
//     subtable has a /plen prefix of the packet's address on it (plen being
//     this subtable's), only the stages before it plus the first b bits of
//     the field, b being the address bits a walk of the field's
//     path-compressed trie examines. As in OVS, a trie whose b exceeds
//     plen gives way unless the mask has those b bits already (then the
//     miss adds just the stages before), and tries are asked in the
//     classifier's order.
//   - A subtable that matches adds its whole mask.

// modelRule is a rule of the model.
type modelRule struct {
	m        Match
	priority int
}

// modelLookup returns the priority of the best rule matching k and ORs the
// megaflow mask into wc.
func modelLookup(t *testing.T, c *Classifier[int], rules []modelRule, k *Key, wc *Mask) (priority int, found bool) {
	t.Helper()
	byMask := map[Mask][]modelRule{}
	for _, r := range rules {
		byMask[r.m.Mask] = append(byMask[r.m.Mask], r)
	}
	refs := *c.subtables.Load()
	if len(refs) != len(byMask) {
		t.Fatalf("classifier has %d subtables, the rules %d masks", len(refs), len(byMask))
	}
	for _, ref := range refs {
		group := byMask[ref.st.mask]
		if group == nil {
			t.Fatalf("classifier has a subtable for a mask no rule has: %x", ref.st.mask)
		}
		maxPri := group[0].priority
		for _, r := range group {
			maxPri = max(maxPri, r.priority)
		}
		if found && priority >= maxPri {
			break
		}
		mask := &ref.st.mask
		var stages []int
		for s := range NumStages {
			if sm := stageMask(mask, s, s); !sm.IsZero() {
				stages = append(stages, s)
			}
		}
		// agrees reports whether some rule agrees with k on the mask's
		// bits in stages up to s, and the best priority among them.
		agrees := func(s int) (bool, int) {
			pm := stageMask(mask, 0, s)
			ok, best := false, 0
			for _, r := range group {
				if sameUnder(k, &r.m.Key, &pm) && (!ok || r.priority > best) {
					ok, best = true, r.priority
				}
			}
			return ok, best
		}
		if len(stages) == 0 {
			// The catch-all matches everything and adds nothing.
			_, p := agrees(NumStages - 1)
			if !found || p > priority {
				priority, found = p, true
			}
			continue
		}
		for i, s := range stages {
			ok, p := agrees(s)
			if ok && i < len(stages)-1 {
				continue
			}
			if ok {
				wc.Or(mask)
				if !found || p > priority {
					priority, found = p, true
				}
				break
			}
			// A miss at stage s.
			proved := false
			for ti := range c.tries {
				f := c.tries[ti].field
				plen := prefixLen(f, mask)
				top := f.lsbWord - (f.Bits-1+int(f.lsbShift))/64
				if plen == 0 || StageOf(top) != s {
					continue
				}
				n, out := modelRulesOut(f, rules, k, plen)
				if !out {
					continue
				}
				if n > plen {
					var had Mask
					unwildcardPrefix(f, &had, n)
					if !maskCovers(wc, &had) {
						continue
					}
				}
				early := stageMask(mask, 0, s-1)
				wc.Or(&early)
				unwildcardPrefix(f, wc, n)
				proved = true
				break
			}
			if !proved {
				pm := stageMask(mask, 0, s)
				wc.Or(&pm)
			}
			break
		}
	}
	return priority, found
}

// modelRulesOut reports whether no rule with a prefix on f has a /plen
// prefix of k's address, and if so how many leading address bits a whole
// trie walk examines.
func modelRulesOut(f *Field, rules []modelRule, k *Key, plen int) (n int, out bool) {
	ahi, alo := fieldValue(f, k)
	type prefix struct {
		hi, lo uint64
		plen   int
	}
	var ps []prefix
	for _, r := range rules {
		l := prefixLen(f, &r.m.Mask)
		if l == 0 {
			continue
		}
		hi, lo := fieldValue(f, &r.m.Key)
		mhi, mlo := prefixMask(l)
		ps = append(ps, prefix{hi & mhi, lo & mlo, l})
	}
	// m: the longest run of leading bits the address shares with a
	// prefix, counting at most the prefix's length.
	m := 0
	for _, p := range ps {
		c := min(commonLen(ahi, alo, p.hi, p.lo, 128), p.plen)
		if c == plen && p.plen == plen {
			return 0, false
		}
		m = max(m, c)
	}
	// The walk ends after m bits, or after m+1 if a longer prefix
	// shares those m bits and so had to be told apart by the next one.
	examined := m
	for _, p := range ps {
		if p.plen > m && commonLen(ahi, alo, p.hi, p.lo, 128) >= m {
			examined = m + 1
		}
	}
	return examined, true
}

// stageMask returns mask's bits in the words of stages from..to.
func stageMask(mask *Mask, from, to int) Mask {
	var out Mask
	for w := range mask {
		if s := StageOf(w); s >= from && s <= to {
			out[w] = mask[w]
		}
	}
	return out
}

// sameUnder reports whether a and b agree on the bits of m.
func sameUnder(a, b, m *Key) bool {
	for w := range m {
		if (a[w]^b[w])&m[w] != 0 {
			return false
		}
	}
	return true
}

// checkModel compares Lookup, with wc starting from start, to the model.
func checkModel(t *testing.T, c *Classifier[int], rules []modelRule, prioOf map[int]int, k *Key, start *Mask) {
	t.Helper()
	wc, want := *start, *start
	id, found := c.Lookup(k, &wc)
	wantPri, wantFound := modelLookup(t, c, rules, k, &want)
	if found != wantFound || found && prioOf[id] != wantPri {
		t.Fatalf("Lookup(%x) = rule %d (priority %d), found %v; model: priority %d, found %v",
			*k, id, prioOf[id], found, wantPri, wantFound)
	}
	if wc != want {
		var extra, missing Mask
		for w := range wc {
			extra[w], missing[w] = wc[w]&^want[w], want[w]&^wc[w]
		}
		t.Fatalf("Lookup(%x) from mask %x:\nmegaflow %x\n   model %x\n   extra %x\n missing %x",
			*k, *start, wc, want, extra, missing)
	}
}

// modelStart returns a mask for a lookup to start from: empty, what
// lookups of other keys left, or random bits of the words rules use.
func modelStart(rng *rand.Rand, prev *Mask, rules []modelRule) Mask {
	switch rng.IntN(4) {
	case 0, 1:
		return Mask{}
	case 2:
		return *prev
	}
	var m Mask
	for range 1 + rng.IntN(3) {
		r := rules[rng.IntN(len(rules))]
		for w := range m {
			if r.m.Mask[w] != 0 && rng.IntN(2) == 0 {
				m[w] |= r.m.Mask[w] & (rng.Uint64() | -uint64(rng.IntN(2)))
			}
		}
	}
	return m
}

// TestClassifierMegaflowModel checks Lookup's answers and megaflow masks
// bit for bit against the model, over random rule sets through inserts
// and removes, with the default tries, none, and one.
func TestClassifierMegaflowModel(t *testing.T) {
	rng := testutil.Rand(t)
	g := &ruleGen{rng: rng}
	for round := range 24 {
		c := roundClassifier(round)
		var rules []modelRule
		prioOf := map[int]int{}
		bench := round%3 == 2
		var templates []benchTemplate
		if bench {
			templates = benchTemplates(rng, 1+rng.IntN(30))
		}
		var benchKeys []Key
		nRules := 1 + rng.IntN(300)
		for id := range nRules {
			var r modelRule
			if bench {
				var k Key
				r.m, k = benchRule(rng, templates[rng.IntN(len(templates))])
				benchKeys = append(benchKeys, k)
				r.priority = rng.IntN(40)
			} else {
				r.m, r.priority = g.match(), rng.IntN(20)
			}
			prioOf[id] = r.priority
			if _, replaced := c.Insert(&r.m, r.priority, id); !replaced {
				rules = append(rules, r)
			}
		}
		randKey := func() Key {
			if bench && rng.IntN(2) == 0 {
				k := benchKeys[rng.IntN(len(benchKeys))]
				// Flip a bit or two so some lookups miss late.
				for range rng.IntN(3) {
					k[rng.IntN(NumWords)] ^= 1 << rng.IntN(64)
				}
				return k
			}
			return g.key()
		}
		check := func() {
			t.Helper()
			var prev Mask
			for range 400 {
				k := randKey()
				start := modelStart(rng, &prev, rules)
				checkModel(t, c, rules, prioOf, &k, &start)
				c.Lookup(&k, &prev)
			}
		}
		check()
		// Remove about half, by match and priority.
		kept := rules[:0]
		for _, r := range rules {
			if rng.IntN(2) == 0 {
				kept = append(kept, r)
				continue
			}
			if _, ok := c.Remove(&r.m, r.priority); !ok {
				t.Fatalf("round %d: Remove(%+v) found nothing", round, r)
			}
		}
		rules = kept
		if len(rules) > 0 {
			check()
		}
	}
}

// TestModelRulesOut pins the model's trie walk on examples worked by hand.
func TestModelRulesOut(t *testing.T) {
	dst := func(s string, plen int) modelRule {
		return modelRule{m: *match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPDst, v: ip4(s), mask: prefix4(plen)})}
	}
	tests := []struct {
		rules []modelRule
		addr  string
		plen  int
		n     int
		out   bool
	}{
		{nil, "1.2.3.4", 8, 0, true},
		{[]modelRule{dst("10.0.0.0", 8)}, "192.168.1.1", 8, 1, true},
		{[]modelRule{dst("10.0.0.0", 8)}, "11.0.0.1", 8, 8, true},
		{[]modelRule{dst("10.0.0.0", 8)}, "10.1.2.3", 8, 0, false},
		{[]modelRule{dst("10.0.0.0", 8)}, "10.1.2.3", 16, 8, true},
		{[]modelRule{dst("10.0.0.0", 8)}, "10.1.2.3", 4, 8, true},
		{[]modelRule{dst("10.0.0.0", 8), dst("10.1.0.0", 16)}, "10.2.0.0", 16, 15, true},
		{[]modelRule{dst("10.1.0.0", 16), dst("10.2.0.0", 16)}, "10.128.0.1", 16, 9, true},
		{[]modelRule{dst("10.0.0.0", 16), dst("10.1.2.0", 24)}, "10.1.2.3", 16, 24, true},
	}
	for _, tt := range tests {
		var k Key
		FieldIPDst.Set(&k, ip4(tt.addr))
		n, out := modelRulesOut(FieldIPDst, tt.rules, &k, tt.plen)
		if n != tt.n || out != tt.out {
			t.Errorf("%v, %s/%d: got (%d, %v), want (%d, %v)", tt.rules, tt.addr, tt.plen, n, out, tt.n, tt.out)
		}
	}
}
