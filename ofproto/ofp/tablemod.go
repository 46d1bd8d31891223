package ofp

import (
	"fmt"
	"strings"
)

// Table configuration: OFPT_TABLE_MOD (OpenFlow 1.1+) and the table
// description statistics (OFPMP_TABLE_DESC, OpenFlow 1.4+).

const (
	t11TableMod    = 17 // OFPT_TABLE_MOD
	statsTableDesc = 14 // OFPMP_TABLE_DESC

	// OFPTC11_TABLE_MISS_* (OpenFlow 1.1 and 1.2 only).
	tc11MissController = 0
	tc11MissContinue   = 1
	tc11MissDrop       = 2
	tc11MissMask       = 3
	// OFPTC14_* (OpenFlow 1.4+).
	tc14Eviction      = 1 << 2
	tc14VacancyEvents = 1 << 3

	tableModEvictionProp = 2 // OFPTMPT14_EVICTION
	tableModVacancyProp  = 3 // OFPTMPT14_VACANCY
)

// Errors of table_mod. (OVS's OFPTMFC_BAD_TABLE and BAD_CONFIG cannot
// happen: every table id is valid, and the eviction flags it would check
// never survive decoding, see decodeTableMod.)
const (
	TableModEPerm ErrorCode = "OFPTMFC_EPERM"
	BadPropValue  ErrorCode = "OFPBPC_BAD_VALUE"
)

// TableMiss is a table's table-miss behaviour as OpenFlow 1.1 and 1.2
// configure it; TableMissDefault is "not specified" (any other version).
type TableMiss uint8

// Table-miss behaviours.
const (
	TableMissDefault TableMiss = iota
	TableMissController
	TableMissContinue
	TableMissDrop
)

var tableMissNames = [...]string{"default", "controller", "continue", "drop"}

func (m TableMiss) String() string {
	if int(m) < len(tableMissNames) {
		return tableMissNames[m]
	}
	return "***error***"
}

// TableSwitch is an OpenFlow 1.4+ on/off table setting; TableDefault
// means "not specified".
type TableSwitch uint8

// Table settings.
const (
	TableDefault TableSwitch = iota
	TableOn
	TableOff

	// tableSwitchBogus is any other value, which OVS prints as an error
	// and a switch ignores.
	tableSwitchBogus
)

var tableSwitchNames = [...]string{"default", "on", "off"}

func (s TableSwitch) String() string {
	if int(s) < len(tableSwitchNames) {
		return tableSwitchNames[s]
	}
	return "***error***"
}

// NoEvictionFlags says a table_mod carries no eviction property.
const NoEvictionFlags = ^uint32(0)

// Eviction flags (OFPTMPEF14_*); OVS's switch reports all three and
// accepts no others.
const (
	EvictionOther      uint32 = 1 << 0
	EvictionImportance uint32 = 1 << 1
	EvictionLifetime   uint32 = 1 << 2
)

// TableAll is OFPTT_ALL: every table.
const TableAll = 0xff

// TableMod is OFPT_TABLE_MOD: configure table Table (TableAll: every
// table). Miss travels in OpenFlow 1.1 and 1.2 only; Eviction, Vacancy
// and the properties in 1.4 and later. VacancyDown and VacancyUp are the
// vacancy event thresholds (percent) when Vacancy is TableOn.
type TableMod struct {
	Table         uint8
	Miss          TableMiss
	Eviction      TableSwitch
	EvictionFlags uint32 // sent as an eviction property unless NoEvictionFlags; see decodeTableMod
	Vacancy       TableSwitch
	VacancyDown   uint8
	VacancyUp     uint8
}

func (m *TableMod) encode(e *enc) error {
	if e.v == OF10 {
		return errorf(BadRequestBadVersion, "table_mod in %s is not supported", e.v)
	}
	e.header(t11TableMod)
	e.u8(m.Table)
	e.zeros(3)
	var config uint32
	switch {
	case e.v <= OF12:
		switch m.Miss {
		case TableMissContinue:
			config = tc11MissContinue
		case TableMissDrop:
			config = tc11MissDrop
		default:
			config = tc11MissController
		}
	case e.v >= OF14:
		if m.Eviction == TableOn {
			config |= tc14Eviction
		}
		if m.Vacancy == TableOn {
			config |= tc14VacancyEvents
		}
	}
	e.u32(config)
	if e.v < OF14 {
		return nil
	}
	if m.EvictionFlags != NoEvictionFlags {
		appendEvictionProp(e, m.EvictionFlags)
	}
	if m.Vacancy == TableOn {
		// The current vacancy is the switch's to report, never a
		// table_mod's: it goes as 0.
		appendVacancyProp(e, m.VacancyDown, m.VacancyUp, 0)
	}
	return nil
}

