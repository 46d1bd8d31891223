package ofproto

import (
	"errors"
	"reflect"
	"slices"
	"time"

	"github.com/govs/govs/datapath"
	"github.com/govs/govs/flowtable"
)

// Translation limits, OVS's: resubmits nest at most 64 deep and one
// translation does at most 4096 of them.
const (
	maxResubmitDepth = 64
	maxResubmits     = 4096
)

// ErrTooDeep is a translation that nested or resubmitted more than OVS
// allows; the packet is dropped.
var ErrTooDeep = errors.New("xlate: over max translation depth")

// Translation is the result of translating one packet: what the datapath
// does with it and with every packet that agrees with it on Mask.
type Translation struct {
	Actions datapath.Actions
	// Mask is the megaflow mask: every key bit a lookup or an action
	// examined. The megaflow matches key&Mask.
	Mask flowtable.Mask
	// Final is the key at the end of the pipeline (registers, metadata
	// and rewritten headers included).
	Final flowtable.Key
	// Rules are the flows the packet hit, in order.
	Rules []*flowtable.Rule
	// Err is why translation gave up (then Actions is empty: drop).
	Err error

	groups    []*Group
	macs      []MACEntry     // addresses NORMAL learned, refreshed by Credit
	packetIns []packetInMeta // the pipeline metadata at each controller action
	bridge    *Bridge
}

// Credit attributes packets that a datapath forwarded with this
// translation (its megaflow hits) to the flows and groups it used, and
// refreshes the MAC addresses it learned, as OVS's revalidators push
// megaflow statistics.
func (t *Translation) Credit(packets, bytes uint64, used time.Time) {
	for _, r := range t.Rules {
		r.AddStats(packets, bytes, used)
	}
	for _, g := range t.groups {
		g.packets.Add(packets)
		g.bytes.Add(bytes)
	}
	for _, e := range t.macs {
		t.bridge.fdb.Learn(e.MAC, e.VLAN, e.Port, used)
	}
}

// Translate translates a packet whose key (from [flowtable.Key.ParseFrame],
// with in_port set) is key and whose length is pktLen, with side effects:
// MAC learning, learn actions, and flow, table and group counters credited
// with this one packet.
func (b *Bridge) Translate(key *flowtable.Key, pktLen int) *Translation {
	return b.xlate(key, pktLen, true, nil)
}

// xlate is one translation in progress.
type xlate struct {
	br          *Bridge
	ports       *portSet
	groups      map[uint32]*Group
	now         time.Time
	sideEffects bool
	pktLen      int
	tr          *tracer

	key  flowtable.Key  // the flow as the pipeline has changed it
	base flowtable.Key  // the packet as the emitted datapath actions leave it
	orig flowtable.Key  // the packet as it arrived
	wc   flowtable.Mask // bits examined so far

	out       datapath.Actions
	depth     int
	resubmits int
	table     uint8
	rule      *flowtable.Rule // the flow whose actions are running
	cookie    uint64          // its cookie (all ones without a flow)
	actionSet flowtable.Actions
	stack     [][]uint64
	exit      bool
	err       error

	// Where the running actions come from, which names the reason of an
	// output to CONTROLLER as in OVS: a packet-out's actions and what
	// they reach, the action set, or a group bucket's own actions.
	inPacketOut, inActionSet, inBucket bool

	// frozen is the continuation a controller(pause) is collecting while
	// the pipeline unwinds (continuation.go).
	frozen *Continuation
	// frozenPin is the packet-in of that pause, which names the flow
	// where the freezing ends (closeFreeze).
	frozenPin *datapath.Userspace
	// rootFlow says the next flow runTable runs is the translation's
	// first, table 0's for a packet, which a pause's packet-in names.
	rootFlow bool

	res        *Translation
	learnFlows []*flowtable.Flow
}

func (b *Bridge) xlate(key *flowtable.Key, pktLen int, sideEffects bool, tr *tracer) *Translation {
	x := b.newXlate(key, pktLen, sideEffects, tr)
	switch {
	case !x.mayReceive():
		// Dropped before any table, with nothing in the trace, as OVS.
	case b.failOpen.Load():
		x.traceLine(0, "fail-open: switching NORMAL ahead of the flow tables")
		x.runActions(flowtable.Actions{&flowtable.Output{Port: flowtable.PortNormal}})
	default:
		x.rootFlow = true
		x.runTable(0, true)
	}
	return x.finish()
}

