package connmgr

import (
	"sync"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// Flow monitors, as OVS's connmgr keeps them: a connection asks
// (NXST_FLOW_MONITOR, ONFST_FLOW_MONITOR, OFPMP_FLOW_MONITOR) to hear about
// the flows a filter selects; it gets the matching flows at once (unless
// it said no-initial) and then an update whenever a matching flow is
// added (or replaced), modified or deleted (by a flow_mod, a learn action
// or a timeout). Its own flow_mods are summarized in one abbreviated
// update with the flow_mod's xid unless it asked for its own changes in
// full. When the connection backs up, updates pause (NXT_FLOW_MONITOR_PAUSED)
// and, once the backlog drained, the monitored flows are sent again
// followed by NXT_FLOW_MONITOR_RESUMED.

// flowModOrigin is who made a flow_mod: the [ofproto.FlowChanges] origin
// of the changes sessions make. A bundle's flow_mods carry held, where
// their changes wait until the commit succeeds (a failed commit is rolled
// back, and monitors never hear of it), as OVS reports a bundle's changes
// only once it committed.
type flowModOrigin struct {
	s    *session
	xid  uint32
	held *[]heldChanges
}

// heldChanges are one bundled flow_mod's changes.
type heldChanges struct {
	changes []flowChange
	origin  flowModOrigin
}

// reportHeld reports a committed bundle's changes.
func (m *Manager) reportHeld(held []heldChanges) {
	for _, h := range held {
		m.reportFlows(h.changes, h.origin)
	}
}

// monitorSet is a session's monitors. The session's goroutine changes it;
// the goroutines that make flow changes read it.
type monitorSet struct {
	mu     sync.Mutex
	byID   map[uint32]ofp.FlowMonitor
	paused bool // updates stopped because the connection backed up
}

// snapshot returns the monitors and whether updates are paused.
func (ms *monitorSet) snapshot() ([]ofp.FlowMonitor, bool) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	list := make([]ofp.FlowMonitor, 0, len(ms.byID))
	for _, m := range ms.byID {
		list = append(list, m)
	}
	return list, ms.paused
}

// monitorMsg handles the flow monitor requests and cancels.
func (s *session) monitorMsg(h ofp.Header, msg ofp.Message, raw []byte) (bool, error) {
	switch m := msg.(type) {
	case *ofp.FlowMonitorRequest:
		return true, s.addMonitors(h, m, raw)
	case *ofp.FlowMonitorCancel:
		ms := &s.monitors
		ms.mu.Lock()
		_, ok := ms.byID[m.ID]
		delete(ms.byID, m.ID)
		ms.mu.Unlock()
		if !ok {
			s.sendError(h.Xid, ofp.MonitorUnknown, raw)
		}
		return true, nil
	}
	return false, nil
}

// addMonitors sets up a request's monitors (all or none) and answers with
// the flows they select now.
func (s *session) addMonitors(h ofp.Header, req *ofp.FlowMonitorRequest, raw []byte) error {
	ms := &s.monitors
	ms.mu.Lock()
	if ms.byID == nil {
		ms.byID = map[uint32]ofp.FlowMonitor{}
	}
	for i, fm := range req.Monitors {
		_, exists := ms.byID[fm.ID]
		dup := false
		for _, other := range req.Monitors[:i] {
			dup = dup || other.ID == fm.ID
		}
		if fm.Command == ofp.MonitorCmdAdd && (exists || dup) || fm.Command == ofp.MonitorCmdModify && !exists {
			ms.mu.Unlock()
			code := ofp.MonitorExists
			if !exists {
				code = ofp.MonitorUnknown
			}
			s.sendError(h.Xid, code, raw)
			return nil
		}
		if fm.Table != flowtable.TableAll && int(fm.Table) >= ofproto.NumTables {
			ms.mu.Unlock()
			s.sendError(h.Xid, "OFPBRC_BAD_TABLE_ID", raw)
			return nil
		}
	}
	for _, fm := range req.Monitors {
		ms.byID[fm.ID] = fm
	}
	ms.mu.Unlock()
	reply := &ofp.FlowMonitorReply{}
	for _, fm := range req.Monitors {
		if fm.Flags&ofp.MonitorInitial == 0 {
			continue
		}
		for _, r := range s.mgr.selectMonitored(&fm) {
			reply.Updates = append(reply.Updates, flowUpdate(ofp.EventInitial, r.Flow(), &fm, 0))
		}
	}
	if err := s.sendReplies(h.Xid, reply); err != nil {
		s.mgr.log.Printf("connmgr", "WARN", "%s: flow monitor reply: %v", s.mgr.bridge.Name(), err)
	}
	return nil
}

