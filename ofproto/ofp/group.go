package ofp

import (
	"encoding/binary"
	"time"

	"github.com/govs/govs/flowtable"
)

// Message types and Nicira subtypes for groups.
const (
	t11GroupMod    = 15 // OFPT_GROUP_MOD, OpenFlow 1.1+
	nxtGroupMod    = 31 // NXT_GROUP_MOD: OpenFlow 1.5's group_mod in OpenFlow 1.0
	statsGroup     = 6  // OFPMP_GROUP
	statsGroupDesc = 7  // OFPMP_GROUP_DESC
	statsGroupFeat = 8  // OFPMP_GROUP_FEATURES
	nxstGroup      = 7  // NXST_GROUP (OpenFlow 1.0)
	nxstGroupDesc  = 8  // NXST_GROUP_DESC
	nxstGroupFeat  = 9  // NXST_GROUP_FEATURES
)

// GroupType is ofp_group_type; the values are the switch's (ofproto's).
type GroupType uint8

// Group types.
const (
	GroupAll          GroupType = 0
	GroupSelect       GroupType = 1
	GroupIndirect     GroupType = 2
	GroupFastFailover GroupType = 3
)

// GroupCommand is a group_mod command. Insert and remove bucket exist in
// OpenFlow 1.5 and in NXT_GROUP_MOD only.
type GroupCommand uint16

// Group commands.
const (
	GroupAdd          GroupCommand = 0
	GroupModify       GroupCommand = 1
	GroupDelete       GroupCommand = 2
	GroupInsertBucket GroupCommand = 3
	GroupRemoveBucket GroupCommand = 5 // 4 is reserved
)

// Reserved group and bucket ids.
const (
	GroupMaxID  = 0xffffff00         // OFPG_MAX: the largest id a group may have
	GroupAllID  = flowtable.GroupAll // OFPG_ALL: every group (delete, statistics)
	GroupAnyID  = flowtable.GroupAny // OFPG_ANY: no group (watch_group)
	BucketFirst = 0xfffffffd         // OFPG15_BUCKET_FIRST
	BucketLast  = 0xfffffffe         // OFPG15_BUCKET_LAST
	BucketAll   = 0xffffffff         // OFPG15_BUCKET_ALL
)

// Bucket is one bucket of a group as the wire carries it.
type Bucket struct {
	// ID is OpenFlow 1.5's (and NXT_GROUP_MOD's) bucket_id; OpenFlow
	// 1.1-1.4 carry none (decoding numbers buckets from 0 as OVS does).
	ID uint32
	// Weight is for select groups; OpenFlow 1.5 sends it only for them.
	Weight uint16
	// WatchPort (flowtable.PortNone for none) and WatchGroup (GroupAnyID
	// for none) are for fast-failover groups.
	WatchPort  flowtable.Port
	WatchGroup uint32
	Actions    flowtable.Actions
}

// Group is a group's description: a group_mod's body, a group
// description reply's entry.
type Group struct {
	ID      uint32
	Type    GroupType
	Buckets []Bucket
	// Props are OpenFlow 1.5's group properties, raw (OVS's selection
	// method); other versions carry none.
	Props []byte
}

// GroupMod adds, modifies or deletes a group: OFPT_GROUP_MOD in OpenFlow
// 1.1+, NXT_GROUP_MOD (OpenFlow 1.5's layout) in OpenFlow 1.0.
type GroupMod struct {
	Command GroupCommand
	Group   Group
	// CommandBucketID is OpenFlow 1.5's command_bucket_id: where insert
	// bucket inserts, which bucket remove bucket removes; BucketAll
	// otherwise.
	CommandBucketID uint32
}

// Fixed sizes.
const (
	bucket11Len     = 16 // ofp11_bucket before its actions
	bucket15Len     = 8  // ofp15_bucket before its actions
	groupMod15Len   = 16 // ofp15_group_mod after the header
	groupDesc11Len  = 8  // ofp11_group_desc_stats before its buckets
	groupDesc15Len  = 16 // ofp15_group_desc_stats before its buckets
	groupStats11Len = 32
	groupStats13Len = 40
	bucketStatsLen  = 16
	groupFeatLen    = 40
)

// Bucket property types of OpenFlow 1.5.
const (
	bucketPropWeight     = 0
	bucketPropWatchPort  = 1
	bucketPropWatchGroup = 2
)

// is15 reports whether groups travel in OpenFlow 1.5's layout in v: in
// 1.5 itself and in OpenFlow 1.0's Nicira extensions.
func is15(v Version) bool { return v == OF10 || v >= OF15 }

