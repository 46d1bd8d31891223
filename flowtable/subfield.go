package flowtable

import (
	"fmt"
	"strconv"
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
// tun_metadataN resolves (see [Names]).
//
// Errors quote s, as OVS quotes the text from the subfield's start; a
// caller parsing a subfield that more text follows re-quotes them with
// [requoteSubfieldError].
func ParseSubfieldNames(s string, names PortNamer) (Subfield, error) {
	name, rest, bracket := strings.Cut(s, "[")
	f, found := lookupField(name, names, true)
	switch {
	case !found:
		return Subfield{}, fmt.Errorf("%s: unknown field `%s'", s, name)
	case !bracket:
		return Subfield{Field: f, NBits: f.SubfieldBits()}, nil
	case !strings.HasSuffix(rest, "]"):
		return Subfield{}, fmt.Errorf("%s: syntax error expecting [] or [<bit>] or [<start>..<end>]", s)
	}
	rest = strings.TrimSuffix(rest, "]")
	sf := Subfield{Field: f}
	switch {
	case rest == "":
		sf.NBits = f.SubfieldBits()
	case strings.Contains(rest, ".."):
		lo, hi, _ := strings.Cut(rest, "..")
		start, err1 := strconv.Atoi(lo)
		end, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil {
			return Subfield{}, fmt.Errorf("%s: syntax error expecting [] or [<bit>] or [<start>..<end>]", s)
		}
		if start > end {
			return Subfield{}, fmt.Errorf("%s: starting bit %d is after ending bit %d", s, start, end)
		}
		sf.Ofs, sf.NBits = start, end-start+1
	default:
		bit, err := strconv.Atoi(rest)
		if err != nil {
			return Subfield{}, fmt.Errorf("%s: syntax error expecting [] or [<bit>] or [<start>..<end>]", s)
		}
		sf.Ofs, sf.NBits = bit, 1
	}
	if width := f.SubfieldBits(); sf.Ofs < 0 || sf.Ofs >= width {
		return Subfield{}, fmt.Errorf("%s: starting bit %d is not valid because field is only %d bits wide", s, sf.Ofs, width)
	} else if end := sf.Ofs + sf.NBits - 1; end >= width {
		return Subfield{}, fmt.Errorf("%s: ending bit %d is not valid because field is only %d bits wide", s, end, width)
	}
	return sf, nil
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

// SetMask sets the subfield's bits in m.
func (sf Subfield) SetMask(m *Mask) {
	for j := 0; j < sf.NBits; j += 64 {
		n := min(64, sf.NBits-j)
		sf.Field.setBits(m, sf.Ofs+j, n, lowBits(n))
	}
}

// requoteSubfieldError re-quotes err, from parsing the subfield part, with
// text, which starts with part and goes on: OVS's error names everything
// from the subfield's start ("NXM_NX_REG0[A]->NXM_NX_REG1[]: syntax
// error ...").
func requoteSubfieldError(err error, part, text string) error {
	if msg, ok := strings.CutPrefix(err.Error(), part+": "); ok {
		return fmt.Errorf("%s: %s", text, msg)
	}
	return err
}
