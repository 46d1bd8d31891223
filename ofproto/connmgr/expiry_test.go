package connmgr

import (
	"io"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// fakeClock is a bridge clock the test moves by hand.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time            { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration)   { c.ns.Add(int64(d)) }
func newFakeClock() *fakeClock                 { c := &fakeClock{}; c.ns.Store(time.Unix(1e9, 0).UnixNano()); return c }
func (c *fakeClock) since(t time.Time) float64 { return c.now().Sub(t).Seconds() }

// newExpiryRig returns a bridge on a fake clock with a controller of
// version v connected to it.
func newExpiryRig(t *testing.T, v ofp.Version) (*ofproto.Bridge, *Manager, *fakeClock, *testController) {
	t.Helper()
	clock := newFakeClock()
	b := ofproto.NewBridge("br0")
	b.Now = clock.now
	b.FlushFlows()
	m, _ := listenBridge(t, b, io.Discard)
	sock := filepath.Join(t.TempDir(), "ctl.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	m.SetControllers([]ControllerConfig{{Target: "unix:" + sock}}, false)
	c := acceptControllerAt(t, ln, v)
	t.Cleanup(func() { c.conn.Close() })
	return b, m, clock, c
}

func onlyRule(t *testing.T, b *ofproto.Bridge, table uint8) *flowtable.Rule {
	t.Helper()
	var rules []*flowtable.Rule
	b.Table(table).ForEach(func(r *flowtable.Rule) bool { rules = append(rules, r); return true })
	if len(rules) != 1 {
		t.Fatalf("table %d has %d flows", table, len(rules))
	}
	return rules[0]
}

// TestFlowRemoved: flows with send_flow_rem that time out or are deleted
// reach the controller as the flow removed message of its version and
// flow format, with the reason and the flow's statistics.
func TestFlowRemoved(t *testing.T) {
	tests := []struct {
		name    string
		v       ofp.Version
		nxm     bool
		flow    string
		advance time.Duration // from the last hit
		reason  ofp.FlowRemovedReason
	}{
		{"of10-idle", ofp.OF10, false, "table=0,priority=5,ip,nw_dst=10.0.0.1,idle_timeout=1,send_flow_rem,actions=drop", 1100 * time.Millisecond, ofp.RemovedIdleTimeout},
		{"nxm-hard", ofp.OF10, true, "table=0,priority=5,ip,nw_dst=10.0.0.1,hard_timeout=2,send_flow_rem,actions=drop", 1600 * time.Millisecond, ofp.RemovedHardTimeout},
		{"of13-idle", ofp.OF13, false, "table=3,priority=5,tcp,tp_dst=80,idle_timeout=1,hard_timeout=10,send_flow_rem,actions=drop", 1100 * time.Millisecond, ofp.RemovedIdleTimeout},
		{"of13-hard", ofp.OF13, false, "table=3,priority=5,tcp,tp_dst=80,idle_timeout=5,hard_timeout=2,send_flow_rem,actions=drop", 1600 * time.Millisecond, ofp.RemovedHardTimeout},
		{"of13-delete", ofp.OF13, false, "table=3,priority=5,tcp,tp_dst=80,send_flow_rem,actions=drop", 0, ofp.RemovedDelete},
		{"of10-delete", ofp.OF10, false, "table=0,priority=5,ip,nw_dst=10.0.0.1,send_flow_rem,actions=drop", 0, ofp.RemovedDelete},
		{"of15-hard", ofp.OF15, false, "table=1,priority=5,ip,hard_timeout=1,send_flow_rem,actions=drop", 600 * time.Millisecond, ofp.RemovedHardTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, m, clock, c := newExpiryRig(t, tc.v)
			if tc.nxm {
				c.send(&ofp.SetFlowFormat{Format: ofp.FlowFormatNXM})
			}
			f, err := flowtable.ParseFlow(tc.flow, flowtable.FlowAdd, nil, flowtable.OpenFlow10)
			if err != nil {
				t.Fatal(err)
			}
			if tc.v == ofp.OF10 && f.Table != 0 {
				c.send(&ofp.FlowModTableID{Enable: true})
			}
			c.send(&ofp.FlowMod{Command: flowtable.FlowAdd, Flow: *f, NXM: tc.nxm})
			if msgs := c.barrier(); len(msgs) != 0 {
				t.Fatalf("flow_mod answered with %v", msgs)
			}
			r := onlyRule(t, b, f.Table)
			// A flow without send_flow_rem expires silently alongside.
			quiet, _ := flowtable.ParseFlow("priority=1,arp,idle_timeout=1,actions=drop", flowtable.FlowAdd, nil, flowtable.OpenFlow10)
			c.send(&ofp.FlowMod{Command: flowtable.FlowAdd, Flow: *quiet})
			c.barrier()
			created := r.Created
			// Two packets, the last 0.5 s after installation.
			clock.advance(200 * time.Millisecond)
			r.Hit(60, clock.now())
			clock.advance(300 * time.Millisecond)
			r.Hit(40, clock.now())

			if tc.reason == ofp.RemovedDelete {
				del := *f
				del.Actions = nil
				c.send(&ofp.FlowMod{Command: flowtable.FlowDeleteStrict, Flow: del, NXM: tc.nxm})
			} else {
				// Just before the timeout nothing happens.
				clock.advance(tc.advance - 200*time.Millisecond)
				m.expire()
				if !present(b, r) {
					t.Fatal("the flow expired early")
				}
				clock.advance(200 * time.Millisecond)
				m.expire()
			}
			// Expiry queues the message with packet-ins; a delete's
			// comes before the barrier reply.
			var msgs []ofp.Message
			if tc.reason != ofp.RemovedDelete {
				msgs = append(msgs, c.recv())
			}
			msgs = append(msgs, c.barrier()...)
			if len(msgs) != 1 {
				t.Fatalf("got %d messages before the barrier reply, want one flow removed: %v", len(msgs), msgs)
			}
			fr, ok := msgs[0].(*ofp.FlowRemoved)
			if !ok {
				t.Fatalf("got %T, want a flow removed", msgs[0])
			}
			if present(b, r) {
				t.Error("the flow is still there")
			}
			if fr.Reason != tc.reason || fr.Priority != 5 || fr.Packets != 2 || fr.Bytes != 100 || fr.NXM != tc.nxm {
				t.Errorf("flow removed %+v", fr)
			}
			if fr.IdleTimeout != f.IdleTimeout {
				t.Errorf("idle timeout %d, want %d", fr.IdleTimeout, f.IdleTimeout)
			}
			if got, want := fr.Duration.Seconds(), clock.since(created); got != want {
				t.Errorf("duration %v s, want %v s", got, want)
			}
			if tc.v >= ofp.OF12 && (fr.Table != f.Table || fr.HardTimeout != f.HardTimeout) {
				t.Errorf("table %d hard %d, want %d %d", fr.Table, fr.HardTimeout, f.Table, f.HardTimeout)
			}
			if got, want := fr.Match.Format(nil), f.Match.Format(nil); got != want {
				t.Errorf("match %s, want %s", got, want)
			}
		})
	}
}

// TestExpiryLoop: the manager expires flows by itself, about once a
// second, by the bridge's real clock.
func TestExpiryLoop(t *testing.T) {
	b, _ := newControlledBridge(t)
	f, err := flowtable.ParseFlow("priority=5,ip,hard_timeout=1,actions=drop", flowtable.FlowAdd, nil, flowtable.OpenFlow10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.FlowMod(f, flowtable.FlowAdd); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	// The default NORMAL flow stays.
	waitUntil(t, "the flow to expire", func() bool { return b.Table(0).Len() == 1 })
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("a 1 s hard timeout expired after %v", d)
	}
}

func present(b *ofproto.Bridge, r *flowtable.Rule) bool {
	found := false
	b.Table(r.Flow().Table).ForEach(func(x *flowtable.Rule) bool { found = x == r; return !found })
	return found
}
