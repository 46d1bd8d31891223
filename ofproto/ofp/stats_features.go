package ofp

import "encoding/binary"

// statsTableFeatures is OFPMP_TABLE_FEATURES (OpenFlow 1.3+).
const statsTableFeatures = 12

// Table features errors (OFPTFFC_*) and the one OVS sends for an error a
// version cannot express; their encodings are what `ovs-ofctl print-error`
// of OVS 3.1 reports.
const (
	// TableFeaturesEPerm refuses a request that would change the tables.
	TableFeaturesEPerm ErrorCode = "OFPTFFC_EPERM"
	// TableFeaturesBadFeatures is a table lacking required properties
	// (OpenFlow 1.5 only).
	TableFeaturesBadFeatures ErrorCode = "OFPTFFC_BAD_FEATURES"
	// BadPropertyBadLen is a property or table entry with a bad length.
	BadPropertyBadLen ErrorCode = "OFPBPC_BAD_LEN"
	// NXBadRequestUnencodable stands in for an error the session's version
	// has no encoding for.
	NXBadRequestUnencodable ErrorCode = "NXBRC_UNENCODABLE_ERROR"
)

func init() {
	errorTable[TableFeaturesEPerm] = [6]wireError{{}, {}, {}, {true, 0, 13, 5}, {true, 0, 13, 5}, {true, 0, 13, 5}}
	errorTable[TableFeaturesBadFeatures] = [6]wireError{{}, {}, {}, {}, {}, {true, 0, 13, 8}}
	errorTable[NXBadRequestUnencodable] = [6]wireError{{true, 0x2320, 1, 521}, {true, 0x2320, 1, 521},
		{true, 0x2320, 10, 0}, {true, 0x2320, 10, 0}, {true, 0x2320, 10, 0}, {true, 0x2320, 10, 0}}
}

// TableFeaturesRequest is an OFPMP_TABLE_FEATURES request with no body,
// which asks for the tables' features without changing them (ovs-ofctl
// sends it to learn table names before a flow_mod in OpenFlow 1.3+). A
// request with a body, which would reconfigure the tables, does not
// decode: it gets the error OVS 3.1 answers it with.
type TableFeaturesRequest struct{}

func (m *TableFeaturesRequest) encode(e *enc) error {
	if e.v < OF13 {
		return errorf(BadRequestBadVersion, "table features in %s are not supported", e.v)
	}
	e.statsHeader(false, statsTableFeatures, 0)
	return nil
}

// TableFeatures is one table's entry in a table features reply: its
// limits and the properties saying what its flows may contain.
// Experimenter and unknown properties received are not kept.
type TableFeatures struct {
	Table         uint8
	Name          string // at most 31 bytes
	MetadataMatch uint64
	MetadataWrite uint64
	Config        uint32
	MaxEntries    uint32

	// Features is what any flow in the table may use; Miss is what the
	// table-miss flow may use.
	Features, Miss TableFeatureProps
	// Match lists the fields flows may match, with the has-mask bit set
	// for those taking an arbitrary mask; Wildcards lists the fields
	// flows may leave out.
	Match, Wildcards []FieldHeader
}

// TableFeatureProps is one set of the per-flow properties of a table
// features entry (OFPTFPT13_INSTRUCTIONS through APPLY_SETFIELD, or their
// _MISS variants).
type TableFeatureProps struct {
	Instructions  []uint16 // instruction types (OFPIT_*)
	NextTables    []uint8  // tables goto_table may name
	WriteActions  []uint16 // action types (OFPAT_*) write_actions may hold
	ApplyActions  []uint16 // action types apply_actions may hold
	WriteSetfield []FieldHeader
	ApplySetfield []FieldHeader
}

// FieldHeader names a field as table features properties do: its OXM or
// NXM header (class, field, has-mask bit and payload length) and, for the
// experimenter class 0xffff, the experimenter id that follows it.
type FieldHeader struct {
	Header       uint32
	Experimenter uint32
}

// isExperimenter reports whether h carries an experimenter id.
func (h FieldHeader) isExperimenter() bool { return h.Header>>16 == classExperimenter }

// TableFeaturesReply is one part of an OFPMP_TABLE_FEATURES reply.
type TableFeaturesReply struct {
	Tables []TableFeatures
	More   bool
}

const tableFeaturesLen = 64 // ofp13_table_features before its properties

