package server

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/govs/govs/internal/jsonrpc"
	"github.com/govs/govs/ovsdb"
)

// Monitor protocol versions.
const (
	monitorV1 = 1 // monitor, "update" with old/new
	monitorV2 = 2 // monitor_cond, "update2" with diffs
	monitorV3 = 3 // monitor_cond_since, "update3" with a transaction id
)

// zeroTxnID is the last-txn-id a standalone ovsdb-server reports: it keeps
// no transaction history, so monitor_cond_since never finds a match.
const zeroTxnID = "00000000-0000-0000-0000-000000000000"

type monitor struct {
	sess    *session
	db      *database
	id      json.RawMessage
	version int
	tables  map[string]*monitorTable
	// signature identifies what the monitor selects, so that monitors
	// with identical requests share one encoding of each update.
	signature string
}

// computeSignature sets m.signature from its version and table requests.
func (m *monitor) computeSignature() {
	names := make([]string, 0, len(m.tables))
	for name := range m.tables {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "v%d", m.version)
	for _, name := range names {
		mt := m.tables[name]
		fmt.Fprintf(&b, "|%s%v%v%v%v%v%v%s", name, mt.positions, mt.initial, mt.insert, mt.delete, mt.modify,
			mt.matchAll, mt.whereText)
	}
	m.signature = b.String()
}

// monitorTable is the merged request for one table.
type monitorTable struct {
	ts        *ovsdb.TableSchema
	positions []int
	initial   bool
	insert    bool
	delete    bool
	modify    bool
	// where is a disjunction; matchAll is set when no request had one.
	where    ovsdb.Conditions
	matchAll bool
	// whereText is the JSON of the where clauses, for the signature.
	whereText string
}

func (mt *monitorTable) match(r *ovsdb.Row) bool {
	return mt.matchAll || mt.where.MatchAny(r)
}

// monitorKey makes a map key of a monitor id's JSON value.
func monitorKey(id any) string { return jsonText(id) }

// parseMonitorRequests parses the <monitor-requests> object.
func parseMonitorRequests(d *database, j any, version int) (map[string]*monitorTable, *ovsdb.Error) {
	obj, ok := j.(map[string]any)
	if !ok {
		return nil, &ovsdb.Error{Name: ovsdb.ErrSyntax, Details: "monitor requests must be an object", Syntax: jsonText(j)}
	}
	tables := map[string]*monitorTable{}
	for tname, rj := range obj {
		tbl := d.db.Tables[tname]
		if tbl == nil {
			return nil, &ovsdb.Error{Name: ovsdb.ErrSyntax, Details: fmt.Sprintf("no table named %s", tname), Syntax: jsonText(j)}
		}
		reqs, isList := rj.([]any)
		if !isList {
			reqs = []any{rj}
		}
		mt := &monitorTable{ts: tbl.Schema}
		seen := map[int]bool{}
		for _, req := range reqs {
			if err := mt.addRequest(req, version, seen); err != nil {
				return nil, err
			}
		}
		tables[tname] = mt
	}
	return tables, nil
}

