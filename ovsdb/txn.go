package ovsdb

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// LockChecker tells a transaction which locks its session owns, for the
// "assert" operation.
type LockChecker interface {
	HoldsLock(name string) bool
}

// TxnResult is the outcome of [Database.Transact].
type TxnResult struct {
	// Results is the "result" array of the transact reply.
	Results []any
	// Commit is the committed transaction, nil if it failed or was
	// read-only.
	Commit *Commit
	// WaitBlocked is set when the transaction failed only because a "wait"
	// operation's condition does not hold yet and its timeout has not
	// elapsed; the caller retries it (with TransactSince) after later
	// commits and once WaitTimeout (negative: never) has passed since the
	// first attempt, as ovsdb-server does.
	WaitBlocked bool
	WaitTimeout time.Duration
}

type txnRow struct {
	table    *Table
	uuid     UUID
	old, new *Row
	// private is set once new is a copy owned by the transaction.
	private bool
}

type symbol struct {
	uuid    UUID
	created bool
}

type txn struct {
	db       *Database
	rows     map[UUID]*txnRow
	order    []*txnRow
	inserted map[*Table][]*txnRow
	symbols  map[string]*symbol
	comments []string
	durable  bool
	locks    LockChecker
	started  time.Time
	// waitTimeout is the timeout of the first unmet "wait", if any.
	waitBlocked bool
	waitTimeout time.Duration
}

// Transact executes the operations of a "transact" request (the params
// after the database name) atomically: either every operation succeeds and
// the changes commit, or nothing changes. A bad operation yields an error
// object in its slot of Results, never a Go error.
func (db *Database) Transact(ops []any, locks LockChecker) TxnResult {
	return db.TransactSince(ops, locks, time.Now())
}

// TransactSince is Transact for a transaction first attempted at started:
// a blocked "wait" times out once its timeout has elapsed since then.
func (db *Database) TransactSince(ops []any, locks LockChecker, started time.Time) TxnResult {
	t := &txn{started: started,
		db: db, rows: map[UUID]*txnRow{}, inserted: map[*Table][]*txnRow{},
		symbols: map[string]*symbol{}, locks: locks,
	}
	results := make([]any, 0, len(ops)+1)
	var failed *Error
	for _, op := range ops {
		result, err := t.execute(op)
		if err != nil {
			failed = err
			results = append(results, err.JSON())
			break
		}
		results = append(results, result)
	}
	for len(results) < len(ops) {
		results = append(results, nil)
	}
	if failed != nil {
		if t.waitBlocked && failed.Name == ErrTimedOut {
			return TxnResult{Results: results, WaitBlocked: true, WaitTimeout: t.waitTimeout}
		}
		return TxnResult{Results: results}
	}
	changes, err := t.precommit()
	if err != nil {
		return TxnResult{Results: append(results, err.JSON())}
	}
	if len(changes) == 0 {
		return TxnResult{Results: results}
	}
	for i := range changes {
		if changes[i].New != nil {
			changes[i].New.Version = NewUUID()
		}
	}
	db.apply(changes)
	return TxnResult{Results: results, Commit: &Commit{
		Changes: changes, Comment: strings.Join(t.comments, "\n"),
		Durable: t.durable, Date: time.Now(),
	}}
}

func (t *txn) resolve(name string) (UUID, *Error) {
	s := t.symbols[name]
	if s == nil {
		s = &symbol{uuid: NewUUID()}
		t.symbols[name] = s
	}
	return s.uuid, nil
}

// get returns the row with the given uuid as the transaction sees it.
func (t *txn) get(tbl *Table, id UUID) *Row {
	if tr := t.rows[id]; tr != nil && tr.table == tbl {
		return tr.new
	}
	return tbl.Rows[id]
}

