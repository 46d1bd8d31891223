package vsctl

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/govs/govs/ovsdb"
)

// rowID says how ovs-vsctl finds a record of a table by name: rows of
// table whose nameColumn equals the name, then (if refColumn is set) the
// row that refColumn of that row refers to.
type rowID struct{ table, nameColumn, refColumn string }

var rowIDs = map[string][]rowID{
	"Open_vSwitch":              {},
	"Bridge":                    {{"Bridge", "name", ""}},
	"Port":                      {{"Port", "name", ""}},
	"Interface":                 {{"Interface", "name", ""}},
	"Controller":                {{"Bridge", "name", "controller"}},
	"Manager":                   {{"Manager", "target", ""}},
	"Mirror":                    {{"Mirror", "name", ""}},
	"NetFlow":                   {{"Bridge", "name", "netflow"}},
	"QoS":                       {{"Port", "name", "qos"}},
	"SSL":                       {{"Open_vSwitch", "", "ssl"}},
	"sFlow":                     {{"Bridge", "name", "sflow"}},
	"IPFIX":                     {{"Bridge", "name", "ipfix"}},
	"Flow_Table":                {{"Flow_Table", "name", ""}},
	"AutoAttach":                {{"Bridge", "name", "auto_attach"}},
	"Flow_Sample_Collector_Set": {{"Flow_Sample_Collector_Set", "id", ""}},
}

// findRow resolves a record name (a UUID, ".", or a name per rowIDs).
func (ctx *context) findRow(ts *ovsdb.TableSchema, id string, mustExist bool) (*row, error) {
	if u, err := ovsdb.ParseUUID(id); err == nil {
		if r := ctx.m.get(ts.Name, u); r != nil {
			return r, nil
		}
	} else if strings.HasPrefix(id, "@") {
		if sym, ok := ctx.m.symbols[id]; ok {
			if r := ctx.m.get(ts.Name, sym.uuid); r != nil {
				return r, nil
			}
		}
	} else if rows := ctx.m.rows(ts.Name); id == "." && len(rows) == 1 {
		return rows[0], nil
	} else {
		var found []*row
		for _, rid := range rowIDs[ts.Name] {
			for _, r := range ctx.m.rows(rid.table) {
				if rid.nameColumn != "" && !matchesName(r, rid.nameColumn, id) {
					continue
				}
				if rid.nameColumn == "" && id != "." {
					continue
				}
				if rid.refColumn == "" {
					found = append(found, r)
					continue
				}
				for _, ref := range r.refs(rid.refColumn) {
					if target := ctx.m.get(ts.Name, ref); target != nil {
						found = append(found, target)
					}
				}
			}
			if len(found) > 0 {
				break
			}
		}
		if len(found) > 1 {
			return nil, fail("multiple rows in %s match \"%s\"", ts.Name, id)
		}
		if len(found) == 1 {
			return found[0], nil
		}
		if r, err := ctx.findRowByUUIDPrefix(ts, id); r != nil || err != nil {
			return r, err
		}
	}
	if mustExist {
		return nil, fail("no row \"%s\" in table %s", id, ts.Name)
	}
	return nil, nil
}

// findRowByUUIDPrefix resolves an abbreviated UUID: at least 4 of its
// leading lower-case hex digits (dashes allowed), unique within the table,
// as ovs-vsctl(8) allows when no record has that name.
func (ctx *context) findRowByUUIDPrefix(ts *ovsdb.TableSchema, prefix string) (*row, error) {
	if len(prefix) < 4 || strings.Trim(prefix, "0123456789abcdef-") != "" {
		return nil, nil
	}
	var found *row
	for _, r := range ctx.m.rows(ts.Name) {
		if !strings.HasPrefix(r.uuid.String(), prefix) {
			continue
		}
		if found != nil {
			return nil, fail("%s contains 2 or more rows whose UUIDs begin with %s: at least %s and %s",
				ts.Name, prefix, r.uuid, found.uuid)
		}
		found = r
	}
	return found, nil
}

func matchesName(r *row, column, name string) bool {
	d := r.column(column)
	if d == nil || d.Len() != 1 {
		return false
	}
	switch v := d.Keys[0].(type) {
	case string:
		return v == name
	default:
		return ovsdb.FormatAtom(v) == name
	}
}