// Table feature property types (OFPTFPT13_*); each _MISS type is one more.
const (
	tfpInstructions  = 0
	tfpNextTables    = 2
	tfpWriteActions  = 4
	tfpApplyActions  = 6
	tfpMatch         = 8
	tfpWildcards     = 10
	tfpWriteSetfield = 12
	tfpApplySetfield = 14
	tfpMiss          = 1 // added to a type for its table-miss variant
)

// requiredTableProps are the property types OpenFlow requires in every
// table features entry (the _MISS ones are optional).
var requiredTableProps = []uint16{tfpInstructions, tfpNextTables, tfpWriteActions, tfpApplyActions,
	tfpMatch, tfpWildcards, tfpWriteSetfield, tfpApplySetfield}

func (m *TableFeaturesReply) encode(e *enc) error { return encodeMultipart(e, m, m.More) }

func (m *TableFeaturesReply) header(e *enc, more bool) error {
	if e.v < OF13 {
		return errorf(BadRequestBadVersion, "table features in %s are not supported", e.v)
	}
	e.statsHeader(true, statsTableFeatures, moreFlag(more))
	return nil
}

func (m *TableFeaturesReply) entries() int { return len(m.Tables) }

func (m *TableFeaturesReply) appendEntry(e *enc, i int) error {
	t := &m.Tables[i]
	start := len(e.b)
	e.u16(0) // length, filled in below
	e.u8(t.Table)
	e.zeros(5)
	e.putString(t.Name, tableNameLen)
	e.u64(t.MetadataMatch)
	e.u64(t.MetadataWrite)
	e.u32(t.Config)
	e.u32(t.MaxEntries)
	// OVS's order: each set's properties with actions next to their
	// set-field lists, the table's set before the miss set, then matching.
	t.Features.put(e, 0)
	t.Miss.put(e, tfpMiss)
	putFieldsProp(e, tfpMatch, t.Match)
	putFieldsProp(e, tfpWildcards, t.Wildcards)
	return e.lenAt(start, start)
}

func (p *TableFeatureProps) put(e *enc, miss uint16) {
	putTypesProp(e, tfpInstructions+miss, p.Instructions)
	start := propStart(e, tfpNextTables+miss)
	e.bytes(p.NextTables)
	propEnd(e, start)
	putTypesProp(e, tfpWriteActions+miss, p.WriteActions)
	putFieldsProp(e, tfpWriteSetfield+miss, p.WriteSetfield)
	putTypesProp(e, tfpApplyActions+miss, p.ApplyActions)
	putFieldsProp(e, tfpApplySetfield+miss, p.ApplySetfield)
}

// propStart writes a property header whose length propEnd fills in.
func propStart(e *enc, typ uint16) int {
	start := len(e.b)
	e.u16(typ)
	e.u16(0)
	return start
}

// propEnd sets the property's length, which leaves out the padding to 8
// bytes that follows it.
func propEnd(e *enc, start int) {
	e.put16(start+2, uint16(len(e.b)-start))
	e.pad8(start)
}

// putTypesProp writes instruction or action ids: a type and the length 4
// of a body-less header each.
func putTypesProp(e *enc, typ uint16, types []uint16) {
	start := propStart(e, typ)
	for _, t := range types {
		e.u16(t)
		e.u16(4)
	}
	propEnd(e, start)
}

func putFieldsProp(e *enc, typ uint16, fields []FieldHeader) {
	start := propStart(e, typ)
	for _, f := range fields {
		e.u32(f.Header)
		if f.isExperimenter() {
			e.u32(f.Experimenter)
		}
	}
	propEnd(e, start)
}

func decodeTableFeatures(v Version, b []byte, reply, more bool) (Message, error) {
	if v < OF13 {
		return nil, errorf(BadRequestBadVersion, "table features in %s are not supported", v)
	}
	if len(b)%8 != 0 {
		return nil, errorf(BadRequestBadLen, "table features body of %d bytes", len(b))
	}
	m := &TableFeaturesReply{More: more}
	for len(b) > 0 {
		n := int(binary.BigEndian.Uint16(b))
		if n < tableFeaturesLen || n > len(b) || n%8 != 0 {
			return nil, errorf(BadPropertyBadLen, "table features entry of %d bytes", n)
		}
		t, seen, err := decodeTableEntry(v, b[:n])
		if err != nil {
			return nil, err
		}
		if !reply {
			if err := checkRequiredProps(v, seen); err != nil {
				return nil, err
			}
		}
		m.Tables = append(m.Tables, t)
		b = b[n:]
	}
	if !reply {
		if len(m.Tables) == 0 {
			return &TableFeaturesRequest{}, nil
		}
		// OVS 3.1 lets no controller reconfigure its tables.
		return nil, errorf(TableFeaturesEPerm, "table features request that changes tables")
	}
	return m, nil
}

