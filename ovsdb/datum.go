package ovsdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Atom is one OVSDB atomic value: int64, float64, bool, string or UUID.
type Atom = any

// compareAtoms orders two atoms of the same type as OVSDB does: numbers
// numerically, false before true, strings bytewise, uuids by their text.
func compareAtoms(a, b Atom) int {
	switch x := a.(type) {
	case int64:
		y := b.(int64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case float64:
		y := b.(float64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case string:
		y := b.(string)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case UUID:
		y := b.(UUID)
		return bytes.Compare(x[:], y[:])
	}
	panic(fmt.Sprintf("ovsdb: atom of unexpected Go type %T", a))
}

func defaultAtom(t AtomicType) Atom {
	switch t {
	case TypeInteger:
		return int64(0)
	case TypeReal:
		return float64(0)
	case TypeBoolean:
		return false
	case TypeString:
		return ""
	}
	return UUID{}
}

// atomJSON encodes an atom as RFC 7047 <atom>.
func atomJSON(a Atom) any {
	switch v := a.(type) {
	case UUID:
		return []any{"uuid", v.String()}
	case float64:
		return json.Number(formatReal(v))
	}
	return a
}

// formatReal writes a real the way OVS does: integral values without a
// fraction, others with enough digits to round-trip.
func formatReal(r float64) string {
	if r == math.Trunc(r) && math.Abs(r) < 1e15 {
		return strconv.FormatFloat(r, 'f', -1, 64)
	}
	return strconv.FormatFloat(r, 'g', 17, 64)
}

func atomText(a Atom) string { return jsonText(atomJSON(a)) }

// UUIDResolver maps a named-uuid to the uuid it stands for within one
// transaction. A nil resolver rejects named-uuids.
type UUIDResolver func(name string) (UUID, *Error)

func parseAtomJSON(j any, b *BaseType, resolve UUIDResolver) (Atom, *Error) {
	switch b.Type {
	case TypeInteger:
		if n, ok := j.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return i, nil
			}
		}
	case TypeReal:
		if n, ok := j.(json.Number); ok {
			if r, err := n.Float64(); err == nil {
				return r, nil
			}
		}
	case TypeBoolean:
		if v, ok := j.(bool); ok {
			return v, nil
		}
	case TypeString:
		if v, ok := j.(string); ok {
			return v, nil
		}
	case TypeUUID:
		if arr, ok := j.([]any); ok && len(arr) == 2 {
			tag, _ := arr[0].(string)
			s, ok := arr[1].(string)
			if ok && tag == "uuid" {
				if u, err := ParseUUID(s); err == nil {
					return u, nil
				}
				return nil, syntaxError(j, "%q is not a valid UUID", s)
			}
			if ok && tag == "named-uuid" {
				if resolve == nil {
					return nil, syntaxError(j, "named-uuid %q is not allowed here", s)
				}
				return resolve(s)
			}
		}
	}
	return nil, syntaxError(j, "expected %s", b.Type)
}

// Datum is the value of a column: a sorted set of atoms, or a map from
// sorted unique keys to values. A scalar is a set of one atom.
type Datum struct {
	Keys []Atom
	// Values is nil for sets and parallel to Keys for maps.
	Values []Atom
}

// Len returns the number of elements (set members or map pairs).
func (d *Datum) Len() int { return len(d.Keys) }

// find returns the index of key k, or -1.
func (d *Datum) find(k Atom) int {
	i := sort.Search(len(d.Keys), func(i int) bool { return compareAtoms(d.Keys[i], k) >= 0 })
	if i < len(d.Keys) && compareAtoms(d.Keys[i], k) == 0 {
		return i
	}
	return -1
}

// Equal reports whether d and e hold the same elements.
func (d *Datum) Equal(e *Datum) bool {
	if len(d.Keys) != len(e.Keys) {
		return false
	}
	for i := range d.Keys {
		if compareAtoms(d.Keys[i], e.Keys[i]) != 0 {
			return false
		}
		if d.Values != nil && compareAtoms(d.Values[i], e.Values[i]) != 0 {
			return false
		}
	}
	return true
}