func (mt *monitorTable) addRequest(req any, version int, seen map[int]bool) *ovsdb.Error {
	obj, ok := req.(map[string]any)
	if !ok {
		return &ovsdb.Error{Name: ovsdb.ErrSyntax, Details: "monitor request must be an object", Syntax: jsonText(req)}
	}
	if cj, ok := obj["columns"]; ok {
		list, ok := cj.([]any)
		if !ok {
			return &ovsdb.Error{Name: ovsdb.ErrSyntax, Details: "columns must be an array", Syntax: jsonText(req)}
		}
		for _, nj := range list {
			name, _ := nj.(string)
			if name == "_uuid" || name == "_version" {
				continue
			}
			c, pos := mt.ts.Column(name)
			if c == nil {
				return &ovsdb.Error{Name: ovsdb.ErrSyntax, Details: fmt.Sprintf("%s is not a valid column name", jsonText(nj)), Syntax: jsonText(req)}
			}
			if seen[pos] {
				continue
			}
			seen[pos] = true
			mt.positions = append(mt.positions, pos)
		}
	} else {
		for pos := range mt.ts.Columns {
			if !seen[pos] {
				seen[pos] = true
				mt.positions = append(mt.positions, pos)
			}
		}
	}
	sel := map[string]bool{"initial": true, "insert": true, "delete": true, "modify": true}
	if sj, ok := obj["select"]; ok {
		so, ok := sj.(map[string]any)
		if !ok {
			return &ovsdb.Error{Name: ovsdb.ErrSyntax, Details: "select must be an object", Syntax: jsonText(req)}
		}
		for k, v := range so {
			b, ok := v.(bool)
			if _, known := sel[k]; !known || !ok {
				return &ovsdb.Error{Name: ovsdb.ErrSyntax, Details: fmt.Sprintf("bad select member %q", k), Syntax: jsonText(req)}
			}
			sel[k] = b
		}
	}
	mt.initial = mt.initial || sel["initial"]
	mt.insert = mt.insert || sel["insert"]
	mt.delete = mt.delete || sel["delete"]
	mt.modify = mt.modify || sel["modify"]
	wj, hasWhere := obj["where"]
	if !hasWhere || version == monitorV1 {
		mt.matchAll = true
		return nil
	}
	conds, err := ovsdb.ParseConditions(mt.ts, wj, nil)
	if err != nil {
		return err
	}
	if len(conds) == 0 {
		mt.matchAll = true
	}
	mt.where = append(mt.where, conds...)
	mt.whereText += jsonText(wj)
	return nil
}

// rowJSON encodes the monitored columns of r: all of them for update
// (version 1), only non-default ones for update2 "initial" and "insert".
func (m *monitor) rowJSON(mt *monitorTable, r *ovsdb.Row) map[string]any {
	obj := make(map[string]any, len(mt.positions))
	for _, pos := range mt.positions {
		c := mt.ts.Columns[pos]
		if m.version != monitorV1 && r.Fields[pos].IsDefault(&c.Type) {
			continue
		}
		obj[c.Name] = r.Fields[pos].JSON(&c.Type)
	}
	return obj
}

// initial returns the <table-updates> of every row the monitor selects
// initially.
func (m *monitor) initial() map[string]any {
	updates := map[string]any{}
	for name, mt := range m.tables {
		if !mt.initial {
			continue
		}
		rows := map[string]any{}
		for id, r := range m.db.db.Tables[name].Rows {
			if !mt.match(r) {
				continue
			}
			if m.version == monitorV1 {
				rows[id.String()] = map[string]any{"new": m.rowJSON(mt, r)}
			} else {
				rows[id.String()] = map[string]any{"initial": m.rowJSON(mt, r)}
			}
		}
		if len(rows) > 0 {
			updates[name] = rows
		}
	}
	return updates
}

// rowUpdate returns the update for one row change, or nil if the monitor
// does not report it.
func (m *monitor) rowUpdate(mt *monitorTable, old, new *ovsdb.Row) any {
	oldMatch := old != nil && mt.match(old)
	newMatch := new != nil && mt.match(new)
	switch {
	case !oldMatch && newMatch:
		if !mt.insert {
			return nil
		}
		if m.version == monitorV1 {
			return map[string]any{"new": m.rowJSON(mt, new)}
		}
		return map[string]any{"insert": m.rowJSON(mt, new)}
	case oldMatch && !newMatch:
		if !mt.delete {
			return nil
		}
		if m.version == monitorV1 {
			return map[string]any{"old": m.rowJSON(mt, old)}
		}
		return map[string]any{"delete": nil}
	case oldMatch && newMatch:
		if !mt.modify {
			return nil
		}
		changed := map[string]any{}
		for _, pos := range mt.positions {
			c := mt.ts.Columns[pos]
			if old.Fields[pos].Equal(&new.Fields[pos]) {
				continue
			}
			if m.version == monitorV1 {
				changed[c.Name] = old.Fields[pos].JSON(&c.Type)
			} else {
				d := ovsdb.DiffDatum(&old.Fields[pos], &new.Fields[pos], &c.Type)
				changed[c.Name] = d.JSON(&c.Type)
			}
		}
		if len(changed) == 0 {
			return nil
		}
		if m.version == monitorV1 {
			return map[string]any{"old": changed, "new": m.rowJSON(mt, new)}
		}
		return map[string]any{"modify": changed}
	}
	return nil
}

