package ofproto

import (
	"sync"
	"time"

	"github.com/govs/govs/flowtable"
)

// FlowTableConfig is what the database's Flow_Table row says about one of
// a bridge's tables: its name (reported in table statistics and
// features) and the most flows it may hold (0: no limit beyond OVS's
// default of 1,000,000, which is only reported).
type FlowTableConfig struct {
	Name      string
	FlowLimit int
}

// DefaultMaxEntries is the capacity a table without flow_limit reports,
// as OVS's do.
const DefaultMaxEntries = 1000000

// ErrTableFull refuses a flow that would take a limited table past its
// flow_limit (OVS's overflow_policy=refuse).
var ErrTableFull = &flowtable.FlowModError{Code: "OFPFMFC_TABLE_FULL"}

// flowTableConfigs holds every table's FlowTableConfig. limitMu
// serializes flow_mods to limited tables, so that checking the count and
// adding the flow are one step, as under OVS's ofproto_mutex.
type flowTableConfigs struct {
	mu      sync.Mutex
	cfg     [NumTables]FlowTableConfig
	limitMu sync.Mutex
}

// SetFlowTables replaces every table's database configuration: tables
// missing from cfgs have none. Flows already beyond a new limit stay;
// only additions are refused, as in OVS.
func (b *Bridge) SetFlowTables(cfgs map[uint8]FlowTableConfig) {
	b.flowTables.mu.Lock()
	defer b.flowTables.mu.Unlock()
	for id := range b.flowTables.cfg {
		b.flowTables.cfg[id] = cfgs[uint8(id)]
	}
}

// FlowTable returns table id's database configuration.
func (b *Bridge) FlowTable(id uint8) FlowTableConfig {
	b.flowTables.mu.Lock()
	defer b.flowTables.mu.Unlock()
	return b.flowTables.cfg[id]
}

// MaxEntries is the capacity table id reports: its flow_limit, or OVS's
// default.
func (b *Bridge) MaxEntries(id uint8) uint32 {
	if limit := b.FlowTable(id).FlowLimit; limit > 0 {
		return uint32(limit)
	}
	return DefaultMaxEntries
}

// Vacancy is the percentage of table id's capacity that is free, rounded
// down as OVS rounds it.
func (b *Bridge) Vacancy(id uint8) uint8 {
	capacity, n := uint64(b.MaxEntries(id)), uint64(b.Table(id).Len())
	if n >= capacity {
		return 0
	}
	return uint8((capacity - n) * 100 / capacity)
}

// applyLimited is t.Apply, refusing with ErrTableFull a flow_mod that
// would add a flow to a table already holding flow_limit flows (an add
// that replaces a flow, or a modify that changes existing ones, adds
// none).
func (b *Bridge) applyLimited(t *flowtable.Table, f *flowtable.Flow, cmd flowtable.FlowCommand, now time.Time) (flowtable.FlowModResult, error) {
	limit := b.FlowTable(t.ID()).FlowLimit
	if limit <= 0 || cmd == flowtable.FlowDelete || cmd == flowtable.FlowDeleteStrict {
		return t.Apply(f, cmd, now)
	}
	b.flowTables.limitMu.Lock()
	defer b.flowTables.limitMu.Unlock()
	if t.Len() >= limit && wouldAdd(t, f, cmd) {
		return flowtable.FlowModResult{}, ErrTableFull
	}
	return t.Apply(f, cmd, now)
}

// wouldAdd reports whether a flow_mod would put a new flow in t.
func wouldAdd(t *flowtable.Table, f *flowtable.Flow, cmd flowtable.FlowCommand) bool {
	// The rules a modify changes are chosen without the output filters;
	// an add replaces only the flow with its very match and priority.
	probe := *f
	probe.OutPort, probe.OutGroup = flowtable.PortNone, flowtable.GroupAny
	if cmd == flowtable.FlowAdd {
		probe.CookieMask = 0
		return len(t.Select(&probe, true)) == 0
	}
	return f.CookieMask == 0 && len(t.Select(&probe, cmd == flowtable.FlowModifyStrict)) == 0
}
