package connmgr

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// session is one OpenFlow connection: a management client (ovs-ofctl) or
// a controller.
type session struct {
	mgr        *Manager
	conn       net.Conn
	v          ofp.Version
	controller bool
	probe      time.Duration // controllers: inactivity probe interval
	lastRx     atomic.Int64  // UnixNano of the last message received

	writeMu sync.Mutex // the prober writes echo requests concurrently

	// Nicira extensions the peer turned on.
	flowModTableID bool
	flowFormat     ofp.FlowFormat
	pinFormat      ofp.PacketInFormat
	config         ofp.SwitchConfig
	invalidTTL     bool // asked for invalid-TTL packet-ins
	role           ofp.Role
	asyncCfg       *ofp.AsyncConfig // nil: the version's default (async.go)
	controllerID   uint16           // NXT_SET_CONTROLLER_ID

	// Packet-ins (packetio.go): settings published for the senders, and
	// a queue a goroutine drains to the connection.
	async    atomic.Pointer[asyncState]
	pins     chan []byte
	pinDrops atomic.Uint64

	bundles map[uint32]*bundle // open bundles by id (bundle.go)

	monitors     monitorSet    // flow monitors (flowmonitor.go)
	monitorPause chan struct{} // the monitors paused: the writer resumes them
}

func (s *session) send(xid uint32, m ofp.Message) error {
	b, err := ofp.EncodeTLV(s.v, xid, m, s.mgr.bridge.TLVMap())
	if err != nil {
		return err
	}
	return s.write(b)
}

func (s *session) write(b []byte) error {
	if s.controller {
		s.mgr.snooped(b)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, err := s.conn.Write(b)
	return err
}

// probeLoop sends an echo request when the peer has been silent for one
// probe interval and disconnects after two, as OVS's rconn does.
func (s *session) probeLoop(done <-chan struct{}) {
	t := time.NewTicker(s.probe / 2)
	defer t.Stop()
	probed := false
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			idle := now.Sub(time.Unix(0, s.lastRx.Load()))
			switch {
			case idle < s.probe:
				probed = false
			case idle >= 2*s.probe:
				s.mgr.log.Printf("rconn", "ERR", "%s: no response to inactivity probe after %d seconds, disconnecting",
					s.mgr.bridge.Name(), int(s.probe/time.Second))
				s.conn.Close()
				return
			case !probed:
				probed = true
				if s.send(0, &ofp.EchoRequest{}) != nil {
					return
				}
			}
		}
	}
}

// maxErrorData is how much of the offending message fits in an error
// (65535 bytes less the longest, experimenter, error header).
const maxErrorData = 0xffff - 16

// sendError answers raw (the offending message) with err's OpenFlow error.
// Like OVS 3.1's switch (whatever the 64 bytes OpenFlow asks for), it
// returns the whole message.
func (s *session) sendError(xid uint32, code ofp.ErrorCode, raw []byte) {
	if err := s.send(xid, &ofp.ErrorMsg{Code: code, Data: raw[:min(len(raw), maxErrorData)]}); err != nil {
		s.mgr.log.Printf("rconn", "WARN", "%s<->mgmt: could not send error %s: %v", s.mgr.bridge.Name(), code, err)
	}
}

func (s *session) serve() {
	defer s.conn.Close()
	s.role = ofp.RoleEqual
	if s.controller {
		s.config.MissSendLen = defaultMissSendLen
	}
	s.lastRx.Store(time.Now().UnixNano())
	done := make(chan struct{})
	defer close(done)
	if s.controller {
		go s.probeLoop(done)
	}
	r := ofp.NewReader(s.conn)
	// Both sides send HELLO at once; the highest common version wins.
	s.v = ofp.OF15
	if err := s.send(0, &ofp.Hello{Versions: SupportedVersions}); err != nil {
		return
	}
	raw, err := r.Next()
	if err != nil {
		return
	}
	h, msg, err := ofp.Decode(raw)
	hello, ok := msg.(*ofp.Hello)
	if err != nil || !ok {
		s.sendError(h.Xid, ofp.HelloIncompatible, raw)
		return
	}
	if s.v, err = ofp.Negotiate(SupportedVersions, hello.Versions); err != nil {
		s.v = min(h.Version, ofp.OF15)
		s.sendError(h.Xid, ofp.HelloIncompatible, raw)
		return
	}
	// From here the session takes packet-ins.
	s.pins = make(chan []byte, pinQueueLen)
	s.monitorPause = make(chan struct{}, 1)
	go s.writePacketIns(done)
	s.publishAsync()
	s.mgr.updateMissToController()
	defer s.mgr.updateMissToController()
	defer s.async.Store(nil)
	for {
		raw, err := r.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				s.mgr.log.Printf("rconn", "WARN", "%s<->mgmt: %v", s.mgr.bridge.Name(), err)
			}
			return
		}
		s.lastRx.Store(time.Now().UnixNano())
		if s.controller {
			s.mgr.snooped(raw)
		}
		h, msg, err := ofp.DecodeTLV(raw, s.mgr.bridge.TLVMap())
		if err != nil {
			s.sendError(h.Xid, ofp.NewErrorMsg(err, raw).Code, raw)
			continue
		}
		if h.Version != s.v {
			s.sendError(h.Xid, ofp.BadRequestBadVersion, raw)
			continue
		}
		if err := s.handle(h, msg, raw); err != nil {
			return
		}
	}
}