func (m *GroupMod) encode(e *enc) error {
	g := &m.Group
	if e.v == OF10 {
		e.nxHeader(nxtGroupMod)
	} else {
		e.header(t11GroupMod)
	}
	e.u16(uint16(m.Command))
	e.u8(uint8(g.Type))
	e.u8(0)
	e.u32(g.ID)
	if !is15(e.v) {
		if m.Command > GroupDelete {
			return errorf(GroupModBadCommand, "group_mod command %d in %s", m.Command, e.v)
		}
		return appendBuckets11(e, g.Buckets)
	}
	lenOff := len(e.b)
	e.u16(0)
	e.zeros(2)
	e.u32(m.CommandBucketID)
	start := len(e.b)
	if err := appendBuckets15(e, g.Type, g.Buckets); err != nil {
		return err
	}
	if err := e.lenAt(lenOff, start); err != nil {
		return err
	}
	e.bytes(g.Props)
	return nil
}

func appendBuckets11(e *enc, buckets []Bucket) error {
	for i := range buckets {
		bk := &buckets[i]
		start := len(e.b)
		e.u16(0)
		e.u16(bk.Weight)
		e.u32(encodePort32(bk.WatchPort))
		e.u32(bk.WatchGroup)
		e.zeros(4)
		if err := appendActions(e, bk.Actions); err != nil {
			return err
		}
		if err := e.lenAt(start, start); err != nil {
			return err
		}
	}
	return nil
}

// appendBuckets15 appends OpenFlow 1.5 buckets with their properties as
// OVS does: the weight for select groups only, the watches when set.
func appendBuckets15(e *enc, t GroupType, buckets []Bucket) error {
	for i := range buckets {
		bk := &buckets[i]
		start := len(e.b)
		e.u16(0)
		e.u16(0)
		e.u32(bk.ID)
		actStart := len(e.b)
		if err := appendActions(e, bk.Actions); err != nil {
			return err
		}
		if err := e.lenAt(start+2, actStart); err != nil {
			return err
		}
		if t == GroupSelect {
			e.u16(bucketPropWeight)
			e.u16(8)
			e.u16(bk.Weight)
			e.zeros(2)
		}
		if bk.WatchPort != flowtable.PortNone {
			e.u16(bucketPropWatchPort)
			e.u16(8)
			e.u32(encodePort32(bk.WatchPort))
		}
		if bk.WatchGroup != GroupAnyID {
			e.u16(bucketPropWatchGroup)
			e.u16(8)
			e.u32(bk.WatchGroup)
		}
		if err := e.lenAt(start, start); err != nil {
			return err
		}
	}
	return nil
}

func decodeGroupMod(c *decodeCtx, v Version, body []byte) (Message, error) {
	d := newDec(v, body, BadRequestBadLen, "group_mod")
	m := &GroupMod{CommandBucketID: BucketAll}
	cmd := d.u16()
	t := d.u8()
	d.skip(1)
	m.Group.ID = d.u32()
	var blen int
	if is15(v) {
		blen = int(d.u16())
		d.skip(2)
		m.CommandBucketID = d.u32()
	}
	if d.err != nil {
		return nil, d.err
	}
	maxCmd := GroupDelete
	if is15(v) {
		maxCmd = GroupRemoveBucket
	}
	if GroupCommand(cmd) > maxCmd || cmd == 4 {
		return nil, errorf(GroupModBadCommand, "group_mod command %d", cmd)
	}
	m.Command = GroupCommand(cmd)
	if t > uint8(GroupFastFailover) {
		return nil, errorf(GroupModBadType, "group type %d", t)
	}
	m.Group.Type = GroupType(t)
	rest := d.rest()
	var err error
	if !is15(v) {
		m.Group.Buckets, err = decodeBuckets11(c, v, rest)
		return m, err
	}
	if blen > len(rest) {
		return nil, errorf(BadRequestBadLen, "bucket array of %d bytes in %d", blen, len(rest))
	}
	m.Group.Buckets, err = decodeBuckets15(c, v, m.Group.Type, rest[:blen])
	m.Group.Props = clone(rest[blen:])
	return m, err
}