// selectMonitored returns the flows monitor fm selects now.
func (m *Manager) selectMonitored(fm *ofp.FlowMonitor) []*flowtable.Rule {
	filter := flowtable.Flow{Match: fm.Match, Table: fm.Table, OutPort: fm.OutPort, OutGroup: fm.OutGroup}
	var rules []*flowtable.Rule
	for id := range ofproto.NumTables {
		if fm.Table == flowtable.TableAll || int(fm.Table) == id {
			rules = append(rules, m.bridge.Table(uint8(id)).Select(&filter, false)...)
		}
	}
	return rules
}

// flowUpdate describes f for monitor fm: with its actions only if fm
// asked for them.
func flowUpdate(ev ofp.FlowUpdateEvent, f *flowtable.Flow, fm *ofp.FlowMonitor, reason ofp.FlowRemovedReason) ofp.FlowUpdate {
	u := ofp.FlowUpdate{Event: ev, Reason: reason, Flow: *f}
	if fm.Flags&ofp.MonitorActions == 0 {
		u.Flow.Actions = nil
	}
	return u
}

// selects reports whether monitor fm selects flow f for event ev.
func selects(fm *ofp.FlowMonitor, ev ofp.FlowUpdateEvent, f *flowtable.Flow) bool {
	want := ofp.MonitorAdd
	switch ev {
	case ofp.EventRemoved:
		want = ofp.MonitorRemoved
	case ofp.EventModified:
		want = ofp.MonitorModify
	}
	if fm.Flags&want == 0 {
		return false
	}
	if fm.Table != flowtable.TableAll && fm.Table != f.Table {
		return false
	}
	if fm.OutPort != flowtable.PortNone && !f.Actions.OutputsTo(fm.OutPort) {
		return false
	}
	if fm.OutGroup != flowtable.GroupAny && !f.Actions.UsesGroup(fm.OutGroup) {
		return false
	}
	// The flow is at least as specific as the monitor's match.
	for w := range fm.Match.Mask {
		mask := fm.Match.Mask[w]
		if f.Match.Mask[w]&mask != mask || (f.Match.Key[w]^fm.Match.Key[w])&mask != 0 {
			return false
		}
	}
	return true
}

// flowChange is one flow's change, for the monitors.
type flowChange struct {
	ev     ofp.FlowUpdateEvent
	flow   *flowtable.Flow
	reason ofp.FlowRemovedReason
}

// watchFlows is the bridge's flow watcher: it reports a flow_mod's
// changes to the monitoring sessions.
func (m *Manager) watchFlows(c ofproto.FlowChanges) {
	var changes []flowChange
	if c.Result.Added != nil {
		changes = append(changes, flowChange{ev: ofp.EventAdded, flow: c.Result.Added.Flow()})
	}
	for _, r := range c.Result.Modified {
		changes = append(changes, flowChange{ev: ofp.EventModified, flow: r.Flow()})
	}
	for _, r := range c.Result.Deleted {
		changes = append(changes, flowChange{ev: ofp.EventRemoved, flow: r.Flow(), reason: ofp.RemovedDelete})
	}
	origin, _ := c.Origin.(flowModOrigin)
	if origin.held != nil {
		*origin.held = append(*origin.held, heldChanges{changes, flowModOrigin{s: origin.s, xid: origin.xid}})
		return
	}
	m.reportFlows(changes, origin)
}