func (d *Datum) clone() Datum {
	c := Datum{Keys: append([]Atom(nil), d.Keys...)}
	if d.Values != nil {
		c.Values = append([]Atom{}, d.Values...)
	}
	return c
}

// DefaultDatum returns the default value of a column of type t: empty when
// t.Min is 0, otherwise one default atom (or pair).
func DefaultDatum(t *ColumnType) Datum {
	var d Datum
	if t.Value != nil {
		d.Values = []Atom{}
	}
	if t.Min == 0 {
		return d
	}
	d.Keys = []Atom{defaultAtom(t.Key.Type)}
	if t.Value != nil {
		d.Values = []Atom{defaultAtom(t.Value.Type)}
	}
	return d
}

// IsDefault reports whether d equals the default of t.
func (d *Datum) IsDefault(t *ColumnType) bool {
	if t.Min == 0 {
		return len(d.Keys) == 0
	}
	def := DefaultDatum(t)
	return d.Equal(&def)
}

// sortUnique sorts d by key; it fails on a repeated key (for maps) or a
// repeated element (for sets).
func (d *Datum) sortUnique() *Error {
	if len(d.Keys) < 2 {
		return nil
	}
	if d.Values == nil {
		sort.Slice(d.Keys, func(i, j int) bool { return compareAtoms(d.Keys[i], d.Keys[j]) < 0 })
	} else {
		sort.Sort(mapSorter{d})
	}
	for i := 1; i < len(d.Keys); i++ {
		if compareAtoms(d.Keys[i-1], d.Keys[i]) == 0 {
			if d.Values != nil {
				return newError(ErrConstraintViolation, "map contains duplicate key %s", atomText(d.Keys[i]))
			}
			return newError(ErrConstraintViolation, "set contains duplicate value %s", atomText(d.Keys[i]))
		}
	}
	return nil
}

type mapSorter struct{ d *Datum }

func (s mapSorter) Len() int           { return len(s.d.Keys) }
func (s mapSorter) Less(i, j int) bool { return compareAtoms(s.d.Keys[i], s.d.Keys[j]) < 0 }
func (s mapSorter) Swap(i, j int) {
	s.d.Keys[i], s.d.Keys[j] = s.d.Keys[j], s.d.Keys[i]
	s.d.Values[i], s.d.Values[j] = s.d.Values[j], s.d.Values[i]
}

// JSON encodes d as RFC 7047 <value> for type t.
func (d *Datum) JSON(t *ColumnType) any {
	if t.Value != nil {
		pairs := make([]any, len(d.Keys))
		for i := range d.Keys {
			pairs[i] = []any{atomJSON(d.Keys[i]), atomJSON(d.Values[i])}
		}
		return []any{"map", pairs}
	}
	if len(d.Keys) == 1 {
		return atomJSON(d.Keys[0])
	}
	elems := make([]any, len(d.Keys))
	for i, k := range d.Keys {
		elems[i] = atomJSON(k)
	}
	return []any{"set", elems}
}

// ParseDatum decodes RFC 7047 <value> JSON text of column type t.
func ParseDatum(text []byte, t *ColumnType) (Datum, error) {
	j, err := decodeJSON(text)
	if err != nil {
		return Datum{}, fmt.Errorf("parse datum: %w", err)
	}
	d, oerr := parseDatumJSON(j, t, nil)
	if oerr != nil {
		return Datum{}, oerr
	}
	return d, nil
}

// parseDatumJSON decodes <value> for type t, checking element counts but not
// base-type constraints (see checkDatum).
func parseDatumJSON(j any, t *ColumnType, resolve UUIDResolver) (Datum, *Error) {
	d, err := parseDatumElems(j, t, resolve)
	if err != nil {
		return Datum{}, err
	}
	if n := len(d.Keys); n < t.Min || n > t.Max {
		return Datum{}, syntaxError(j, "%s must have %d to %s members but %d are present",
			datumKind(t), t.Min, maxText(t.Max), n)
	}
	return d, nil
}

