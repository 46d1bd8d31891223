package flowtable

// TableSnapshot is a table's rules and their flows at one moment, so that
// a failed group of flow_mods (an OpenFlow bundle) can be undone.
type TableSnapshot struct {
	t     *Table
	rules map[*Rule]*Flow
}

// Snapshot records the table's rules and flows.
func (t *Table) Snapshot() *TableSnapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := &TableSnapshot{t: t, rules: make(map[*Rule]*Flow, t.cls.Len())}
	t.cls.ForEach(func(_ *Match, _ int, r *Rule) bool {
		s.rules[r] = r.flow.Load()
		return true
	})
	return s
}

// Restore puts the table back as it was at the snapshot: rules added since
// are removed, rules removed since are put back (with their counters) and
// modified flows get their old flow again. It returns the rules removed
// and the rules put back.
func (s *TableSnapshot) Restore() (removed, restored []*Rule) {
	t := s.t
	t.mu.Lock()
	defer t.mu.Unlock()
	present := make(map[*Rule]bool, len(s.rules))
	t.cls.ForEach(func(_ *Match, _ int, r *Rule) bool {
		if _, ok := s.rules[r]; ok {
			present[r] = true
		} else {
			removed = append(removed, r)
		}
		return true
	})
	for _, r := range removed {
		f := r.flow.Load()
		t.cls.Remove(&f.Match, int(f.Priority))
	}
	for r, f := range s.rules {
		if r.flow.Load() != f {
			r.flow.Store(f)
		}
		if !present[r] {
			t.cls.Insert(&f.Match, int(f.Priority), r)
			restored = append(restored, r)
		}
	}
	return removed, restored
}
