package connmgr

import (
	"net"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/ofproto/ofp"
)

// monitorSession is the flow session of the monitor tests, and what real
// `ovs-ofctl monitor br0 watch:` printed for it against Open vSwitch 3.1
// (datapath_type=netdev), per protocol.
var monitorSession = []string{
	"table=1,cookie=0x5,idle_timeout=30,hard_timeout=40,priority=7,tcp,tp_dst=80,actions=output:2",
	"mod-flows table=1,tcp,actions=output:1",
	"del-flows --strict table=1,priority=7,tcp,tp_dst=80",
	"priority=9,ip,actions=NORMAL",
}

const monitorWant = `NAME (xid=0x6):
 event=FIRST table=0 cookie=0 in_port=1
NAME (xid=0x0):
 event=ADDED table=1 idle_timeout=30 hard_timeout=40 cookie=0x5 tcp,tp_dst=80 actions=output:2
NAME (xid=0x0):
 event=MODIFIED table=1 idle_timeout=30 hard_timeout=40 cookie=0 tcp,tp_dst=80 actions=output:1
NAME (xid=0x0):
 event=DELETED reason=delete table=1 idle_timeout=30 hard_timeout=40 cookie=0 tcp,tp_dst=80 actions=output:1
NAME (xid=0x0):
 event=ADDED table=0 cookie=0 ip actions=NORMAL
`

