package ofp

// statsTableFeatures is OFPMP_TABLE_FEATURES (OpenFlow 1.3+).
const statsTableFeatures = 12

// TableFeaturesRequest is an OFPMP_TABLE_FEATURES request with no body,
// which asks for the tables' features without changing them (ovs-ofctl
// sends it to learn table names before a flow_mod in OpenFlow 1.3+).
type TableFeaturesRequest struct{}

func (m *TableFeaturesRequest) encode(e *enc) error {
	if e.v < OF13 {
		return errorf(BadRequestBadVersion, "table features in %s are not supported", e.v)
	}
	e.statsHeader(false, statsTableFeatures, 0)
	return nil
}

// TableFeatures is one table's entry in a table features reply. The
// properties sent are the eight that OpenFlow requires, each with an empty
// list (no restrictions announced); properties received are not kept.
type TableFeatures struct {
	Table         uint8
	Name          string // at most 31 bytes
	MetadataMatch uint64
	MetadataWrite uint64
	Config        uint32
	MaxEntries    uint32
}

// TableFeaturesReply is one part of an OFPMP_TABLE_FEATURES reply.
type TableFeaturesReply struct {
	Tables []TableFeatures
	More   bool
}

const (
	tableFeaturesLen = 64 // ofp13_table_features before its properties
	// requiredTableProps are OFPTFPT13_INSTRUCTIONS, NEXT_TABLES,
	// WRITE_ACTIONS, APPLY_ACTIONS, MATCH, WILDCARDS, WRITE_SETFIELD and
	// APPLY_SETFIELD.
	requiredTableProps = 8
	emptyTablePropLen  = 8 // a 4-byte property header padded to 8
)

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
	e.u16(tableFeaturesLen + requiredTableProps*emptyTablePropLen)
	e.u8(t.Table)
	e.zeros(5)
	e.putString(t.Name, tableNameLen)
	e.u64(t.MetadataMatch)
	e.u64(t.MetadataWrite)
	e.u32(t.Config)
	e.u32(t.MaxEntries)
	for p := uint16(0); p < 2*requiredTableProps; p += 2 {
		e.u16(p)
		e.u16(4)
		e.zeros(4)
	}
	return nil
}

func decodeTableFeatures(v Version, b []byte, reply, more bool) (Message, error) {
	if v < OF13 {
		return nil, errorf(BadRequestBadVersion, "table features in %s are not supported", v)
	}
	if !reply {
		if len(b) != 0 {
			// A request with a body would reconfigure the tables.
			return nil, errorf(BadRequestEPerm, "table features request that changes tables")
		}
		return &TableFeaturesRequest{}, nil
	}
	m := &TableFeaturesReply{More: more}
	for len(b) > 0 {
		d := newDec(v, b, BadRequestBadLen, "table features")
		n := int(d.u16())
		if d.err != nil || n < tableFeaturesLen || n > len(b) || n%8 != 0 {
			return nil, errorf(BadRequestBadLen, "table features entry of %d bytes", n)
		}
		t := TableFeatures{Table: d.u8()}
		d.skip(5)
		t.Name = portName(d.take(tableNameLen))
		t.MetadataMatch, t.MetadataWrite = d.u64(), d.u64()
		t.Config, t.MaxEntries = d.u32(), d.u32()
		if d.err != nil {
			return nil, d.err
		}
		m.Tables = append(m.Tables, t)
		b = b[n:]
	}
	return m, nil
}
