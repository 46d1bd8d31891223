package ofproto

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/govs/govs/flowtable"
)

// GroupType is an OpenFlow group type.
type GroupType uint8

// Group types.
const (
	GroupAll          GroupType = iota // every bucket, on a copy each
	GroupSelect                        // one live bucket, chosen by a flow hash and the weights
	GroupIndirect                      // the one bucket
	GroupFastFailover                  // the first live bucket
)

// Group is an OpenFlow group.
type Group struct {
	ID      uint32
	Type    GroupType
	Buckets []Bucket

	packets, bytes atomic.Uint64
}

// Stats returns the packets and bytes the group has processed.
func (g *Group) Stats() (packets, bytes uint64) { return g.packets.Load(), g.bytes.Load() }

// Bucket is one bucket of a group.
type Bucket struct {
	Weight     uint16         // select groups; 0 means never selected
	WatchPort  flowtable.Port // fast_failover: live when this port is; PortNone for none
	WatchGroup uint32         // fast_failover: live when this group is; GroupAny for none
	Actions    flowtable.Actions
}

// GroupCommand is an OpenFlow group_mod command.
type GroupCommand uint8

// Group commands.
const (
	GroupAdd GroupCommand = iota
	GroupModify
	GroupDelete
)

// GroupAll in a delete means every group (OFPG_ALL).
const GroupAllID = flowtable.GroupAll

// GroupModError is a group_mod refused with an OpenFlow error code.
type GroupModError struct{ Code string }

func (e *GroupModError) Error() string { return "group_mod failed: " + e.Code }

// Group mod errors, named as OpenFlow names them.
var (
	ErrGroupExists       = &GroupModError{Code: "OFPGMFC_GROUP_EXISTS"}
	ErrUnknownGroup      = &GroupModError{Code: "OFPGMFC_UNKNOWN_GROUP"}
	ErrInvalidGroup      = &GroupModError{Code: "OFPGMFC_INVALID_GROUP"}
	ErrBadGroupBucket    = &GroupModError{Code: "OFPGMFC_BAD_BUCKET"}
	ErrGroupChainingLoop = &GroupModError{Code: "OFPGMFC_LOOP"}
)

// GroupMod adds, modifies or deletes a group. Deleting a group also
// deletes the flows that use it, as OpenFlow requires; GroupAllID deletes
// every group.
func (b *Bridge) GroupMod(cmd GroupCommand, g *Group) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := *b.groups.Load()
	next := make(map[uint32]*Group, len(cur)+1)
	for id, old := range cur {
		next[id] = old
	}
	switch cmd {
	case GroupAdd, GroupModify:
		if g.ID > 0xffffff00 {
			return ErrInvalidGroup
		}
		if g.Type == GroupIndirect && len(g.Buckets) != 1 {
			return fmt.Errorf("indirect group with %d buckets: %w", len(g.Buckets), ErrBadGroupBucket)
		}
		_, exists := cur[g.ID]
		if cmd == GroupAdd && exists {
			return ErrGroupExists
		}
		if cmd == GroupModify && !exists {
			return ErrUnknownGroup
		}
		stored := &Group{ID: g.ID, Type: g.Type, Buckets: g.Buckets}
		next[g.ID] = stored
		if loops(next, g.ID, 0) {
			return ErrGroupChainingLoop
		}
	case GroupDelete:
		for id := range cur {
			if g.ID == GroupAllID || id == g.ID {
				delete(next, id)
				b.deleteFlowsUsingGroup(id)
			}
		}
	default:
		return errors.New("ofproto: unknown group_mod command")
	}
	b.groups.Store(&next)
	b.changed()
	return nil
}

// loops reports whether group id reaches itself through its buckets'
// group actions.
func loops(groups map[uint32]*Group, id uint32, depth int) bool {
	if depth > 32 {
		return true
	}
	g, ok := groups[id]
	if !ok {
		return false
	}
	for _, bk := range g.Buckets {
		for _, a := range bk.Actions {
			if ga, ok := a.(*flowtable.Group); ok {
				if ga.ID == id || loops(groups, ga.ID, depth+1) {
					return true
				}
			}
		}
	}
	return false
}

// deleteFlowsUsingGroup removes every flow that outputs to group id.
func (b *Bridge) deleteFlowsUsingGroup(id uint32) {
	del := &flowtable.Flow{Table: flowtable.TableAll, OutPort: flowtable.PortNone, OutGroup: id}
	for _, t := range b.tables {
		res, _ := t.Apply(del, flowtable.FlowDelete, b.now())
		b.tableState[t.ID()].forget(res.Deleted)
	}
}

// Group returns group id.
func (b *Bridge) Group(id uint32) (*Group, bool) {
	g, ok := (*b.groups.Load())[id]
	return g, ok
}

// groupLive reports whether a group can forward: it has a live bucket.
func (x *xlate) groupLive(id uint32, depth int) bool {
	g, ok := x.groups[id]
	if !ok || depth > 32 {
		return false
	}
	for i := range g.Buckets {
		if x.bucketLive(&g.Buckets[i], depth+1) {
			return true
		}
	}
	return false
}

// bucketLive reports whether a bucket's watched port and group are live.
func (x *xlate) bucketLive(bk *Bucket, depth int) bool {
	if bk.WatchPort != flowtable.PortNone && bk.WatchPort != 0 {
		p, ok := x.ports.byOF[bk.WatchPort]
		if !ok || !p.Live() {
			return false
		}
	}
	if bk.WatchGroup != flowtable.GroupAny && bk.WatchGroup != 0 {
		if !x.groupLive(bk.WatchGroup, depth) {
			return false
		}
	}
	return true
}

// Groups returns the bridge's groups, by ascending id.
func (b *Bridge) Groups() []*Group {
	m := *b.groups.Load()
	out := make([]*Group, 0, len(m))
	for _, g := range m {
		out = append(out, g)
	}
	slices.SortFunc(out, func(x, y *Group) int { return cmp.Compare(x.ID, y.ID) })
	return out
}