// checkRequiredProps refuses, as OVS does, a requested table without
// every required property: always in OpenFlow 1.3 and 1.4, and in 1.5
// when the table has properties at all. Only 1.5 can name the error.
func checkRequiredProps(v Version, seen uint32) error {
	for _, p := range requiredTableProps {
		if seen&(1<<p) == 0 && (v < OF15 || seen != 0) {
			if v < OF15 {
				return errorf(NXBadRequestUnencodable, "table features request lacks property %d (OFPTFFC_BAD_FEATURES)", p)
			}
			return errorf(TableFeaturesBadFeatures, "table features request lacks property %d", p)
		}
	}
	return nil
}

// decodeTableEntry reads one table features entry of exactly len(b)
// bytes; seen has bit T set for each standard property type T present.
func decodeTableEntry(v Version, b []byte) (t TableFeatures, seen uint32, err error) {
	d := newDec(v, b, BadPropertyBadLen, "table features")
	d.skip(2)
	t.Table = d.u8()
	d.skip(5)
	t.Name = portName(d.take(tableNameLen))
	t.MetadataMatch, t.MetadataWrite = d.u64(), d.u64()
	t.Config, t.MaxEntries = d.u32(), d.u32()
	props := d.rest()
	for len(props) > 0 {
		if len(props) < 4 {
			return t, 0, errorf(BadPropertyBadLen, "table features property of %d bytes", len(props))
		}
		typ, n := binary.BigEndian.Uint16(props), int(binary.BigEndian.Uint16(props[2:]))
		if n < 4 || n+padLen(n) > len(props) {
			return t, 0, errorf(BadPropertyBadLen, "table features property %d of %d bytes", typ, n)
		}
		if err := t.setProp(typ, props[4:n]); err != nil {
			return t, 0, err
		}
		if typ < 32 {
			seen |= 1 << typ
		}
		props = props[n+padLen(n):]
	}
	return t, seen, nil
}

// setProp stores one property's body; it ignores types it does not know.
func (t *TableFeatures) setProp(typ uint16, body []byte) error {
	p := &t.Features
	switch typ {
	case tfpInstructions + tfpMiss, tfpNextTables + tfpMiss, tfpWriteActions + tfpMiss,
		tfpApplyActions + tfpMiss, tfpWriteSetfield + tfpMiss, tfpApplySetfield + tfpMiss:
		p, typ = &t.Miss, typ-tfpMiss
	}
	var err error
	switch typ {
	case tfpInstructions:
		p.Instructions, err = decodeTypeIDs(body)
	case tfpNextTables:
		p.NextTables = clone(body)
	case tfpWriteActions:
		p.WriteActions, err = decodeTypeIDs(body)
	case tfpApplyActions:
		p.ApplyActions, err = decodeTypeIDs(body)
	case tfpWriteSetfield:
		p.WriteSetfield, err = decodeFieldHeaders(body)
	case tfpApplySetfield:
		p.ApplySetfield, err = decodeFieldHeaders(body)
	case tfpMatch:
		t.Match, err = decodeFieldHeaders(body)
	case tfpWildcards:
		t.Wildcards, err = decodeFieldHeaders(body)
	}
	return err
}

// decodeTypeIDs reads instruction or action ids. Experimenter ids, longer
// than 4 bytes, are skipped.
func decodeTypeIDs(b []byte) ([]uint16, error) {
	var types []uint16
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, errorf(BadPropertyBadLen, "%d-byte instruction or action id", len(b))
		}
		typ, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if n < 4 || n > len(b) {
			return nil, errorf(BadPropertyBadLen, "instruction or action id of %d bytes", n)
		}
		if n == 4 {
			types = append(types, typ)
		}
		b = b[n:]
	}
	return types, nil
}

func decodeFieldHeaders(b []byte) ([]FieldHeader, error) {
	var fields []FieldHeader
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, errorf(BadPropertyBadLen, "%d-byte field header", len(b))
		}
		f := FieldHeader{Header: binary.BigEndian.Uint32(b)}
		b = b[4:]
		if f.isExperimenter() {
			if len(b) < 4 {
				return nil, errorf(BadPropertyBadLen, "experimenter field header without its experimenter")
			}
			f.Experimenter = binary.BigEndian.Uint32(b)
			b = b[4:]
		}
		fields = append(fields, f)
	}
	return fields, nil
}
