package flowtable

import (
	"sort"
	"sync"
	"testing"
	"time"
)

var tablePorts = PortMap{"veth11": 1, "veth22": 2, "veth21": 3}

// tableWith builds a table from add-flow texts.
func tableWith(t *testing.T, flows ...string) *Table {
	t.Helper()
	tb := NewTable(0)
	for _, s := range flows {
		mustApply(t, tb, s, FlowAdd)
	}
	return tb
}

func mustApply(t *testing.T, tb *Table, s string, cmd FlowCommand) FlowModResult {
	t.Helper()
	f, err := ParseFlow(s, cmd, tablePorts, OpenFlow15)
	if err != nil {
		t.Fatalf("ParseFlow(%q): %v", s, err)
	}
	res, err := tb.Apply(f, cmd, time.Unix(1000, 0))
	if err != nil {
		t.Fatalf("Apply(%q): %v", s, err)
	}
	return res
}

// dump lists the table like dump-flows --no-stats --rsort: by descending
// priority, then by text.
func dump(tb *Table) []string {
	var rules []*Rule
	tb.ForEach(func(r *Rule) bool {
		rules = append(rules, r)
		return true
	})
	sort.SliceStable(rules, func(i, j int) bool {
		pi, pj := rules[i].Flow().Priority, rules[j].Flow().Priority
		if pi != pj {
			return pi > pj
		}
		return rules[i].Flow().Format(nil, OpenFlow15) < rules[j].Flow().Format(nil, OpenFlow15)
	})
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = r.Flow().Format(nil, OpenFlow15)
	}
	return out
}

