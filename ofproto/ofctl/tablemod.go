package ofctl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/govs/govs/ofproto/ofp"
)

// Table configuration commands: mod-table and dump-table-desc.

// Versions a table_mod setting can travel in.
const (
	missVersions  = 1<<ofp.OF11 | 1<<ofp.OF12
	of14Versions  = 1<<ofp.OF14 | 1<<ofp.OF15
	lastRealTable = 253 // tables a "mod-table all" walks in OpenFlow 1.4+ (OFPTT_MAX - 1)
)

// modTable is mod-table SWITCH TABLE SETTING. As ovs-ofctl does, it first
// learns the switch's tables (to accept table names), then sends the
// table_mod in a version the setting exists in; in OpenFlow 1.4+ it
// first reads the table's description, so that the settings the command
// does not change keep their values.
func (c *ctl) modTable(args []string) error {
	target := args[0]
	if err := c.fetchTables(target); err != nil {
		return err
	}
	tm, usable, err := c.parseTableMod(args[1], args[2])
	if err != nil {
		return err
	}
	allowed := c.allowedVersions()
	if allowed&usable == 0 {
		return fatalf("table_mod '%s' requires one of the OpenFlow versions %s", args[2], versionNames(usable))
	}
	c.versions = allowed & usable
	cn, err := c.open(target)
	if err != nil {
		return err
	}
	defer cn.close()
	if allowed&of14Versions == 0 {
		return c.setupMessage(cn, tm)
	}
	tables := []uint8{tm.Table}
	if tm.Table == ofp.TableAll {
		tables = tables[:0]
		for id := 0; id <= lastRealTable; id++ {
			tables = append(tables, uint8(id))
		}
	}
	for _, id := range tables {
		one := *tm
		one.Table = id
		if err := c.keepTableSettings(cn, &one); err != nil {
			return err
		}
		if err := c.setupMessage(cn, &one); err != nil {
			return err
		}
	}
	return nil
}

// keepTableSettings fills the settings tm leaves unspecified from the
// table's description. A table the switch does not describe takes the
// last description's settings, as ovs-ofctl's do.
func (c *ctl) keepTableSettings(cn *conn, tm *ofp.TableMod) error {
	if cn.v < ofp.OF14 {
		return fatalf("dump-table-desc needs OpenFlow 1.4 or later ('-O OpenFlow14')")
	}
	parts, err := cn.dump(&ofp.TableDescRequest{})
	if err != nil {
		return err
	}
	var desc *ofp.TableDesc
	for _, r := range parts {
		m, ok := r.msg.(*ofp.TableDescReply)
		if !ok {
			return fatalf("received bad reply: %s", strings.TrimSuffix(c.formatMessage(r), "\n"))
		}
		for i := range m.Tables {
			if desc != nil && desc.Table == tm.Table {
				break
			}
			desc = &m.Tables[i]
		}
	}
	if desc == nil {
		return nil
	}
	if tm.Eviction == ofp.TableDefault {
		tm.Eviction, tm.EvictionFlags = desc.Eviction, desc.EvictionFlags
	}
	if tm.Vacancy == ofp.TableDefault {
		tm.Vacancy, tm.VacancyDown, tm.VacancyUp = desc.VacancyEvents, desc.VacancyDown, desc.VacancyUp
	}
	return nil
}

// parseTableMod parses mod-table's TABLE and SETTING as ovs-ofctl does
// and returns the versions the setting can be sent in.
func (c *ctl) parseTableMod(table, setting string) (*ofp.TableMod, uint32, error) {
	tm := &ofp.TableMod{EvictionFlags: ofp.NoEvictionFlags}
	if strings.EqualFold(table, "all") {
		tm.Table = ofp.TableAll
	} else {
		id, err := c.parseTableID(table)
		if err != nil {
			return nil, 0, err
		}
		tm.Table = id
	}
	switch setting {
	case "controller":
		tm.Miss = ofp.TableMissController
		return tm, missVersions, nil
	case "continue":
		tm.Miss = ofp.TableMissContinue
		return tm, missVersions, nil
	case "drop":
		tm.Miss = ofp.TableMissDrop
		return tm, missVersions, nil
	case "evict", "noevict":
		tm.Eviction = ofp.TableOn
		if setting == "noevict" {
			tm.Eviction = ofp.TableOff
		}
		return tm, of14Versions, nil
	case "novacancy":
		tm.Vacancy = ofp.TableOff
		return tm, of14Versions, nil
	}
	if setting == "vacancy" || strings.HasPrefix(setting, "vacancy:") {
		tm.Vacancy = ofp.TableOn
		down, up, err := parseVacancy(setting)
		if err != nil {
			return nil, 0, err
		}
		tm.VacancyDown, tm.VacancyUp = down, up
		return tm, of14Versions, nil
	}
	return nil, 0, fatalf("invalid table_mod setting %s", setting)
}

