package ovsdb

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// DatabaseSchema is a parsed .ovsschema.
type DatabaseSchema struct {
	Name    string
	Version string
	Cksum   string
	Tables  map[string]*TableSchema
}

// TableSchema describes one table.
type TableSchema struct {
	Name string
	// Columns are sorted by name; a row's Fields follow the same order.
	Columns []*ColumnSchema
	// columnIndex maps a column name to its position in Columns.
	columnIndex map[string]int
	// MaxRows is 0 when unlimited.
	MaxRows int
	IsRoot  bool
	// Indexes lists sets of column positions whose values must be unique.
	Indexes [][]int
}

// ColumnSchema describes one column.
type ColumnSchema struct {
	Name      string
	Type      ColumnType
	Ephemeral bool
	Mutable   bool
}

// Column returns the column named name and its position, or nil and -1.
func (t *TableSchema) Column(name string) (*ColumnSchema, int) {
	i, ok := t.columnIndex[name]
	if !ok {
		return nil, -1
	}
	return t.Columns[i], i
}

var (
	identifierRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	versionRE    = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
)

// ParseSchema parses and validates .ovsschema JSON text.
func ParseSchema(text []byte) (*DatabaseSchema, error) {
	j, err := decodeJSON(text)
	if err != nil {
		return nil, fmt.Errorf("parse schema: %w", err)
	}
	s, err := schemaFromJSON(j)
	if err != nil {
		return nil, fmt.Errorf("parse schema: %w", err)
	}
	return s, nil
}

func schemaFromJSON(j any) (*DatabaseSchema, error) {
	obj, ok := j.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema must be a JSON object")
	}
	s := &DatabaseSchema{Tables: map[string]*TableSchema{}}
	for key, v := range obj {
		switch key {
		case "name":
			s.Name, _ = v.(string)
		case "version":
			s.Version, _ = v.(string)
			if !versionRE.MatchString(s.Version) {
				return nil, fmt.Errorf("schema version %s is not in x.y.z form", jsonText(v))
			}
		case "cksum":
			s.Cksum, _ = v.(string)
		case "tables":
		case "$schema", "doc":
		default:
			return nil, fmt.Errorf("unknown schema member %q", key)
		}
	}
	if !identifierRE.MatchString(s.Name) {
		return nil, fmt.Errorf("schema name %s is not a valid identifier", jsonText(obj["name"]))
	}
	tables, ok := obj["tables"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema %s: \"tables\" must be an object", s.Name)
	}
	anyRoot := false
	for name, tj := range tables {
		if !identifierRE.MatchString(name) || strings.HasPrefix(name, "_") {
			return nil, fmt.Errorf("schema %s: %q is not a valid table name", s.Name, name)
		}
		t, err := tableFromJSON(name, tj)
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", s.Name, err)
		}
		anyRoot = anyRoot || t.IsRoot
		s.Tables[name] = t
	}
	// Schemas from before "isRoot" existed had no garbage collection: with no
	// root table named, every table is a root.
	if !anyRoot {
		for _, t := range s.Tables {
			t.IsRoot = true
		}
	}
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			for _, b := range []*BaseType{&c.Type.Key, c.Type.Value} {
				if b != nil && b.RefTable != "" && s.Tables[b.RefTable] == nil {
					return nil, fmt.Errorf("schema %s: table %s column %s refers to undefined table %s",
						s.Name, t.Name, c.Name, b.RefTable)
				}
			}
		}
	}
	return s, nil
}

