package ovsdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/govs/govs/internal/jsonrpc"
)

// AtomicType is one of the five OVSDB atomic types.
type AtomicType int

// The atomic types, in the order OVSDB sorts them.
const (
	TypeInteger AtomicType = iota + 1
	TypeReal
	TypeBoolean
	TypeString
	TypeUUID
)

var atomicTypeNames = map[AtomicType]string{
	TypeInteger: "integer", TypeReal: "real", TypeBoolean: "boolean",
	TypeString: "string", TypeUUID: "uuid",
}

func (t AtomicType) String() string { return atomicTypeNames[t] }

func parseAtomicType(s string) (AtomicType, bool) {
	for t, name := range atomicTypeNames {
		if name == s {
			return t, true
		}
	}
	return 0, false
}

// Reference strengths for uuid columns with a refTable.
const (
	RefStrong = "strong"
	RefWeak   = "weak"
)

// Unlimited is ColumnType.Max for a set or map with no upper bound.
const Unlimited = math.MaxInt

// BaseType is an atomic type with its optional constraints, the "key" or
// "value" of a column type.
type BaseType struct {
	Type AtomicType
	// Enum, when non-nil, lists every allowed value (a set of atoms).
	Enum *Datum
	// Integer bounds, inclusive; MinInteger > MaxInteger never holds.
	MinInteger, MaxInteger int64
	// Real bounds, inclusive.
	MinReal, MaxReal float64
	// String length bounds in UTF-8 characters.
	MinLength, MaxLength int
	// RefTable names the table a uuid refers to; empty for plain uuids.
	RefTable string
	// RefType is RefStrong or RefWeak when RefTable is set.
	RefType string
}

func newBaseType(t AtomicType) BaseType {
	return BaseType{
		Type: t, MinInteger: math.MinInt64, MaxInteger: math.MaxInt64,
		MinReal: -math.MaxFloat64, MaxReal: math.MaxFloat64,
		MaxLength: math.MaxInt,
	}
}

func (b *BaseType) hasConstraints() bool {
	return b.Enum != nil || b.MinInteger != math.MinInt64 || b.MaxInteger != math.MaxInt64 ||
		b.MinReal != -math.MaxFloat64 || b.MaxReal != math.MaxFloat64 ||
		b.MinLength != 0 || b.MaxLength != math.MaxInt || b.RefTable != ""
}

// IsStrongRef reports whether atoms of b are strong references.
func (b *BaseType) IsStrongRef() bool { return b.RefTable != "" && b.RefType == RefStrong }

// IsWeakRef reports whether atoms of b are weak references.
func (b *BaseType) IsWeakRef() bool { return b.RefTable != "" && b.RefType == RefWeak }