// decodeTableMod decodes OFPT_TABLE_MOD as OVS does: a fixed 16 bytes in
// 1.1–1.3, where only 1.1 and 1.2 carry a miss config; properties in 1.4+,
// where the vacancy thresholds must be ordered percentages and the
// current vacancy zero.
func decodeTableMod(v Version, body []byte) (Message, error) {
	if (v <= OF13 && len(body) != 8) || len(body) < 8 {
		return nil, errorf(BadRequestBadLen, "OFPT_TABLE_MOD body of %d bytes", len(body))
	}
	d := newDec(v, body, BadRequestBadLen, "table mod")
	m := &TableMod{Table: d.u8(), EvictionFlags: NoEvictionFlags}
	d.skip(3)
	config := d.u32()
	if d.err != nil {
		return nil, d.err
	}
	m.Miss, m.Eviction, m.Vacancy = decodeTableConfig(v, config)
	if v < OF14 {
		return m, nil
	}
	for props := d.rest(); len(props) > 0; {
		if len(props) < 4 {
			return nil, errorf(BadPropLen, "table mod property of %d bytes", len(props))
		}
		t, n := uint16(props[0])<<8|uint16(props[1]), int(uint16(props[2])<<8|uint16(props[3]))
		if n < 4 || n > len(props) {
			return nil, errorf(BadPropLen, "table mod property of length %d", n)
		}
		p := props[4:n]
		switch t {
		case tableModEvictionProp:
			if len(p) != 4 {
				return nil, errorf(BadPropLen, "table mod eviction property of length %d", n)
			}
			// OVS 3.1 reads the flags into the eviction setting, not
			// the flags: 1 and 2 turn eviction on and off, 0 leaves it
			// unspecified, anything else (OVS's own flags, 7) is a
			// setting no switch acts on. govs decodes the same, so it
			// behaves and prints as OVS does.
			flags := uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
			m.Eviction = TableSwitch(min(flags, uint32(tableSwitchBogus)))
		case tableModVacancyProp:
			if len(p) != 4 {
				return nil, errorf(BadPropLen, "table mod vacancy property of length %d", n)
			}
			m.VacancyDown, m.VacancyUp = p[0], p[1]
			switch {
			case m.VacancyDown > m.VacancyUp:
				return nil, errorf(BadPropValue, "Value of vacancy_down is greater than vacancy_up")
			case m.VacancyUp > 100:
				return nil, errorf(BadPropValue, "Vacancy threshold above 100%%")
			case p[2] != 0:
				return nil, errorf(BadPropValue, "Vacancy value should be zero for table-mod messages")
			}
		default:
			return nil, errorf(BadPropType, "table mod property type %d", t)
		}
		// Properties are padded to 8 bytes.
		n = (n + 7) &^ 7
		if n > len(props) {
			n = len(props)
		}
		props = props[n:]
	}
	return m, nil
}

// decodeTableConfig reads a table config word as version v defines it.
func decodeTableConfig(v Version, config uint32) (TableMiss, TableSwitch, TableSwitch) {
	switch {
	case v == OF11 || v == OF12:
		switch config & tc11MissMask {
		case tc11MissContinue:
			return TableMissContinue, TableDefault, TableDefault
		case tc11MissDrop:
			return TableMissDrop, TableDefault, TableDefault
		}
		// Controller, and the undefined value 3, which OVS takes as
		// controller.
		return TableMissController, TableDefault, TableDefault
	case v >= OF14:
		ev, vac := TableOff, TableOff
		if config&tc14Eviction != 0 {
			ev = TableOn
		}
		if config&tc14VacancyEvents != 0 {
			vac = TableOn
		}
		return TableMissDefault, ev, vac
	}
	return TableMissDefault, TableDefault, TableDefault
}

// String formats the message body as ovs-ofctl prints it (after the
// "OFPT_TABLE_MOD (...) (xid=...):" header).
func (m *TableMod) String() string {
	var b strings.Builder
	if m.Table == TableAll {
		b.WriteString(" table_id: ALL_TABLES")
	} else {
		fmt.Fprintf(&b, " table_id=%d", m.Table)
	}
	if m.Miss != TableMissDefault {
		fmt.Fprintf(&b, ", flow_miss_config=%s", m.Miss)
	}
	if m.Eviction != TableDefault {
		fmt.Fprintf(&b, ", eviction=%s", m.Eviction)
	}
	if m.Vacancy != TableDefault {
		fmt.Fprintf(&b, ", vacancy=%s", m.Vacancy)
		if m.Vacancy == TableOn {
			fmt.Fprintf(&b, " vacancy:%d,%d", m.VacancyDown, m.VacancyUp)
		}
	}
	return b.String()
}