func tableFromJSON(name string, j any) (*TableSchema, error) {
	obj, ok := j.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("table %s must be an object", name)
	}
	t := &TableSchema{Name: name, columnIndex: map[string]int{}}
	for key, v := range obj {
		switch key {
		case "columns", "indexes", "doc":
		case "maxRows":
			n, err := jsonInt(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("table %s: maxRows must be a positive integer", name)
			}
			t.MaxRows = int(n)
		case "isRoot":
			b, ok := v.(bool)
			if !ok {
				return nil, fmt.Errorf("table %s: isRoot must be a boolean", name)
			}
			t.IsRoot = b
		default:
			return nil, fmt.Errorf("table %s: unknown member %q", name, key)
		}
	}
	cols, ok := obj["columns"].(map[string]any)
	if !ok || len(cols) == 0 {
		return nil, fmt.Errorf("table %s: \"columns\" must be a non-empty object", name)
	}
	names := make([]string, 0, len(cols))
	for cname := range cols {
		names = append(names, cname)
	}
	sort.Strings(names)
	for _, cname := range names {
		if !identifierRE.MatchString(cname) || strings.HasPrefix(cname, "_") {
			return nil, fmt.Errorf("table %s: %q is not a valid column name", name, cname)
		}
		c, err := columnFromJSON(cname, cols[cname])
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", name, err)
		}
		t.columnIndex[cname] = len(t.Columns)
		t.Columns = append(t.Columns, c)
	}
	if idx, ok := obj["indexes"]; ok {
		list, ok := idx.([]any)
		if !ok {
			return nil, fmt.Errorf("table %s: indexes must be an array", name)
		}
		for _, ij := range list {
			cnames, ok := ij.([]any)
			if !ok || len(cnames) == 0 {
				return nil, fmt.Errorf("table %s: index %s must be a non-empty array of column names", name, jsonText(ij))
			}
			var positions []int
			for _, cn := range cnames {
				s, _ := cn.(string)
				c, pos := t.Column(s)
				if c == nil {
					return nil, fmt.Errorf("table %s: index %s names unknown column %s", name, jsonText(ij), jsonText(cn))
				}
				if c.Ephemeral {
					return nil, fmt.Errorf("table %s: index %s names ephemeral column %s", name, jsonText(ij), s)
				}
				positions = append(positions, pos)
			}
			t.Indexes = append(t.Indexes, positions)
		}
	}
	return t, nil
}

func columnFromJSON(name string, j any) (*ColumnSchema, error) {
	obj, ok := j.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("column %s must be an object", name)
	}
	c := &ColumnSchema{Name: name, Mutable: true}
	tj, ok := obj["type"]
	if !ok {
		return nil, fmt.Errorf("column %s: missing type", name)
	}
	var err error
	if c.Type, err = parseColumnType(tj); err != nil {
		return nil, fmt.Errorf("column %s: %w", name, err)
	}
	for key, v := range obj {
		switch key {
		case "type", "doc":
		case "ephemeral", "mutable":
			b, ok := v.(bool)
			if !ok {
				return nil, fmt.Errorf("column %s: %s must be a boolean", name, key)
			}
			if key == "ephemeral" {
				c.Ephemeral = b
			} else {
				c.Mutable = b
			}
		default:
			return nil, fmt.Errorf("column %s: unknown member %q", name, key)
		}
	}
	return c, nil
}

// JSON returns the schema as ovsdb-server serves it from get_schema.
func (s *DatabaseSchema) JSON() map[string]any {
	allRoot := true
	for _, t := range s.Tables {
		allRoot = allRoot && t.IsRoot
	}
	tables := map[string]any{}
	for name, t := range s.Tables {
		cols := map[string]any{}
		for _, c := range t.Columns {
			cj := map[string]any{"type": c.Type.JSON()}
			if c.Ephemeral {
				cj["ephemeral"] = true
			}
			if !c.Mutable {
				cj["mutable"] = false
			}
			cols[c.Name] = cj
		}
		tj := map[string]any{"columns": cols}
		if t.MaxRows > 0 {
			tj["maxRows"] = t.MaxRows
		}
		if t.IsRoot && !allRoot {
			tj["isRoot"] = true
		}
		if len(t.Indexes) > 0 {
			var idx []any
			for _, positions := range t.Indexes {
				var names []any
				for _, p := range positions {
					names = append(names, t.Columns[p].Name)
				}
				idx = append(idx, names)
			}
			tj["indexes"] = idx
		}
		tables[name] = tj
	}
	j := map[string]any{"name": s.Name, "version": s.Version, "tables": tables}
	if s.Cksum != "" {
		j["cksum"] = s.Cksum
	}
	return j
}

// MarshalJSON encodes s as get_schema returns it.
func (s *DatabaseSchema) MarshalJSON() ([]byte, error) { return json.Marshal(s.JSON()) }
