package flowtable

// Match is a flow match: the key bits selected by Mask must equal Key.
// Key bits outside Mask are kept zero, so two equal matches compare equal
// as Go values.
type Match struct {
	Key  Key
	Mask Mask
}

// Matches reports whether the packet key k satisfies the match.
func (m *Match) Matches(k *Key) bool {
	for i := range k {
		if (k[i]^m.Key[i])&m.Mask[i] != 0 {
			return false
		}
	}
	return true
}

// SetExact makes the match require field f to equal v (f at most 64 bits).
func (m *Match) SetExact(f *Field, v uint64) {
	f.Set(&m.Key, v)
	f.SetAllOnes(&m.Mask)
}

// SetMasked makes the match require field f to equal v in the bits of mask
// (f at most 64 bits).
func (m *Match) SetMasked(f *Field, v, mask uint64) {
	f.Set(&m.Mask, mask)
	f.Set(&m.Key, v&mask)
}

// SetBytesMasked is SetMasked for fields of any width; v and mask are
// big-endian and f.Bytes() long. A nil mask means exact.
func (m *Match) SetBytesMasked(f *Field, v, mask []byte) {
	if mask == nil {
		f.SetAllOnes(&m.Mask)
	} else {
		f.SetBytes(&m.Mask, mask)
	}
	f.SetBytes(&m.Key, v)
	m.normalize()
}

// Clear stops the match from looking at field f.
func (m *Match) Clear(f *Field) {
	f.Set(&m.Mask, 0)
	if f.Bits > 64 {
		var zero [16]byte
		f.SetBytes(&m.Mask, zero[:f.Bytes()])
	}
	m.normalize()
}

// FieldMask returns the mask bits of f (f at most 64 bits).
func (m *Match) FieldMask(f *Field) uint64 { return f.Get(&m.Mask) }

// IsExact reports whether every bit of f is matched.
func (m *Match) IsExact(f *Field) bool {
	if f.Bits <= 64 {
		return f.Get(&m.Mask) == lowBits(f.Bits)
	}
	var b [16]byte
	f.GetBytes(&m.Mask, b[:f.Bytes()])
	for _, x := range b[:f.Bytes()] {
		if x != 0xff {
			return false
		}
	}
	return true
}

// IsWildcard reports whether no bit of f is matched.
func (m *Match) IsWildcard(f *Field) bool {
	if f.Bits <= 64 {
		return f.Get(&m.Mask) == 0
	}
	var b [16]byte
	f.GetBytes(&m.Mask, b[:f.Bytes()])
	for _, x := range b[:f.Bytes()] {
		if x != 0 {
			return false
		}
	}
	return true
}

// normalize clears key bits outside the mask.
func (m *Match) normalize() { m.Key.And(&m.Mask) }