// TestFlowMonitorWithRealOfctl runs real `ovs-ofctl monitor SWITCH watch:` in
// every dialect against govs while real ovs-ofctl changes the flows: it
// must print what it prints against Open vSwitch.
func TestFlowMonitorWithRealOfctl(t *testing.T) {
	path := testutil.RequireCommand(t, "ovs-ofctl")
	for _, c := range []struct{ proto, name, first string }{
		{"OpenFlow10", "NXST_FLOW_MONITOR reply", "ADDED"},
		{"OpenFlow13", "ONFST_FLOW_MONITOR reply (OF1.3)", "ADDED"},
		{"OpenFlow14", "OFPST_FLOW_MONITOR reply (OF1.4)", "INITIAL"},
		{"OpenFlow15", "OFPST_FLOW_MONITOR reply (OF1.5)", "INITIAL"},
	} {
		t.Run(c.proto, func(t *testing.T) {
			_, target := newManagedBridge(t)
			if out, st := ofctl(t, "del-flows", target); st != 0 {
				t.Fatal(out)
			}
			if out, st := ofctl(t, "add-flow", target, "priority=5,in_port=1,actions=drop"); st != 0 {
				t.Fatal(out)
			}
			var out testutil.SyncBuffer
			mon := exec.Command(path, "-O", c.proto, "monitor", target, "watch:")
			// It prints the initial reply to stdout and the updates to
			// stderr, as against Open vSwitch.
			mon.Stdout, mon.Stderr = &out, &out
			// ovs-ofctl monitor opens a control socket in its run directory.
			mon.Env = append(mon.Environ(), "OVS_RUNDIR="+t.TempDir())
			if err := mon.Start(); err != nil {
				t.Fatal(err)
			}
			defer mon.Process.Kill()
			// The initial reply is printed once the monitor is set.
			waitUntil(t, "the monitor's initial reply", func() bool { return strings.Contains(out.String(), "\n") })
			for _, step := range monitorSession {
				args := []string{"add-flow", target, step}
				if f := strings.Fields(step); len(f) > 1 {
					args = append([]string{f[0], target}, f[1:]...)
					if f[0] == "del-flows" {
						args = []string{f[0], f[1], target, f[2]}
					}
				}
				if msg, st := ofctl(t, args...); st != 0 {
					t.Fatalf("%v: %s", args, msg)
				}
			}
			want := strings.NewReplacer("NAME", c.name, "FIRST", c.first).Replace(monitorWant)
			// ovs-ofctl's stdout is a buffered pipe: it flushes when
			// SIGTERM ends it, after the updates had time to arrive.
			time.Sleep(500 * time.Millisecond)
			mon.Process.Signal(syscall.SIGTERM)
			mon.Wait()
			got := regexp.MustCompile(`(?m)^.*fatal_signal.*\n`).ReplaceAllString(out.String(), "")
			if got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// dialManaged connects to the management socket target ("unix:PATH") as
// a client speaking only version v.
func dialManaged(t *testing.T, target string, v ofp.Version) *testController {
	t.Helper()
	conn, err := net.Dial("unix", strings.TrimPrefix(target, "unix:"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return handshakeAt(t, conn, v)
}

// TestMonitorOwnChangesAndCancel drives a monitor from a Go client: its
// own flow_mod comes back abbreviated (with the flow_mod's xid), another
// connection's in full, a bad request and an unknown cancel get OVS's
// errors.
func TestMonitorOwnChangesAndCancel(t *testing.T) {
	_, target := newManagedBridge(t)
	for _, v := range []ofp.Version{ofp.OF10, ofp.OF13, ofp.OF14} {
		c := dialManaged(t, target, v)
		other := dialManaged(t, target, v)
		all := ofp.MonitorAdd | ofp.MonitorRemoved | ofp.MonitorModify | ofp.MonitorActions
		c.send(&ofp.FlowMonitorRequest{Monitors: []ofp.FlowMonitor{{ID: 1, Flags: all, OutPort: flowtable.PortNone,
			OutGroup: flowtable.GroupAny, Table: flowtable.TableAll}}})
		if r, ok := c.recv().(*ofp.FlowMonitorReply); !ok || len(r.Updates) != 0 {
			t.Fatalf("%s: initial reply %#v", v, r)
		}
		f, err := flowtable.ParseFlow("priority=9,reg0=1,actions=drop", flowtable.FlowAdd, nil, flowtable.OpenFlow10)
		if err != nil {
			t.Fatal(err)
		}
		c.send(&ofp.FlowMod{Command: flowtable.FlowAdd, Flow: *f, NXM: true})
		if m := c.recv(); true {
			r, ok := m.(*ofp.FlowMonitorReply)
			if !ok || len(r.Updates) != 1 || r.Updates[0].Event != ofp.EventAbbrev || r.Updates[0].Xid != 1 {
				t.Fatalf("%s: own change: %#v", v, m)
			}
		}
		del := *f
		del.OutPort, del.OutGroup = flowtable.PortNone, flowtable.GroupAny
		other.send(&ofp.FlowMod{Command: flowtable.FlowDeleteStrict, Flow: del, NXM: true})
		r, ok := c.recv().(*ofp.FlowMonitorReply)
		if !ok || len(r.Updates) != 1 || r.Updates[0].Event != ofp.EventRemoved || r.Updates[0].Reason != ofp.RemovedDelete || r.Updates[0].Flow.Priority != 9 {
			t.Fatalf("%s: other's change: %#v", v, r)
		}
		c.send(&ofp.FlowMonitorRequest{Monitors: []ofp.FlowMonitor{{ID: 1, Flags: all, OutPort: flowtable.PortNone,
			OutGroup: flowtable.GroupAny, Table: flowtable.TableAll}}})
		if e, ok := c.recv().(*ofp.ErrorMsg); !ok || e.Code != ofp.MonitorExists {
			t.Errorf("%s: duplicate id: %#v", v, e)
		}
		c.send(&ofp.FlowMonitorCancel{ID: 1})
		c.send(&ofp.FlowMonitorCancel{ID: 1})
		if e, ok := c.recv().(*ofp.ErrorMsg); !ok || e.Code != ofp.MonitorUnknown {
			t.Errorf("%s: unknown cancel: %#v", v, e)
		}
	}
}

// TestMonitorPauseResume: a monitor that does not read while flows pour
// in is paused (NXT_FLOW_MONITOR_PAUSED) instead of losing updates
// silently; once it reads again it gets every monitored flow and
// NXT_FLOW_MONITOR_RESUMED.
func TestMonitorPauseResume(t *testing.T) {
	b, target := newManagedBridge(t)
	c := dialManaged(t, target, ofp.OF10)
	c.send(&ofp.FlowMonitorRequest{Monitors: []ofp.FlowMonitor{{ID: 1, Flags: ofp.MonitorAdd, OutPort: flowtable.PortNone,
		OutGroup: flowtable.GroupAny, Table: 5}}})
	if _, ok := c.recv().(*ofp.FlowMonitorReply); !ok {
		t.Fatal("no initial reply")
	}
	const n = 20000
	for i := range n {
		f, err := flowtable.ParseFlow("table=5,priority=1,reg0="+itoa(i)+",actions=drop", flowtable.FlowAdd, nil, flowtable.OpenFlow10)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.FlowMod(f, flowtable.FlowAdd); err != nil {
			t.Fatal(err)
		}
	}
	// Updates lost while paused come back in the refresh before
	// resumed: every flow is reported at least once.
	seen := map[string]bool{}
	paused, resumed := false, false
	for len(seen) < n || !resumed {
		switch m := c.recv().(type) {
		case *ofp.FlowMonitorReply:
			for _, u := range m.Updates {
				seen[u.Flow.Match.Format(nil)] = true
			}
		case *ofp.FlowMonitorPaused:
			paused = true
		case *ofp.FlowMonitorResumed:
			if !paused {
				t.Fatal("resumed without a pause")
			}
			resumed = true
		default:
			t.Fatalf("unexpected %T", m)
		}
	}
}

// TestMonitorBundles: a bundle's changes reach monitors only once it
// committed; a failed commit, rolled back, reports nothing.
func TestMonitorBundles(t *testing.T) {
	testutil.RequireCommand(t, "ovs-ofctl")
	_, target := newManagedBridge(t)
	c := dialManaged(t, target, ofp.OF14)
	c.send(&ofp.FlowMonitorRequest{Monitors: []ofp.FlowMonitor{{ID: 1, Flags: ofp.MonitorAdd | ofp.MonitorRemoved, OutPort: flowtable.PortNone,
		OutGroup: flowtable.GroupAny, Table: 7}}})
	if _, ok := c.recv().(*ofp.FlowMonitorReply); !ok {
		t.Fatal("no initial reply")
	}
	bad := "table=7,priority=1,reg0=1,actions=drop\ntable=7,priority=1,reg0=2,actions=group:99\n"
	good := "table=7,priority=1,reg0=3,actions=drop\n"
	for _, flows := range []string{bad, good} {
		cmd := exec.Command(testutil.RequireCommand(t, "ovs-ofctl"), "-O", "OpenFlow14", "--bundle", "add-flows", target, "-")
		cmd.Stdin = strings.NewReader(flows)
		cmd.CombinedOutput()
	}
	r, ok := c.recv().(*ofp.FlowMonitorReply)
	if !ok || len(r.Updates) != 1 || r.Updates[0].Event != ofp.EventAdded || r.Updates[0].Flow.Match.Format(nil) != "reg0=0x3" {
		t.Fatalf("first update after the bundles: %#v", r)
	}
}
