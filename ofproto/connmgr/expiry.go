package connmgr

import (
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// Flow expiry and flow removed messages, as OVS's ofproto and connmgr do
// them.

// expireInterval is how often the bridge's timeouts are checked: OVS
// expires flows from its main loop, about once a second.
const expireInterval = time.Second

// expireLoop expires the bridge's flows (and MAC entries) until the
// manager closes.
func (m *Manager) expireLoop() {
	defer m.wg.Done()
	t := time.NewTicker(expireInterval)
	defer t.Stop()
	for {
		select {
		case <-m.quit:
			return
		case <-t.C:
			m.expire()
		}
	}
}

// expire removes the flows whose timeouts passed by the bridge's clock and
// tells the connections that want to know.
func (m *Manager) expire() {
	now := m.bridge.Now()
	for _, r := range m.bridge.Expire(now) {
		reason := expiryReason(r, now)
		m.flowRemoved(r, reason, now, nil)
		m.monitorExpired(r, reason)
	}
}

// expiryReason says which of an expired rule's timeouts passed; the hard
// timeout wins when both did, as in OVS.
func expiryReason(r *flowtable.Rule, now time.Time) ofp.FlowRemovedReason {
	f := r.Flow()
	if f.HardTimeout != 0 && now.Sub(r.Created) >= time.Duration(f.HardTimeout)*time.Second {
		return ofp.RemovedHardTimeout
	}
	return ofp.RemovedIdleTimeout
}

// wantsFlowRemoved reports whether a session with settings a gets flow
// removed messages for reason: its role's flow removed mask (async.go)
// decides.
func wantsFlowRemoved(s *session, a *asyncState, reason ofp.FlowRemovedReason) bool {
	if a.v == ofp.OF11 {
		// OpenFlow 1.1's ofp_match is not encoded.
		return false
	}
	return s.receives(a, ofp.AsyncFlowRemoved, uint(reason))
}

// flowRemoved sends a flow removed message for r, if it asked for one, to
// every session that wants it. from, if not nil, is the session whose
// flow_mod deleted r: it gets the message at once, before its next reply,
// as OVS sends it; the others get it queued with their packet-ins.
func (m *Manager) flowRemoved(r *flowtable.Rule, reason ofp.FlowRemovedReason, now time.Time, from *session) {
	f := r.Flow()
	if f.Flags&flowtable.FlagSendFlowRem == 0 {
		return
	}
	packets, bytes := r.Stats()
	fr := ofp.FlowRemoved{Match: f.Match, Cookie: f.Cookie, Priority: f.Priority, Reason: reason,
		Table: f.Table, Duration: now.Sub(r.Created).Truncate(time.Millisecond),
		IdleTimeout: f.IdleTimeout, HardTimeout: f.HardTimeout, Packets: packets, Bytes: bytes}
	for _, s := range m.sessionList() {
		a := s.async.Load()
		if a == nil || !wantsFlowRemoved(s, a, reason) {
			continue
		}
		msg := fr
		msg.NXM = a.v == ofp.OF10 && a.flowFormat == ofp.FlowFormatNXM
		b, err := ofp.Encode(a.v, 0, &msg)
		if err != nil {
			m.log.Printf("connmgr", "WARN", "%s: flow_removed: %v", m.bridge.Name(), err)
			continue
		}
		if s == from {
			s.write(b)
			continue
		}
		s.queueAsync(b)
	}
}

// flowsDeleted sends flow removed messages (reason delete) for the rules
// a flow_mod of session from deleted.
func (m *Manager) flowsDeleted(rules []*flowtable.Rule, from *session) {
	if len(rules) == 0 {
		return
	}
	now := m.bridge.Now()
	for _, r := range rules {
		m.flowRemoved(r, ofp.RemovedDelete, now, from)
	}
}