// forEach calls fn for every row of tbl matching conds, as the transaction
// sees them, until fn returns an error.
func (t *txn) forEach(tbl *Table, conds Conditions, fn func(*Row) *Error) *Error {
	if id, ok := conds.uuidEquality(); ok {
		if r := t.get(tbl, id); r != nil && conds.Match(r) {
			return fn(r)
		}
		return nil
	}
	// Collect first: fn may modify rows.
	var matches []*Row
	for id, r := range tbl.Rows {
		if tr := t.rows[id]; tr != nil {
			r = tr.new
		}
		if r != nil && conds.Match(r) {
			matches = append(matches, r)
		}
	}
	for _, tr := range t.inserted[tbl] {
		if tr.new != nil && conds.Match(tr.new) {
			matches = append(matches, tr.new)
		}
	}
	for _, r := range matches {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// modify returns a transaction-private copy of row id of tbl to change.
func (t *txn) modify(tbl *Table, r *Row) *Row {
	tr := t.rows[r.UUID]
	if tr == nil {
		tr = &txnRow{table: tbl, uuid: r.UUID, old: r, new: r}
		t.rows[r.UUID] = tr
		t.order = append(t.order, tr)
	}
	if !tr.private {
		c := &Row{UUID: r.UUID, Version: r.Version, Fields: append([]Datum(nil), r.Fields...)}
		tr.new, tr.private = c, true
	}
	return tr.new
}

func (t *txn) remove(tbl *Table, r *Row) {
	tr := t.rows[r.UUID]
	if tr == nil {
		tr = &txnRow{table: tbl, uuid: r.UUID, old: r}
		t.rows[r.UUID] = tr
		t.order = append(t.order, tr)
	}
	tr.new, tr.private = nil, false
}

func (t *txn) execute(opj any) (any, *Error) {
	op, ok := opj.(map[string]any)
	if !ok {
		return nil, syntaxError(opj, "operation must be an object")
	}
	name, ok := op["op"].(string)
	if !ok {
		return nil, syntaxError(opj, "operation is missing \"op\"")
	}
	switch name {
	case "commit":
		durable, ok := op["durable"].(bool)
		if !ok {
			return nil, syntaxError(opj, "\"commit\" requires boolean \"durable\"")
		}
		t.durable = t.durable || durable
		return map[string]any{}, nil
	case "abort":
		return nil, newError(ErrAborted, "aborted by request")
	case "comment":
		c, ok := op["comment"].(string)
		if !ok {
			return nil, syntaxError(opj, "\"comment\" requires string \"comment\"")
		}
		t.comments = append(t.comments, c)
		return map[string]any{}, nil
	case "assert":
		lock, ok := op["lock"].(string)
		if !ok {
			return nil, syntaxError(opj, "\"assert\" requires string \"lock\"")
		}
		if t.locks == nil || !t.locks.HoldsLock(lock) {
			return nil, newError(ErrNotOwner, "Asserted lock %s not held.", lock)
		}
		return map[string]any{}, nil
	case "insert", "select", "update", "mutate", "delete", "wait":
	default:
		return nil, &Error{Name: "unknown operation", Details: fmt.Sprintf("No operation %q", name), Syntax: jsonText(opj)}
	}
	tname, ok := op["table"].(string)
	if !ok {
		return nil, syntaxError(opj, "%q operation requires string \"table\"", name)
	}
	tbl := t.db.Tables[tname]
	if tbl == nil {
		return nil, &Error{Name: ErrUnknownTable, Details: fmt.Sprintf("No table named %s.", tname), Syntax: jsonText(opj)}
	}
	if name == "insert" {
		return t.insert(tbl, op)
	}
	wj, ok := op["where"]
	if !ok {
		return nil, syntaxError(opj, "%q operation requires \"where\"", name)
	}
	conds, err := ParseConditions(tbl.Schema, wj, t.resolve)
	if err != nil {
		return nil, err
	}
	switch name {
	case "select":
		return t.selectRows(tbl, op, conds)
	case "update":
		return t.update(tbl, op, conds)
	case "mutate":
		return t.mutate(tbl, op, conds)
	case "delete":
		n := 0
		err := t.forEach(tbl, conds, func(r *Row) *Error {
			t.remove(tbl, r)
			n++
			return nil
		})
		return map[string]any{"count": n}, err
	}
	return t.wait(tbl, op, conds)
}

// parseRow parses an insert/update "row" object into column positions and
// values, checking constraints.
func (t *txn) parseRow(ts *TableSchema, rj any, forUpdate bool) (map[int]Datum, *Error) {
	obj, ok := rj.(map[string]any)
	if !ok {
		return nil, syntaxError(rj, "row must be an object")
	}
	values := make(map[int]Datum, len(obj))
	for name, vj := range obj {
		c, pos := ts.Column(name)
		if c == nil {
			return nil, &Error{Name: ErrUnknownColumn, Details: fmt.Sprintf("No column %s in table %s.", name, ts.Name), Syntax: jsonText(rj)}
		}
		if forUpdate && !c.Mutable {
			return nil, newError(ErrConstraintViolation, "Cannot update immutable column %s in table %s.", name, ts.Name)
		}
		d, err := parseDatumJSON(vj, &c.Type, t.resolve)
		if err != nil {
			return nil, err
		}
		if err := checkDatum(&d, &c.Type); err != nil {
			return nil, err
		}
		values[pos] = d
	}
	return values, nil
}

func (t *txn) insert(tbl *Table, op map[string]any) (any, *Error) {
	id := NewUUID()
	if uj, ok := op["uuid"]; ok {
		s, _ := uj.(string)
		u, err := ParseUUID(s)
		if err != nil {
			return nil, syntaxError(op, "\"uuid\" must be a UUID string")
		}
		id = u
	}
	if nj, ok := op["uuid-name"]; ok {
		name, ok := nj.(string)
		if !ok || !identifierRE.MatchString(name) {
			return nil, syntaxError(op, "\"uuid-name\" must be an identifier")
		}
		s := t.symbols[name]
		if s != nil && s.created {
			return nil, &Error{Name: ErrDuplicateUUIDName, Details: fmt.Sprintf("This \"uuid-name\" appeared on an earlier \"insert\" operation."), Syntax: jsonText(op)}
		}
		if s == nil {
			s = &symbol{uuid: id}
			t.symbols[name] = s
		} else if _, given := op["uuid"]; given {
			return nil, syntaxError(op, "uuid-name %s was referenced before an insert that sets \"uuid\"", name)
		}
		s.created = true
		id = s.uuid
	}
	if t.rows[id] != nil || t.db.rowExists(id) {
		return nil, newError("duplicate uuid", "This UUID would duplicate a UUID already present within the table or deleted within the same transaction.")
	}
	r := newRow(tbl.Schema, id)
	if rj, ok := op["row"]; ok {
		values, err := t.parseRow(tbl.Schema, rj, false)
		if err != nil {
			return nil, err
		}
		for pos, d := range values {
			r.Fields[pos] = d
		}
	}
	tr := &txnRow{table: tbl, uuid: id, new: r, private: true}
	t.rows[id] = tr
	t.order = append(t.order, tr)
	t.inserted[tbl] = append(t.inserted[tbl], tr)
	return map[string]any{"uuid": atomJSON(id)}, nil
}

func (db *Database) rowExists(id UUID) bool {
	for _, tbl := range db.Tables {
		if tbl.Rows[id] != nil {
			return true
		}
	}
	return false
}

func parseColumnList(ts *TableSchema, op map[string]any) ([]string, *Error) {
	cj, ok := op["columns"]
	if !ok {
		return nil, nil
	}
	list, ok := cj.([]any)
	if !ok {
		return nil, syntaxError(cj, "\"columns\" must be an array of column names")
	}
	names := make([]string, 0, len(list))
	for _, nj := range list {
		name, ok := nj.(string)
		if !ok {
			return nil, syntaxError(cj, "\"columns\" must be an array of column names")
		}
		if _, err := lookupColumn(ts, name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

func (t *txn) selectRows(tbl *Table, op map[string]any, conds Conditions) (any, *Error) {
	columns, err := parseColumnList(tbl.Schema, op)
	if err != nil {
		return nil, err
	}
	rows := []any{}
	err = t.forEach(tbl, conds, func(r *Row) *Error {
		rows = append(rows, RowJSON(tbl.Schema, r, columns))
		return nil
	})
	return map[string]any{"rows": rows}, err
}

func (t *txn) update(tbl *Table, op map[string]any, conds Conditions) (any, *Error) {
	values, err := t.parseRow(tbl.Schema, op["row"], true)
	if err != nil {
		return nil, err
	}
	n := 0
	err = t.forEach(tbl, conds, func(r *Row) *Error {
		n++
		changed := false
		for pos, d := range values {
			if !r.Fields[pos].Equal(&d) {
				changed = true
				break
			}
		}
		if changed {
			nr := t.modify(tbl, r)
			for pos, d := range values {
				nr.Fields[pos] = d
			}
		}
		return nil
	})
	return map[string]any{"count": n}, err
}

func (t *txn) mutate(tbl *Table, op map[string]any, conds Conditions) (any, *Error) {
	list, ok := op["mutations"].([]any)
	if !ok {
		return nil, syntaxError(op, "\"mutate\" requires array \"mutations\"")
	}
	mutations := make([]mutation, 0, len(list))
	for _, mj := range list {
		m, err := parseMutation(tbl.Schema, mj, t.resolve)
		if err != nil {
			return nil, err
		}
		mutations = append(mutations, m)
	}
	n := 0
	err := t.forEach(tbl, conds, func(r *Row) *Error {
		n++
		nr := t.modify(tbl, r)
		for i := range mutations {
			m := &mutations[i]
			d, err := m.apply(&nr.Fields[m.column.pos], tbl.Schema.Name)
			if err != nil {
				return err
			}
			nr.Fields[m.column.pos] = d
		}
		return nil
	})
	return map[string]any{"count": n}, err
}

func (t *txn) wait(tbl *Table, op map[string]any, conds Conditions) (any, *Error) {
	timeout := time.Duration(-1)
	if tj, ok := op["timeout"]; ok {
		ms, err := jsonInt(tj)
		if err != nil || ms < 0 {
			return nil, syntaxError(op, "\"timeout\" must be a non-negative integer")
		}
		timeout = time.Duration(ms) * time.Millisecond
	}
	columns, err := parseColumnList(tbl.Schema, op)
	if err != nil {
		return nil, err
	}
	if columns == nil {
		for _, c := range tbl.Schema.Columns {
			columns = append(columns, c.Name)
		}
	}
	until, _ := op["until"].(string)
	if until != fnEQ && until != fnNE {
		return nil, syntaxError(op, "\"until\" must be \"==\" or \"!=\"")
	}
	rowList, ok := op["rows"].([]any)
	if !ok {
		return nil, syntaxError(op, "\"wait\" requires array \"rows\"")
	}
	// Compare as multisets of the projected rows' JSON text.
	want := map[string]int{}
	for _, rj := range rowList {
		values, err := t.parseRow(tbl.Schema, rj, false)
		if err != nil {
			return nil, err
		}
		want[projection(tbl.Schema, columns, func(pos int) *Datum {
			if d, ok := values[pos]; ok {
				return &d
			}
			def := DefaultDatum(&tbl.Schema.Columns[pos].Type)
			return &def
		})]++
	}
	got := map[string]int{}
	err = t.forEach(tbl, conds, func(r *Row) *Error {
		got[projection(tbl.Schema, columns, func(pos int) *Datum { return &r.Fields[pos] })]++
		return nil
	})
	if err != nil {
		return nil, err
	}
	equal := len(want) == len(got)
	for k, n := range want {
		equal = equal && got[k] == n
	}
	if equal == (until == fnEQ) {
		return map[string]any{}, nil
	}
	if timeout == 0 {
		return nil, newError(ErrTimedOut, "\"where\" clause test failed")
	}
	elapsed := time.Since(t.started)
	if timeout < 0 || elapsed < timeout {
		t.waitBlocked, t.waitTimeout = true, timeout
	}
	return nil, newError(ErrTimedOut, "\"wait\" timed out after %d ms", elapsed.Milliseconds())
}

func projection(ts *TableSchema, columns []string, field func(pos int) *Datum) string {
	var b strings.Builder
	for _, name := range columns {
		c, pos := ts.Column(name)
		if c == nil {
			continue
		}
		enc, _ := json.Marshal(field(pos).JSON(&c.Type))
		b.Write(enc)
		b.WriteByte(0)
	}
	return b.String()
}