// columnArg is a parsed COLUMN[:KEY][OP VALUE] argument.
type columnArg struct {
	column *ovsdb.ColumnSchema
	// key is set for COLUMN:KEY.
	key    ovsdb.Atom
	hasKey bool
	op     string
	value  string
}

var findOps = []string{"{!=}", "{<=}", "{>=}", "{=}", "{<}", "{>}", "!=", "<=", ">=", "=", "<", ">"}

// keyLength returns the length of the KEY at the start of s: a quoted
// string, or everything up to the first operator.
func keyLength(s string, ops []string) int {
	if strings.HasPrefix(s, "\"") {
		for i := 1; i < len(s); i++ {
			if s[i] == '\\' {
				i++
			} else if s[i] == '"' {
				return i + 1
			}
		}
		return len(s)
	}
	for i := range s {
		for _, op := range ops {
			if strings.HasPrefix(s[i:], op) {
				return i
			}
		}
	}
	return len(s)
}

// parseColumnArg splits COLUMN[:KEY][OP VALUE] with OP among ops.
func (ctx *context) parseColumnArg(ts *ovsdb.TableSchema, arg string, ops []string, needValue bool) (*columnArg, error) {
	end := len(arg)
	for i, ch := range arg {
		if ch == ':' || ch == '=' || ch == '!' || ch == '<' || ch == '>' || ch == '{' {
			end = i
			break
		}
	}
	name := arg[:end]
	if name == "_uuid" {
		return &columnArg{column: &ovsdb.ColumnSchema{Name: "_uuid", Type: uuidType}}, nil
	}
	col, err := findColumn(ts, name)
	if err != nil {
		return nil, fail("%v", err)
	}
	ca := &columnArg{column: col}
	rest := arg[end:]
	if strings.HasPrefix(rest, ":") {
		rest = rest[1:]
		keyEnd := keyLength(rest, ops)
		if col.Type.Value == nil {
			return nil, fail("cannot specify key to get for non-map column %s", col.Name)
		}
		key, err := ovsdb.ParseAtomString(rest[:keyEnd], &col.Type.Key, nil)
		if err != nil {
			return nil, fail("%v", err)
		}
		ca.key, ca.hasKey = key, true
		rest = rest[keyEnd:]
	}
	if rest == "" {
		if needValue {
			return nil, fail("%s: missing value", arg)
		}
		return ca, nil
	}
	for _, op := range ops {
		if strings.HasPrefix(rest, op) {
			ca.op, ca.value = op, rest[len(op):]
			return ca, nil
		}
	}
	return nil, fail("%s: argument does not end in \"%s\" followed by a value.", arg, strings.Join(ops, "\" or \""))
}

// resolveSymbol returns the uuid an @name stands for; a name not yet
// defined gets the uuid a later "--id=@name create" will use.
func (ctx *context) resolveSymbol(name string) (ovsdb.UUID, error) {
	sym := ctx.m.symbols[name]
	if sym == nil {
		sym = &symbol{uuid: ovsdb.NewUUID()}
		ctx.m.symbols[name] = sym
	}
	sym.referenced = true
	return sym.uuid, nil
}

// checkSymbols reports names referenced but never defined, and warns
// about rows created in non-root tables that nothing refers to, as
// ovs-vsctl does once all commands ran.
func (ctx *context) checkSymbols() error {
	names := make([]string, 0, len(ctx.m.symbols))
	for name := range ctx.m.symbols {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if sym := ctx.m.symbols[name]; !sym.defined {
			return fail("row id \"%s\" is referenced but never created (e.g. with \"-- --id=%s create ...\")", name, name)
		}
	}
	for _, name := range names {
		if sym := ctx.m.symbols[name]; sym.table != nil && !sym.table.IsRoot && !sym.referenced {
			warn("vsctl", "row id \"%s\" was created but no reference to it was inserted, so it will not actually appear in the database", name)
		}
	}
	return nil
}

// warn prints a warning the way OVS's console log does.
func warn(module, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s|00002|%s|WARN|%s\n", time.Now().UTC().Format("2006-01-02T15:04:05Z"), module, fmt.Sprintf(format, args...))
}