// reportFlows sends each monitoring session the updates its monitors
// select among changes: the origin session (if any) gets them at once (it
// is the goroutine that made them), the others through their queues.
func (m *Manager) reportFlows(changes []flowChange, origin flowModOrigin) {
	for _, s := range m.sessionList() {
		a := s.async.Load()
		if a == nil {
			continue
		}
		mons, paused := s.monitors.snapshot()
		if len(mons) == 0 || paused {
			continue
		}
		reply := &ofp.FlowMonitorReply{}
		abbrev := false
		for _, c := range changes {
			for i := range mons {
				fm := &mons[i]
				if !selects(fm, c.ev, c.flow) {
					continue
				}
				if s == origin.s && fm.Flags&ofp.MonitorOwn == 0 {
					abbrev = true
				} else {
					reply.Updates = append(reply.Updates, flowUpdate(c.ev, c.flow, fm, c.reason))
				}
				break
			}
		}
		if abbrev {
			reply.Updates = append(reply.Updates, ofp.FlowUpdate{Event: ofp.EventAbbrev, Xid: origin.xid})
		}
		if len(reply.Updates) == 0 {
			continue
		}
		parts, err := ofp.EncodeRepliesTLV(a.v, 0, reply, m.bridge.TLVMap())
		if err != nil {
			m.log.Printf("connmgr", "WARN", "%s: flow monitor update: %v", m.bridge.Name(), err)
			continue
		}
		for _, b := range parts {
			if s == origin.s {
				s.write(b)
			} else if !s.queueUpdate(b) {
				break
			}
		}
	}
}

// queueUpdate queues a flow monitor update; when the queue is full it
// pauses the session's monitors instead (the writer resumes them once the
// queue drained) and reports false.
func (s *session) queueUpdate(b []byte) bool {
	select {
	case s.pins <- b:
		return true
	default:
	}
	ms := &s.monitors
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if !ms.paused {
		ms.paused = true
		s.monitorPause <- struct{}{}
	}
	return false
}

// monitorsPaused tells the peer its monitors paused and waits until the
// queue has drained to resume them: it sends every monitored flow again
// (the changes missed in between are in them) and then resumed, as OVS
// refreshes a resumed monitor. It runs on the writer goroutine.
func (s *session) monitorsPaused(done <-chan struct{}) error {
	a := s.async.Load()
	if a == nil {
		return nil
	}
	if err := s.sendAsync(a.v, &ofp.FlowMonitorPaused{}); err != nil {
		return err
	}
	for len(s.pins) > 0 {
		select {
		case <-done:
			return nil
		case b := <-s.pins:
			if err := s.write(b); err != nil {
				return err
			}
		}
	}
	ms := &s.monitors
	ms.mu.Lock()
	ms.paused = false
	mons := make([]ofp.FlowMonitor, 0, len(ms.byID))
	for _, fm := range ms.byID {
		mons = append(mons, fm)
	}
	ms.mu.Unlock()
	reply := &ofp.FlowMonitorReply{}
	for i := range mons {
		for _, r := range s.mgr.selectMonitored(&mons[i]) {
			reply.Updates = append(reply.Updates, flowUpdate(ofp.EventAdded, r.Flow(), &mons[i], 0))
		}
	}
	if len(reply.Updates) > 0 {
		if err := s.sendAsync(a.v, reply); err != nil {
			return err
		}
	}
	return s.sendAsync(a.v, &ofp.FlowMonitorResumed{})
}

// sendAsync writes an asynchronous message (xid 0) in version v.
func (s *session) sendAsync(v ofp.Version, msg ofp.Message) error {
	return s.sendParts(v, 0, msg)
}

// monitorExpired reports flows that timed out to the monitors.
func (m *Manager) monitorExpired(r *flowtable.Rule, reason ofp.FlowRemovedReason) {
	m.reportFlows([]flowChange{{ev: ofp.EventRemoved, flow: r.Flow(), reason: reason}}, flowModOrigin{})
}
