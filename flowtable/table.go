package flowtable

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Rule is a flow installed in a Table, with its statistics. Packet threads
// read it concurrently with flow_mods: everything a flow_mod may change
// after installation is behind an atomic.
type Rule struct {
	flow    atomic.Pointer[Flow] // replaced whole by modify
	Created time.Time

	packets, bytes atomic.Uint64
	lastUsed       atomic.Int64 // UnixNano of the last hit or of (re)installation
}

// Flow returns the rule's current flow. Callers must not modify it.
func (r *Rule) Flow() *Flow { return r.flow.Load() }

// Hit counts one packet of n bytes against the rule.
func (r *Rule) Hit(n int, now time.Time) {
	r.packets.Add(1)
	r.bytes.Add(uint64(n))
	r.lastUsed.Store(now.UnixNano())
}

// AddStats adds counters gathered elsewhere (a datapath's megaflows).
func (r *Rule) AddStats(packets, bytes uint64, used time.Time) {
	r.packets.Add(packets)
	r.bytes.Add(bytes)
	if u := used.UnixNano(); u > r.lastUsed.Load() {
		r.lastUsed.Store(u)
	}
}

// Stats returns the packet and byte counts.
func (r *Rule) Stats() (packets, bytes uint64) { return r.packets.Load(), r.bytes.Load() }

// LastUsed is when the rule last matched a packet, or was installed.
func (r *Rule) LastUsed() time.Time { return time.Unix(0, r.lastUsed.Load()) }

// FlowModError is a flow_mod refused with an OpenFlow error, named as OVS
// names it (e.g. OFPFMFC_OVERLAP).
type FlowModError struct{ Code string }

func (e *FlowModError) Error() string { return "flow_mod failed: " + e.Code }

// ErrOverlap is the answer to an add with check_overlap that overlaps a flow
// of the same priority.
var ErrOverlap = &FlowModError{Code: "OFPFMFC_OVERLAP"}

// FlowModResult says what a flow_mod did.
type FlowModResult struct {
	Added    *Rule   // the new rule of an add (or of a modify that added)
	Replaced *Rule   // the rule an add replaced (same match and priority)
	Modified []*Rule // rules whose actions a modify changed
	Deleted  []*Rule // rules a delete removed
}

// Table is one OpenFlow flow table: a classifier of rules plus OpenFlow's
// flow_mod semantics (strict and loose modify and delete, cookie masks,
// out_port and out_group filters, check_overlap) and timeouts. Lookups
// never block; flow_mods are serialized.
type Table struct {
	id  uint8
	mu  sync.Mutex // serializes writers
	cls *Classifier[*Rule]
}

// NewTable returns empty table number id.
func NewTable(id uint8, opts ...ClassifierOption) *Table {
	return &Table{id: id, cls: NewClassifier[*Rule](opts...)}
}

// ID is the table's number.
func (t *Table) ID() uint8 { return t.id }

// Lookup returns the highest-priority rule matching k, ORing into wc (if not
// nil) the key bits that decided it.
func (t *Table) Lookup(k *Key, wc *Mask) (*Rule, bool) { return t.cls.Lookup(k, wc) }

// Len is the number of rules.
func (t *Table) Len() int { return t.cls.Len() }

// ForEach calls fn for every rule, in no particular order, until fn
// returns false.
func (t *Table) ForEach(fn func(*Rule) bool) {
	t.cls.ForEach(func(_ *Match, _ int, r *Rule) bool { return fn(r) })
}

// Apply carries out a flow_mod whose flow was parsed (or decoded) for cmd.
// now stamps new rules.
func (t *Table) Apply(f *Flow, cmd FlowCommand, now time.Time) (FlowModResult, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch cmd {
	case FlowAdd:
		return t.add(f, now)
	case FlowModify, FlowModifyStrict:
		return t.modify(f, cmd == FlowModifyStrict, now)
	case FlowDelete, FlowDeleteStrict:
		return FlowModResult{Deleted: t.delete(f, cmd == FlowDeleteStrict)}, nil
	}
	return FlowModResult{}, errors.New("flowtable: unknown flow_mod command")
}

func (t *Table) add(f *Flow, now time.Time) (FlowModResult, error) {
	if f.Flags&FlagCheckOverlap != 0 {
		// A flow with the same match and priority is replaced, not an
		// overlap (OVS checks overlaps only when there is none).
		if _, same := t.cls.FindExactly(&f.Match, int(f.Priority)); !same && t.cls.Overlaps(&f.Match, int(f.Priority)) {
			return FlowModResult{}, ErrOverlap
		}
	}
	r := newRule(f, t.id, now)
	old, replaced := t.cls.Insert(&f.Match, int(f.Priority), r)
	res := FlowModResult{Added: r}
	if replaced {
		res.Replaced = old
	}
	return res, nil
}

