package flowtable

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
)

// Classifier holds rules — a [Match], a priority and a value of type T —
// and finds the highest-priority rule matching a packet's key. It is a
// tuple-space search: one hash table ("subtable") per distinct mask, keyed
// by the masked key, searched in order of the subtables' highest priority
// so a lookup stops once no remaining subtable can beat what it found.
//
// Lookups report the key bits they examined, the megaflow mask. Two
// techniques keep that mask narrow, as in Open vSwitch: staged lookup (a
// subtable hashes metadata, L2, L3 and L4 words in turn and gives up at
// the first stage no rule has, so later stages stay wildcarded), and
// prefix tracking (tries of the address prefixes rules use, see
// [WithPrefixFields]).
//
// Concurrency: any number of goroutines may call Lookup, FindExactly,
// Overlaps, ForEach, ForEachSubsumed and Len while one modification runs;
// readers never wait for writers. Insert and Remove are serialized by an
// internal mutex. A read that overlaps a modification sees each rule it
// touches either before or after the change.
//
// Rules with equal priorities whose matches overlap are not ordered:
// which one a lookup returns is unspecified, as in OpenFlow.
//
// Make one with [NewClassifier]; the zero value is not ready for use.
type Classifier[T any] struct {
	// subtables is sorted by maxPri, highest first. It and byMask are
	// replaced (never modified) by writers; readers load them once.
	subtables atomic.Pointer[[]subtableRef[T]]
	byMask    atomic.Pointer[map[Mask]*subtable[T]]
	tries     []prefixTrie // fixed at construction; their roots change
	n         atomic.Int64

	mu sync.Mutex // serializes writers
}

// subtableRef is an entry of the published subtable list. maxPri is at
// least the priority of every rule in st, so lookups may stop at it.
type subtableRef[T any] struct {
	maxPri int
	st     *subtable[T]
}

// ClassifierOption configures [NewClassifier].
type ClassifierOption func(*classifierConfig)

type classifierConfig struct {
	prefixFields []*Field
}

// WithPrefixFields sets the fields whose prefixes the classifier tracks,
// in the order a lookup asks their tries (by default ip_dst then ip_src,
// as ovs-vswitchd's flow tables); none disables prefix tracking. A subtable benefits when its mask is a CIDR prefix on such a
// field. At most 4 fields, each a whole number of bytes lying within one
// key word or filling two; NewClassifier panics otherwise.
func WithPrefixFields(fields ...*Field) ClassifierOption {
	return func(c *classifierConfig) { c.prefixFields = fields }
}

// NewClassifier returns an empty classifier.
func NewClassifier[T any](opts ...ClassifierOption) *Classifier[T] {
	cfg := classifierConfig{prefixFields: []*Field{FieldIPDst, FieldIPSrc}}
	for _, o := range opts {
		o(&cfg)
	}
	if len(cfg.prefixFields) > maxPrefixFields {
		panic(fmt.Sprintf("flowtable: classifier tracks prefixes of at most %d fields, not %d", maxPrefixFields, len(cfg.prefixFields)))
	}
	c := &Classifier[T]{tries: make([]prefixTrie, len(cfg.prefixFields))}
	for i, f := range cfg.prefixFields {
		checkPrefixField(f)
		c.tries[i].field = f
	}
	c.subtables.Store(&[]subtableRef[T]{})
	c.byMask.Store(&map[Mask]*subtable[T]{})
	return c
}

// Len returns the number of rules.
func (c *Classifier[T]) Len() int { return int(c.n.Load()) }