func decodeBuckets11(c *decodeCtx, v Version, b []byte) ([]Bucket, error) {
	var out []Bucket
	for len(b) > 0 {
		d := newDec(v, b, GroupModBadBucket, "bucket")
		n := int(d.u16())
		if d.err != nil || n < bucket11Len || n%8 != 0 || n > len(b) {
			return nil, errorf(GroupModBadBucket, "bucket of length %d in %d bytes", n, len(b))
		}
		bk := Bucket{ID: uint32(len(out)), Weight: d.u16()}
		p, err := decodePort32(d.u32())
		if err != nil {
			return nil, errorf(GroupModBadWatch, "watch_port: %v", err)
		}
		bk.WatchPort = p
		bk.WatchGroup = d.u32()
		if bk.Actions, err = decodeActions(c, v, b[bucket11Len:n]); err != nil {
			return nil, err
		}
		out = append(out, bk)
		b = b[n:]
	}
	return out, nil
}

func decodeBuckets15(c *decodeCtx, v Version, t GroupType, b []byte) ([]Bucket, error) {
	var out []Bucket
	for len(b) > 0 {
		d := newDec(v, b, GroupModBadBucket, "bucket")
		n, alen := int(d.u16()), int(d.u16())
		id := d.u32()
		if d.err != nil || n < bucket15Len || n%8 != 0 || n > len(b) || alen > n-bucket15Len {
			return nil, errorf(GroupModBadBucket, "bucket of length %d in %d bytes", n, len(b))
		}
		bk := Bucket{ID: id, WatchPort: flowtable.PortNone, WatchGroup: GroupAnyID}
		if t == GroupSelect {
			bk.Weight = 1
		}
		var err error
		if bk.Actions, err = decodeActions(c, v, b[bucket15Len:bucket15Len+alen]); err != nil {
			return nil, err
		}
		for p := b[bucket15Len+alen : n]; len(p) > 0; {
			if len(p) < 4 {
				return nil, errorf(BadRequestBadLen, "%d trailing bytes in bucket properties", len(p))
			}
			pt, pl := binary.BigEndian.Uint16(p), int(binary.BigEndian.Uint16(p[2:]))
			padded := pl + padLen(pl)
			if pl < 4 || padded > len(p) {
				return nil, errorf(ErrorCode("OFPBPC_BAD_LEN"), "bucket property of length %d", pl)
			}
			switch {
			case pt == bucketPropWeight && pl == 8:
				bk.Weight = binary.BigEndian.Uint16(p[4:])
			case pt == bucketPropWatchPort && pl == 8:
				port, err := decodePort32(binary.BigEndian.Uint32(p[4:]))
				if err != nil {
					return nil, errorf(GroupModBadWatch, "watch_port: %v", err)
				}
				bk.WatchPort = port
			case pt == bucketPropWatchGroup && pl == 8:
				bk.WatchGroup = binary.BigEndian.Uint32(p[4:])
			case pt <= bucketPropWatchGroup:
				return nil, errorf(ErrorCode("OFPBPC_BAD_LEN"), "bucket property %d of length %d", pt, pl)
			default:
				return nil, errorf(ErrorCode("OFPBPC_BAD_TYPE"), "bucket property %d", pt)
			}
			p = p[padded:]
		}
		out = append(out, bk)
		b = b[n:]
	}
	return out, nil
}

// groupStatsHeader starts a group statistics message: OFPMP_* in
// OpenFlow 1.1+, NXST_* in OpenFlow 1.0.
func (e *enc) groupStatsHeader(reply bool, stype uint16, nxst uint32, more bool) {
	switch {
	case e.v == OF10:
		e.nxStatsHeader(reply, nxst, moreFlag(more))
	case e.v == OF11 && stype == statsGroupFeat:
		// OpenFlow 1.1 has no group features; OVS answers its
		// Nicira form, whose header has no padding in 1.1.
		e.statsHeader(reply, statsVendor, moreFlag(more))
		e.u32(vendorNicira)
		e.u32(nxst)
	default:
		e.statsHeader(reply, stype, moreFlag(more))
	}
}

// GroupDescStatsRequest asks for the description of group GroupID
// (GroupAllID: every group). OpenFlow 1.1-1.4 cannot select a group: the
// request always covers all of them.
type GroupDescStatsRequest struct{ GroupID uint32 }

func (m *GroupDescStatsRequest) encode(e *enc) error {
	e.groupStatsHeader(false, statsGroupDesc, nxstGroupDesc, false)
	if is15(e.v) {
		e.u32(m.GroupID)
		e.zeros(4)
	}
	return nil
}

// GroupDescStatsReply is one part of a group description reply.
type GroupDescStatsReply struct {
	Groups []Group
	More   bool
}

