package vsctl

import (
	"fmt"
	"sort"
	"strings"

	"github.com/govs/govs/ovsdb"
)

// row is one row of the local copy of the database that commands read and
// change; changes become transact operations at the end.
type row struct {
	table  *ovsdb.TableSchema
	uuid   ovsdb.UUID
	fields []ovsdb.Datum
	// orig is the value loaded from the server; nil for rows inserted by
	// this invocation.
	orig    []ovsdb.Datum
	deleted bool
}

// model is the local copy of every table.
type model struct {
	schema   *ovsdb.DatabaseSchema
	tables   map[string]map[ovsdb.UUID]*row
	inserted []*row
	// symbols maps --id=@name to the row it names.
	symbols map[string]*symbol
}

// load fetches the whole database over c.
func load(c *conn, dbName string) (*model, error) {
	sj, err := c.call("get_schema", dbName)
	if err != nil {
		return nil, err
	}
	text, _ := ovsdb.MarshalJSON(sj)
	schema, err := ovsdb.ParseSchema(text)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(schema.Tables))
	for name := range schema.Tables {
		names = append(names, name)
	}
	sort.Strings(names)
	params := []any{dbName}
	for _, name := range names {
		params = append(params, map[string]any{"op": "select", "table": name, "where": []any{}})
	}
	res, err := c.call("transact", params...)
	if err != nil {
		return nil, err
	}
	results, _ := res.([]any)
	if len(results) != len(names) {
		return nil, fmt.Errorf("transaction error: %s", jsonText(res))
	}
	m := &model{schema: schema, tables: map[string]map[ovsdb.UUID]*row{}, symbols: map[string]*symbol{}}
	for i, name := range names {
		ts := schema.Tables[name]
		m.tables[name] = map[ovsdb.UUID]*row{}
		obj, _ := results[i].(map[string]any)
		rows, _ := obj["rows"].([]any)
		for _, rj := range rows {
			r, err := rowFromJSON(ts, rj)
			if err != nil {
				return nil, fmt.Errorf("table %s: %w", name, err)
			}
			m.tables[name][r.uuid] = r
		}
	}
	return m, nil
}

var uuidType = ovsdb.ColumnType{Key: ovsdb.BaseType{Type: ovsdb.TypeUUID}, Min: 1, Max: 1}

func rowFromJSON(ts *ovsdb.TableSchema, rj any) (*row, error) {
	obj, ok := rj.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("row is not an object")
	}
	id, err := ovsdb.DatumFromJSON(obj["_uuid"], &uuidType)
	if err != nil {
		return nil, fmt.Errorf("_uuid: %w", err)
	}
	r := &row{table: ts, uuid: id.Keys[0].(ovsdb.UUID), fields: make([]ovsdb.Datum, len(ts.Columns))}
	for i, c := range ts.Columns {
		v, ok := obj[c.Name]
		if !ok {
			r.fields[i] = ovsdb.DefaultDatum(&c.Type)
			continue
		}
		if r.fields[i], err = ovsdb.DatumFromJSON(v, &c.Type); err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
	}
	r.orig = append([]ovsdb.Datum(nil), r.fields...)
	return r, nil
}

// rows returns the live rows of a table, sorted by name (or uuid) so that
// output is stable.
func (m *model) rows(table string) []*row {
	var list []*row
	for _, r := range m.tables[table] {
		if !r.deleted {
			list = append(list, r)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		ni, nj := list[i].name(), list[j].name()
		if ni != nj {
			return ni < nj
		}
		return list[i].uuid.String() < list[j].uuid.String()
	})
	return list
}

func (m *model) get(table string, id ovsdb.UUID) *row {
	if r := m.tables[table][id]; r != nil && !r.deleted {
		return r
	}
	return nil
}

// symbol is an @name: a row created or fetched with --id, or referenced
// before its "create" (its uuid is then chosen at the first reference).
type symbol struct {
	uuid ovsdb.UUID
	// defined is set once --id=@name has named a row.
	defined bool
	// referenced is set when a value used the name.
	referenced bool
	// table is the table of the row a "create" made.
	table *ovsdb.TableSchema
}

// insert adds a row with default values; sets and maps start empty even
// when they may not stay so (a port's interfaces), for commands to fill.
func (m *model) insert(table string) *row {
	return m.insertWithUUID(table, ovsdb.NewUUID())
}

// insertWithUUID is insert with a chosen uuid.
func (m *model) insertWithUUID(table string, id ovsdb.UUID) *row {
	ts := m.schema.Tables[table]
	r := &row{table: ts, uuid: id, fields: make([]ovsdb.Datum, len(ts.Columns))}
	for i, c := range ts.Columns {
		r.fields[i] = ovsdb.DefaultDatum(&c.Type)
		if c.Type.Max > 1 {
			r.fields[i] = ovsdb.Datum{}
			if c.Type.Value != nil {
				r.fields[i].Values = []ovsdb.Atom{}
			}
		}
	}
	m.tables[table][r.uuid] = r
	m.inserted = append(m.inserted, r)
	return r
}

func (m *model) remove(r *row) { r.deleted = true }

// name returns the row's "name" column as text, or "".
func (r *row) name() string {
	if d := r.column("name"); d != nil && d.Len() == 1 {
		if s, ok := d.Keys[0].(string); ok {
			return s
		}
	}
	return ""
}