// Lookup returns the value of the highest-priority rule matching k.
//
// If wc is not nil, Lookup ORs into it every key bit it examined to reach
// its answer: any key that agrees with k on the bits of wc gets the same
// answer. Bits already in wc are kept, so one mask can accumulate over
// several lookups. With a nil wc, Lookup skips the stage indexes and
// prefix tries, which exist only to keep the mask narrow, and is faster.
// Lookup does not allocate.
func (c *Classifier[T]) Lookup(k *Key, wc *Mask) (v T, found bool) {
	var tr [maxPrefixFields]trieWalk
	var best *prioRule[T]
	for _, ref := range *c.subtables.Load() {
		if best != nil && best.priority >= ref.maxPri {
			break
		}
		// Without wc there is no megaflow to keep wide: stage indexes and
		// tries would only add probes.
		var g *ruleGroup[T]
		if wc == nil {
			g = ref.st.lookup(k)
		} else {
			g = ref.st.lookupWC(k, wc, c.tries, &tr)
		}
		if g != nil && (best == nil || g.top.priority > best.priority) {
			best = &g.top
		}
	}
	if best == nil {
		return v, false
	}
	return best.value, true
}

// Insert adds a rule. If a rule with the same match and priority exists,
// its value is replaced by v and returned with ok true. Key bits outside
// m.Mask are ignored.
func (c *Classifier[T]) Insert(m *Match, priority int, v T) (replaced T, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := (*c.byMask.Load())[m.Mask]
	created := st == nil
	if created {
		st = newSubtable[T](&m.Mask, c.tries)
	}
	var mk matchKey
	st.reduce(&m.Key, &mk)
	if n := st.find(&mk); n != nil {
		g, old, found := n.val.withRule(priority, v)
		st.groups.replace(n, g)
		if found {
			return old, true
		}
	} else {
		// Tries and stage indexes first: a lookup that sees the group must
		// not be told by them that it cannot exist.
		c.addPrefixes(st, &m.Key, 1)
		st.addStageHashes(&mk)
		g := ruleGroup[T]{top: prioRule[T]{priority: priority, value: v}}
		g.setValues(mk.values())
		st.groups.insert(mk.hash(), g)
	}
	st.prios.add(priority)
	c.n.Add(1)
	if created {
		byMask := maps.Clone(*c.byMask.Load())
		byMask[st.mask] = st
		c.byMask.Store(&byMask)
	}
	if created || priority > st.maxPri {
		st.maxPri = priority
		c.publishSubtables(st, false)
	}
	return replaced, false
}

// Remove deletes the rule with exactly this match and priority and returns
// its value; ok is false if there was none.
func (c *Classifier[T]) Remove(m *Match, priority int) (v T, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := (*c.byMask.Load())[m.Mask]
	if st == nil {
		return v, false
	}
	var mk matchKey
	st.reduce(&m.Key, &mk)
	n := st.find(&mk)
	if n == nil {
		return v, false
	}
	i, found := n.val.search(priority)
	if !found {
		return v, false
	}
	v = n.val.rule(i).value
	if n.val.len() > 1 {
		st.groups.replace(n, n.val.withoutRule(i))
	} else {
		// The reverse of Insert: unpublish the group before the tries and
		// indexes forget it.
		st.groups.remove(n)
		st.removeStageHashes(&mk)
		c.addPrefixes(st, &m.Key, -1)
	}
	st.prios.remove(priority)
	c.n.Add(-1)
	switch {
	case st.groups.n == 0:
		c.publishSubtables(st, true)
		byMask := maps.Clone(*c.byMask.Load())
		delete(byMask, st.mask)
		c.byMask.Store(&byMask)
	case st.prios.max() != st.maxPri:
		st.maxPri = st.prios.max()
		c.publishSubtables(st, false)
	}
	return v, true
}

// addPrefixes adds (delta 1) or removes (delta -1) a rule group's prefixes
// in the tries its subtable uses.
func (c *Classifier[T]) addPrefixes(st *subtable[T], key *Key, delta int) {
	for i := range c.tries {
		plen := st.plens[i]
		if plen == 0 {
			continue
		}
		t := &c.tries[i]
		hi, lo := fieldValue(t.field, key)
		mhi, mlo := prefixMask(plen)
		if delta > 0 {
			t.insert(hi&mhi, lo&mlo, plen)
		} else {
			t.remove(hi&mhi, lo&mlo, plen)
		}
	}
}