func (m *GroupDescStatsReply) encode(e *enc) error { return encodeMultipart(e, m, m.More) }

func (m *GroupDescStatsReply) header(e *enc, more bool) error {
	e.groupStatsHeader(true, statsGroupDesc, nxstGroupDesc, more)
	return nil
}

func (m *GroupDescStatsReply) entries() int { return len(m.Groups) }

func (m *GroupDescStatsReply) appendEntry(e *enc, i int) error {
	g := &m.Groups[i]
	start := len(e.b)
	e.u16(0)
	e.u8(uint8(g.Type))
	e.u8(0)
	e.u32(g.ID)
	if !is15(e.v) {
		if err := appendBuckets11(e, g.Buckets); err != nil {
			return err
		}
		return e.lenAt(start, start)
	}
	lenOff := len(e.b)
	e.u16(0)
	e.zeros(6)
	bstart := len(e.b)
	if err := appendBuckets15(e, g.Type, g.Buckets); err != nil {
		return err
	}
	if err := e.lenAt(lenOff, bstart); err != nil {
		return err
	}
	e.bytes(g.Props)
	return e.lenAt(start, start)
}

func decodeGroupDescReply(c *decodeCtx, v Version, b []byte, more bool) (Message, error) {
	m := &GroupDescStatsReply{More: more}
	for len(b) > 0 {
		d := newDec(v, b, BadRequestBadLen, "group description")
		n := int(d.u16())
		t := d.u8()
		d.skip(1)
		g := Group{ID: d.u32(), Type: GroupType(t)}
		fixed := groupDesc11Len
		blen := n - fixed
		if is15(v) {
			fixed = groupDesc15Len
			blen = int(d.u16())
			d.skip(6)
		}
		if d.err != nil || n < fixed || n > len(b) || blen > n-fixed || t > uint8(GroupFastFailover) {
			return nil, errorf(BadRequestBadLen, "group description of length %d in %d bytes", n, len(b))
		}
		var err error
		if is15(v) {
			g.Buckets, err = decodeBuckets15(c, v, g.Type, b[fixed:fixed+blen])
			g.Props = clone(b[fixed+blen : n])
		} else {
			g.Buckets, err = decodeBuckets11(c, v, b[fixed:n])
		}
		if err != nil {
			return nil, err
		}
		m.Groups = append(m.Groups, g)
		b = b[n:]
	}
	return m, nil
}

// GroupStatsRequest asks for the statistics of group GroupID (GroupAllID:
// every group).
type GroupStatsRequest struct{ GroupID uint32 }

func (m *GroupStatsRequest) encode(e *enc) error {
	e.groupStatsHeader(false, statsGroup, nxstGroup, false)
	e.u32(m.GroupID)
	e.zeros(4)
	return nil
}

// BucketCounter is one bucket's statistics.
type BucketCounter struct{ Packets, Bytes uint64 }

// GroupStats is one group's statistics. Duration travels from OpenFlow
// 1.3 on (and in NXST_GROUP).
type GroupStats struct {
	GroupID        uint32
	RefCount       uint32
	Packets, Bytes uint64
	Duration       time.Duration
	Buckets        []BucketCounter
}

// GroupStatsReply is one part of a group statistics reply.
type GroupStatsReply struct {
	Groups []GroupStats
	More   bool
}

func (m *GroupStatsReply) encode(e *enc) error { return encodeMultipart(e, m, m.More) }

func (m *GroupStatsReply) header(e *enc, more bool) error {
	e.groupStatsHeader(true, statsGroup, nxstGroup, more)
	return nil
}

func (m *GroupStatsReply) entries() int { return len(m.Groups) }

// groupStatsHasDuration reports whether v's group statistics carry a
// duration (ofp13_group_stats).
func groupStatsHasDuration(v Version) bool { return v == OF10 || v >= OF13 }

func (m *GroupStatsReply) appendEntry(e *enc, i int) error {
	g := &m.Groups[i]
	start := len(e.b)
	e.u16(0)
	e.zeros(2)
	e.u32(g.GroupID)
	e.u32(g.RefCount)
	e.zeros(4)
	e.u64(g.Packets)
	e.u64(g.Bytes)
	if groupStatsHasDuration(e.v) {
		sec, nsec := durationParts(g.Duration)
		e.u32(sec)
		e.u32(nsec)
	}
	for _, bc := range g.Buckets {
		e.u64(bc.Packets)
		e.u64(bc.Bytes)
	}
	return e.lenAt(start, start)
}