// parseValue parses a VALUE for column (or its map value when hasKey).
func (ctx *context) parseValue(ca *columnArg, loose bool) (ovsdb.Datum, error) {
	t := ca.column.Type
	if ca.hasKey {
		v, err := ovsdb.ParseAtomString(ca.value, t.Value, ctx.resolveSymbol)
		if err != nil {
			return ovsdb.Datum{}, fail("%v", err)
		}
		return ovsdb.Datum{Keys: []ovsdb.Atom{ca.key}, Values: []ovsdb.Atom{v}}, nil
	}
	if loose {
		t.Min, t.Max = 0, ovsdb.Unlimited
	}
	d, err := ovsdb.ParseDatumString(ca.value, &t, ctx.resolveSymbol)
	if err != nil {
		return ovsdb.Datum{}, fail("%v", err)
	}
	return d, nil
}

// setColumn applies a COLUMN[:KEY]=VALUE argument to r.
func (ctx *context) setColumn(r *row, arg string) error {
	ca, err := ctx.parseColumnArg(r.table, arg, []string{"="}, true)
	if err != nil {
		return err
	}
	if ca.column.Name == "_uuid" {
		return fail("cannot modify read-only column _uuid")
	}
	d, err := ctx.parseValue(ca, false)
	if err != nil {
		return err
	}
	if ca.hasKey {
		d = r.column(ca.column.Name).WithPair(ca.key, d.Values[0])
	}
	r.set(ca.column.Name, d)
	return nil
}

func (ctx *context) table() (*ovsdb.TableSchema, error) {
	ts, err := ctx.m.findTable(ctx.cmd.args[0])
	if err != nil {
		return nil, fail("%v", err)
	}
	return ts, nil
}

// record returns the table and the record that the command's first two
// arguments name, as get, set, add, remove and clear take them; the record
// is nil, without error, when it is missing and --if-exists was given.
func (ctx *context) record() (*ovsdb.TableSchema, *row, error) {
	ts, err := ctx.table()
	if err != nil {
		return nil, nil, err
	}
	r, err := ctx.findRow(ts, ctx.cmd.args[1], !ctx.cmd.has("if-exists"))
	return ts, r, err
}

func cmdGet(ctx *context) error {
	ts, r, err := ctx.record()
	if err != nil || r == nil {
		return err
	}
	if id := ctx.cmd.opts["id"]; id != "" {
		if !strings.HasPrefix(id, "@") {
			return fail("row id \"%s\" does not begin with \"@\"", id)
		}
		if _, used := ctx.m.symbols[id]; used {
			return fail("row id \"%s\" specified on \"get\" command was used before it was defined", id)
		}
		ctx.m.symbols[id] = &symbol{uuid: r.uuid, defined: true}
	}
	for _, arg := range ctx.cmd.args[2:] {
		ca, err := ctx.parseColumnArg(ts, arg, nil, false)
		if err != nil {
			return err
		}
		if ca.column.Name == "_uuid" {
			ctx.printf("%s\n", r.uuid)
			continue
		}
		d := r.column(ca.column.Name)
		if ca.hasKey {
			v, ok := d.Lookup(ca.key)
			if !ok {
				if ctx.cmd.has("if-exists") {
					ctx.printf("\n")
					continue
				}
				return fail("no key \"%s\" in %s record \"%s\" column %s", ovsdb.FormatAtom(ca.key), ts.Name, ctx.cmd.args[1], ca.column.Name)
			}
			ctx.printf("%s\n", ovsdb.FormatAtom(v))
			continue
		}
		ctx.printf("%s\n", d.Format(&ca.column.Type))
	}
	return nil
}

func cmdSet(ctx *context) error {
	_, r, err := ctx.record()
	if err != nil || r == nil {
		return err
	}
	for _, arg := range ctx.cmd.args[2:] {
		if err := ctx.setColumn(r, arg); err != nil {
			return err
		}
	}
	return nil
}

func cmdAdd(ctx *context) error {
	ts, r, err := ctx.record()
	if err != nil || r == nil {
		return err
	}
	col, err := findColumn(ts, ctx.cmd.args[2])
	if err != nil {
		return fail("%v", err)
	}
	d := *r.column(col.Name)
	for _, v := range ctx.cmd.args[3:] {
		add, err := ctx.parseValue(&columnArg{column: col, value: v}, true)
		if err != nil {
			return err
		}
		d = d.Union(&add)
	}
	if d.Len() > col.Type.Max {
		return fail("\"add\" operation would put %d values in column %s of table %s but the maximum number is %d", d.Len(), col.Name, ts.Name, col.Type.Max)
	}
	r.set(col.Name, d)
	return nil
}

