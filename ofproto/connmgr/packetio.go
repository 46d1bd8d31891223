package connmgr

import (
	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// Packet-ins and packet-outs, as OVS's connmgr sends and takes them.

// Defaults OVS gives a connection's miss_send_len: controllers get the
// first 128 bytes of a table miss (OFP_DEFAULT_MISS_SEND_LEN); service
// connections (ovs-ofctl) get no asynchronous messages until they set one.
const (
	defaultMissSendLen = 128
	pinQueueLen        = 100 // packet-ins waiting for a slow connection; OVS's default queue
)

// setConfig flag of OpenFlow 1.0–1.2 that asks for invalid-TTL packet-ins
// (OFPC_INVALID_TTL_TO_CONTROLLER).
const configInvalidTTLToController = 0x4

// asyncState is what decides which packet-ins a session gets and how
// they are encoded. The session's goroutine publishes a new one whenever
// it changes; the goroutines that send packet-ins only read it.
type asyncState struct {
	v            ofp.Version
	format       ofp.PacketInFormat
	missSendLen  uint16
	invalidTTL   bool // OFPC_INVALID_TTL_TO_CONTROLLER was set
	role         ofp.Role
	flowFormat   ofp.FlowFormat  // OpenFlow 1.0's match format (flow removed messages)
	cfg          ofp.AsyncConfig // the per-role masks (async.go)
	controllerID uint16
}

// publishAsync records the session's current settings for packet-in
// senders.
func (s *session) publishAsync() {
	s.async.Store(&asyncState{v: s.v, format: s.pinFormat, missSendLen: s.config.MissSendLen,
		invalidTTL: s.invalidTTL, role: s.role, flowFormat: s.flowFormat,
		cfg: s.asyncConfig(), controllerID: s.controllerID})
}

// wants reports whether a session with settings a receives pin, as OVS's
// ofconn_receives_async_msg decides (async.go).
func (s *session) wants(a *asyncState, pin *ofproto.PacketIn) bool {
	if a.v == ofp.OF11 && a.format != ofp.PacketInNX2 {
		// OpenFlow 1.1 has no packet-in govs can encode but packet-in2.
		return false
	}
	return s.receives(a, ofp.AsyncPacketIn, pinReasonBit(pin)) && pin.ControllerID == a.controllerID
}

// packetIn encodes pin for a session with settings a: the whole frame,
// unbuffered, whatever the controller action's max_len or the session's
// miss_send_len say, as OVS 3.1 sends it (it keeps no buffers and reads
// neither). A table-miss flow's packet-in reads no_match from OpenFlow
// 1.3 on; reasons newer than the connection's version read action.
func packetIn(a *asyncState, pin *ofproto.PacketIn) ([]byte, error) {
	reason := pin.Reason
	switch {
	case pin.ExplicitMiss && a.v >= ofp.OF13:
		reason = flowtable.ReasonNoMatch
	case reason >= flowtable.ReasonActionSet && a.v < ofp.OF14:
		// action_set, group and packet_out came with OpenFlow 1.4.
		reason = flowtable.ReasonAction
	}
	data := pin.Packet
	if a.format == ofp.PacketInNX2 {
		return packetIn2(a, pin, reason, data)
	}
	m := &ofp.PacketIn{BufferID: ofp.NoBuffer, TotalLen: uint16(len(pin.Packet)), Reason: uint8(reason),
		Table: pin.Table, Cookie: pin.Cookie, Match: pin.Metadata, Data: data,
		NXM: a.v == ofp.OF10 && a.format == ofp.PacketInNXM}
	return ofp.Encode(a.v, 0, m)
}

// PacketIn sends pin to every connection that wants it, controllers and
// monitoring ovs-ofctl sessions alike. It is the datapath's upcall
// handler: it does not block on slow connections (a full queue drops the
// packet-in, as OVS's does) and does not keep pin.
func (m *Manager) PacketIn(pin *ofproto.PacketIn) {
	for _, s := range m.sessionList() {
		a := s.async.Load()
		if a == nil || !s.wants(a, pin) {
			continue
		}
		b, err := packetIn(a, pin)
		if err != nil {
			m.log.Printf("connmgr", "WARN", "%s: packet-in: %v", m.bridge.Name(), err)
			continue
		}
		s.queueAsync(b)
	}
}

// sessionList is a snapshot of the sessions, so messages can be sent
// without holding m.mu.
func (m *Manager) sessionList() []*session {
	m.mu.Lock()
	defer m.mu.Unlock()
	sessions := make([]*session, 0, len(m.sessions))
	for s := range m.sessions {
		sessions = append(sessions, s)
	}
	return sessions
}

// queueAsync queues an asynchronous message (packet-in, flow removed, port
// status) for the session's writer, dropping it (and counting the drop)
// rather than blocking on a slow peer.
func (s *session) queueAsync(b []byte) {
	select {
	case s.pins <- b:
	default:
		s.pinDrops.Add(1)
	}
}

// writePacketIns sends queued packet-ins until the session ends.
func (s *session) writePacketIns(done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case b := <-s.pins:
			if s.write(b) != nil {
				return
			}
		case <-s.monitorPause:
			if s.monitorsPaused(done) != nil {
				return
			}
		}
	}
}

// updateMissToController tells the bridge whether table misses go to the
// controllers, as OVS's want_packet_in_on_miss: they do while any
// connection speaks OpenFlow 1.0–1.2 (later versions install a table-miss
// flow instead).
func (m *Manager) updateMissToController() {
	m.mu.Lock()
	defer m.mu.Unlock()
	want := false
	for s := range m.sessions {
		if a := s.async.Load(); a != nil && a.v < ofp.OF13 {
			want = true
			break
		}
	}
	if want != m.missToController {
		m.missToController = want
		m.bridge.SetMissToController(want)
	}
}

// packetOut runs a packet-out through the bridge, answering with the
// error OVS would.
func (s *session) packetOut(xid uint32, po *ofp.PacketOut, raw []byte) {
	switch {
	case s.role == ofp.RoleSlave:
		s.sendError(xid, "OFPBRC_IS_SECONDARY", raw)
	case po.BufferID != ofp.NoBuffer:
		s.sendError(xid, "OFPBRC_BUFFER_UNKNOWN", raw)
	default:
		if err := s.mgr.bridge.PacketOut(po.InPort, po.Actions, po.Data); err != nil {
			s.sendError(xid, flowModError(err), raw)
		}
	}
}