func decodeGroupStatsReply(v Version, b []byte, more bool) (Message, error) {
	m := &GroupStatsReply{More: more}
	fixed := groupStats11Len
	if groupStatsHasDuration(v) {
		fixed = groupStats13Len
	}
	for len(b) > 0 {
		d := newDec(v, b, BadRequestBadLen, "group statistics")
		n := int(d.u16())
		if d.err != nil || n < fixed || n > len(b) || (n-fixed)%bucketStatsLen != 0 {
			return nil, errorf(BadRequestBadLen, "group statistics of length %d in %d bytes", n, len(b))
		}
		d.skip(2)
		g := GroupStats{GroupID: d.u32(), RefCount: d.u32()}
		d.skip(4)
		g.Packets, g.Bytes = d.u64(), d.u64()
		if groupStatsHasDuration(v) {
			sec, nsec := d.u32(), d.u32()
			g.Duration = time.Duration(sec)*time.Second + time.Duration(nsec)
		}
		for range (n - fixed) / bucketStatsLen {
			g.Buckets = append(g.Buckets, BucketCounter{Packets: d.u64(), Bytes: d.u64()})
		}
		if d.err != nil {
			return nil, d.err
		}
		m.Groups = append(m.Groups, g)
		b = b[n:]
	}
	return m, nil
}

// GroupFeaturesRequest asks for the switch's group features.
type GroupFeaturesRequest struct{}

func (m *GroupFeaturesRequest) encode(e *enc) error {
	e.groupStatsHeader(false, statsGroupFeat, nxstGroupFeat, false)
	return nil
}

// Group capabilities (GroupFeaturesReply.Capabilities).
const (
	GroupCapSelectWeight   = 1 << 0
	GroupCapSelectLiveness = 1 << 1
	GroupCapChaining       = 1 << 2
	GroupCapChainingChecks = 1 << 3
)

// GroupFeaturesReply is ofp12_group_features. Types is a bitmap of
// GroupType bits, MaxGroups and Actions are indexed by GroupType; Actions
// are bitmaps of action types in the reply's version's numbering.
type GroupFeaturesReply struct {
	Types        uint32
	Capabilities uint32
	MaxGroups    [4]uint32
	Actions      [4]uint32
}

func (m *GroupFeaturesReply) encode(e *enc) error {
	e.groupStatsHeader(true, statsGroupFeat, nxstGroupFeat, false)
	e.u32(m.Types)
	e.u32(m.Capabilities)
	for _, x := range m.MaxGroups {
		e.u32(x)
	}
	for _, x := range m.Actions {
		e.u32(x)
	}
	return nil
}

func decodeGroupFeaturesReply(v Version, b []byte) (Message, error) {
	if len(b) != groupFeatLen {
		return nil, errorf(BadRequestBadLen, "group features of %d bytes", len(b))
	}
	d := newDec(v, b, BadRequestBadLen, "group features")
	m := &GroupFeaturesReply{Types: d.u32(), Capabilities: d.u32()}
	for i := range m.MaxGroups {
		m.MaxGroups[i] = d.u32()
	}
	for i := range m.Actions {
		m.Actions[i] = d.u32()
	}
	return m, d.err
}

// decodeGroupStats parses the group statistics messages (standard type
// stype, or Nicira subtype mapped to it) after their headers.
func decodeGroupStats(c *decodeCtx, v Version, stype uint16, b []byte, reply, more bool) (Message, error) {
	d := newDec(v, b, BadRequestBadLen, "group statistics request")
	switch {
	case stype == statsGroupDesc && !reply:
		m := &GroupDescStatsRequest{GroupID: GroupAllID}
		if is15(v) {
			m.GroupID = d.u32()
			d.skip(4)
		}
		if d.err == nil && len(d.b) != 0 {
			d.fail(errorf(BadRequestBadLen, "group description request has %d extra bytes", len(d.b)))
		}
		return m, d.err
	case stype == statsGroupDesc:
		return decodeGroupDescReply(c, v, b, more)
	case stype == statsGroup && !reply:
		m := &GroupStatsRequest{GroupID: d.u32()}
		d.skip(4)
		if d.err == nil && len(d.b) != 0 {
			d.fail(errorf(BadRequestBadLen, "group statistics request has %d extra bytes", len(d.b)))
		}
		return m, d.err
	case stype == statsGroup:
		return decodeGroupStatsReply(v, b, more)
	case !reply:
		return empty(b, &GroupFeaturesRequest{})
	default:
		return decodeGroupFeaturesReply(v, b)
	}
}
