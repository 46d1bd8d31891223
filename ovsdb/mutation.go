package ovsdb

import (
	"math"
)

// mutation is one parsed [column, mutator, value] of a "mutate" operation.
type mutation struct {
	column  columnRef
	mutator string
	arg     Datum
}

func parseMutation(ts *TableSchema, j any, resolve UUIDResolver) (mutation, *Error) {
	triple, ok := j.([]any)
	if !ok || len(triple) != 3 {
		return mutation{}, syntaxError(j, "mutation must be [column, mutator, value]")
	}
	name, ok1 := triple[0].(string)
	mutator, ok2 := triple[1].(string)
	if !ok1 || !ok2 {
		return mutation{}, syntaxError(j, "mutation must be [column, mutator, value]")
	}
	col, err := lookupColumn(ts, name)
	if err != nil {
		err.Syntax = jsonText(j)
		return mutation{}, err
	}
	if col.schema == nil || !col.schema.Mutable {
		return mutation{}, newError(ErrConstraintViolation, "Cannot mutate immutable column %s in table %s.", name, ts.Name)
	}
	m := mutation{column: col, mutator: mutator}
	switch mutator {
	case "+=", "-=", "*=", "/=", "%=":
		kt := col.typ.Key.Type
		if col.typ.Value != nil || (kt != TypeInteger && kt != TypeReal) || (mutator == "%=" && kt != TypeInteger) {
			return mutation{}, syntaxError(j, "Type mismatch: \"%s\" operator may not be applied to column %s of type %s.",
				mutator, name, jsonText(col.typ.JSON()))
		}
		a, err := parseAtomJSON(triple[2], &BaseType{Type: kt}, resolve)
		if err != nil {
			return mutation{}, err
		}
		if (mutator == "/=" || mutator == "%=") && (a == int64(0) || a == float64(0)) {
			return mutation{}, newError(ErrDomain, "Division by zero.")
		}
		m.arg = Datum{Keys: []Atom{a}}
	case "insert", "delete":
		loose := *col.typ
		loose.Min, loose.Max = 0, Unlimited
		arg, err := parseDatumJSON(triple[2], &loose, resolve)
		if err != nil && mutator == "delete" && col.typ.Value != nil {
			// A map's keys may be deleted by giving a set of keys.
			keysOnly := ColumnType{Key: col.typ.Key, Min: 0, Max: Unlimited}
			arg, err = parseDatumJSON(triple[2], &keysOnly, resolve)
		}
		if err != nil {
			return mutation{}, err
		}
		m.arg = arg
	default:
		return mutation{}, syntaxError(j, "unknown mutator %q", mutator)
	}
	return m, nil
}

// apply returns the column value after the mutation, checked against the
// column's constraints.
func (m *mutation) apply(old *Datum, tableName string) (Datum, *Error) {
	t := m.column.typ
	var result Datum
	switch m.mutator {
	case "insert":
		result = old.Union(&m.arg)
	case "delete":
		result = old.Subtract(&m.arg)
	default:
		result = Datum{Keys: make([]Atom, len(old.Keys))}
		for i, k := range old.Keys {
			v, err := arithmetic(m.mutator, k, m.arg.Keys[0])
			if err != nil {
				return Datum{}, err
			}
			result.Keys[i] = v
		}
		if err := result.sortUnique(); err != nil {
			return Datum{}, newError(ErrConstraintViolation, "Result of \"%s\" operation contains duplicates.", m.mutator)
		}
	}
	if n := result.Len(); n < t.Min || n > t.Max {
		return Datum{}, newError(ErrConstraintViolation,
			"Attempted to store %d elements in %s with min %d and max %s in column %s of table %s.",
			n, datumKind(t), t.Min, maxText(t.Max), m.column.name, tableName)
	}
	if err := checkDatum(&result, t); err != nil {
		return Datum{}, err
	}
	return result, nil
}

func arithmetic(op string, a, b Atom) (Atom, *Error) {
	if x, ok := a.(int64); ok {
		y := b.(int64)
		var r int64
		overflow := false
		switch op {
		case "+=":
			r = x + y
			overflow = (y > 0 && r < x) || (y < 0 && r > x)
		case "-=":
			r = x - y
			overflow = (y > 0 && r > x) || (y < 0 && r < x)
		case "*=":
			r = x * y
			overflow = x != 0 && (r/x != y || (x == -1 && y == math.MinInt64))
		case "/=":
			overflow = x == math.MinInt64 && y == -1
			if !overflow {
				r = x / y
			}
		case "%=":
			if y != -1 {
				r = x % y
			}
		}
		if overflow {
			return nil, newError(ErrRange, "Result of \"%s\" operation is out of range.", op)
		}
		return r, nil
	}
	x, y := a.(float64), b.(float64)
	var r float64
	switch op {
	case "+=":
		r = x + y
	case "-=":
		r = x - y
	case "*=":
		r = x * y
	case "/=":
		r = x / y
	}
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return nil, newError(ErrRange, "Result of \"%s\" operation is out of range.", op)
	}
	return r, nil
}