func cmdRemove(ctx *context) error {
	ts, r, err := ctx.record()
	if err != nil || r == nil {
		return err
	}
	col, err := findColumn(ts, ctx.cmd.args[2])
	if err != nil {
		return fail("%v", err)
	}
	d := *r.column(col.Name)
	for _, v := range ctx.cmd.args[3:] {
		rm, err := ctx.parseValue(&columnArg{column: col, value: v}, true)
		if err != nil && col.Type.Value != nil {
			// A map's entries may be removed by key alone.
			keysType := ovsdb.ColumnType{Key: col.Type.Key, Min: 0, Max: ovsdb.Unlimited}
			var kerr error
			rm, kerr = ovsdb.ParseDatumString(v, &keysType, ctx.resolveSymbol)
			if kerr == nil {
				err = nil
			}
		}
		if err != nil {
			return err
		}
		d = d.Subtract(&rm)
	}
	if d.Len() < col.Type.Min {
		return fail("\"remove\" operation would put %d values in column %s of table %s but the minimum number is %d", d.Len(), col.Name, ts.Name, col.Type.Min)
	}
	r.set(col.Name, d)
	return nil
}

func cmdClear(ctx *context) error {
	ts, r, err := ctx.record()
	if err != nil || r == nil {
		return err
	}
	for _, name := range ctx.cmd.args[2:] {
		col, err := findColumn(ts, name)
		if err != nil {
			return fail("%v", err)
		}
		if col.Type.Min > 0 {
			return fail("\"clear\" operation cannot be applied to column %s of table %s, which is not allowed to be empty", col.Name, ts.Name)
		}
		r.set(col.Name, ovsdb.DefaultDatum(&col.Type))
	}
	return nil
}

func cmdCreate(ctx *context) error {
	ts, err := ctx.table()
	if err != nil {
		return err
	}
	id, hasID := ctx.cmd.opts["id"]
	if !hasID && !ts.IsRoot {
		warn("db_ctl_base", "applying \"create\" command to table %s without --id option will have no effect", ts.Name)
	}
	var r *row
	if hasID {
		if !strings.HasPrefix(id, "@") {
			return fail("row id \"%s\" does not begin with \"@\"", id)
		}
		sym := ctx.m.symbols[id]
		if sym != nil && sym.defined {
			return fail("row id \"%s\" may only be specified on one --id option", id)
		}
		if sym == nil {
			sym = &symbol{uuid: ovsdb.NewUUID()}
			ctx.m.symbols[id] = sym
		}
		sym.defined, sym.table = true, ts
		r = ctx.m.insertWithUUID(ts.Name, sym.uuid)
	} else {
		r = ctx.m.insert(ts.Name)
	}
	for _, arg := range ctx.cmd.args[1:] {
		if err := ctx.setColumn(r, arg); err != nil {
			return err
		}
	}
	ctx.printf("%s\n", r.uuid)
	return nil
}

func cmdDestroy(ctx *context) error {
	ts, err := ctx.table()
	if err != nil {
		return err
	}
	if ctx.cmd.has("all") {
		if len(ctx.cmd.args) > 1 {
			return fail("--all and records argument should not be specified together")
		}
		for _, r := range ctx.m.rows(ts.Name) {
			ctx.m.remove(r)
		}
		return nil
	}
	for _, id := range ctx.cmd.args[1:] {
		r, err := ctx.findRow(ts, id, !ctx.cmd.has("if-exists"))
		if err != nil {
			return err
		}
		if r != nil {
			ctx.m.remove(r)
		}
	}
	return nil
}