// handle answers one decoded request; an error ends the session (only
// failures to write do).
func (s *session) handle(h ofp.Header, msg ofp.Message, raw []byte) error {
	b := s.mgr.bridge
	switch m := msg.(type) {
	case *ofp.EchoRequest:
		return s.send(h.Xid, &ofp.EchoReply{Data: m.Data})
	case *ofp.EchoReply, *ofp.Hello:
		return nil
	case *ofp.FeaturesRequest:
		return s.send(h.Xid, s.features())
	case *ofp.GetConfigRequest:
		reply := ofp.GetConfigReply(s.config)
		return s.send(h.Xid, &reply)
	case *ofp.SetConfig:
		s.config = ofp.SwitchConfig(*m)
		if s.v <= ofp.OF12 {
			// Later versions ask for these with set_async instead.
			s.setInvalidTTL(m.Flags&configInvalidTTLToController != 0)
		}
		s.publishAsync()
		return nil
	case *ofp.BarrierRequest:
		// Requests are handled in order, so everything before the
		// barrier is done.
		return s.send(h.Xid, &ofp.BarrierReply{})
	case *ofp.SetFlowFormat:
		s.flowFormat = m.Format
		s.publishAsync()
		return nil
	case *ofp.FlowModTableID:
		s.flowModTableID = m.Enable
		return nil
	case *ofp.SetPacketInFormat:
		if m.Format > ofp.PacketInNX2 {
			// OVS refuses a format it does not know.
			s.sendError(h.Xid, ofp.BadRequestEPerm, raw)
			return nil
		}
		s.pinFormat = m.Format
		s.publishAsync()
		return nil
	case *ofp.PacketOut:
		s.packetOut(h.Xid, m, raw)
		return nil
	case *ofp.RoleRequest:
		if m.Role != ofp.RoleNoChange {
			s.role = m.Role
			s.publishAsync()
		}
		return s.send(h.Xid, &ofp.RoleReply{Role: s.role, GenerationID: m.GenerationID})
	case *ofp.FlowMod:
		asFlowModCommand(m, s.v)
		if s.v == ofp.OF10 && !s.flowModTableID && m.Flow.Table != 0 && m.Flow.Table != flowtable.TableAll {
			// Without NXT_FLOW_MOD_TABLE_ID the command's high byte is
			// not a table.
			s.sendError(h.Xid, ofp.FlowModBadCommand, raw)
			return nil
		}
		if s.modifyAddsNothing(m) {
			return nil
		}
		res, err := b.FlowModBy(&m.Flow, m.Command, flowModOrigin{s: s, xid: h.Xid})
		if err != nil {
			s.sendError(h.Xid, flowModError(err), raw)
		}
		s.mgr.flowsDeleted(res.Deleted, s)
		return nil
	case *ofp.BundleControl:
		return s.bundleControl(h, m, raw)
	case *ofp.BundleAdd:
		return s.bundleAdd(h, m, raw)
	case *ofp.GroupMod:
		if code, failed := s.groupMod(m); failed {
			s.sendError(h.Xid, code, raw)
		}
		return nil
	case *ofp.PortMod:
		if code, failed := s.portMod(m); failed {
			s.sendError(h.Xid, code, raw)
		}
		return nil
	}
	if handled, err := s.monitorMsg(h, msg, raw); handled {
		return err
	}
	if handled, err := s.queueStats(h, msg, raw); handled {
		return err
	}
	if handled, err := s.asyncMsg(h, msg, raw); handled {
		return err
	}
	if s.handleMeter(h, msg, raw) || s.handleTable(h, msg, raw) {
		return nil
	}
	if handled, err := s.tlvMsg(h, msg, raw); handled {
		return err
	}
	if s.resumeMsg(h, msg, raw) {
		return nil
	}
	reply, ok := s.stats(h, msg)
	if !ok {
		reply, ok = s.groupStats(msg)
	}
	if ok {
		if err := s.sendReplies(h.Xid, reply); err != nil {
			s.mgr.log.Printf("rconn", "WARN", "%s<->mgmt: reply: %v", b.Name(), err)
			s.sendError(h.Xid, ofp.BadRequestBadStat, raw)
		}
		return nil
	}
	s.sendError(h.Xid, ofp.BadRequestBadType, raw)
	return nil
}

