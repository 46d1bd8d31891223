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