// newXlate starts a translation of the packet whose key is key. The
// translation holds b.commit for reading until finish.
func (b *Bridge) newXlate(key *flowtable.Key, pktLen int, sideEffects bool, tr *tracer) *xlate {
	b.commit.RLock()
	return &xlate{
		br: b, ports: b.ports.Load(), groups: *b.groups.Load(), now: b.now(),
		sideEffects: sideEffects, pktLen: pktLen, tr: tr,
		key: *key, base: *key, orig: *key, cookie: ^uint64(0),
		res: &Translation{bridge: b},
	}
}

// finish runs what the action set holds, completes the mask, ends the
// translation's hold on the tables and, with side effects, installs what
// learn actions produced.
func (x *xlate) finish() *Translation {
	b := x.br
	x.closeFreeze()
	// A paused pipeline runs its action set when it is resumed.
	if len(x.actionSet) > 0 && x.err == nil && x.frozen == nil {
		x.traceLine(0, "--. Executing action set:")
		set := x.actionSet
		x.actionSet = nil
		x.exit = false
		x.inActionSet = true
		x.runActions(orderActionSet(set))
		x.inActionSet = false
	}
	x.finishMask()
	res := x.res
	res.Mask, res.Final, res.Err = x.wc, x.key, x.err
	if x.err == nil {
		res.Actions = x.out
	}
	// Learned flows go in as ordinary flow_mods, after the translation
	// let go of the tables.
	b.commit.RUnlock()
	if x.sideEffects {
		for _, f := range x.learnFlows {
			// A learned flow that cannot be installed (a full table, a
			// bad group) is dropped, as OVS only logs it.
			_, _ = b.FlowMod(f, flowtable.FlowModifyStrict)
		}
	}
	return res
}

// finishMask adds what every megaflow matches and removes what only exists
// during translation. The datapath matches recirc_id and in_port always,
// and dl_type with the presence of a VLAN tag (OVS's datapath key nests
// the EtherType inside the tag, so one implies the other). Metadata,
// registers and conj_id start at zero for every packet, so bits a lookup
// examined there say nothing about the packet.
func (x *xlate) finishMask() {
	for _, f := range []*flowtable.Field{flowtable.FieldRecircID, flowtable.FieldInPort, flowtable.FieldEthType} {
		f.SetAllOnes(&x.wc)
	}
	flowtable.FieldVLANTCI.Set(&x.wc, flowtable.FieldVLANTCI.Get(&x.wc)|flowtable.VLANCFI)
	for _, f := range []*flowtable.Field{flowtable.FieldMetadata, flowtable.FieldConjID, flowtable.FieldActsetOutput} {
		clearField(&x.wc, f)
	}
	for _, f := range flowtable.FieldXReg {
		clearField(&x.wc, f)
	}
}

func clearField(m *flowtable.Mask, f *flowtable.Field) { f.Set(m, 0) }

// unwildcard marks every bit of field f as examined.
func (x *xlate) unwildcard(f *flowtable.Field) { f.SetAllOnes(&x.wc) }

// runTable looks the packet up in table id and runs the flow it finds.
// honorMiss applies the table-miss behaviour (for table 0 and goto_table;
// a resubmit that misses just does nothing).
func (x *xlate) runTable(id uint8, honorMiss bool) {
	r := x.lookup(id)
	if r == nil {
		x.traceLine(4*x.level(), "%2d. No match.", id)
		if honorMiss {
			x.tableMiss(id)
			return
		}
		x.traceLine(4*x.level()+4, "drop")
		return
	}
	f := r.Flow()
	x.res.Rules = append(x.res.Rules, r)
	if x.sideEffects {
		r.Hit(x.pktLen, x.now)
	}
	x.traceRule(id, f)
	if len(f.Actions) == 0 {
		x.traceLine(4*x.level()+4, "drop")
	}
	root := x.rootFlow
	x.rootFlow = false
	savedTable, savedRule, savedCookie := x.table, x.rule, x.cookie
	x.table, x.rule, x.cookie = id, r, f.Cookie
	x.runActions(f.Actions)
	if root {
		x.closeFreeze()
	}
	x.table, x.rule, x.cookie = savedTable, savedRule, savedCookie
}

