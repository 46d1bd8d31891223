package ovsdb

// Union returns d with every element of other that d lacks added; for
// maps, pairs whose key d already has are ignored (RFC 7047 "insert").
func (d *Datum) Union(other *Datum) Datum {
	result := d.clone()
	for i, k := range other.Keys {
		if result.find(k) < 0 {
			result.insertAt(k, other.valueAt(i))
		}
	}
	return result
}

// Subtract returns d without the elements of other (RFC 7047 "delete"):
// for maps, other may be a map (pairs must match) or a set of keys.
func (d *Datum) Subtract(other *Datum) Datum {
	result := d.clone()
	for i, k := range other.Keys {
		idx := result.find(k)
		if idx < 0 {
			continue
		}
		if other.Values != nil && result.Values != nil && compareAtoms(result.Values[idx], other.Values[i]) != 0 {
			continue
		}
		result.removeAt(idx)
	}
	return result
}

// Lookup returns the value for key k of a map (or k itself for a set
// member) and whether it is present.
func (d *Datum) Lookup(k Atom) (Atom, bool) {
	i := d.find(k)
	if i < 0 {
		return nil, false
	}
	if d.Values != nil {
		return d.Values[i], true
	}
	return d.Keys[i], true
}

// WithPair returns a copy of map d with key k set to v.
func (d *Datum) WithPair(k, v Atom) Datum {
	result := d.clone()
	if i := result.find(k); i >= 0 {
		result.Values[i] = v
	} else {
		result.insertAt(k, v)
	}
	return result
}

// NewSet returns a set datum of the given atoms (all of one type); it
// fails on duplicates.
func NewSet(atoms ...Atom) (Datum, error) {
	d := Datum{Keys: append([]Atom(nil), atoms...)}
	if err := d.sortUnique(); err != nil {
		return Datum{}, err
	}
	return d, nil
}

// CheckDatum verifies d against t: element counts and base-type
// constraints.
func CheckDatum(d *Datum, t *ColumnType) error {
	if n := d.Len(); n < t.Min || n > t.Max {
		return newError(ErrConstraintViolation, "%s must have %d to %s members but %d are present",
			datumKind(t), t.Min, maxText(t.Max), n)
	}
	if err := checkDatum(d, t); err != nil {
		return err
	}
	return nil
}