// parseDatumElems decodes <value> for type t without checking counts, as
// mutations and diffs need.
func parseDatumElems(j any, t *ColumnType, resolve UUIDResolver) (Datum, *Error) {
	var d Datum
	arr, isArr := j.([]any)
	if t.Value != nil {
		if !isArr || len(arr) != 2 || arr[0] != "map" {
			return Datum{}, syntaxError(j, "expected map")
		}
		pairs, ok := arr[1].([]any)
		if !ok {
			return Datum{}, syntaxError(j, "expected array of pairs")
		}
		d.Keys = make([]Atom, 0, len(pairs))
		d.Values = make([]Atom, 0, len(pairs))
		for _, p := range pairs {
			pair, ok := p.([]any)
			if !ok || len(pair) != 2 {
				return Datum{}, syntaxError(p, "expected [key, value] pair")
			}
			k, err := parseAtomJSON(pair[0], &t.Key, resolve)
			if err != nil {
				return Datum{}, err
			}
			v, err := parseAtomJSON(pair[1], t.Value, resolve)
			if err != nil {
				return Datum{}, err
			}
			d.Keys = append(d.Keys, k)
			d.Values = append(d.Values, v)
		}
	} else if isArr && len(arr) == 2 && arr[0] == "set" {
		elems, ok := arr[1].([]any)
		if !ok {
			return Datum{}, syntaxError(j, "expected array of set elements")
		}
		d.Keys = make([]Atom, 0, len(elems))
		for _, e := range elems {
			k, err := parseAtomJSON(e, &t.Key, resolve)
			if err != nil {
				return Datum{}, err
			}
			d.Keys = append(d.Keys, k)
		}
	} else {
		k, err := parseAtomJSON(j, &t.Key, resolve)
		if err != nil {
			return Datum{}, err
		}
		d.Keys = []Atom{k}
	}
	if err := d.sortUnique(); err != nil {
		err.Syntax = jsonText(j)
		return Datum{}, err
	}
	return d, nil
}

func datumKind(t *ColumnType) string {
	if t.Value != nil {
		return "Map"
	}
	return "Set"
}

func maxText(n int) string {
	if n == Unlimited {
		return "unlimited"
	}
	return strconv.Itoa(n)
}