// tableMiss does what table id is configured to do with a packet no flow
// matched.
func (x *xlate) tableMiss(id uint8) {
	miss := TableMiss(x.br.tableState[id].miss.Load())
	switch {
	case miss == TableMissContinue && id < NumTables-1:
		x.runTable(id+1, true)
	case miss == TableMissController || miss == TableMissContinue:
		// A miss explicitly configured to reach the controller (or to
		// continue past the last table) honours the input port's
		// NO_PACKET_IN; OVS's default miss behaviour does not look at it.
		in, ok := x.ports.byOF[flowtable.Port(flowtable.FieldInPort.Get(&x.key))]
		if !ok || in.Flags()&PortNoPacketIn != 0 {
			x.traceLine(4*x.level()+4, "drop")
			return
		}
		x.missToController(id)
	case miss == TableMissDefault && x.br.missToController.Load():
		x.missToController(id)
	default:
		x.traceLine(4*x.level()+4, "drop")
	}
}

// missToController sends a packet that missed in table id to the
// controllers.
func (x *xlate) missToController(id uint8) {
	x.traceLine(4*x.level()+4, "CONTROLLER")
	// The packet-in names the table that missed and no flow.
	savedTable, savedRule, savedCookie := x.table, x.rule, x.cookie
	x.table, x.rule, x.cookie = id, nil, ^uint64(0)
	x.controller(flowtable.ReasonImplicitMiss, 0xffff, 0, nil)
	x.table, x.rule, x.cookie = savedTable, savedRule, savedCookie
}

// lookup finds the flow of table id for the current key, resolving
// conjunctive matches, and counts the lookup.
func (x *xlate) lookup(id uint8) *flowtable.Rule {
	ts := &x.br.tableState[id]
	r, ok := x.br.tables[id].Lookup(&x.key, &x.wc)
	if ok && ts.nconj.Load() > 0 && isConjunctive(r.Flow().Actions) {
		r, ok = x.conjunction(id, r)
	}
	if x.sideEffects {
		ts.lookups.Add(1)
		if ok {
			ts.matched.Add(1)
		}
	}
	if !ok {
		return nil
	}
	return r
}

// conjunction resolves a lookup whose best flow, first, is conjunctive:
// a conjunctive match id fires when, for each of its clauses, a flow of
// that clause at first's priority matches; the packet is then looked up
// again with conj_id=id. If none fires, the conjunctive flows do not count
// and the best other flow below them wins.
func (x *xlate) conjunction(id uint8, first *flowtable.Rule) (*flowtable.Rule, bool) {
	prio := first.Flow().Priority
	type clauses struct {
		n    uint8
		seen uint64
	}
	byID := map[uint32]*clauses{}
	for _, r := range x.br.tableState[id].conjunctive(prio) {
		f := r.Flow()
		x.wc.Or(&f.Match.Mask)
		if !f.Match.Matches(&x.key) {
			continue
		}
		for _, a := range f.Actions {
			c := a.(*flowtable.Conjunction)
			s := byID[c.ID]
			if s == nil {
				s = &clauses{n: c.NClauses}
				byID[c.ID] = s
			}
			if c.Clause >= 1 && c.Clause <= 64 {
				s.seen |= 1 << (c.Clause - 1)
			}
		}
	}
	var done []uint32
	for cid, s := range byID {
		if s.n > 0 && s.n <= 64 && s.seen == 1<<s.n-1 || s.n == 64 && s.seen == ^uint64(0) {
			done = append(done, cid)
		}
	}
	slices.Sort(done)
	t := x.br.tables[id]
	if len(done) > 0 {
		// The flows that match conj_id=ID are found by a scan: the
		// conjunctive flows, which do not match on conj_id, would win a
		// classifier lookup at their own priority.
		var best *flowtable.Rule
		t.ForEach(func(r *flowtable.Rule) bool {
			f := r.Flow()
			if f.Match.IsWildcard(flowtable.FieldConjID) || isConjunctive(f.Actions) {
				return true
			}
			cid := uint32(flowtable.FieldConjID.Get(&f.Match.Key))
			if _, ok := slices.BinarySearch(done, cid); !ok {
				return true
			}
			flowtable.FieldConjID.Set(&x.key, uint64(cid))
			x.wc.Or(&f.Match.Mask)
			if f.Match.Matches(&x.key) && (best == nil || f.Priority > best.Flow().Priority) {
				best = r
			}
			flowtable.FieldConjID.Set(&x.key, 0)
			return true
		})
		if best != nil {
			return best, true
		}
	}
	// No conjunctive match fired: find the best ordinary flow at or below
	// their priority. The classifier has no "next best" lookup, so every
	// such flow is examined, and the megaflow depends on all of them.
	var best *flowtable.Rule
	t.ForEach(func(r *flowtable.Rule) bool {
		f := r.Flow()
		if f.Priority > prio || isConjunctive(f.Actions) {
			return true
		}
		x.wc.Or(&f.Match.Mask)
		if f.Match.Matches(&x.key) && (best == nil || f.Priority > best.Flow().Priority) {
			best = r
		}
		return true
	})
	return best, best != nil
}

