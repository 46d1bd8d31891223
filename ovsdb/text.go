package ovsdb

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseDatumString parses a value in the text syntax ovs-vsctl accepts:
// atoms are numbers, booleans, UUIDs (or @names, through resolve), and
// strings either bare or double-quoted with JSON escapes; a set is atoms
// separated by commas, optionally in [brackets]; a map is key=value pairs
// separated by commas, optionally in {braces}. Integer sets also accept
// ranges such as 1-5.
func ParseDatumString(s string, t *ColumnType, resolve func(name string) (UUID, error)) (Datum, error) {
	p := &textParser{s: s, resolve: resolve}
	d, err := p.datum(t)
	if err != nil {
		return Datum{}, err
	}
	if err := d.sortUnique(); err != nil {
		return Datum{}, fmt.Errorf("%s", err.Details)
	}
	if n := d.Len(); n < t.Min || n > t.Max {
		return Datum{}, fmt.Errorf("\"%s\" is not a valid value: %s must have %d to %s members but %d are present",
			s, strings.ToLower(datumKind(t)), t.Min, maxText(t.Max), n)
	}
	if err := checkDatum(&d, t); err != nil {
		return Datum{}, fmt.Errorf("%s", err.Details)
	}
	return d, nil
}

// ParseAtomString parses one atom of base type b in ovs-vsctl's text
// syntax.
func ParseAtomString(s string, b *BaseType, resolve func(name string) (UUID, error)) (Atom, error) {
	p := &textParser{s: s, resolve: resolve}
	a, err := p.atom(b, "")
	if err != nil {
		return nil, err
	}
	if p.skipSpace(); p.pos != len(p.s) {
		return nil, fmt.Errorf("%q: trailing garbage after value", s)
	}
	if err := b.checkAtom(a); err != nil {
		return nil, fmt.Errorf("%s", err.Details)
	}
	return a, nil
}

type textParser struct {
	s       string
	pos     int
	resolve func(string) (UUID, error)
}

func (p *textParser) skipSpace() {
	for p.pos < len(p.s) && unicode.IsSpace(rune(p.s[p.pos])) {
		p.pos++
	}
}

func (p *textParser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

// token reads a quoted string or a bare word ending at a delimiter.
func (p *textParser) token(delims string) (string, bool, error) {
	p.skipSpace()
	if p.peek() == '"' {
		start := p.pos
		p.pos++
		for p.pos < len(p.s) && p.s[p.pos] != '"' {
			if p.s[p.pos] == '\\' {
				p.pos++
			}
			p.pos++
		}
		if p.pos >= len(p.s) {
			return "", true, fmt.Errorf("%s: missing quote at end of quoted string", p.s[start:])
		}
		p.pos++
		v, err := strconv.Unquote(p.s[start:p.pos])
		if err != nil {
			return "", true, fmt.Errorf("%s: bad quoted string", p.s[start:p.pos])
		}
		return v, true, nil
	}
	start := p.pos
	for p.pos < len(p.s) && !strings.ContainsRune(delims, rune(p.s[p.pos])) && !unicode.IsSpace(rune(p.s[p.pos])) {
		p.pos++
	}
	return p.s[start:p.pos], false, nil
}

func (p *textParser) atom(b *BaseType, delims string) (Atom, error) {
	word, quoted, err := p.token(delims)
	if err != nil {
		return nil, err
	}
	if word == "" && !quoted {
		return nil, fmt.Errorf("%q: syntax error: missing value", p.s)
	}
	switch b.Type {
	case TypeInteger:
		n, err := strconv.ParseInt(word, 0, 64)
		if err != nil || quoted {
			return nil, fmt.Errorf("%q is not a valid integer", word)
		}
		return n, nil
	case TypeReal:
		r, err := strconv.ParseFloat(word, 64)
		if err != nil || quoted {
			return nil, fmt.Errorf("%q is not a valid real number", word)
		}
		return r, nil
	case TypeBoolean:
		switch word {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a valid boolean (use \"true\" or \"false\")", word)
	case TypeString:
		if !utf8.ValidString(word) {
			return nil, fmt.Errorf("%q is not valid UTF-8", word)
		}
		return word, nil
	}
	if strings.HasPrefix(word, "@") && p.resolve != nil {
		return p.resolve(word)
	}
	u, err := ParseUUID(word)
	if err != nil {
		return nil, fmt.Errorf("\"%s\" is not a valid UUID", word)
	}
	return u, nil
}

func (p *textParser) datum(t *ColumnType) (Datum, error) {
	var d Datum
	if t.Value != nil {
		d.Values = []Atom{}
	}
	p.skipSpace()
	closer := byte(0)
	if c := p.peek(); c == '[' || c == '{' {
		closer = map[byte]byte{'[': ']', '{': '}'}[c]
		p.pos++
	}
	delims := ",]}"
	if t.Value != nil {
		delims = ",]}="
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.s) || p.peek() == closer && closer != 0 {
			break
		}
		if len(d.Keys) > 0 {
			if p.peek() != ',' {
				return Datum{}, fmt.Errorf("%q: syntax error: expected \",\"", p.s)
			}
			p.pos++
		}
		if err := p.element(&d, t, delims); err != nil {
			return Datum{}, err
		}
	}
	if closer != 0 {
		if p.peek() != closer {
			return Datum{}, fmt.Errorf("%q: syntax error: missing %q", p.s, closer)
		}
		p.pos++
	}
	if p.skipSpace(); p.pos != len(p.s) {
		return Datum{}, fmt.Errorf("%q: trailing garbage after value", p.s)
	}
	return d, nil
}

func (p *textParser) element(d *Datum, t *ColumnType, delims string) error {
	start := p.pos
	k, err := p.atom(&t.Key, delims)
	if err != nil {
		if t.Key.Type == TypeInteger && t.Value == nil {
			return p.integerRange(d, start, err)
		}
		return err
	}
	if t.Key.Type == TypeInteger && t.Value == nil && p.peek() == '-' {
		return p.integerRange(d, start, nil)
	}
	d.Keys = append(d.Keys, k)
	if t.Value == nil {
		return nil
	}
	p.skipSpace()
	if p.peek() != '=' {
		return fmt.Errorf("%q: syntax error: expected \"=\"", p.s)
	}
	p.pos++
	v, err := p.atom(t.Value, ",]}")
	if err != nil {
		return err
	}
	d.Values = append(d.Values, v)
	return nil
}

// integerRange parses "LOW-HIGH" as every integer in between.
func (p *textParser) integerRange(d *Datum, start int, atomErr error) error {
	p.pos = start
	word, _, _ := p.token(",]}")
	low, high, ok := strings.Cut(word, "-")
	lo, err1 := strconv.ParseInt(low, 0, 64)
	hi, err2 := strconv.ParseInt(high, 0, 64)
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("%q is not a valid integer or range", word)
	}
	if hi < lo || hi-lo >= 4096 {
		return fmt.Errorf("%q is not a valid range: %d-%d", word, lo, hi)
	}
	for n := lo; n <= hi; n++ {
		d.Keys = append(d.Keys, n)
	}
	return nil
}

// DatumFromJSON decodes an RFC 7047 <value> (as returned by ParseJSON)
// of type t, checking element counts but not constraints.
func DatumFromJSON(j any, t *ColumnType) (Datum, error) {
	d, err := parseDatumJSON(j, t, nil)
	if err != nil {
		return Datum{}, err
	}
	return d, nil
}
