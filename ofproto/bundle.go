package ofproto

import "github.com/govs/govs/flowtable"

// Atomically applies n changes (an OpenFlow bundle's flow and group mods)
// in order with apply, all or nothing: when one fails, the flows and
// groups are put back as they were before the first and Atomically
// returns the failed change's index and its error.
//
// Unlike OVS, which stages a bundle in a new classifier version, govs
// applies the changes one by one and undoes them on failure, so packets
// may meet a bundle's intermediate state while it commits, and a change
// another connection makes during a failing commit is undone with it.
func (b *Bridge) Atomically(n int, apply func(i int) error) (int, error) {
	groups := b.groups.Load()
	snaps := make([]*flowtable.TableSnapshot, len(b.tables))
	for i, t := range b.tables {
		snaps[i] = t.Snapshot()
	}
	for i := range n {
		err := apply(i)
		if err == nil {
			continue
		}
		b.mu.Lock()
		b.groups.Store(groups)
		b.mu.Unlock()
		for id, s := range snaps {
			removed, restored := s.Restore()
			if len(removed) == 0 && len(restored) == 0 && b.tables[id].Len() == 0 {
				continue
			}
			ts := &b.tableState[id]
			ts.forget(removed)
			// Restored and modified flows may have changed kind.
			b.tables[id].ForEach(func(r *flowtable.Rule) bool {
				ts.note(r)
				return true
			})
		}
		b.changed()
		return i, err
	}
	return -1, nil
}