func parseBaseType(j any) (BaseType, error) {
	if s, ok := j.(string); ok {
		t, ok := parseAtomicType(s)
		if !ok {
			return BaseType{}, fmt.Errorf("unknown atomic type %q", s)
		}
		return newBaseType(t), nil
	}
	obj, ok := j.(map[string]any)
	if !ok {
		return BaseType{}, fmt.Errorf("base type must be a string or an object, not %s", jsonText(j))
	}
	name, _ := obj["type"].(string)
	t, ok := parseAtomicType(name)
	if !ok {
		return BaseType{}, fmt.Errorf("base type %s: unknown or missing \"type\"", jsonText(j))
	}
	b := newBaseType(t)
	for key, v := range obj {
		var err error
		switch key {
		case "type":
		case "enum":
			d, derr := parseDatumJSON(v, &ColumnType{Key: newBaseType(t), Min: 1, Max: Unlimited}, nil)
			if derr != nil {
				err = derr
			}
			b.Enum = &d
		case "minInteger", "maxInteger":
			var n int64
			if t != TypeInteger {
				err = fmt.Errorf("%s is only allowed for integers", key)
			} else if n, err = jsonInt(v); key == "minInteger" {
				b.MinInteger = n
			} else {
				b.MaxInteger = n
			}
		case "minReal", "maxReal":
			var r float64
			if t != TypeReal {
				err = fmt.Errorf("%s is only allowed for reals", key)
			} else if r, err = jsonReal(v); key == "minReal" {
				b.MinReal = r
			} else {
				b.MaxReal = r
			}
		case "minLength", "maxLength":
			var n int64
			if t != TypeString {
				err = fmt.Errorf("%s is only allowed for strings", key)
			} else if n, err = jsonInt(v); err == nil && (n < 0 || n > math.MaxInt32) {
				err = fmt.Errorf("%s %d out of range", key, n)
			} else if key == "minLength" {
				b.MinLength = int(n)
			} else {
				b.MaxLength = int(n)
			}
		case "refTable":
			if t != TypeUUID {
				err = fmt.Errorf("refTable is only allowed for uuids")
			} else if s, ok := v.(string); !ok || s == "" {
				err = fmt.Errorf("refTable must be a table name")
			} else {
				b.RefTable = s
				if b.RefType == "" {
					b.RefType = RefStrong
				}
			}
		case "refType":
			s, _ := v.(string)
			if s != RefStrong && s != RefWeak {
				err = fmt.Errorf("refType must be \"strong\" or \"weak\", not %s", jsonText(v))
			} else {
				b.RefType = s
			}
		default:
			err = fmt.Errorf("unknown member %q", key)
		}
		if err != nil {
			return BaseType{}, fmt.Errorf("base type %s: %w", jsonText(j), err)
		}
	}
	if b.RefTable == "" {
		b.RefType = ""
	}
	if b.MinInteger > b.MaxInteger || b.MinReal > b.MaxReal || b.MinLength > b.MaxLength {
		return BaseType{}, fmt.Errorf("base type %s: minimum exceeds maximum", jsonText(j))
	}
	return b, nil
}

// JSON returns b as ovsdb-server writes it in a schema: a bare type name
// when unconstrained, otherwise an object.
func (b *BaseType) JSON() any {
	if !b.hasConstraints() {
		return b.Type.String()
	}
	obj := map[string]any{"type": b.Type.String()}
	if b.Enum != nil {
		elemType := ColumnType{Key: newBaseType(b.Type), Min: 1, Max: Unlimited}
		obj["enum"] = b.Enum.JSON(&elemType)
	}
	if b.MinInteger != math.MinInt64 {
		obj["minInteger"] = b.MinInteger
	}
	if b.MaxInteger != math.MaxInt64 {
		obj["maxInteger"] = b.MaxInteger
	}
	if b.MinReal != -math.MaxFloat64 {
		obj["minReal"] = b.MinReal
	}
	if b.MaxReal != math.MaxFloat64 {
		obj["maxReal"] = b.MaxReal
	}
	if b.MinLength != 0 {
		obj["minLength"] = b.MinLength
	}
	if b.MaxLength != math.MaxInt {
		obj["maxLength"] = b.MaxLength
	}
	if b.RefTable != "" {
		obj["refTable"] = b.RefTable
		if b.RefType == RefWeak {
			obj["refType"] = RefWeak
		}
	}
	return obj
}

// checkAtom reports a constraint violation if a (of b's type) breaks one of
// b's constraints.
func (b *BaseType) checkAtom(a Atom) *Error {
	if b.Enum != nil && b.Enum.find(a) < 0 {
		return newError(ErrConstraintViolation, "%s is not one of the allowed values (%s)",
			atomString(a), b.Enum.String())
	}
	switch v := a.(type) {
	case int64:
		if v < b.MinInteger || v > b.MaxInteger {
			return newError(ErrConstraintViolation, "%d is not in the valid range %d to %d (inclusive)",
				v, b.MinInteger, b.MaxInteger)
		}
	case float64:
		if v < b.MinReal || v > b.MaxReal {
			return newError(ErrConstraintViolation, "%g is not in the valid range %g to %g (inclusive)",
				v, b.MinReal, b.MaxReal)
		}
	case string:
		n := utf8.RuneCountInString(v)
		if n < b.MinLength {
			return newError(ErrConstraintViolation, "%q length %d is less than minimum allowed length %d",
				v, n, b.MinLength)
		}
		if n > b.MaxLength {
			return newError(ErrConstraintViolation, "%q length %d is greater than maximum allowed length %d",
				v, n, b.MaxLength)
		}
	}
	return nil
}

