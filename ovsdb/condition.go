package ovsdb

import "fmt"

// Positions of the implicit columns in a columnRef.
const (
	posUUID    = -1
	posVersion = -2
)

var implicitUUIDType = ColumnType{Key: newBaseType(TypeUUID), Min: 1, Max: 1}

// columnRef names a column of a table, implicit ones included.
type columnRef struct {
	name string
	pos  int
	typ  *ColumnType
	// schema is nil for _uuid and _version.
	schema *ColumnSchema
}

func lookupColumn(ts *TableSchema, name string) (columnRef, *Error) {
	switch name {
	case "_uuid":
		return columnRef{name: name, pos: posUUID, typ: &implicitUUIDType}, nil
	case "_version":
		return columnRef{name: name, pos: posVersion, typ: &implicitUUIDType}, nil
	}
	c, pos := ts.Column(name)
	if c == nil {
		return columnRef{}, &Error{Name: ErrUnknownColumn, Details: fmt.Sprintf("No column %s in table %s.", name, ts.Name)}
	}
	return columnRef{name: name, pos: pos, typ: &c.Type, schema: c}, nil
}

func (c *columnRef) value(r *Row) Datum {
	switch c.pos {
	case posUUID:
		return Datum{Keys: []Atom{r.UUID}}
	case posVersion:
		return Datum{Keys: []Atom{r.Version}}
	}
	return r.Fields[c.pos]
}

// Condition functions from RFC 7047 section 5.1.
const (
	fnLT       = "<"
	fnLE       = "<="
	fnEQ       = "=="
	fnNE       = "!="
	fnGE       = ">="
	fnGT       = ">"
	fnIncludes = "includes"
	fnExcludes = "excludes"
)

// condition is one parsed clause of a "where" array; a constant clause
// (the boolean true or false that monitor_cond allows) has no column.
type condition struct {
	column   columnRef
	function string
	arg      Datum
	constant *bool
}

// Conditions is a parsed "where" clause: rows match when every condition
// holds.
type Conditions []condition

// ParseConditions parses a "where" array for table ts. Named uuids are
// resolved through resolve (nil rejects them).
func ParseConditions(ts *TableSchema, j any, resolve UUIDResolver) (Conditions, *Error) {
	list, ok := j.([]any)
	if !ok {
		return nil, syntaxError(j, "where clause must be an array")
	}
	conds := make(Conditions, 0, len(list))
	for _, cj := range list {
		if b, ok := cj.(bool); ok {
			conds = append(conds, condition{constant: &b})
			continue
		}
		triple, ok := cj.([]any)
		if !ok || len(triple) != 3 {
			return nil, syntaxError(cj, "condition must be [column, function, value]")
		}
		name, ok1 := triple[0].(string)
		fn, ok2 := triple[1].(string)
		if !ok1 || !ok2 {
			return nil, syntaxError(cj, "condition must be [column, function, value]")
		}
		col, err := lookupColumn(ts, name)
		if err != nil {
			err.Syntax = jsonText(cj)
			return nil, err
		}
		var arg Datum
		switch fn {
		case fnLT, fnLE, fnGT, fnGE:
			if col.typ.Value != nil || col.typ.Max != 1 ||
				(col.typ.Key.Type != TypeInteger && col.typ.Key.Type != TypeReal) {
				return nil, syntaxError(cj, "Type mismatch: \"%s\" operator may not be applied to column %s of type %s.",
					fn, name, jsonText(col.typ.JSON()))
			}
			a, err := parseAtomJSON(triple[2], &col.typ.Key, resolve)
			if err != nil {
				return nil, err
			}
			arg = Datum{Keys: []Atom{a}}
		case fnEQ, fnNE:
			arg, err = parseDatumJSON(triple[2], col.typ, resolve)
		case fnIncludes, fnExcludes:
			loose := *col.typ
			loose.Min, loose.Max = 0, Unlimited
			arg, err = parseDatumJSON(triple[2], &loose, resolve)
		default:
			return nil, syntaxError(cj, "unknown function %q", fn)
		}
		if err != nil {
			return nil, err
		}
		conds = append(conds, condition{column: col, function: fn, arg: arg})
	}
	return conds, nil
}

// Match reports whether r satisfies every condition.
func (cs Conditions) Match(r *Row) bool {
	for i := range cs {
		if !cs[i].match(r) {
			return false
		}
	}
	return true
}

// MatchAny reports whether r satisfies at least one condition, or cs is
// empty: monitor_cond combines its clauses by disjunction.
func (cs Conditions) MatchAny(r *Row) bool {
	if len(cs) == 0 {
		return true
	}
	for i := range cs {
		if cs[i].match(r) {
			return true
		}
	}
	return false
}

// uuidEquality returns the uuid of a `_uuid == X` clause, for direct lookup.
func (cs Conditions) uuidEquality() (UUID, bool) {
	for _, c := range cs {
		if c.constant == nil && c.column.pos == posUUID && c.function == fnEQ {
			return c.arg.Keys[0].(UUID), true
		}
	}
	return UUID{}, false
}

func (c *condition) match(r *Row) bool {
	if c.constant != nil {
		return *c.constant
	}
	v := c.column.value(r)
	switch c.function {
	case fnEQ:
		return v.Equal(&c.arg)
	case fnNE:
		return !v.Equal(&c.arg)
	case fnIncludes:
		return includes(&v, &c.arg)
	case fnExcludes:
		return excludes(&v, &c.arg)
	}
	if len(v.Keys) != 1 {
		return false
	}
	cmp := compareAtoms(v.Keys[0], c.arg.Keys[0])
	switch c.function {
	case fnLT:
		return cmp < 0
	case fnLE:
		return cmp <= 0
	case fnGT:
		return cmp > 0
	}
	return cmp >= 0
}

// includes reports whether every element (pair, for maps) of sub is in d.
func includes(d, sub *Datum) bool {
	for i, k := range sub.Keys {
		idx := d.find(k)
		if idx < 0 {
			return false
		}
		if sub.Values != nil && compareAtoms(d.Values[idx], sub.Values[i]) != 0 {
			return false
		}
	}
	return true
}

// excludes reports whether no element (pair, for maps) of other is in d.
func excludes(d, other *Datum) bool {
	for i, k := range other.Keys {
		idx := d.find(k)
		if idx >= 0 && (other.Values == nil || compareAtoms(d.Values[idx], other.Values[i]) == 0) {
			return false
		}
	}
	return true
}