// checkDatum verifies every atom of d against t's base-type constraints
// (enums, ranges, lengths).
func checkDatum(d *Datum, t *ColumnType) *Error {
	for i, k := range d.Keys {
		if err := t.Key.checkAtom(k); err != nil {
			return err
		}
		if t.Value != nil {
			if err := t.Value.checkAtom(d.Values[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// DiffDatum returns the "diff" form of old→new used by update2 and by
// _is_diff log records: the new value for columns holding at most one atom,
// the symmetric difference for sets, and for maps the removed pairs plus
// the added or changed pairs (new value).
func DiffDatum(old, new *Datum, t *ColumnType) Datum {
	if diffIsNewValue(t) {
		return new.clone()
	}
	var diff Datum
	if t.Value != nil {
		diff.Values = []Atom{}
	}
	i, j := 0, 0
	for i < len(old.Keys) || j < len(new.Keys) {
		var c int
		switch {
		case i == len(old.Keys):
			c = 1
		case j == len(new.Keys):
			c = -1
		default:
			c = compareAtoms(old.Keys[i], new.Keys[j])
		}
		switch {
		case c < 0:
			diff.Keys = append(diff.Keys, old.Keys[i])
			if t.Value != nil {
				diff.Values = append(diff.Values, old.Values[i])
			}
			i++
		case c > 0:
			diff.Keys = append(diff.Keys, new.Keys[j])
			if t.Value != nil {
				diff.Values = append(diff.Values, new.Values[j])
			}
			j++
		default:
			if t.Value != nil && compareAtoms(old.Values[i], new.Values[j]) != 0 {
				diff.Keys = append(diff.Keys, new.Keys[j])
				diff.Values = append(diff.Values, new.Values[j])
			}
			i++
			j++
		}
	}
	return diff
}

// applyDiff returns old with a diff (as made by diffDatum) applied.
func applyDiff(old, diff *Datum, t *ColumnType) Datum {
	if diffIsNewValue(t) {
		return diff.clone()
	}
	result := old.clone()
	for n, k := range diff.Keys {
		idx := result.find(k)
		switch {
		case idx < 0:
			result.insertAt(k, diff.valueAt(n))
		case t.Value != nil && compareAtoms(result.Values[idx], diff.Values[n]) != 0:
			result.Values[idx] = diff.Values[n]
		default:
			result.removeAt(idx)
		}
	}
	return result
}

// diffIsNewValue reports whether a diff of type t is simply the new value,
// as ovsdb-server writes it for scalar and optional columns.
func diffIsNewValue(t *ColumnType) bool { return t.Max == 1 }

func (d *Datum) valueAt(i int) Atom {
	if d.Values == nil {
		return nil
	}
	return d.Values[i]
}

// insertAt adds key k (and value v for maps) keeping d sorted; k must be
// absent.
func (d *Datum) insertAt(k, v Atom) {
	i := sort.Search(len(d.Keys), func(i int) bool { return compareAtoms(d.Keys[i], k) >= 0 })
	d.Keys = append(d.Keys, nil)
	copy(d.Keys[i+1:], d.Keys[i:])
	d.Keys[i] = k
	if d.Values != nil {
		d.Values = append(d.Values, nil)
		copy(d.Values[i+1:], d.Values[i:])
		d.Values[i] = v
	}
}

func (d *Datum) removeAt(i int) {
	d.Keys = append(d.Keys[:i], d.Keys[i+1:]...)
	if d.Values != nil {
		d.Values = append(d.Values[:i], d.Values[i+1:]...)
	}
}

// String formats d as ovsdb-server does in error details: an atom alone,
// a set as "[a, b]", a map as "{k=v, ...}".
func (d *Datum) String() string {
	var b strings.Builder
	if d.Values != nil {
		b.WriteByte('{')
	} else if len(d.Keys) != 1 {
		b.WriteByte('[')
	}
	for i, k := range d.Keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(atomString(k))
		if d.Values != nil {
			b.WriteByte('=')
			b.WriteString(atomString(d.Values[i]))
		}
	}
	if d.Values != nil {
		b.WriteByte('}')
	} else if len(d.Keys) != 1 {
		b.WriteByte(']')
	}
	return b.String()
}

// Format writes d of type t in ovsdb-tool's and ovs-vsctl's text form:
// maps in braces, sets that may hold several elements (or are empty) in
// brackets, anything else as a bare atom.
func (d *Datum) Format(t *ColumnType) string {
	if t.Value == nil && t.Max == 1 && len(d.Keys) == 1 {
		return atomString(d.Keys[0])
	}
	if t.Value == nil && len(d.Keys) == 1 {
		return "[" + atomString(d.Keys[0]) + "]"
	}
	return d.String()
}

// FormatValue formats a <value> JSON of column type t (or a diff of one:
// element counts are not checked) with [Datum.Format].
func FormatValue(j any, t *ColumnType) (string, error) {
	d, err := parseDatumElems(j, t, nil)
	if err != nil {
		return "", err
	}
	return d.Format(t), nil
}

// atomString formats an atom as ovsdb-server's text format: strings bare
// when unambiguous, quoted otherwise.
func atomString(a Atom) string {
	switch v := a.(type) {
	case string:
		if stringNeedsQuotes(v) {
			return jsonText(v)
		}
		return v
	case UUID:
		return v.String()
	case float64:
		return formatReal(v)
	}
	return fmt.Sprint(a)
}

func stringNeedsQuotes(s string) bool {
	if s == "" || s == "true" || s == "false" {
		return true
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return true
		}
	}
	return IsUUID(s)
}

// FormatAtom formats one atom as [Datum.Format] does.
func FormatAtom(a Atom) string { return atomString(a) }