// fail stops the translation; the packet will be dropped.
func (x *xlate) fail(err error) {
	if x.err == nil {
		x.err = err
	}
}

// resubmit looks the packet up in table, as if it came from inPort
// (PortInPort: unchanged). A resubmit that is the last action of its list
// is a tail call: it does not nest in the trace, as in OVS.
func (x *xlate) resubmit(inPort flowtable.Port, table uint8, honorMiss, last bool) {
	if x.depth >= maxResubmitDepth || x.resubmits >= maxResubmits {
		x.traceNote(">>>> over max translation depth %d <<<<", maxResubmitDepth)
		x.fail(ErrTooDeep)
		return
	}
	x.resubmits++
	savedPort := flowtable.FieldInPort.Get(&x.key)
	if inPort != flowtable.PortInPort {
		flowtable.FieldInPort.Set(&x.key, uint64(inPort))
	}
	x.depth++
	if !last && x.tr != nil {
		x.tr.level++
	}
	// A flow reached from a bucket runs no bucket actions of its own.
	savedInBucket := x.inBucket
	x.inBucket = false
	x.runTable(table, honorMiss)
	x.inBucket = savedInBucket
	if !last && x.tr != nil {
		x.tr.level--
	}
	x.depth--
	flowtable.FieldInPort.Set(&x.key, savedPort)
}

// runActions runs an action list against the current key. When a
// controller(pause) has frozen the pipeline, what is left of the list
// joins the continuation instead.
func (x *xlate) runActions(acts flowtable.Actions) {
	for i, a := range acts {
		if x.exit || x.err != nil {
			x.freezeRest(acts[i:])
			return
		}
		x.traceAction(a)
		last := i == len(acts)-1
		switch a := a.(type) {
		case *flowtable.Output:
			x.output(a.Port, 0)
		case *flowtable.OutputTrunc:
			x.output(a.Port, a.MaxLen)
		case *flowtable.OutputReg:
			x.markSubfield(a.Src)
			x.output(flowtable.Port(a.Src.Get(&x.key)), 0)
		case *flowtable.Enqueue:
			x.output(a.Port, 0)
		case *flowtable.Controller:
			if a.Pause {
				x.pause(a)
				continue
			}
			reason := a.Reason
			if a.IsOutput() {
				reason = x.outputReason()
			}
			x.controller(reason, a.MaxLen, a.ID, a.Userdata)
		case *flowtable.Resubmit:
			table := a.Table
			if table == flowtable.NoTable {
				table = x.table
			}
			if a.CT {
				x.traceNote(">> resubmit with conntrack tuple unsupported, ignored")
				continue
			}
			x.resubmit(a.InPort, table, false, last)
		case *flowtable.GotoTable:
			x.resubmit(flowtable.PortInPort, a.Table, true, true)
		case *flowtable.WriteMetadata:
			md := flowtable.FieldMetadata
			md.Set(&x.key, md.Get(&x.key)&^a.Mask|a.Value&a.Mask)
		case *flowtable.ClearActions:
			x.actionSet = nil
		case *flowtable.WriteActions:
			x.actionSet = mergeActionSet(x.actionSet, a.Actions)
			x.traceNote("-> action set is: %s", x.actionSet.String())
		case *flowtable.Group:
			x.group(a.ID)
		case *flowtable.DecTTL:
			if x.decTTL(a) {
				return
			}
		case *flowtable.Learn:
			x.learn(a)
		case *flowtable.Exit:
			x.exit = true
		case *flowtable.Clone:
			saved, savedExit := x.key, x.exit
			x.runActions(a.Actions)
			x.endFreeze()
			x.key, x.exit = saved, savedExit
		case *flowtable.Meter:
			// The datapath polices each packet; one it drops goes no
			// further.
			x.out = append(x.out, &datapath.Meter{ID: a.ID})
		case *flowtable.Conjunction, *flowtable.Note, *flowtable.SetQueue, *flowtable.PopQueue,
			*flowtable.FinTimeout, *flowtable.Sample:
			// No effect on forwarding.
		default:
			x.rewrite(a)
		}
	}
}