// commitUpdate sends the monitor's view of a commit. Encoded updates are
// shared through cache (by monitor signature) within one commit. s.mu is
// held.
func (m *monitor) commitUpdate(c *ovsdb.Commit, seq uint64, cache map[string][]byte) {
	if text, ok := cache[m.signature]; ok {
		if text != nil {
			m.sendEncoded(text, seq)
		}
		return
	}
	updates := map[string]any{}
	for _, ch := range c.Changes {
		mt := m.tables[ch.Table.Name]
		if mt == nil {
			continue
		}
		u := m.rowUpdate(mt, ch.Old, ch.New)
		if u == nil {
			continue
		}
		rows, _ := updates[ch.Table.Name].(map[string]any)
		if rows == nil {
			rows = map[string]any{}
			updates[ch.Table.Name] = rows
		}
		rows[ch.UUID.String()] = u
	}
	if len(updates) == 0 {
		cache[m.signature] = nil
		return
	}
	text, err := ovsdb.MarshalJSON(updates)
	if err != nil {
		m.sess.s.logf("ERR|encode monitor update: %v", err)
		return
	}
	cache[m.signature] = text
	m.sendEncoded(text, seq)
}

// sendEncoded sends an update notification whose <table-updates> is
// already encoded.
func (m *monitor) sendEncoded(updates []byte, seq uint64) {
	method := map[int]string{monitorV1: "update", monitorV2: "update2", monitorV3: "update3"}[m.version]
	params := make([]byte, 0, len(updates)+len(m.id)+len(zeroTxnID)+8)
	params = append(params, '[')
	params = append(params, m.id...)
	params = append(params, ',')
	if m.version == monitorV3 {
		params = append(params, `"`+zeroTxnID+`",`...)
	}
	params = append(params, updates...)
	params = append(params, ']')
	m.sess.send(&jsonrpc.Message{Method: method, Params: params, ID: json.RawMessage("null")}, seq)
}

func (m *monitor) send(updates map[string]any, seq uint64) {
	switch m.version {
	case monitorV1:
		m.sess.notify("update", []any{m.id, updates}, seq)
	case monitorV2:
		m.sess.notify("update2", []any{m.id, updates}, seq)
	default:
		m.sess.notify("update3", []any{m.id, zeroTxnID, updates}, seq)
	}
}

// monitor handles monitor, monitor_cond and monitor_cond_since. s.mu is
// held.
func (sess *session) monitor(method string, id json.RawMessage, params []any) {
	version := map[string]int{"monitor": monitorV1, "monitor_cond": monitorV2, "monitor_cond_since": monitorV3}[method]
	d, errObj := sess.s.lookupDB(method, params)
	if errObj != nil {
		sess.replyError(id, errObj)
		return
	}
	want := 3
	if version == monitorV3 {
		want = 4
	}
	if len(params) != want {
		sess.replyError(id, syntaxErrorJSON(params, "%s expects %d parameters", method, want))
		return
	}
	key := monitorKey(params[1])
	if sess.monitors[key] != nil {
		sess.replyError(id, syntaxErrorJSON(params, "duplicate monitor ID"))
		return
	}
	tables, err := parseMonitorRequests(d, params[2], version)
	if err != nil {
		sess.replyError(id, err.JSON())
		return
	}
	mid, _ := ovsdb.MarshalJSON(params[1])
	m := &monitor{sess: sess, db: d, id: json.RawMessage(mid), version: version, tables: tables}
	m.computeSignature()
	sess.monitors[key] = m
	d.monitors[m] = true
	initial := m.initial()
	if version == monitorV3 {
		sess.reply(id, []any{false, zeroTxnID, initial}, sess.s.dur.current())
		return
	}
	sess.reply(id, initial, sess.s.dur.current())
}

