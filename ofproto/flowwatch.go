package ofproto

import "github.com/govs/govs/flowtable"

// Flow table changes for whoever watches them (OpenFlow flow monitors):
// every flow_mod, whichever path made it (a controller, ovs-ofctl, a
// learn action, the switch's own default flow), reports what it added,
// modified and deleted, and who asked.

// FlowChanges is what one flow_mod changed, and its origin: the value the
// caller passed to [Bridge.FlowModBy] (nil when the switch itself, or a
// learn action, made the change).
type FlowChanges struct {
	Result flowtable.FlowModResult
	Origin any
}

// FlowWatcher is called, synchronously and on the goroutine that made the
// change, after every flow_mod that changed something. It must not block
// nor call back into the bridge's flow_mods.
type FlowWatcher func(FlowChanges)

type flowWatcherBox struct{ fn FlowWatcher }

// SetFlowWatcher installs fn (nil removes it) as the bridge's watcher of
// flow table changes.
func (b *Bridge) SetFlowWatcher(fn FlowWatcher) {
	if fn == nil {
		b.watcher.Store(nil)
		return
	}
	b.watcher.Store(&flowWatcherBox{fn})
}

// FlowMod carries out a flow_mod: f as [flowtable.ParseFlow] (or the
// OpenFlow decoder) produced it for cmd. A modify or delete with table
// [flowtable.TableAll] applies to every table.
func (b *Bridge) FlowMod(f *flowtable.Flow, cmd flowtable.FlowCommand) (flowtable.FlowModResult, error) {
	return b.FlowModBy(f, cmd, nil)
}

// FlowModBy is [Bridge.FlowMod] on behalf of origin, which the flow
// watcher receives with the changes (so a connection can tell its own
// changes from others').
func (b *Bridge) FlowModBy(f *flowtable.Flow, cmd flowtable.FlowCommand, origin any) (flowtable.FlowModResult, error) {
	res, err := b.applyFlowMod(f, cmd)
	if w := b.watcher.Load(); w != nil && (res.Added != nil || len(res.Modified) > 0 || len(res.Deleted) > 0) {
		w.fn(FlowChanges{Result: res, Origin: origin})
	}
	return res, err
}
