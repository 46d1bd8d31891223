package connmgr

import (
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// NXT_RESUME: a controller continues a pipeline that controller(pause)
// froze, handing back the packet-in2's packet, metadata and continuation.

// wireContinuation is c as the ofp codec lays it out. The two packages'
// frame types have the same fields (the pipeline does not depend on the
// codec), so a frame converts as it is.
func wireContinuation(c *ofproto.Continuation) *ofp.Continuation {
	w := &ofp.Continuation{Bridge: c.Bridge, Stack: c.Stack, ActionSet: c.ActionSet, ODPPort: c.ODPPort}
	for _, f := range c.Frames {
		w.Frames = append(w.Frames, ofp.ContinuationFrame(f))
	}
	return w
}

// frozenContinuation is the pipeline state a decoded continuation holds.
// govs has neither mirrors nor connection tracking yet, so their
// properties have nothing to restore.
func frozenContinuation(w *ofp.Continuation) *ofproto.Continuation {
	c := &ofproto.Continuation{Bridge: w.Bridge, Stack: w.Stack, ActionSet: w.ActionSet, ODPPort: w.ODPPort}
	for _, f := range w.Frames {
		c.Frames = append(c.Frames, ofproto.ContinuationFrame(f))
	}
	return c
}

// resumeMsg handles NXT_RESUME, reporting whether msg was one. As in OVS,
// a malformed continuation gets the property or action error, one that
// names no bridge instance of this switch NXR_STALE; either way the
// session goes on.
func (s *session) resumeMsg(h ofp.Header, msg ofp.Message, raw []byte) bool {
	m, ok := msg.(*ofp.Resume)
	if !ok {
		return false
	}
	w, err := ofp.DecodeContinuation(h.Version, m.Continuation, s.mgr.bridge.TLVMap())
	if err != nil {
		s.sendError(h.Xid, flowModError(err), raw)
		return true
	}
	if err := s.mgr.bridge.Resume(frozenContinuation(w), &m.Match, m.Data); err != nil {
		s.sendError(h.Xid, flowModError(err), raw)
	}
	return true
}
