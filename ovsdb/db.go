package ovsdb

import (
	"strings"
	"time"
)

// Row is one committed row. Committed rows are never modified in place; a
// transaction replaces them, so readers may keep a *Row.
type Row struct {
	UUID    UUID
	Version UUID
	// Fields holds one Datum per column, in TableSchema.Columns order.
	Fields []Datum
}

// Table holds the committed rows of one table.
type Table struct {
	Schema *TableSchema
	Rows   map[UUID]*Row
	// indexes holds, per schema index, the row owning each key.
	indexes []map[string]UUID
}

// Database is an in-memory OVSDB database. It is not safe for concurrent
// use: callers serialize transactions and reads (the server holds one lock).
type Database struct {
	Schema *DatabaseSchema
	Tables map[string]*Table
	// strongRefs counts, per row uuid, the strong references to it.
	strongRefs map[UUID]int
}

// NewDatabase returns an empty database with schema s.
func NewDatabase(s *DatabaseSchema) *Database {
	db := &Database{Schema: s, Tables: map[string]*Table{}, strongRefs: map[UUID]int{}}
	for name, ts := range s.Tables {
		t := &Table{Schema: ts, Rows: map[UUID]*Row{}}
		for range ts.Indexes {
			t.indexes = append(t.indexes, map[string]UUID{})
		}
		db.Tables[name] = t
	}
	return db
}

// RowChange is one row's change in a commit: Old is nil for an insert, New
// is nil for a delete.
type RowChange struct {
	Table    *TableSchema
	UUID     UUID
	Old, New *Row
}

// Commit describes a committed transaction.
type Commit struct {
	Changes []RowChange
	// Comment joins the transaction's "comment" operations with newlines.
	Comment string
	// Durable is set when the transaction asked for {"op":"commit","durable":true}.
	Durable bool
	Date    time.Time
}

// Revert undoes c, the latest commit, restoring every row it changed;
// the server uses it when c could not be written to disk.
func (db *Database) Revert(c *Commit) {
	inverse := make([]RowChange, len(c.Changes))
	for i, ch := range c.Changes {
		inverse[len(c.Changes)-1-i] = RowChange{Table: ch.Table, UUID: ch.UUID, Old: ch.New, New: ch.Old}
	}
	db.apply(inverse)
}

// apply installs a validated set of changes and updates reference counts
// and indexes.
func (db *Database) apply(changes []RowChange) {
	for _, c := range changes {
		t := db.Tables[c.Table.Name]
		if c.Old != nil {
			db.countRefs(c.Table, c.Old, -1)
			t.unindex(c.Old)
			delete(t.Rows, c.UUID)
		}
		if c.New != nil {
			db.countRefs(c.Table, c.New, +1)
			t.index(c.New)
			t.Rows[c.UUID] = c.New
		}
	}
}

func (db *Database) countRefs(ts *TableSchema, r *Row, sign int) {
	forEachRef(ts, r, true, func(_ *ColumnSchema, target UUID, _ string) {
		n := db.strongRefs[target] + sign
		if n == 0 {
			delete(db.strongRefs, target)
		} else {
			db.strongRefs[target] = n
		}
	})
}

// forEachRef calls fn for every reference in r: strong ones when strong is
// true, weak ones otherwise.
func forEachRef(ts *TableSchema, r *Row, strong bool, fn func(c *ColumnSchema, target UUID, refTable string)) {
	for i, c := range ts.Columns {
		bases := [2]*BaseType{&c.Type.Key, c.Type.Value}
		for side, b := range bases {
			if b == nil || b.RefTable == "" || (b.RefType == RefStrong) != strong {
				continue
			}
			atoms := r.Fields[i].Keys
			if side == 1 {
				atoms = r.Fields[i].Values
			}
			for _, a := range atoms {
				fn(c, a.(UUID), b.RefTable)
			}
		}
	}
}

func indexKey(ts *TableSchema, positions []int, r *Row) string {
	var b strings.Builder
	for _, p := range positions {
		b.WriteString(jsonText(r.Fields[p].JSON(&ts.Columns[p].Type)))
		b.WriteByte(0)
	}
	return b.String()
}

func (t *Table) index(r *Row) {
	for i, positions := range t.Schema.Indexes {
		t.indexes[i][indexKey(t.Schema, positions, r)] = r.UUID
	}
}

func (t *Table) unindex(r *Row) {
	for i, positions := range t.Schema.Indexes {
		key := indexKey(t.Schema, positions, r)
		if t.indexes[i][key] == r.UUID {
			delete(t.indexes[i], key)
		}
	}
}

// newRow returns a row of ts with every column at its default.
func newRow(ts *TableSchema, id UUID) *Row {
	r := &Row{UUID: id, Fields: make([]Datum, len(ts.Columns))}
	for i, c := range ts.Columns {
		r.Fields[i] = DefaultDatum(&c.Type)
	}
	return r
}

// RowJSON encodes the given columns of r (all columns, _uuid and _version
// when columns is nil) as an RFC 7047 <row>.
func RowJSON(ts *TableSchema, r *Row, columns []string) map[string]any {
	obj := make(map[string]any, len(ts.Columns)+2)
	if columns == nil {
		obj["_uuid"] = atomJSON(r.UUID)
		obj["_version"] = atomJSON(r.Version)
		for i, c := range ts.Columns {
			obj[c.Name] = r.Fields[i].JSON(&c.Type)
		}
		return obj
	}
	for _, name := range columns {
		switch name {
		case "_uuid":
			obj[name] = atomJSON(r.UUID)
		case "_version":
			obj[name] = atomJSON(r.Version)
		default:
			if c, i := ts.Column(name); c != nil {
				obj[name] = r.Fields[i].JSON(&c.Type)
			}
		}
	}
	return obj
}