func sameLines(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d flows %q, want %q", len(got), got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("flow %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

func TestTableSeedSession(t *testing.T) {
	tb := tableWith(t, "priority=0,actions=NORMAL", "priority=2,in_port=veth11,actions=drop")
	sameLines(t, dump(tb), []string{"priority=2,in_port=1 actions=drop", "priority=0 actions=NORMAL"})

	// del-flows br "in_port=veth11" is loose: the NORMAL flow survives.
	res := mustApply(t, tb, "in_port=veth11", FlowDelete)
	if len(res.Deleted) != 1 {
		t.Fatalf("deleted %d flows, want 1", len(res.Deleted))
	}
	sameLines(t, dump(tb), []string{"priority=0 actions=NORMAL"})

	// del-flows br with no match deletes everything, NORMAL included.
	mustApply(t, tb, "", FlowDelete)
	sameLines(t, dump(tb), nil)
}

func TestTableFlowMods(t *testing.T) {
	base := []string{
		"priority=0,actions=NORMAL",
		"cookie=0x10,priority=10,in_port=1,actions=output:2",
		"cookie=0x11,priority=10,in_port=2,actions=output:1",
		"cookie=0x20,priority=20,tcp,in_port=1,tp_dst=80,actions=group:7",
		"cookie=0x20,priority=30,ip,nw_dst=10.0.0.0/8,actions=output:3",
	}
	tests := []struct {
		name string
		cmd  FlowCommand
		flow string
		want []string
	}{
		{"add replaces same match and priority", FlowAdd, "priority=10,in_port=1,actions=drop", []string{
			"cookie=0x20, priority=30,ip,nw_dst=10.0.0.0/8 actions=output:3",
			"cookie=0x20, priority=20,tcp,in_port=1,tp_dst=80 actions=group:7",
			"cookie=0x11, priority=10,in_port=2 actions=output:1",
			"priority=10,in_port=1 actions=drop",
			"priority=0 actions=NORMAL"}},
		{"loose delete by cookie mask", FlowDelete, "cookie=0x20/0xf0", []string{
			"cookie=0x10, priority=10,in_port=1 actions=output:2",
			"cookie=0x11, priority=10,in_port=2 actions=output:1",
			"priority=0 actions=NORMAL"}},
		{"loose delete with out_port", FlowDelete, "out_port=3", []string{
			"cookie=0x20, priority=20,tcp,in_port=1,tp_dst=80 actions=group:7",
			"cookie=0x10, priority=10,in_port=1 actions=output:2",
			"cookie=0x11, priority=10,in_port=2 actions=output:1",
			"priority=0 actions=NORMAL"}},
		{"loose delete with out_group", FlowDelete, "out_group=7", []string{
			"cookie=0x20, priority=30,ip,nw_dst=10.0.0.0/8 actions=output:3",
			"cookie=0x10, priority=10,in_port=1 actions=output:2",
			"cookie=0x11, priority=10,in_port=2 actions=output:1",
			"priority=0 actions=NORMAL"}},
		{"loose delete takes more specific flows", FlowDelete, "in_port=1", []string{
			"cookie=0x20, priority=30,ip,nw_dst=10.0.0.0/8 actions=output:3",
			"cookie=0x11, priority=10,in_port=2 actions=output:1",
			"priority=0 actions=NORMAL"}},
		{"strict delete needs the priority", FlowDeleteStrict, "in_port=1", []string{
			"cookie=0x20, priority=30,ip,nw_dst=10.0.0.0/8 actions=output:3",
			"cookie=0x20, priority=20,tcp,in_port=1,tp_dst=80 actions=group:7",
			"cookie=0x10, priority=10,in_port=1 actions=output:2",
			"cookie=0x11, priority=10,in_port=2 actions=output:1",
			"priority=0 actions=NORMAL"}},
		{"strict delete", FlowDeleteStrict, "priority=10,in_port=1", []string{
			"cookie=0x20, priority=30,ip,nw_dst=10.0.0.0/8 actions=output:3",
			"cookie=0x20, priority=20,tcp,in_port=1,tp_dst=80 actions=group:7",
			"cookie=0x11, priority=10,in_port=2 actions=output:1",
			"priority=0 actions=NORMAL"}},
		{"loose modify with new cookie", FlowModify, "cookie=0x99,in_port=2,actions=output:3", []string{
			"cookie=0x20, priority=30,ip,nw_dst=10.0.0.0/8 actions=output:3",
			"cookie=0x20, priority=20,tcp,in_port=1,tp_dst=80 actions=group:7",
			"cookie=0x10, priority=10,in_port=1 actions=output:2",
			"cookie=0x99, priority=10,in_port=2 actions=output:3",
			"priority=0 actions=NORMAL"}},
		{"modify that selects nothing adds", FlowModify, "in_port=3,actions=drop", []string{
			"in_port=3 actions=drop",
			"cookie=0x20, priority=30,ip,nw_dst=10.0.0.0/8 actions=output:3",
			"cookie=0x20, priority=20,tcp,in_port=1,tp_dst=80 actions=group:7",
			"cookie=0x10, priority=10,in_port=1 actions=output:2",
			"cookie=0x11, priority=10,in_port=2 actions=output:1",
			"priority=0 actions=NORMAL"}},
		{"modify filtered by cookie adds nothing", FlowModify, "cookie=0x5/0xff,in_port=3,actions=drop", []string{
			"cookie=0x20, priority=30,ip,nw_dst=10.0.0.0/8 actions=output:3",
			"cookie=0x20, priority=20,tcp,in_port=1,tp_dst=80 actions=group:7",
			"cookie=0x10, priority=10,in_port=1 actions=output:2",
			"cookie=0x11, priority=10,in_port=2 actions=output:1",
			"priority=0 actions=NORMAL"}},
		{"strict modify", FlowModifyStrict, "priority=0,actions=drop", []string{
			"cookie=0x20, priority=30,ip,nw_dst=10.0.0.0/8 actions=output:3",
			"cookie=0x20, priority=20,tcp,in_port=1,tp_dst=80 actions=group:7",
			"cookie=0x10, priority=10,in_port=1 actions=output:2",
			"cookie=0x11, priority=10,in_port=2 actions=output:1",
			"priority=0 actions=drop"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := tableWith(t, base...)
			mustApply(t, tb, tt.flow, tt.cmd)
			sameLines(t, dump(tb), tt.want)
		})
	}
}

func TestTableCheckOverlap(t *testing.T) {
	tb := tableWith(t, "priority=5,ip,nw_dst=10.0.0.0/8,actions=drop")
	for _, tt := range []struct {
		flow    string
		overlap bool
	}{
		{"priority=5,check_overlap,ip,nw_src=1.2.3.4,actions=drop", true},
		{"priority=5,check_overlap,ip,nw_dst=11.0.0.0/8,actions=drop", false},
		{"priority=6,check_overlap,ip,nw_dst=10.1.0.0/16,actions=drop", false},
		{"priority=5,check_overlap,arp,actions=drop", false},
		// The same match and priority replaces the flow, as in OVS.
		{"priority=5,check_overlap,ip,nw_dst=10.0.0.0/8,actions=output:1", false},
	} {
		f, err := ParseFlow(tt.flow, FlowAdd, nil, OpenFlow15)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tb.Apply(f, FlowAdd, time.Now())
		if (err == ErrOverlap) != tt.overlap {
			t.Errorf("%s: err %v, want overlap=%v", tt.flow, err, tt.overlap)
		}
	}
}

func TestTableExpire(t *testing.T) {
	tb := NewTable(0)
	start := time.Unix(1000, 0)
	for _, s := range []string{
		"idle_timeout=10,in_port=1,actions=drop",
		"hard_timeout=20,in_port=2,actions=drop",
		"in_port=3,actions=drop",
	} {
		f, _ := ParseFlow(s, FlowAdd, nil, OpenFlow15)
		if _, err := tb.Apply(f, FlowAdd, start); err != nil {
			t.Fatal(err)
		}
	}
	var k Key
	FieldInPort.Set(&k, 1)
	r, _ := tb.Lookup(&k, nil)
	r.Hit(64, start.Add(8*time.Second)) // keeps the idle flow alive until 18 s

	if got := tb.Expire(start.Add(15 * time.Second)); len(got) != 0 {
		t.Fatalf("at 15 s expired %d flows", len(got))
	}
	if got := tb.Expire(start.Add(19 * time.Second)); len(got) != 1 || got[0] != r {
		t.Fatalf("at 19 s expired %v, want the idle flow", got)
	}
	if got := tb.Expire(start.Add(20 * time.Second)); len(got) != 1 || got[0].Flow().HardTimeout != 20 {
		t.Fatalf("at 20 s expired %v, want the hard-timeout flow", got)
	}
	if p, b := r.Stats(); p != 1 || b != 64 {
		t.Fatalf("stats %d packets %d bytes", p, b)
	}
	if tb.Len() != 1 {
		t.Fatalf("%d flows left, want 1", tb.Len())
	}
}

// TestTableConcurrentLookups runs lookups while flow_mods change the table
// (meaningful under -race): a packet thread never blocks and always sees a
// whole rule.
func TestTableConcurrentLookups(t *testing.T) {
	tb := tableWith(t, "priority=0,actions=NORMAL")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		var k Key
		FieldInPort.Set(&k, 1)
		for {
			select {
			case <-stop:
				return
			default:
			}
			r, ok := tb.Lookup(&k, nil)
			if !ok {
				t.Error("lookup found nothing while NORMAL is installed")
				return
			}
			r.Hit(60, time.Now())
			_ = r.Flow().Actions.Format(nil)
		}
	}()
	for i := 0; i < 300; i++ {
		mustApply(t, tb, "priority=5,in_port=1,actions=drop", FlowAdd)
		mustApply(t, tb, "in_port=1,actions=output:2", FlowModify)
		mustApply(t, tb, "priority=5,in_port=1", FlowDeleteStrict)
	}
	close(stop)
	wg.Wait()
}