// asFlowModCommand moves a modify or delete's wire cookie where flowtable
// expects it, as OVS reads it in each version: OpenFlow 1.0 (and NXM)
// carries a new cookie, which a modify sets unless it is all ones
// (ovs-ofctl's "no cookie given"), and only NXM can add a cookie filter
// (NXM_NX_COOKIE in the match, decoded into CookieMatch/CookieMask); from
// 1.1 on the cookie and its mask select flows and a modify leaves their
// cookies alone.
func asFlowModCommand(m *ofp.FlowMod, v ofp.Version) {
	f := &m.Flow
	if m.Command == flowtable.FlowAdd {
		return
	}
	modify := m.Command == flowtable.FlowModify || m.Command == flowtable.FlowModifyStrict
	if v == ofp.OF10 {
		f.SetCookie = modify && f.Cookie != ^uint64(0)
		return
	}
	f.CookieMatch = f.Cookie & f.CookieMask
}

// modifyAddsNothing reports whether a modify must change only existing
// flows although flowtable would add one when none matches: OVS adds in
// OpenFlow 1.0 and 1.1 only, so from 1.2 on a modify that matches nothing
// does nothing.
func (s *session) modifyAddsNothing(m *ofp.FlowMod) bool {
	if s.v < ofp.OF12 || m.Command != flowtable.FlowModify && m.Command != flowtable.FlowModifyStrict || m.Flow.CookieMask != 0 {
		return false
	}
	strict := m.Command == flowtable.FlowModifyStrict
	for id := 0; id < numTables; id++ {
		if m.Flow.Table != flowtable.TableAll && int(m.Flow.Table) != id {
			continue
		}
		if len(s.mgr.bridge.Table(uint8(id)).Select(&m.Flow, strict)) > 0 {
			return false
		}
	}
	return true
}

// features describes the bridge as OVS does: 254 tables, no buffers.
func (s *session) features() *ofp.FeaturesReply {
	b := s.mgr.bridge
	reply := &ofp.FeaturesReply{
		DatapathID:   DatapathID(b.Name()),
		NTables:      254,
		Capabilities: capabilities(s.v),
		Actions:      0xfff,
	}
	reply.Ports = s.portDescs()
	return reply
}

// capabilities is the features reply's capability bits in v, as OVS
// reports them: flow, table, port and queue statistics everywhere; group
// statistics where the bit exists (1.1+; 1.0's bit 3 means STP); ARP
// matching on IP fields where the bit exists (1.0, 1.1); bundles (1.4+).
func capabilities(v ofp.Version) uint32 {
	const (
		flowStats  = 1 << 0
		tableStats = 1 << 1
		portStats  = 1 << 2
		groupStats = 1 << 3
		queueStats = 1 << 6
		arpMatchIP = 1 << 7
		bundles    = 1 << 9
	)
	c := uint32(flowStats | tableStats | portStats | queueStats)
	if v <= ofp.OF11 {
		c |= arpMatchIP
	}
	if v >= ofp.OF11 {
		c |= groupStats
	}
	if v >= ofp.OF14 {
		c |= bundles
	}
	return c
}

// DatapathID derives a stable 48-bit datapath ID from the bridge name, as
// OVS derives one from a MAC when other_config:datapath-id is unset.
func DatapathID(name string) uint64 {
	var h uint64 = 14695981039346656037
	for _, c := range []byte(name) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h & 0x0000_ffff_ffff_ffff
}