// matches evaluates a find/wait-until condition on r.
func (ctx *context) matches(r *row, ca *columnArg) (bool, error) {
	var have ovsdb.Datum
	if ca.column.Name == "_uuid" {
		have = ovsdb.Datum{Keys: []ovsdb.Atom{r.uuid}}
	} else {
		have = *r.column(ca.column.Name)
	}
	t := ca.column.Type
	if ca.hasKey {
		v, ok := have.Lookup(ca.key)
		if !ok {
			return false, nil
		}
		have = ovsdb.Datum{Keys: []ovsdb.Atom{v}}
		t = ovsdb.ColumnType{Key: *t.Value, Min: 1, Max: 1}
	}
	t.Min, t.Max = 0, ovsdb.Unlimited
	want, err := ovsdb.ParseDatumString(ca.value, &t, ctx.resolveSymbol)
	if err != nil {
		return false, fail("%v", err)
	}
	inner := strings.Trim(ca.op, "{}")
	if !strings.HasPrefix(ca.op, "{") && inner != "=" && inner != "!=" {
		// Plain <, >, <=, >= compare single values.
		if have.Len() != 1 || want.Len() != 1 {
			return false, nil
		}
		c := strings.Compare(fmt.Sprint(have.Keys[0]), fmt.Sprint(want.Keys[0]))
		if a, ok := have.Keys[0].(int64); ok {
			b := want.Keys[0].(int64)
			c = map[bool]int{true: -1, false: 1}[a < b]
			if a == b {
				c = 0
			}
		}
		return map[string]bool{"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[inner], nil
	}
	sub := have.Subtract(&want)
	super := want.Subtract(&have)
	equal := have.Equal(&want)
	switch inner {
	case "=":
		return equal, nil
	case "!=":
		return !equal, nil
	case "<":
		return super.Len() > 0 && sub.Len() == 0, nil
	case "<=":
		return sub.Len() == 0, nil
	case ">":
		return sub.Len() > 0 && super.Len() == 0, nil
	}
	return super.Len() == 0, nil
}

func cmdFind(ctx *context) error {
	ts, err := ctx.table()
	if err != nil {
		return err
	}
	var conds []*columnArg
	for _, arg := range ctx.cmd.args[1:] {
		ca, err := ctx.parseColumnArg(ts, arg, findOps, true)
		if err != nil {
			return err
		}
		conds = append(conds, ca)
	}
	var rows []*row
	for _, r := range ctx.m.rows(ts.Name) {
		ok := true
		for _, ca := range conds {
			m, err := ctx.matches(r, ca)
			if err != nil {
				return err
			}
			ok = ok && m
		}
		if ok {
			rows = append(rows, r)
		}
	}
	return ctx.printRows(ts, rows)
}

func cmdList(ctx *context) error {
	ts, err := ctx.table()
	if err != nil {
		return err
	}
	var rows []*row
	if len(ctx.cmd.args) == 1 {
		rows = ctx.m.rows(ts.Name)
	}
	for _, id := range ctx.cmd.args[1:] {
		r, err := ctx.findRow(ts, id, !ctx.cmd.has("if-exists"))
		if err != nil {
			return err
		}
		if r != nil {
			rows = append(rows, r)
		}
	}
	return ctx.printRows(ts, rows)
}

func cmdWaitUntil(ctx *context) error {
	ts, err := ctx.table()
	if err != nil {
		return err
	}
	r, err := ctx.findRow(ts, ctx.cmd.args[1], false)
	if err != nil {
		return err
	}
	ok := r != nil
	for _, arg := range ctx.cmd.args[2:] {
		if !ok {
			break
		}
		ca, err := ctx.parseColumnArg(ts, arg, findOps, true)
		if err != nil {
			return err
		}
		if ok, err = ctx.matches(r, ca); err != nil {
			return err
		}
	}
	if !ok {
		time.Sleep(100 * time.Millisecond)
		return errRetry
	}
	return nil
}

// printRows renders rows in the selected --format and --data.
func (ctx *context) printRows(ts *ovsdb.TableSchema, rows []*row) error {
	var columns []string
	if spec, ok := ctx.cmd.opts["columns"]; ok {
		for _, name := range strings.Split(spec, ",") {
			if name == "_uuid" {
				columns = append(columns, name)
				continue
			}
			col, err := findColumn(ts, name)
			if err != nil {
				return fail("%v", err)
			}
			columns = append(columns, col.Name)
		}
	} else {
		columns = append(columns, "_uuid")
		for _, c := range ts.Columns {
			columns = append(columns, c.Name)
		}
	}
	tbl := &outputTable{headings: columns}
	for _, r := range rows {
		var cells []cell
		for _, name := range columns {
			if name == "_uuid" {
				cells = append(cells, cell{d: ovsdb.Datum{Keys: []ovsdb.Atom{r.uuid}}, t: &uuidType})
				continue
			}
			c, _ := ts.Column(name)
			cells = append(cells, cell{d: *r.column(name), t: &c.Type})
		}
		tbl.rows = append(tbl.rows, cells)
	}
	ctx.cmd.out.WriteString(tbl.render(ctx.o))
	return nil
}