// parseTableID reads a table number (decimal, as C's strtoul reads it)
// or, failing that, a table name the switch reported.
func (c *ctl) parseTableID(s string) (uint8, error) {
	if n, ok := cInt(s, 10); ok {
		if n < 0 || n > 255 {
			fmt.Fprint(c.errOut, c.warn("ofp_table", fmt.Sprintf("table %d is outside the supported range 0 through 255", n)))
			return 0, fatalf("unknown table \"%s\"", s)
		}
		return uint8(n), nil
	}
	for id, name := range c.tableNames {
		if name == s {
			return id, nil
		}
	}
	return 0, fatalf("unknown table \"%s\"", s)
}

// parseVacancy reads "vacancy:DOWN,UP" the way ovs-ofctl tokenizes it
// (C's strtok: the value after the first ':', split at runs of ',';
// numbers in C's base-0 notation, percentages, DOWN at most UP).
func parseVacancy(setting string) (uint8, uint8, error) {
	_, rest, _ := strings.Cut(setting, ":")
	fields := strings.FieldsFunc(rest, func(r rune) bool { return r == ',' })
	if len(fields) < 1 {
		return 0, 0, fatalf("Vacancy down value missing")
	}
	down, ok := cInt(fields[0], 0)
	if !ok || down < 0 || down > 100 {
		return 0, 0, fatalf("Invalid vacancy down value \"%s\"", fields[0])
	}
	if len(fields) < 2 {
		return 0, 0, fatalf("Vacancy up value missing")
	}
	up, ok := cInt(fields[1], 0)
	if !ok || up < 0 || up > 100 {
		return 0, 0, fatalf("Invalid vacancy up value \"%s\"", fields[1])
	}
	if down > up {
		return 0, 0, fatalf("Invalid vacancy range, vacancy up should be greater than vacancy down (%s)", ofp.BadPropValue)
	}
	return uint8(down), uint8(up), nil
}

// cInt parses s as C's strtol does when the whole string must be a
// number: leading white space and a sign allowed; base 0 also takes
// 0x-prefixed hex and 0-prefixed octal.
func cInt(s string, base int) (int64, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	if s == "" {
		return 0, false
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	if base == 0 {
		switch {
		case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
			base, s = 16, s[2:]
		case len(s) > 1 && s[0] == '0':
			base, s = 8, s[1:]
		default:
			base = 10
		}
	}
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, base, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// versionNames writes a version bitmap as OVS does: "OpenFlow11, OpenFlow12".
func versionNames(bitmap uint32) string {
	var names []string
	for v := ofp.OF10; v <= ofp.OF15; v++ {
		if bitmap&(1<<v) != 0 {
			names = append(names, v.String())
		}
	}
	return strings.Join(names, ", ")
}

// dumpTableDesc is dump-table-desc SWITCH (OpenFlow 1.4+).
func (c *ctl) dumpTableDesc(args []string) error {
	cn, err := c.open(args[0])
	if err != nil {
		return err
	}
	defer cn.close()
	if cn.v < ofp.OF14 {
		return fatalf("dump-table-desc needs OpenFlow 1.4 or later ('-O OpenFlow14')")
	}
	parts, err := cn.dump(&ofp.TableDescRequest{})
	for _, r := range parts {
		fmt.Fprint(c.out, c.formatMessage(r))
	}
	return err
}

// formatTableMessage writes the body of a table_mod or a table
// description reply as ovs-ofctl prints them; it reports false for any
// other message.
func formatTableMessage(b *strings.Builder, msg ofp.Message) bool {
	switch m := msg.(type) {
	case *ofp.TableMod:
		b.WriteString(m.String())
		b.WriteByte('\n')
	case *ofp.TableDescReply:
		b.WriteByte('\n')
		for i, t := range m.Tables {
			if i > 0 {
				b.WriteByte('\n')
			}
			fmt.Fprintf(b, "  table %d:\n   eviction=%s", t.Table, t.Eviction)
			if t.EvictionFlags != ofp.NoEvictionFlags {
				fmt.Fprintf(b, " eviction_flags=%s", ofp.EvictionFlagNames(t.EvictionFlags))
			}
			fmt.Fprintf(b, "\n   vacancy=%s", t.VacancyEvents)
			if t.VacancyEvents == ofp.TableOn {
				fmt.Fprintf(b, " vacancy_down=%d%% vacancy_up=%d%% vacancy=%d%%", t.VacancyDown, t.VacancyUp, t.Vacancy)
			}
			b.WriteByte('\n')
		}
	default:
		return false
	}
	return true
}