func (r *row) column(name string) *ovsdb.Datum {
	_, pos := r.table.Column(name)
	if pos < 0 {
		return nil
	}
	return &r.fields[pos]
}

func (r *row) set(name string, d ovsdb.Datum) {
	_, pos := r.table.Column(name)
	r.fields[pos] = d
}

// str returns a string column's single value, or "".
func (r *row) str(name string) string {
	if d := r.column(name); d != nil && d.Len() == 1 {
		s, _ := d.Keys[0].(string)
		return s
	}
	return ""
}

// refs returns the uuids in a reference column.
func (r *row) refs(name string) []ovsdb.UUID {
	d := r.column(name)
	if d == nil {
		return nil
	}
	var ids []ovsdb.UUID
	for _, k := range d.Keys {
		if u, ok := k.(ovsdb.UUID); ok {
			ids = append(ids, u)
		}
	}
	return ids
}

// addRef adds id to the set column name.
func (r *row) addRef(name string, id ovsdb.UUID) {
	one := ovsdb.Datum{Keys: []ovsdb.Atom{id}}
	d := r.column(name).Union(&one)
	r.set(name, d)
}

// removeRef removes id from the set column name.
func (r *row) removeRef(name string, id ovsdb.UUID) {
	one := ovsdb.Datum{Keys: []ovsdb.Atom{id}}
	d := r.column(name).Subtract(&one)
	r.set(name, d)
}

// operations turns the model's changes into transact operations: each
// updated row is first verified with a "wait" on the columns it changes,
// so a concurrent change makes the transaction fail and be retried.
func (m *model) operations() []any {
	var ops []any
	for _, r := range m.inserted {
		if r.deleted {
			continue
		}
		rowJSON := map[string]any{}
		for i, c := range r.table.Columns {
			if !r.fields[i].IsDefault(&c.Type) {
				rowJSON[c.Name] = r.fields[i].JSON(&c.Type)
			}
		}
		ops = append(ops, map[string]any{"op": "insert", "table": r.table.Name, "uuid": r.uuid.String(), "row": rowJSON})
	}
	tables := make([]string, 0, len(m.tables))
	for name := range m.tables {
		tables = append(tables, name)
	}
	sort.Strings(tables)
	for _, name := range tables {
		for _, r := range m.rows(name) {
			if r.orig == nil {
				continue
			}
			changed := map[string]any{}
			before := map[string]any{}
			var cols []string
			for i, c := range r.table.Columns {
				if !r.fields[i].Equal(&r.orig[i]) {
					changed[c.Name] = r.fields[i].JSON(&c.Type)
					before[c.Name] = r.orig[i].JSON(&c.Type)
					cols = append(cols, c.Name)
				}
			}
			if len(changed) == 0 {
				continue
			}
			where := []any{[]any{"_uuid", "==", []any{"uuid", r.uuid.String()}}}
			ops = append(ops,
				map[string]any{"op": "wait", "table": name, "where": where, "columns": cols, "until": "==", "rows": []any{before}, "timeout": 0},
				map[string]any{"op": "update", "table": name, "where": where, "row": changed})
		}
		for _, r := range m.tables[name] {
			if r.deleted && r.orig != nil {
				ops = append(ops, map[string]any{"op": "delete", "table": name,
					"where": []any{[]any{"_uuid", "==", []any{"uuid", r.uuid.String()}}}})
			}
		}
	}
	return ops
}

func jsonText(v any) string {
	b, _ := ovsdb.MarshalJSON(v)
	return string(b)
}

// fold normalizes a name for matching: case-insensitive, with '-' and
// '_' equivalent, as ovs-vsctl matches table and column names.
func fold(s string) string { return strings.ReplaceAll(strings.ToLower(s), "-", "_") }

// findTable resolves a table name as ovs-vsctl does: exact, then
// case-insensitive (with '-' for '_'), then a unique prefix.
func (m *model) findTable(name string) (*ovsdb.TableSchema, error) {
	if ts := m.schema.Tables[name]; ts != nil {
		return ts, nil
	}
	var prefix []*ovsdb.TableSchema
	for tname, ts := range m.schema.Tables {
		if fold(tname) == fold(name) {
			return ts, nil
		}
		if strings.HasPrefix(fold(tname), fold(name)) {
			prefix = append(prefix, ts)
		}
	}
	if len(prefix) == 1 {
		return prefix[0], nil
	}
	if len(prefix) > 1 {
		return nil, fmt.Errorf("multiple table names match \"%s\"", name)
	}
	return nil, fmt.Errorf("unknown table \"%s\"", name)
}

// findColumn resolves a column name the same way.
func findColumn(ts *ovsdb.TableSchema, name string) (*ovsdb.ColumnSchema, error) {
	if c, _ := ts.Column(name); c != nil {
		return c, nil
	}
	var prefix []*ovsdb.ColumnSchema
	for _, c := range ts.Columns {
		if fold(c.Name) == fold(name) {
			return c, nil
		}
		if strings.HasPrefix(fold(c.Name), fold(name)) {
			prefix = append(prefix, c)
		}
	}
	if len(prefix) == 1 {
		return prefix[0], nil
	}
	if len(prefix) > 1 {
		return nil, fmt.Errorf("%s contains more than one column whose name matches \"%s\"", ts.Name, name)
	}
	return nil, fmt.Errorf("%s does not contain a column whose name matches \"%s\"", ts.Name, name)
}
