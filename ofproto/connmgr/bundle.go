package connmgr

import (
	"errors"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// maxBundleMsgs bounds the messages one bundle holds (OFPBFC_MSG_TOO_MANY
// beyond).
const maxBundleMsgs = 1 << 16

// bundle is an open (or closed, not yet committed) bundle of a session.
type bundle struct {
	flags  ofp.BundleFlags
	closed bool
	msgs   []bundled
}

// bundled is one message of a bundle, decoded when it was added.
type bundled struct {
	raw []byte // the inner message, for the error that names it
	xid uint32
	msg ofp.Message
}

// bundleFailure carries the OpenFlow error of a bundled message that
// failed at commit.
type bundleFailure struct{ code ofp.ErrorCode }

func (e *bundleFailure) Error() string { return string(e.code) }

// bundleControl answers OFPT_BUNDLE_CONTROL as OVS does: a reply of the
// request's type plus one, or an OFPBFC_* error.
func (s *session) bundleControl(h ofp.Header, m *ofp.BundleControl, raw []byte) error {
	if s.bundles == nil {
		s.bundles = map[uint32]*bundle{}
	}
	bd, exists := s.bundles[m.BundleID]
	var code ofp.ErrorCode
	switch m.Type {
	case ofp.BundleOpenRequest:
		if exists {
			delete(s.bundles, m.BundleID)
			code = ofp.BundleBadID
			break
		}
		s.bundles[m.BundleID] = &bundle{flags: m.Flags}
	case ofp.BundleCloseRequest:
		switch {
		case !exists:
			code = ofp.BundleBadID
		case bd.closed:
			delete(s.bundles, m.BundleID)
			code = ofp.BundleClosed
		case bd.flags != m.Flags:
			delete(s.bundles, m.BundleID)
			code = ofp.BundleBadFlags
		default:
			bd.closed = true
		}
	case ofp.BundleCommitRequest:
		switch {
		case !exists:
			code = ofp.BundleBadID
		case bd.flags != m.Flags:
			code = ofp.BundleBadFlags
		default:
			code = s.commitBundle(bd)
		}
		delete(s.bundles, m.BundleID)
	case ofp.BundleDiscardRequest:
		if !exists {
			code = ofp.BundleBadID
		}
		delete(s.bundles, m.BundleID)
	default:
		code = ofp.BundleBadType
	}
	if code != "" {
		s.sendError(h.Xid, code, raw)
		return nil
	}
	return s.send(h.Xid, &ofp.BundleControl{BundleID: m.BundleID, Type: m.Type + 1, Flags: m.Flags})
}

// bundleAdd answers OFPT_BUNDLE_ADD_MESSAGE: the inner message is decoded
// (with the bridge's TLV map, as a message sent alone would be)
// and checked now (its errors answer the add) and applied at commit. An
// add to a bundle that does not exist opens it.
func (s *session) bundleAdd(h ofp.Header, m *ofp.BundleAdd, raw []byte) error {
	ih, inner, err := ofp.DecodeTLV(m.Msg, s.mgr.bridge.TLVMap())
	if err != nil {
		s.sendError(h.Xid, ofp.NewErrorMsg(err, raw).Code, raw)
		return nil
	}
	if ih.Version != s.v {
		s.sendError(h.Xid, ofp.BadRequestBadVersion, raw)
		return nil
	}
	if !ofp.IsBundleable(inner) {
		s.sendError(h.Xid, ofp.BundleMsgUnsup, raw)
		return nil
	}
	if fm, ok := inner.(*ofp.FlowMod); ok {
		asFlowModCommand(fm, s.v)
		if s.v == ofp.OF10 && !s.flowModTableID && fm.Flow.Table != 0 && fm.Flow.Table != flowtable.TableAll {
			s.sendError(h.Xid, ofp.FlowModBadCommand, raw)
			return nil
		}
	}
	if s.bundles == nil {
		s.bundles = map[uint32]*bundle{}
	}
	bd, exists := s.bundles[m.BundleID]
	var code ofp.ErrorCode
	switch {
	case !exists:
		bd = &bundle{flags: m.Flags}
		s.bundles[m.BundleID] = bd
	case bd.closed:
		delete(s.bundles, m.BundleID)
		code = ofp.BundleClosed
	case bd.flags != m.Flags:
		delete(s.bundles, m.BundleID)
		code = ofp.BundleBadFlags
	case len(bd.msgs) >= maxBundleMsgs:
		code = ofp.BundleMsgTooMany
	}
	if code != "" {
		s.sendError(h.Xid, code, raw)
		return nil
	}
	bd.msgs = append(bd.msgs, bundled{raw: m.Msg, xid: ih.Xid, msg: inner})
	return nil
}

// commitBundle applies a bundle's messages all or nothing. When one fails,
// its error goes out naming it (with its xid) and the commit fails with
// OFPBFC_MSG_FAILED, as in OVS.
func (s *session) commitBundle(bd *bundle) ofp.ErrorCode {
	b := s.mgr.bridge
	var held []heldChanges
	i, err := b.Atomically(len(bd.msgs), func(i int) error {
		switch m := bd.msgs[i].msg.(type) {
		case *ofp.FlowMod:
			f := m.Flow // a failed commit may be retried: keep the original
			if _, err := b.FlowModBy(&f, m.Command, flowModOrigin{s, bd.msgs[i].xid, &held}); err != nil {
				return &bundleFailure{code: flowModError(err)}
			}
		case *ofp.GroupMod:
			if code, failed := s.groupMod(m); failed {
				return &bundleFailure{code: code}
			}
		}
		return nil
	})
	if err == nil {
		s.mgr.reportHeld(held)
		return ""
	}
	code := ofp.BadRequestEPerm
	var bf *bundleFailure
	if errors.As(err, &bf) {
		code = bf.code
	}
	s.sendError(bd.msgs[i].xid, code, bd.msgs[i].raw)
	return ofp.BundleMsgFailed
}
