package vswitchd

import (
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ovsdb"
	"github.com/govs/govs/ovsdb/client"
)

// configureFlowTables applies a bridge's flow_tables column: each table
// number's Flow_Table row names the table and may limit its flows. Only
// overflow_policy=refuse is carried out; a table asking to evict is told
// so in the log and refuses too.
func (s *Switch) configureFlowTables(b *ofproto.Bridge, brow client.Row, rows map[ovsdb.UUID]client.Row) {
	cfgs := map[uint8]ofproto.FlowTableConfig{}
	d := brow["flow_tables"]
	for i, k := range d.Keys {
		id, ok := k.(int64)
		if !ok || id < 0 || id >= ofproto.NumTables || i >= len(d.Values) {
			continue
		}
		ref, ok := d.Values[i].(ovsdb.UUID)
		if !ok {
			continue
		}
		row, ok := rows[ref]
		if !ok {
			continue
		}
		cfg := ofproto.FlowTableConfig{Name: row.Str("name")}
		if limit, ok := row.Int("flow_limit"); ok && limit > 0 {
			cfg.FlowLimit = int(limit)
		}
		cfgs[uint8(id)] = cfg
		if row.Str("overflow_policy") == "evict" && cfg.FlowLimit > 0 && b.FlowTable(uint8(id)) != cfg {
			s.log.Printf("bridge", "WARN", "bridge %s: table %d: overflow_policy=evict is not supported, flows beyond flow_limit are refused", b.Name(), id)
		}
	}
	b.SetFlowTables(cfgs)
}