// publishSubtables publishes a subtable list in which st carries its
// current maxPri, or is gone if drop.
func (c *Classifier[T]) publishSubtables(st *subtable[T], drop bool) {
	old := *c.subtables.Load()
	list := make([]subtableRef[T], 0, len(old)+1)
	for _, ref := range old {
		if ref.st != st {
			list = append(list, ref)
		}
	}
	if !drop {
		list = append(list, subtableRef[T]{maxPri: st.maxPri, st: st})
	}
	slices.SortStableFunc(list, func(a, b subtableRef[T]) int { return cmp.Compare(b.maxPri, a.maxPri) })
	c.subtables.Store(&list)
}

// FindExactly returns the value of the rule with exactly match m and this
// priority (OpenFlow's strict matching).
func (c *Classifier[T]) FindExactly(m *Match, priority int) (v T, found bool) {
	st := (*c.byMask.Load())[m.Mask]
	if st == nil {
		return v, false
	}
	var mk matchKey
	st.reduce(&m.Key, &mk)
	n := st.find(&mk)
	if n == nil {
		return v, false
	}
	if i, ok := n.val.search(priority); ok {
		return n.val.rule(i).value, true
	}
	return v, false
}

// ForEach calls fn for every rule, in no particular order, until fn
// returns false. The *Match passed to fn is only valid during the call. fn
// may modify the classifier; rules added or removed meanwhile may or may
// not be visited.
func (c *Classifier[T]) ForEach(fn func(m *Match, priority int, v T) bool) {
	c.ForEachSubsumed(&Match{}, fn)
}

// ForEachSubsumed calls fn, until it returns false, for every rule whose
// match is at least as specific as m: the rule's mask has every bit of
// m.Mask and its key equals m.Key under m.Mask. This is the rule set of
// OpenFlow's non-strict flow_mod modify and delete. Order and concurrent
// changes are as for [Classifier.ForEach]; the *Match passed to fn is only
// valid during the call.
func (c *Classifier[T]) ForEachSubsumed(m *Match, fn func(m *Match, priority int, v T) bool) {
	var rm Match
	for _, ref := range *c.subtables.Load() {
		st := ref.st
		if !maskCovers(&st.mask, &m.Mask) {
			continue
		}
		more := st.groups.all(func(n *cmapNode[ruleGroup[T]]) bool {
			for j, v := range n.val.values(len(st.words)) {
				w := st.words[j].idx
				if (v^m.Key[w])&m.Mask[w] != 0 {
					return true
				}
			}
			for i := range n.val.len() {
				r := n.val.rule(i)
				// Refilled per rule in case fn wrote to it.
				rm.Mask = st.mask
				st.fill(&rm.Key, n.val.values(len(st.words)))
				if !fn(&rm, r.priority, r.value) {
					return false
				}
			}
			return true
		})
		if !more {
			return
		}
	}
}

// Overlaps reports whether some rule with this priority could match a
// packet that m matches too (OpenFlow's check_overlap).
func (c *Classifier[T]) Overlaps(m *Match, priority int) bool {
	overlap := false
	for _, ref := range *c.subtables.Load() {
		if ref.maxPri < priority {
			break
		}
		st := ref.st
		st.groups.all(func(n *cmapNode[ruleGroup[T]]) bool {
			if _, ok := n.val.search(priority); !ok {
				return true
			}
			for j, v := range n.val.values(len(st.words)) {
				w := st.words[j]
				if (v^m.Key[w.idx])&m.Mask[w.idx]&w.mask != 0 {
					return true
				}
			}
			overlap = true
			return false
		})
		if overlap {
			return true
		}
	}
	return false
}

// fill sets k to the key of a rule group: vals in the subtable's words,
// zero elsewhere.
func (st *subtable[T]) fill(k *Key, vals []uint64) {
	*k = Key{}
	for j, v := range vals {
		k[st.words[j].idx] = v
	}
}

// maskCovers reports whether outer has every bit of inner.
func maskCovers(outer, inner *Mask) bool {
	for i := range inner {
		if inner[i]&^outer[i] != 0 {
			return false
		}
	}
	return true
}
