package connmgr

import (
	"errors"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// groupMod applies a group_mod to the bridge and returns the OpenFlow error
// to answer with, if any.
func (s *session) groupMod(m *ofp.GroupMod) (ofp.ErrorCode, bool) {
	var cmd ofproto.GroupCommand
	switch m.Command {
	case ofp.GroupAdd:
		cmd = ofproto.GroupAdd
	case ofp.GroupModify:
		cmd = ofproto.GroupModify
	case ofp.GroupDelete:
		cmd = ofproto.GroupDelete
	default:
		// Inserting and removing single buckets (OpenFlow 1.5) is not
		// supported yet.
		return "OFPGMFC_BAD_COMMAND", true
	}
	g := &ofproto.Group{ID: m.Group.ID, Type: ofproto.GroupType(m.Group.Type)}
	for _, b := range m.Group.Buckets {
		g.Buckets = append(g.Buckets, ofproto.Bucket{
			Weight: b.Weight, WatchPort: b.WatchPort, WatchGroup: b.WatchGroup, Actions: b.Actions,
		})
	}
	err := s.mgr.bridge.GroupMod(cmd, g)
	if err == nil {
		return "", false
	}
	var ge *ofproto.GroupModError
	if errors.As(err, &ge) {
		return ofp.ErrorCode(ge.Code), true
	}
	return ofp.BadRequestEPerm, true
}

// groupRefCount counts the flows whose actions use group id.
func groupRefCount(b *ofproto.Bridge, id uint32) uint32 {
	var n uint32
	for t := 0; t < numTables; t++ {
		b.Table(uint8(t)).ForEach(func(r *flowtable.Rule) bool {
			if r.Flow().Actions.UsesGroup(id) {
				n++
			}
			return true
		})
	}
	return n
}

// groupActionsOF11 are the actions OVS announces for every group type, in
// OpenFlow 1.1+ numbering: output, set_mpls_ttl, dec_mpls_ttl, push_vlan,
// pop_vlan, push_mpls, pop_mpls, set_queue, group, set_nw_ttl,
// dec_nw_ttl, set_field.
const groupActionsOF11 = 1<<0 | 1<<15 | 1<<16 | 1<<17 | 1<<18 | 1<<19 | 1<<20 | 1<<21 | 1<<22 | 1<<23 | 1<<24 | 1<<25

// groupActionsOnlyOF11 are OpenFlow 1.1's actions, which include the
// header rewrites 1.2 replaced by set_field: output, set_vlan_vid …
// set_tp_dst (types 0-10), set_mpls_label … dec_nw_ttl (13-24).
const groupActionsOnlyOF11 = 1<<11 - 1 | (1<<25-1)&^(1<<13-1)

// groupActionsOF10 are the same in OpenFlow 1.0's numbering (NXST).
const groupActionsOF10 = 0xfff

// groupStats answers the group statistics requests; it reports false for
// any other message.
func (s *session) groupStats(msg ofp.Message) (ofp.Message, bool) {
	b := s.mgr.bridge
	switch m := msg.(type) {
	case *ofp.GroupDescStatsRequest:
		reply := &ofp.GroupDescStatsReply{}
		for _, g := range b.Groups() {
			if m.GroupID != ofp.GroupAllID && m.GroupID != g.ID {
				continue
			}
			wire := ofp.Group{ID: g.ID, Type: ofp.GroupType(g.Type)}
			for i, bk := range g.Buckets {
				wire.Buckets = append(wire.Buckets, ofp.Bucket{ID: uint32(i), Weight: bk.Weight,
					WatchPort: bk.WatchPort, WatchGroup: bk.WatchGroup, Actions: bk.Actions})
			}
			reply.Groups = append(reply.Groups, wire)
		}
		return reply, true
	case *ofp.GroupStatsRequest:
		reply := &ofp.GroupStatsReply{}
		for _, g := range b.Groups() {
			if m.GroupID != ofp.GroupAllID && m.GroupID != g.ID {
				continue
			}
			packets, bytes := g.Stats()
			st := ofp.GroupStats{GroupID: g.ID, RefCount: groupRefCount(b, g.ID), Packets: packets, Bytes: bytes,
				Buckets: make([]ofp.BucketCounter, len(g.Buckets))}
			reply.Groups = append(reply.Groups, st)
		}
		return reply, true
	case *ofp.GroupFeaturesRequest:
		actions := uint32(groupActionsOF11)
		switch s.v {
		case ofp.OF10:
			actions = groupActionsOF10
		case ofp.OF11:
			actions = groupActionsOnlyOF11
		}
		return &ofp.GroupFeaturesReply{
			Types:        0xf, // all, select, indirect, fast failover
			Capabilities: 0x7, // select weight, select liveness, chaining
			MaxGroups:    [4]uint32{0xffffff00, 0xffffff00, 0xffffff00, 0xffffff00},
			Actions:      [4]uint32{actions, actions, actions, actions},
		}, true
	}
	return nil, false
}
