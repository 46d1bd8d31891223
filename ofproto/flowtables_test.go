package ofproto

import (
	"errors"
	"testing"

	"github.com/govs/govs/flowtable"
)

// TestFlowLimit: a table at its flow_limit refuses new flows, whether an
// add or a modify that would add, but takes replacements, modifications
// and deletions; other tables are not limited.
func TestFlowLimit(t *testing.T) {
	b := NewBridge("br0")
	b.SetFlowTables(map[uint8]FlowTableConfig{1: {Name: "limited", FlowLimit: 2}})
	mod := func(text string, cmd flowtable.FlowCommand) error {
		t.Helper()
		f, err := flowtable.ParseFlow(text, cmd, nil, flowtable.OpenFlow15)
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.FlowMod(f, cmd)
		return err
	}
	for _, s := range []string{"table=1,priority=1,actions=drop", "table=1,priority=2,actions=drop"} {
		if err := mod(s, flowtable.FlowAdd); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	for _, c := range []struct {
		text string
		cmd  flowtable.FlowCommand
		full bool
	}{
		{"table=1,priority=3,actions=drop", flowtable.FlowAdd, true},
		{"table=1,priority=2,actions=output:1", flowtable.FlowAdd, false},
		{"table=1,actions=output:2", flowtable.FlowModify, false},
		{"table=1,priority=9,ip,actions=output:2", flowtable.FlowModifyStrict, true},
		{"table=1,ip,actions=output:2", flowtable.FlowModify, true},
		{"table=2,priority=3,actions=drop", flowtable.FlowAdd, false},
	} {
		err := mod(c.text, c.cmd)
		if full := errors.Is(err, ErrTableFull); full != c.full || (!full && err != nil) {
			t.Errorf("%s: %v, want table full %v", c.text, err, c.full)
		}
	}
	if n := b.Table(1).Len(); n != 2 {
		t.Errorf("table 1 holds %d flows, want its limit of 2", n)
	}
	if err := mod("table=1,priority=1", flowtable.FlowDeleteStrict); err != nil {
		t.Fatal(err)
	}
	if err := mod("table=1,priority=3,actions=drop", flowtable.FlowAdd); err != nil {
		t.Errorf("add after a delete made room: %v", err)
	}
	if b.MaxEntries(1) != 2 || b.MaxEntries(0) != DefaultMaxEntries || b.FlowTable(1).Name != "limited" {
		t.Errorf("reported capacity %d/%d, name %q", b.MaxEntries(1), b.MaxEntries(0), b.FlowTable(1).Name)
	}
}

// TestVacancy: the free share of a table's capacity, rounded down.
func TestVacancy(t *testing.T) {
	b := NewBridge("br0")
	b.FlushFlows()
	b.SetFlowTables(map[uint8]FlowTableConfig{0: {FlowLimit: 3}})
	for _, s := range []string{"priority=1,actions=drop", "priority=2,actions=drop", "table=1,actions=drop"} {
		f, err := flowtable.ParseFlow(s, flowtable.FlowAdd, nil, flowtable.OpenFlow15)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.FlowMod(f, flowtable.FlowAdd); err != nil {
			t.Fatal(err)
		}
	}
	// As OVS reports them: 1 of 3 free, and 999999 of 1000000.
	if v0, v1, v2 := b.Vacancy(0), b.Vacancy(1), b.Vacancy(2); v0 != 33 || v1 != 99 || v2 != 100 {
		t.Errorf("vacancy %d %d %d, want 33 99 100", v0, v1, v2)
	}
}
