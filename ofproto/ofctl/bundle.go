package ofctl

import (
	"fmt"
	"io"
	"strings"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// bundleVersions is the HELLO bitmap with --bundle: OpenFlow 1.4 unless
// -O allows OpenFlow 1.3 or later, as ovs-ofctl does.
func (c *ctl) bundleVersions() uint32 {
	if c.versions == 0 {
		return 1 << ofp.OF14
	}
	return c.versions &^ (1<<ofp.OF13 - 1)
}

// bundleFlowMods sends flows as one atomic, ordered bundle the way
// ovs-ofctl --bundle does: the flow_mods' xids come first, then
// OPEN_REQUEST, one ADD_MESSAGE per flow_mod, a barrier and
// COMMIT_REQUEST. Each error is printed as "Error NAME for: REQUEST".
func (c *ctl) bundleFlowMods(cn *conn, target string, cmd flowtable.FlowCommand, flows []*flowtable.Flow) error {
	if cn.v < ofp.OF13 {
		return fatalf("%s: bundles need OpenFlow 1.3 or later", target)
	}
	const flags = ofp.BundleAtomic | ofp.BundleOrdered
	var adds []*ofp.BundleAdd
	requests := map[uint32]received{}
	for _, f := range flows {
		if f.CookieMask != 0 {
			f.Cookie = f.CookieMatch
		}
		xid := c.nextXid()
		add, err := ofp.NewBundleAdd(cn.v, xid, 0, flags, &ofp.FlowMod{Command: cmd, Flow: *f, BufferID: ofp.NoBuffer})
		if err != nil {
			return err
		}
		h, msg, _ := ofp.Decode(add.Msg)
		requests[xid] = received{raw: add.Msg, h: h, msg: msg}
		adds = append(adds, add)
	}
	var errs []received
	control := func(t ofp.BundleCtrlType) (bool, error) {
		xid := c.nextXid()
		m := &ofp.BundleControl{Type: t, Flags: flags}
		b, err := ofp.Encode(cn.v, xid, m)
		if err != nil {
			return false, err
		}
		requests[xid] = received{raw: b, h: ofp.Header{Version: cn.v, Xid: xid}, msg: m}
		if err := cn.sendRaw(b); err != nil {
			return false, err
		}
		for {
			r, err := cn.recv()
			if err != nil {
				return false, err
			}
			if _, ok := r.msg.(*ofp.ErrorMsg); ok {
				errs = append(errs, r)
			}
			if r.h.Xid == xid {
				_, ok := r.msg.(*ofp.BundleControl)
				return ok, nil
			}
		}
	}
	ok, err := control(ofp.BundleOpenRequest)
	if err != nil {
		return err
	}
	if ok {
		for _, add := range adds {
			xid := uint32(0)
			if h, err := ofp.ParseHeader(add.Msg); err == nil {
				xid = h.Xid
			}
			if err := cn.send(xid, add); err != nil {
				return err
			}
		}
		more, err := cn.barrier()
		if err != nil {
			return err
		}
		errs = append(errs, more...)
		if _, err := control(ofp.BundleCommitRequest); err != nil {
			return err
		}
	}
	if len(errs) == 0 {
		return nil
	}
	for _, e := range errs {
		m := e.msg.(*ofp.ErrorMsg)
		req, known := requests[e.h.Xid]
		if !known {
			io.WriteString(c.errOut, c.formatMessage(e))
			continue
		}
		fmt.Fprintf(c.errOut, "Error %s for: %s", m.Code, c.formatBundleRequest(req))
	}
	return fatalf("talking to %s (Protocol error)", cn.target)
}

// formatBundleRequest prints a request of a bundle transaction as
// ofp-print does.
func (c *ctl) formatBundleRequest(r received) string {
	if fm, ok := r.msg.(*ofp.FlowMod); ok {
		var b strings.Builder
		b.WriteString(header(r.raw, r.h))
		c.formatFlowMod(&b, fm, r.h.Version)
		return b.String()
	}
	bc, ok := r.msg.(*ofp.BundleControl)
	if !ok {
		return c.formatMessage(r)
	}
	name := "OFPT_BUNDLE_CONTROL"
	if r.h.Version == ofp.OF13 {
		name = "ONFT_BUNDLE_CONTROL"
	}
	types := []string{"OPEN_REQUEST", "OPEN_REPLY", "CLOSE_REQUEST", "CLOSE_REPLY", "COMMIT_REQUEST", "COMMIT_REPLY", "DISCARD_REQUEST", "DISCARD_REPLY"}
	t := fmt.Sprintf("%d", bc.Type)
	if int(bc.Type) < len(types) {
		t = types[bc.Type]
	}
	var fl []string
	if bc.Flags&ofp.BundleAtomic != 0 {
		fl = append(fl, "atomic")
	}
	if bc.Flags&ofp.BundleOrdered != 0 {
		fl = append(fl, "ordered")
	}
	return fmt.Sprintf("%s (OF1.%d) (xid=%#x):\n bundle_id=%d type=%s flags=%s\n", name, r.h.Version-1, r.h.Xid, bc.BundleID, t, strings.Join(fl, " "))
}
