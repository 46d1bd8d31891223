package ofproto

import "github.com/govs/govs/flowtable"

// Controller-related state that OVS keeps outside the flow tables: the
// default NORMAL flow a bridge without controllers gets, and fail-open.

// defaultFlow is OVS's "priority=0 actions=NORMAL" in table 0.
func defaultFlow() *flowtable.Flow {
	return &flowtable.Flow{Priority: 0, OutPort: flowtable.PortNone, OutGroup: flowtable.GroupAny,
		Actions: flowtable.Actions{&flowtable.Output{Port: flowtable.PortNormal}}}
}

// EnsureDefaultFlow installs "priority=0 actions=NORMAL" in table 0 unless
// it is already there, as ovs-vswitchd does on every reconfiguration of a
// bridge with no controllers in standalone mode.
func (b *Bridge) EnsureDefaultFlow() {
	f := defaultFlow()
	if rules := b.tables[0].Select(f, true); len(rules) == 1 && isNormalOnly(rules[0].Flow().Actions) {
		return
	}
	if _, err := b.FlowMod(f, flowtable.FlowAdd); err != nil {
		panic(err) // an unconditional add to table 0 cannot fail
	}
}

func isNormalOnly(acts flowtable.Actions) bool {
	if len(acts) != 1 {
		return false
	}
	out, ok := acts[0].(*flowtable.Output)
	return ok && out.Port == flowtable.PortNormal
}

// FlushFlows deletes every flow of every table, as OVS does when a bridge
// gets its first controller.
func (b *Bridge) FlushFlows() {
	all := &flowtable.Flow{Table: flowtable.TableAll, OutPort: flowtable.PortNone, OutGroup: flowtable.GroupAny}
	if _, err := b.FlowMod(all, flowtable.FlowDelete); err != nil {
		panic(err) // an unfiltered delete cannot fail
	}
}

// SetFailOpen turns fail-open on or off: while on, every packet is
// switched NORMAL ahead of the flow tables, as OVS's hidden fail-open flow
// (priority 0xf0f0f0) does when a standalone bridge has lost its
// controllers.
func (b *Bridge) SetFailOpen(on bool) {
	if b.failOpen.Swap(on) != on {
		b.changed()
	}
}

// FailOpen reports whether fail-open is on.
func (b *Bridge) FailOpen() bool { return b.failOpen.Load() }
