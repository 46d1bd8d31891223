package flowtable

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Subfield is a run of bits within a field: NXM's "field[start..end]".
type Subfield struct {
	Field *Field
	Ofs   int // first bit, counting from the field's least significant bit
	NBits int
}

// ParseSubfield parses "name[]", "name[bit]" or "name[start..end]", where
// name is a field's canonical, alias or NXM/OXM name.
func ParseSubfield(s string) (Subfield, error) { return ParseSubfieldNames(s, nil) }

// ParseSubfieldNames is ParseSubfield with a bridge's names, through which
// tun_metadataN resolves (see [Names]). Text after the subfield is
// refused, with OVS's message.
func ParseSubfieldNames(s string, names PortNamer) (Subfield, error) {
	sf, n, err := scanSubfield(s, names)
	if err != nil {
		return Subfield{}, err
	}
	if n < len(s) {
		return Subfield{}, errors.New("unexpected input following field syntax")
	}
	return sf, nil
}

// scanSubfield reads a subfield at the start of s, as OVS does where more
// text may follow it (move's "src->dst"), and returns how many bytes it
// read. The name runs up to a '[' or '-'; the bit numbers in brackets
// are read as C's %d reads them. Errors quote all of s, as OVS's do.
func scanSubfield(s string, names PortNamer) (Subfield, int, error) {
	n := strings.IndexAny(s, "[-")
	if n < 0 {
		n = len(s)
	}
	name := s[:n]
	f, found := lookupField(name, names, true)
	if !found {
		return Subfield{}, 0, fmt.Errorf("%s: unknown field `%s'", s, name)
	}
	sf := Subfield{Field: f, NBits: f.SubfieldBits()}
	if n == len(s) || s[n] != '[' {
		return sf, n, nil
	}
	syntaxError := fmt.Errorf("%s: syntax error expecting [] or [<bit>] or [<start>..<end>]", s)
	n++
	if strings.HasPrefix(s[n:], "]") {
		return sf, n + 1, nil
	}
	v, m, ok := ovsScanInt(s[n:], 10)
	start := int32(v)
	if !ok {
		return Subfield{}, 0, syntaxError
	}
	n += m
	end := start
	if rest, ok := strings.CutPrefix(s[n:], ".."); ok {
		if v, m, ok = ovsScanInt(rest, 10); !ok {
			return Subfield{}, 0, syntaxError
		}
		end = int32(v)
		n += 2 + m
	}
	if !strings.HasPrefix(s[n:], "]") {
		return Subfield{}, 0, syntaxError
	}
	n++
	width := f.SubfieldBits()
	switch {
	case start > end:
		return Subfield{}, 0, fmt.Errorf("%s: starting bit %d is after ending bit %d", s, start, end)
	case start < 0 || int(start) >= width:
		return Subfield{}, 0, fmt.Errorf("%s: starting bit %d is not valid because field is only %d bits wide", s, start, width)
	case int(end) >= width:
		return Subfield{}, 0, fmt.Errorf("%s: ending bit %d is not valid because field is only %d bits wide", s, end, width)
	}
	sf.Ofs, sf.NBits = int(start), int(end-start)+1
	return sf, n, nil
}

// String formats the subfield as OVS prints it: the NXM/OXM name when the
// field has one, then [], [bit] or [start..end].
func (sf Subfield) String() string {
	name := sf.Field.NXMName
	if name == "" {
		name = sf.Field.Name
	}
	switch {
	case sf.Ofs == 0 && sf.NBits == sf.Field.SubfieldBits():
		return name + "[]"
	case sf.NBits == 1:
		return fmt.Sprintf("%s[%d]", name, sf.Ofs)
	}
	return fmt.Sprintf("%s[%d..%d]", name, sf.Ofs, sf.Ofs+sf.NBits-1)
}

// Get reads the subfield (NBits ≤ 64) from k.
func (sf Subfield) Get(k *Key) uint64 { return sf.Field.getBits(k, sf.Ofs, sf.NBits) }

// Set writes the low NBits of v (NBits ≤ 64) into the subfield of k.
func (sf Subfield) Set(k *Key, v uint64) { sf.Field.setBits(k, sf.Ofs, sf.NBits, v) }

// bits returns the subfield's bits within its field's value, as a
// number: NBits ones shifted up by Ofs.
func (sf Subfield) bits() *big.Int {
	ones := new(big.Int).Lsh(big.NewInt(1), uint(sf.NBits))
	ones.Sub(ones, big.NewInt(1))
	return ones.Lsh(ones, uint(sf.Ofs))
}

// checkFits refuses v, which fits in the field's bytes, if it is wider
// than the subfield, with OVS's message: it quotes text and prints v in
// the field's own format (01:00:00:00:00:00, 0.0.1.0, LOCAL).
func (sf Subfield) checkFits(v *big.Int, text string) error {
	if v.BitLen() <= sf.NBits {
		return nil
	}
	value := sf.Field.formatGeneric(v.FillBytes(make([]byte, sf.Field.Bytes())), nil)
	return fmt.Errorf("%s: value %s does not fit into %d bits", text, value, sf.NBits)
}

// SetMask sets the subfield's bits in m.
func (sf Subfield) SetMask(m *Mask) {
	for j := 0; j < sf.NBits; j += 64 {
		n := min(64, sf.NBits-j)
		sf.Field.setBits(m, sf.Ofs+j, n, lowBits(n))
	}
}
