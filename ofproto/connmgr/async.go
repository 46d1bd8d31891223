package connmgr

import (
	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// Per-connection asynchronous message configuration, as OVS's connmgr keeps
// it: a controller id (NXT_SET_CONTROLLER_ID) and, for the primary and
// secondary roles, which packet-in, port status and flow removed reasons
// the connection gets (set async; the version's default until set).

// asyncConfig is the session's configuration.
func (s *session) asyncConfig() ofp.AsyncConfig {
	if s.asyncCfg != nil {
		return *s.asyncCfg
	}
	return ofp.DefaultAsyncConfig(s.v)
}

func (s *session) setAsyncConfig(c ofp.AsyncConfig) {
	s.asyncCfg = &c
	s.publishAsync()
}

// setInvalidTTL is OpenFlow 1.0–1.2's OFPC_INVALID_TTL_TO_CONTROLLER: it
// turns the primary role's invalid_ttl packet-in reason on or off, except
// on a secondary controller, as OVS's handle_set_config does.
func (s *session) setInvalidTTL(on bool) {
	s.invalidTTL = on
	if s.controller && s.role == ofp.RoleSlave {
		return
	}
	c := s.asyncConfig()
	const bit = 1 << flowtable.ReasonInvalidTTL
	if on {
		c.Primary[ofp.AsyncPacketIn] |= bit
	} else {
		c.Primary[ofp.AsyncPacketIn] &^= bit
	}
	s.setAsyncConfig(c)
}

// receives reports whether a session with settings a gets a message of
// kind for reason, as OVS's ofconn_receives_async_msg: a service
// connection (ovs-ofctl) nothing until it set a miss_send_len, any other
// what its role's mask holds.
func (s *session) receives(a *asyncState, kind ofp.AsyncType, reason uint) bool {
	if !s.controller && a.missSendLen == 0 {
		return false
	}
	if reason >= 32 {
		return false
	}
	masks := &a.cfg.Primary
	if a.role == ofp.RoleSlave {
		masks = &a.cfg.Secondary
	}
	return masks[kind]&(1<<reason) != 0
}

// pinReasonBit is the bit of OVS's packet-in reason that masks pin: a
// table-miss flow's packet-in is an explicit miss, a miss without one an
// implicit miss; a controller action's no_match is no miss.
func pinReasonBit(pin *ofproto.PacketIn) uint {
	switch {
	case pin.ExplicitMiss:
		return ofp.PinReasonExplicitMiss
	case pin.ImplicitMiss:
		return ofp.PinReasonImplicitMiss
	}
	return uint(pin.Reason)
}

// asyncMsg handles the messages of this file.
func (s *session) asyncMsg(h ofp.Header, msg ofp.Message, raw []byte) (bool, error) {
	switch m := msg.(type) {
	case *ofp.SetControllerID:
		s.controllerID = m.ID
		s.publishAsync()
		return true, nil
	case *ofp.SetAsync:
		c, err := m.Apply(s.v, s.asyncConfig())
		if err != nil {
			s.sendError(h.Xid, ofp.NewErrorMsg(err, raw).Code, raw)
			return true, nil
		}
		if !s.controller && s.config.MissSendLen == 0 {
			// A service connection that configures asynchronous
			// messages wants them (OVS's handle_nxt_set_async_config).
			s.config.MissSendLen = defaultMissSendLen
		}
		s.setAsyncConfig(c)
		return true, nil
	case *ofp.GetAsyncRequest:
		return true, s.send(h.Xid, &ofp.GetAsyncReply{Config: s.asyncConfig()})
	}
	return false, nil
}