// output sends the packet to an OpenFlow port, reserved ones included.
func (x *xlate) output(port flowtable.Port, maxLen uint32) {
	x.unwildcard(flowtable.FieldInPort)
	inPort := flowtable.Port(flowtable.FieldInPort.Get(&x.key))
	switch port {
	case flowtable.PortInPort:
		if p, ok := x.ports.byOF[inPort]; ok {
			x.outputTo(p, maxLen)
		}
	case flowtable.PortNormal:
		x.normal()
	case flowtable.PortFlood, flowtable.PortAll:
		for _, p := range x.ports.sorted {
			// ALL includes the ports that opted out of flooding.
			if p.OFPort != inPort && (port == flowtable.PortAll || p.Flags()&PortNoFlood == 0) {
				x.outputTo(p, maxLen)
			}
		}
	case flowtable.PortController:
		x.controller(x.outputReason(), 0xffff, 0, nil)
	case flowtable.PortTable:
		// Through the flow tables from table 0, as a packet-out's
		// "output:TABLE" asks; it nests like a resubmit so a flow that
		// does it cannot loop forever.
		x.resubmit(flowtable.PortInPort, 0, true, false)
	case flowtable.PortNone, flowtable.PortUnset:
	default:
		if port == inPort {
			x.traceNote(">> skipping output to input port")
			return
		}
		p, ok := x.ports.byOF[port]
		if !ok {
			x.traceNote(">> Nonexistent output port")
			return
		}
		x.outputTo(p, maxLen)
	}
}

// outputTo commits the key's changes to the packet and outputs it.
func (x *xlate) outputTo(p *Port, maxLen uint32) {
	if p.Flags()&PortNoFwd != 0 {
		x.traceNote(">> OFPPC_NO_FWD set, skipping output")
		return
	}
	x.commit()
	if maxLen != 0 {
		x.out = append(x.out, &datapath.Truncate{MaxLen: maxLen})
	}
	x.out = append(x.out, &datapath.Output{Port: p.DPPort})
}

// controller sends the packet, as changed so far, to the controllers.
func (x *xlate) controller(reason flowtable.ControllerReason, maxLen, id uint16, userdata []byte) {
	x.commit()
	// OVS's internal reasons, which a controller action may name too,
	// are held as the packet-ins they stand for: an explicit miss is an
	// action packet-in marked as such, an implicit miss (a packet no flow
	// matched) a no_match one.
	explicitMiss := reason == flowtable.ReasonExplicitMiss
	implicitMiss := reason == flowtable.ReasonImplicitMiss
	switch reason {
	case flowtable.ReasonExplicitMiss:
		reason = flowtable.ReasonAction
	case flowtable.ReasonImplicitMiss:
		reason = flowtable.ReasonNoMatch
	}
	// Without a flow (a table miss, a packet-out) the cookie is all
	// ones, as OpenFlow 1.3 specifies.
	u := &datapath.Userspace{Reason: uint8(reason), MaxLen: maxLen, ControllerID: id,
		Table: x.table, Cookie: x.cookie, Userdata: userdata}
	x.out = append(x.out, u)
	meta := packetInMeta{u: u, md: packetInMetadata(&x.key), explicitMiss: explicitMiss, implicitMiss: implicitMiss}
	if x.rule != nil && reason == flowtable.ReasonAction && !explicitMiss {
		f := x.rule.Flow()
		meta.explicitMiss = f.Priority == 0 && f.Match.Mask == flowtable.Mask{}
	}
	x.res.packetIns = append(x.res.packetIns, meta)
}

// outputReason is the packet-in reason of an output to CONTROLLER, which
// says where the output ran, as in OVS.
func (x *xlate) outputReason() flowtable.ControllerReason {
	switch {
	case x.inPacketOut:
		return flowtable.ReasonPacketOut
	case x.inBucket:
		return flowtable.ReasonGroup
	case x.inActionSet:
		return flowtable.ReasonActionSet
	}
	return flowtable.ReasonAction
}

