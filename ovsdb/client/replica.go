package client

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/govs/govs/ovsdb"
)

// Row is a row of a replica: column name → value.
type Row map[string]ovsdb.Datum

// Str returns a string column's value ("" when empty).
func (r Row) Str(col string) string {
	d := r[col]
	if len(d.Keys) == 0 {
		return ""
	}
	s, _ := d.Keys[0].(string)
	return s
}

// Int returns an integer column's first value and whether it has one.
func (r Row) Int(col string) (int64, bool) {
	d := r[col]
	if len(d.Keys) == 0 {
		return 0, false
	}
	v, ok := d.Keys[0].(int64)
	return v, ok
}

// UUIDs returns the uuid elements of a set-of-references column.
func (r Row) UUIDs(col string) []ovsdb.UUID {
	d := r[col]
	out := make([]ovsdb.UUID, 0, len(d.Keys))
	for _, k := range d.Keys {
		if u, ok := k.(ovsdb.UUID); ok {
			out = append(out, u)
		}
	}
	return out
}

// Ints returns the integer elements of a set column.
func (r Row) Ints(col string) []int64 {
	d := r[col]
	out := make([]int64, 0, len(d.Keys))
	for _, k := range d.Keys {
		if v, ok := k.(int64); ok {
			out = append(out, v)
		}
	}
	return out
}

// Map returns a string-to-string map column.
func (r Row) Map(col string) map[string]string {
	d := r[col]
	out := make(map[string]string, len(d.Keys))
	for i, k := range d.Keys {
		ks, _ := k.(string)
		vs, _ := d.Values[i].(string)
		out[ks] = vs
	}
	return out
}

// Replica is a local copy of some tables of one database, kept current by a
// monitor. Snapshots are safe to read while updates arrive.
type Replica struct {
	schema *ovsdb.DatabaseSchema

	mu     sync.Mutex
	tables map[string]map[ovsdb.UUID]Row
	// Updates can arrive before the monitor's reply has been applied;
	// they wait in backlog until then, so changes apply in order.
	ready   bool
	backlog []json.RawMessage
	notify  chan struct{} // gets a token whenever the replica changes
}

// Monitor starts a "monitor" of the given tables and columns (nil columns:
// all of them) and returns the replica it keeps. Changed() signals every
// update, starting with the initial contents.
func (c *Client) Monitor(ctx context.Context, db string, tables map[string][]string) (*Replica, error) {
	schema, err := c.Schema(ctx, db)
	if err != nil {
		return nil, err
	}
	r := &Replica{schema: schema, tables: map[string]map[ovsdb.UUID]Row{}, notify: make(chan struct{}, 1)}
	reqs := map[string]any{}
	for t, cols := range tables {
		if schema.Tables[t] == nil {
			return nil, fmt.Errorf("%w: %s", ErrNoTable, t)
		}
		req := map[string]any{}
		if cols != nil {
			req["columns"] = cols
		}
		reqs[t] = req
		r.tables[t] = map[ovsdb.UUID]Row{}
	}
	id := fmt.Sprintf("govs-%p", r)
	idJSON, _ := json.Marshal(id)
	c.mu.Lock()
	c.monitors[string(idJSON)] = r.update
	c.mu.Unlock()
	initial, err := c.Call(ctx, "monitor", db, id, reqs)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	err = r.applyLocked(initial)
	for _, u := range r.backlog {
		if err == nil {
			err = r.applyLocked(u)
		}
	}
	r.ready, r.backlog = true, nil
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	r.signal()
	return r, nil
}

// update takes an "update" notification's table updates.
func (r *Replica) update(raw json.RawMessage) {
	r.mu.Lock()
	if !r.ready {
		r.backlog = append(r.backlog, raw)
		r.mu.Unlock()
		return
	}
	err := r.applyLocked(raw)
	r.mu.Unlock()
	if err == nil {
		r.signal()
	}
}

func (r *Replica) signal() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// SchemaVersion is the monitored database's schema version.
func (r *Replica) SchemaVersion() string { return r.schema.Version }

// Changed delivers a token after each change of the replica.
func (r *Replica) Changed() <-chan struct{} { return r.notify }

// Rows returns a snapshot of a table.
func (r *Replica) Rows(table string) map[ovsdb.UUID]Row {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[ovsdb.UUID]Row, len(r.tables[table]))
	for id, row := range r.tables[table] {
		out[id] = row
	}
	return out
}

// applyLocked merges a <table-updates> object ("monitor" format: per row
// "old" and "new"; a missing "new" deletes the row). r.mu is held.
func (r *Replica) applyLocked(raw json.RawMessage) error {
	var updates map[string]map[string]struct {
		Old json.RawMessage `json:"old"`
		New json.RawMessage `json:"new"`
	}
	if err := json.Unmarshal(raw, &updates); err != nil {
		return fmt.Errorf("ovsdb monitor: bad update: %w", err)
	}
	for table, rows := range updates {
		ts := r.schema.Tables[table]
		if ts == nil || r.tables[table] == nil {
			continue
		}
		for idText, u := range rows {
			id, err := ovsdb.ParseUUID(idText)
			if err != nil {
				return fmt.Errorf("ovsdb monitor: %s: bad uuid %q", table, idText)
			}
			if len(u.New) == 0 || string(u.New) == "null" {
				delete(r.tables[table], id)
				continue
			}
			row, err := decodeRow(ts, u.New)
			if err != nil {
				return fmt.Errorf("ovsdb monitor: %s %s: %w", table, idText, err)
			}
			r.tables[table][id] = row
		}
	}
	return nil
}

func decodeRow(ts *ovsdb.TableSchema, raw json.RawMessage) (Row, error) {
	j, err := ovsdb.ParseJSON(raw)
	if err != nil {
		return nil, err
	}
	obj, ok := j.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("row is not an object")
	}
	row := Row{}
	for name, v := range obj {
		col, _ := ts.Column(name)
		if col == nil {
			continue
		}
		d, err := ovsdb.DatumFromJSON(v, &col.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", name, err)
		}
		row[name] = d
	}
	return row, nil
}