// monitorCondChange replaces the conditions of a monitor_cond or
// monitor_cond_since monitor, sending the rows that enter or leave it.
// s.mu is held.
func (sess *session) monitorCondChange(id json.RawMessage, params []any) {
	if len(params) != 3 {
		sess.replyError(id, syntaxErrorJSON(params, "monitor_cond_change expects 3 parameters"))
		return
	}
	m := sess.monitors[monitorKey(params[0])]
	if m == nil {
		sess.replyError(id, syntaxErrorJSON(params, "unknown monitor session"))
		return
	}
	newKey := monitorKey(params[1])
	if newKey != monitorKey(params[0]) && sess.monitors[newKey] != nil {
		sess.replyError(id, syntaxErrorJSON(params, "duplicate monitor ID"))
		return
	}
	changes, ok := params[2].(map[string]any)
	if !ok || m.version == monitorV1 {
		sess.replyError(id, syntaxErrorJSON(params, "bad monitor_cond_change request"))
		return
	}
	updates := map[string]any{}
	for tname, rj := range changes {
		mt := m.tables[tname]
		if mt == nil {
			sess.replyError(id, syntaxErrorJSON(params, "table %s is not monitored", tname))
			return
		}
		reqs, isList := rj.([]any)
		if !isList {
			reqs = []any{rj}
		}
		next := &monitorTable{ts: mt.ts, positions: mt.positions, initial: mt.initial,
			insert: mt.insert, delete: mt.delete, modify: mt.modify}
		for _, req := range reqs {
			obj, _ := req.(map[string]any)
			wj, ok := obj["where"]
			if !ok {
				next.matchAll = true
				continue
			}
			conds, err := ovsdb.ParseConditions(mt.ts, wj, nil)
			if err != nil {
				sess.replyError(id, err.JSON())
				return
			}
			if len(conds) == 0 {
				next.matchAll = true
			}
			next.where = append(next.where, conds...)
			next.whereText += jsonText(wj)
		}
		rows := map[string]any{}
		for rid, r := range m.db.db.Tables[tname].Rows {
			was, is := mt.match(r), next.match(r)
			switch {
			case is && !was:
				rows[rid.String()] = map[string]any{"insert": m.rowJSON(next, r)}
			case was && !is:
				rows[rid.String()] = map[string]any{"delete": nil}
			}
		}
		if len(rows) > 0 {
			updates[tname] = rows
		}
		m.tables[tname] = next
	}
	delete(sess.monitors, monitorKey(params[0]))
	mid, _ := ovsdb.MarshalJSON(params[1])
	m.id = json.RawMessage(mid)
	m.computeSignature()
	sess.monitors[newKey] = m
	seq := sess.s.dur.current()
	if len(updates) > 0 {
		m.send(updates, seq)
	}
	sess.reply(id, map[string]any{}, seq)
}

// monitorCancel removes a monitor. s.mu is held.
func (sess *session) monitorCancel(id json.RawMessage, params []any) {
	if len(params) != 1 {
		sess.replyError(id, syntaxErrorJSON(params, "monitor_cancel expects 1 parameter"))
		return
	}
	key := monitorKey(params[0])
	m := sess.monitors[key]
	if m == nil {
		sess.replyError(id, syntaxErrorJSON(params, "unknown monitor"))
		return
	}
	delete(sess.monitors, key)
	delete(m.db.monitors, m)
	sess.reply(id, map[string]any{}, 0)
}