func newRule(f *Flow, table uint8, now time.Time) *Rule {
	r := &Rule{Created: now}
	stored := *f
	stored.Table = table
	stored.SetCookie, stored.CookieMatch, stored.CookieMask = false, 0, 0
	stored.OutPort, stored.OutGroup = PortNone, GroupAny
	r.flow.Store(&stored)
	r.lastUsed.Store(now.UnixNano())
	return r
}

// selected reports whether rule r passes f's cookie and output filters.
func (f *Flow) selected(r *Rule, outputFilters bool) bool {
	cur := r.Flow()
	if cur.Cookie&f.CookieMask != f.CookieMatch&f.CookieMask {
		return false
	}
	if !outputFilters {
		return true
	}
	if f.OutPort != PortNone && !cur.Actions.OutputsTo(f.OutPort) {
		return false
	}
	if f.OutGroup != GroupAny && !cur.Actions.UsesGroup(f.OutGroup) {
		return false
	}
	return true
}

// matching collects the rules a modify or delete applies to: the one with
// the same match and priority (strict), or every rule at least as specific
// as the match (loose).
func (t *Table) matching(f *Flow, strict, outputFilters bool) []*Rule {
	var rules []*Rule
	if strict {
		if r, ok := t.cls.FindExactly(&f.Match, int(f.Priority)); ok && f.selected(r, outputFilters) {
			rules = append(rules, r)
		}
		return rules
	}
	t.cls.ForEachSubsumed(&f.Match, func(_ *Match, _ int, r *Rule) bool {
		if f.selected(r, outputFilters) {
			rules = append(rules, r)
		}
		return true
	})
	return rules
}

// modify replaces the actions (and, if asked, the cookie) of the selected
// rules. Like OVS, a modify that selects nothing adds the flow unless it
// filtered on the cookie.
func (t *Table) modify(f *Flow, strict bool, now time.Time) (FlowModResult, error) {
	rules := t.matching(f, strict, false)
	if len(rules) == 0 {
		if f.CookieMask != 0 {
			return FlowModResult{}, nil
		}
		return t.add(f, now)
	}
	t.modifyRules(f, rules)
	return FlowModResult{Modified: rules}, nil
}

// ModifyExisting is a modify that never adds: for a modify across every
// table, where only the switch as a whole decides whether to add.
func (t *Table) ModifyExisting(f *Flow, strict bool) []*Rule {
	t.mu.Lock()
	defer t.mu.Unlock()
	rules := t.matching(f, strict, false)
	t.modifyRules(f, rules)
	return rules
}

func (t *Table) modifyRules(f *Flow, rules []*Rule) {
	for _, r := range rules {
		next := *r.Flow()
		next.Actions = f.Actions
		if f.SetCookie {
			next.Cookie = f.Cookie
		}
		r.flow.Store(&next)
		if f.Flags&FlagResetCounts != 0 {
			r.packets.Store(0)
			r.bytes.Store(0)
		}
	}
}

// Select returns the rules that a flow statistics request (or a delete)
// with f's match, priority (when strict), cookie mask, out_port and
// out_group would select.
func (t *Table) Select(f *Flow, strict bool) []*Rule { return t.matching(f, strict, true) }

func (t *Table) delete(f *Flow, strict bool) []*Rule {
	rules := t.matching(f, strict, true)
	for _, r := range rules {
		cur := r.Flow()
		t.cls.Remove(&cur.Match, int(cur.Priority))
	}
	return rules
}

// Expire removes and returns the rules whose idle or hard timeout has
// passed at now.
func (t *Table) Expire(now time.Time) []*Rule {
	t.mu.Lock()
	defer t.mu.Unlock()
	var expired []*Rule
	t.cls.ForEach(func(_ *Match, _ int, r *Rule) bool {
		f := r.Flow()
		hard := f.HardTimeout != 0 && now.Sub(r.Created) >= time.Duration(f.HardTimeout)*time.Second
		idle := f.IdleTimeout != 0 && now.Sub(r.LastUsed()) >= time.Duration(f.IdleTimeout)*time.Second
		if hard || idle {
			expired = append(expired, r)
		}
		return true
	})
	for _, r := range expired {
		f := r.Flow()
		t.cls.Remove(&f.Match, int(f.Priority))
	}
	return expired
}
