package ofproto

import "sync"

// TableConfig is a table's OpenFlow 1.4 configuration, as table_mod sets
// it: whether flows may be evicted when the table is full, and whether
// vacancy events are sent, with their thresholds (percent free).
type TableConfig struct {
	Eviction      bool
	VacancyEvents bool
	VacancyDown   uint8
	VacancyUp     uint8
}

// tableConfigs holds every table's TableConfig; table_mods are rare, so
// one lock serves them all.
type tableConfigs struct {
	mu  sync.Mutex
	cfg [NumTables]TableConfig
}

// TableConfig returns table id's configuration.
func (b *Bridge) TableConfig(id uint8) TableConfig {
	b.tableCfg.mu.Lock()
	defer b.tableCfg.mu.Unlock()
	return b.tableCfg.cfg[id]
}

// SetTableConfig changes table id's configuration by fn. The settings
// are kept and reported and change nothing else: a table full to its
// flow_limit (flowtables.go) refuses flows rather than evicting, and no
// vacancy events are sent.
func (b *Bridge) SetTableConfig(id uint8, fn func(*TableConfig)) {
	b.tableCfg.mu.Lock()
	defer b.tableCfg.mu.Unlock()
	fn(&b.tableCfg.cfg[id])
}

// TableMissConfig returns what table id does on a miss.
func (b *Bridge) TableMissConfig(id uint8) TableMiss {
	return TableMiss(b.tableState[id].miss.Load())
}