// decTTL decrements the IP TTL; when it would reach zero it sends the
// packet to the controllers instead and reports true: the rest of the
// action list does not run.
func (x *xlate) decTTL(a *flowtable.DecTTL) bool {
	x.unwildcard(flowtable.FieldEthType)
	dl := flowtable.FieldEthType.Get(&x.key)
	if dl != flowtable.EthTypeIPv4 && dl != flowtable.EthTypeIPv6 {
		return false
	}
	x.unwildcard(flowtable.FieldNwTTL)
	if ttl := flowtable.FieldNwTTL.Get(&x.key); ttl > 1 {
		flowtable.FieldNwTTL.Set(&x.key, ttl-1)
		return false
	}
	if dl == flowtable.EthTypeIPv4 {
		x.traceNote(">> IPv4 decrement TTL exception")
	} else {
		x.traceNote(">> IPv6 decrement TTL exception")
	}
	ids := a.IDs
	if len(ids) == 0 {
		ids = []uint16{0}
	}
	for _, id := range ids {
		x.controller(flowtable.ReasonInvalidTTL, 0xffff, id, nil)
	}
	return true
}

// group passes the packet through group id.
func (x *xlate) group(id uint32) {
	g, ok := x.groups[id]
	if !ok {
		x.traceNote(">> no such group %d", id)
		return
	}
	x.res.groups = append(x.res.groups, g)
	if x.sideEffects {
		g.packets.Add(1)
		g.bytes.Add(uint64(x.pktLen))
	}
	switch g.Type {
	case GroupAll:
		for i := range g.Buckets {
			x.bucket(g, i)
		}
	case GroupIndirect:
		if len(g.Buckets) > 0 {
			x.bucket(g, 0)
		}
	case GroupFastFailover:
		for i := range g.Buckets {
			if x.bucketLive(&g.Buckets[i], 0) {
				x.bucket(g, i)
				return
			}
		}
		x.traceNote(">> no live bucket")
	case GroupSelect:
		if i, ok := x.selectBucket(g); ok {
			x.bucket(g, i)
			return
		}
		x.traceNote(">> no live bucket")
	}
}

// bucket runs bucket i of g on a copy of the flow: what it changes does not
// outlive it (though the datapath actions it emitted stay).
func (x *xlate) bucket(g *Group, i int) {
	x.traceLine(4*x.level()+4, "bucket %d", i)
	saved, savedExit, savedInBucket := x.key, x.exit, x.inBucket
	if x.tr != nil {
		x.tr.level += 2
	}
	x.inBucket = true
	x.runActions(g.Buckets[i].Actions)
	x.inBucket = savedInBucket
	if x.tr != nil {
		x.tr.level -= 2
	}
	x.endFreeze()
	x.key, x.exit = saved, savedExit
}

// mergeActionSet adds acts to an action set: an action replaces one of
// the same kind (set_field: of the same field) already there.
func mergeActionSet(set, acts flowtable.Actions) flowtable.Actions {
	out := slices.Clone(set)
	for _, a := range acts {
		k := actionSetKind(a)
		out = slices.DeleteFunc(out, func(b flowtable.Action) bool { return actionSetKind(b) == k })
		out = append(out, a)
	}
	return out
}

func actionSetKind(a flowtable.Action) any {
	if sf, ok := a.(*flowtable.SetField); ok {
		return sf.Field
	}
	return reflect.TypeOf(a)
}

// actionSetRank orders an action set as OpenFlow 1.3 §5.10 does: pops,
// pushes, TTL decrement, field sets, queue, then group, else output.
func actionSetRank(a flowtable.Action) int {
	switch a.(type) {
	case *flowtable.StripVLAN, *flowtable.PopMPLS:
		return 1
	case *flowtable.PushMPLS:
		return 2
	case *flowtable.PushVLAN:
		return 3
	case *flowtable.DecTTL, *flowtable.DecMPLSTTL:
		return 4
	case *flowtable.SetQueue:
		return 6
	case *flowtable.Group:
		return 7
	case *flowtable.Output, *flowtable.OutputTrunc, *flowtable.OutputReg, *flowtable.Enqueue, *flowtable.Controller:
		return 8
	}
	return 5
}

// orderActionSet returns the set in execution order; a group overrides
// an output.
func orderActionSet(set flowtable.Actions) flowtable.Actions {
	out := slices.Clone(set)
	slices.SortStableFunc(out, func(a, b flowtable.Action) int { return actionSetRank(a) - actionSetRank(b) })
	if slices.ContainsFunc(out, func(a flowtable.Action) bool { return actionSetRank(a) == 7 }) {
		out = slices.DeleteFunc(out, func(a flowtable.Action) bool { return actionSetRank(a) == 8 })
	}
	return out
}