// ColumnType is the type of a column: a key base type, an optional value
// base type (for maps) and bounds on the number of elements.
type ColumnType struct {
	Key   BaseType
	Value *BaseType
	// Min is 0 or 1; Max is at least 1, or Unlimited.
	Min, Max int
}

// IsScalar reports whether t holds exactly one atom.
func (t *ColumnType) IsScalar() bool { return t.Value == nil && t.Min == 1 && t.Max == 1 }

func parseColumnType(j any) (ColumnType, error) {
	obj, ok := j.(map[string]any)
	if !ok {
		key, err := parseBaseType(j)
		return ColumnType{Key: key, Min: 1, Max: 1}, err
	}
	if _, ok := obj["key"]; !ok {
		return ColumnType{}, fmt.Errorf("type %s: required \"key\" member is missing", jsonText(j))
	}
	t := ColumnType{Min: 1, Max: 1}
	for name, v := range obj {
		var err error
		switch name {
		case "key":
			t.Key, err = parseBaseType(v)
		case "value":
			var value BaseType
			value, err = parseBaseType(v)
			t.Value = &value
		case "min":
			var n int64
			n, err = jsonInt(v)
			if err == nil && n != 0 && n != 1 {
				err = fmt.Errorf("min must be 0 or 1")
			}
			t.Min = int(n)
		case "max":
			if v == "unlimited" {
				t.Max = Unlimited
				break
			}
			var n int64
			n, err = jsonInt(v)
			if err == nil && (n < 1 || n > math.MaxInt32) {
				err = fmt.Errorf("max must be positive or \"unlimited\"")
			}
			t.Max = int(n)
		default:
			err = fmt.Errorf("unknown member %q", name)
		}
		if err != nil {
			return ColumnType{}, fmt.Errorf("type %s: %w", jsonText(j), err)
		}
	}
	if t.Min > t.Max {
		return ColumnType{}, fmt.Errorf("type %s: min exceeds max", jsonText(j))
	}
	return t, nil
}

// JSON returns t as ovsdb-server writes it in a schema.
func (t *ColumnType) JSON() any {
	if t.IsScalar() && !t.Key.hasConstraints() {
		return t.Key.JSON()
	}
	obj := map[string]any{"key": t.Key.JSON()}
	if t.Value != nil {
		obj["value"] = t.Value.JSON()
	}
	if t.Min != 1 {
		obj["min"] = t.Min
	}
	if t.Max == Unlimited {
		obj["max"] = "unlimited"
	} else if t.Max != 1 {
		obj["max"] = t.Max
	}
	return obj
}

// ParseJSON parses one JSON value keeping numbers as json.Number, so that
// integers and reals stay distinct, as every OVSDB decoder needs.
func ParseJSON(data []byte) (any, error) { return decodeJSON(data) }

func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

// jsonText renders v compactly for error messages.
func jsonText(v any) string {
	b, err := MarshalJSON(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// MarshalJSON encodes v compactly like encoding/json, but without escaping
// '<', '>' and '&', as OVS writes JSON.
func MarshalJSON(v any) ([]byte, error) { return jsonrpc.Marshal(v) }

func jsonInt(v any) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("expected integer, not %s", jsonText(v))
	}
	i, err := n.Int64()
	if err != nil {
		return 0, fmt.Errorf("expected integer, not %s", n)
	}
	return i, nil
}

func jsonReal(v any) (float64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("expected real, not %s", jsonText(v))
	}
	r, err := n.Float64()
	if err != nil {
		return 0, fmt.Errorf("expected real, not %s", n)
	}
	return r, nil
}
