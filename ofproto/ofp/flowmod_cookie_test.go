package ofp

import (
	"testing"

	"github.com/govs/govs/flowtable"
)

// TestNXFlowModCookieFilter checks that an NXT_FLOW_MOD carries a modify
// or delete's cookie filter as NXM_NX_COOKIE(_W) in its match, as
// ovs-ofctl sends it in OpenFlow 1.0, that it decodes back into the
// filter, and that real ovs-ofctl reads it the same way.
func TestNXFlowModCookieFilter(t *testing.T) {
	for _, tc := range []struct {
		cmd   flowtable.FlowCommand
		flow  string
		print string
	}{
		{flowtable.FlowModify, "cookie=0x10/0xf0,cookie=0x99,actions=output:4", "NXT_FLOW_MOD (xid=0x1): MOD cookie:0x99 cookie:0x10/0xf0 actions=output:4"},
		{flowtable.FlowDelete, "cookie=0x99/-1", "NXT_FLOW_MOD (xid=0x1): DEL cookie:0x99/0xffffffffffffffff actions=drop"},
		{flowtable.FlowDeleteStrict, "cookie=0x5/-1,tcp,tp_dst=80", "NXT_FLOW_MOD (xid=0x1): DEL_STRICT tcp,tp_dst=80 cookie:0x5/0xffffffffffffffff actions=drop"},
	} {
		f, err := flowtable.ParseFlow(tc.flow, tc.cmd, nil, flowtable.OpenFlow10)
		if err != nil {
			t.Fatal(err)
		}
		if !f.SetCookie {
			f.Cookie = ^uint64(0)
		}
		b, err := Encode(OF10, 1, &FlowMod{Command: tc.cmd, Flow: *f, BufferID: NoBuffer, NXM: true})
		if err != nil {
			t.Fatal(err)
		}
		_, msg, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: decode: %v", tc.flow, err)
		}
		got := msg.(*FlowMod).Flow
		if got.CookieMatch != f.CookieMatch || got.CookieMask != f.CookieMask || got.Match.Format(nil) != f.Match.Format(nil) {
			t.Errorf("%s: decoded cookie filter %#x/%#x match %s", tc.flow, got.CookieMatch, got.CookieMask, got.Match.Format(nil))
		}
		if lines := ofpPrint(t, b); len(lines) != 1 || lines[0] != tc.print {
			t.Errorf("%s: ovs-ofctl ofp-print:\n%q\nwant\n%q", tc.flow, lines, tc.print)
		}
	}
}