// EvictionFlagNames writes eviction flags as OVS does: names joined by
// "|", unknown bits in hex.
func EvictionFlagNames(flags uint32) string {
	var parts []string
	for i, n := range []string{"OTHER", "IMPORTANCE", "LIFETIME"} {
		if flags&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if rest := flags &^ 7; rest != 0 {
		parts = append(parts, fmt.Sprintf("0x%x", rest))
	}
	return strings.Join(parts, "|")
}

// TableDescRequest asks for every table's configuration
// (OFPMP_TABLE_DESC, OpenFlow 1.4+).
type TableDescRequest struct{}

func (m *TableDescRequest) encode(e *enc) error {
	if e.v < OF14 {
		return errorf(BadRequestBadVersion, "table description in %s is not supported", e.v)
	}
	e.statsHeader(false, statsTableDesc, 0)
	return nil
}

// TableDesc is one table's configuration in a table description reply.
// Vacancy is the table's current free space in percent, reported with
// the thresholds when vacancy events are on.
type TableDesc struct {
	Table         uint8
	Eviction      TableSwitch
	EvictionFlags uint32 // NoEvictionFlags: no eviction property
	VacancyEvents TableSwitch
	VacancyDown   uint8
	VacancyUp     uint8
	Vacancy       uint8
}

// TableDescReply is one part of an OFPMP_TABLE_DESC reply.
type TableDescReply struct {
	Tables []TableDesc
	More   bool
}

func (m *TableDescReply) encode(e *enc) error { return encodeMultipart(e, m, m.More) }

func (m *TableDescReply) header(e *enc, more bool) error {
	if e.v < OF14 {
		return errorf(BadRequestBadVersion, "table description in %s is not supported", e.v)
	}
	e.statsHeader(true, statsTableDesc, moreFlag(more))
	return nil
}

func (m *TableDescReply) entries() int { return len(m.Tables) }

func (m *TableDescReply) appendEntry(e *enc, i int) error {
	t := &m.Tables[i]
	n := 8
	if t.EvictionFlags != NoEvictionFlags {
		n += 8
	}
	if t.VacancyEvents == TableOn {
		n += 8
	}
	e.u16(uint16(n))
	e.u8(t.Table)
	e.zeros(1)
	var config uint32
	if t.Eviction == TableOn {
		config |= tc14Eviction
	}
	if t.VacancyEvents == TableOn {
		config |= tc14VacancyEvents
	}
	e.u32(config)
	if t.EvictionFlags != NoEvictionFlags {
		appendEvictionProp(e, t.EvictionFlags)
	}
	if t.VacancyEvents == TableOn {
		appendVacancyProp(e, t.VacancyDown, t.VacancyUp, t.Vacancy)
	}
	return nil
}

func decodeTableDesc(v Version, b []byte, reply, more bool) (Message, error) {
	if v < OF14 {
		return nil, errorf(BadRequestBadStat, "table description in %s", v)
	}
	if !reply {
		return empty(b, &TableDescRequest{})
	}
	r := &TableDescReply{More: more}
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, errorf(BadRequestBadLen, "table description of %d bytes", len(b))
		}
		n := int(uint16(b[0])<<8 | uint16(b[1]))
		if n < 8 || n > len(b) || n%8 != 0 {
			return nil, errorf(BadRequestBadLen, "table description of length %d", n)
		}
		t := TableDesc{Table: b[2], EvictionFlags: NoEvictionFlags}
		config := uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7])
		_, t.Eviction, t.VacancyEvents = decodeTableConfig(v, config)
		for props := b[8:n]; len(props) >= 8; props = props[8:] {
			pt, pn := uint16(props[0])<<8|uint16(props[1]), uint16(props[2])<<8|uint16(props[3])
			if pn != 8 {
				return nil, errorf(BadPropLen, "table description property of length %d", pn)
			}
			switch pt {
			case tableModEvictionProp:
				t.EvictionFlags = uint32(props[4])<<24 | uint32(props[5])<<16 | uint32(props[6])<<8 | uint32(props[7])
			case tableModVacancyProp:
				t.VacancyDown, t.VacancyUp, t.Vacancy = props[4], props[5], props[6]
			}
		}
		r.Tables = append(r.Tables, t)
		b = b[n:]
	}
	return r, nil
}

// appendEvictionProp appends the eviction property of a table_mod or
// table description.
func appendEvictionProp(e *enc, flags uint32) {
	e.u16(tableModEvictionProp)
	e.u16(8)
	e.u32(flags)
}

// appendVacancyProp appends the vacancy property of a table_mod or table
// description: the thresholds and the current vacancy, in percent.
func appendVacancyProp(e *enc, down, up, current uint8) {
	e.u16(tableModVacancyProp)
	e.u16(8)
	e.u8(down)
	e.u8(up)
	e.u8(current)
	e.zeros(1)
}
