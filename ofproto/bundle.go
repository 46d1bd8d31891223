package ofproto

import "github.com/govs/govs/flowtable"

// Atomically applies n changes (an OpenFlow bundle's flow and group mods)
// in order with apply, all or nothing: when one fails, the flows and
// groups are put back as they were before the first and Atomically
// returns the failed change's index and its error.
//
// Translations wait while a bundle commits, so every packet is switched
// by the flows before the bundle or by those after it, never by a part of
// it (OVS gets the same by staging the bundle in a new classifier
// version; the megaflows a datapath holds keep forwarding meanwhile).
// Flow changes outside the bundle are not held off: one that another
// connection makes during a commit that fails is undone with it.
func (b *Bridge) Atomically(n int, apply func(i int) error) (int, error) {
	b.commit.Lock()
	defer b.commit.Unlock()
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
