package ovsdb

import "fmt"

// precommit finishes a transaction the way ovsdb-server does before
// committing: it checks referential integrity, collects garbage
// (unreferenced rows of non-root tables), removes dangling weak
// references, drops no-op changes, and checks maxRows and index
// uniqueness. It returns the final
// changes in execution order, or the error that aborts the transaction.
func (t *txn) precommit() ([]RowChange, *Error) {
	if err := t.checkStrongRefs(); err != nil {
		return nil, err
	}
	if err := t.collectGarbage(); err != nil {
		return nil, err
	}
	if err := t.removeWeakRefs(); err != nil {
		return nil, err
	}
	changes := make([]RowChange, 0, len(t.order))
	for _, tr := range t.order {
		if tr.old == nil && tr.new == nil {
			continue
		}
		if tr.old != nil && tr.new != nil && rowFieldsEqual(tr.old, tr.new) {
			continue
		}
		changes = append(changes, RowChange{Table: tr.table.Schema, UUID: tr.uuid, Old: tr.old, New: tr.new})
	}
	if err := t.checkMaxRows(changes); err != nil {
		return nil, err
	}
	if err := t.checkIndexes(changes); err != nil {
		return nil, err
	}
	return changes, nil
}

func rowFieldsEqual(a, b *Row) bool {
	for i := range a.Fields {
		if !a.Fields[i].Equal(&b.Fields[i]) {
			return false
		}
	}
	return true
}

// refDelta computes, per target uuid, how the transaction changes its
// strong reference count.
func (t *txn) refDelta() map[UUID]int {
	delta := map[UUID]int{}
	for _, tr := range t.order {
		for _, side := range []struct {
			r    *Row
			sign int
		}{{tr.old, -1}, {tr.new, +1}} {
			if side.r == nil {
				continue
			}
			forEachRef(tr.table.Schema, side.r, true, func(_ *ColumnSchema, target UUID, _ string) {
				delta[target] += side.sign
			})
		}
	}
	return delta
}

// collectGarbage deletes rows of non-root tables that the transaction
// leaves without strong references, repeating until nothing more goes.
func (t *txn) collectGarbage() *Error {
	delta := t.refDelta()
	type candidate struct {
		table *Table
		id    UUID
	}
	var work []candidate
	for _, tr := range t.order {
		if tr.new != nil && !tr.table.Schema.IsRoot {
			work = append(work, candidate{tr.table, tr.uuid})
		}
	}
	for _, tr := range t.order {
		forEachTouchedRef(tr, func(target UUID, refTable string) {
			if tbl := t.db.Tables[refTable]; !tbl.Schema.IsRoot {
				work = append(work, candidate{tbl, target})
			}
		})
	}
	for len(work) > 0 {
		c := work[len(work)-1]
		work = work[:len(work)-1]
		r := t.get(c.table, c.id)
		if r == nil || t.db.strongRefs[c.id]+delta[c.id] > 0 {
			continue
		}
		t.remove(c.table, r)
		forEachRef(c.table.Schema, r, true, func(_ *ColumnSchema, target UUID, refTable string) {
			delta[target]--
			if tbl := t.db.Tables[refTable]; !tbl.Schema.IsRoot {
				work = append(work, candidate{tbl, target})
			}
		})
	}
	return nil
}

// forEachTouchedRef calls fn for each strong reference held by the old or
// new version of a changed row.
func forEachTouchedRef(tr *txnRow, fn func(target UUID, refTable string)) {
	for _, r := range []*Row{tr.old, tr.new} {
		if r != nil {
			forEachRef(tr.table.Schema, r, true, func(_ *ColumnSchema, target UUID, refTable string) {
				fn(target, refTable)
			})
		}
	}
}

// checkStrongRefs fails if a row left by the transaction holds a strong
// reference to a row that does not exist afterwards.
func (t *txn) checkStrongRefs() *Error {
	for _, tr := range t.order {
		if tr.new == nil {
			continue
		}
		var err *Error
		forEachRef(tr.table.Schema, tr.new, true, func(c *ColumnSchema, target UUID, refTable string) {
			if err != nil || t.get(t.db.Tables[refTable], target) != nil {
				return
			}
			if dt := t.rows[target]; dt != nil && dt.old != nil {
				return // reported below, as a deletion
			}
			err = newError(ErrReferentialIntegrity,
				"Table %s column %s row %s references nonexistent row %s in table %s.",
				tr.table.Schema.Name, c.Name, tr.uuid, target, refTable)
		})
		if err != nil {
			return err
		}
	}
	// Rows deleted by the transaction must not be referenced by rows it
	// did not touch.
	delta := t.refDelta()
	for _, tr := range t.order {
		if tr.old == nil || tr.new != nil {
			continue
		}
		if remaining := t.db.strongRefs[tr.uuid] + delta[tr.uuid]; remaining > 0 {
			return newError(ErrReferentialIntegrity,
				"cannot delete %s row %s because of %d remaining reference(s)",
				tr.table.Schema.Name, tr.uuid, remaining)
		}
	}
	return nil
}

// removeWeakRefs drops weak references to rows that do not exist after the
// transaction, from changed rows and from rows that referred to deleted
// ones.
func (t *txn) removeWeakRefs() *Error {
	deletedFrom := map[string]bool{}
	for _, tr := range t.order {
		if tr.old != nil && tr.new == nil {
			deletedFrom[tr.table.Schema.Name] = true
		}
	}
	check := map[UUID]*txnRow{}
	for _, tr := range t.order {
		if tr.new != nil {
			check[tr.uuid] = tr
		}
	}
	if len(deletedFrom) > 0 {
		for _, tbl := range t.db.Tables {
			if !hasWeakRefInto(tbl.Schema, deletedFrom) {
				continue
			}
			for id, r := range tbl.Rows {
				if check[id] == nil && t.rows[id] == nil {
					check[id] = &txnRow{table: tbl, uuid: id, old: r, new: r}
				}
			}
		}
	}
	for _, tr := range check {
		if err := t.pruneWeakRefs(tr); err != nil {
			return err
		}
	}
	return nil
}

func hasWeakRefInto(ts *TableSchema, tables map[string]bool) bool {
	for _, c := range ts.Columns {
		for _, b := range []*BaseType{&c.Type.Key, c.Type.Value} {
			if b != nil && b.IsWeakRef() && tables[b.RefTable] {
				return true
			}
		}
	}
	return false
}

func (t *txn) pruneWeakRefs(tr *txnRow) *Error {
	ts := tr.table.Schema
	for pos, c := range ts.Columns {
		keyWeak, valueWeak := c.Type.Key.IsWeakRef(), c.Type.Value != nil && c.Type.Value.IsWeakRef()
		if !keyWeak && !valueWeak {
			continue
		}
		d := &tr.new.Fields[pos]
		dangling := func(b *BaseType, a Atom) bool {
			return t.get(t.db.Tables[b.RefTable], a.(UUID)) == nil
		}
		var keep Datum
		if d.Values != nil {
			keep.Values = []Atom{}
		}
		for i, k := range d.Keys {
			if keyWeak && dangling(&c.Type.Key, k) || valueWeak && dangling(c.Type.Value, d.Values[i]) {
				continue
			}
			keep.Keys = append(keep.Keys, k)
			if d.Values != nil {
				keep.Values = append(keep.Values, d.Values[i])
			}
		}
		if len(keep.Keys) == len(d.Keys) {
			continue
		}
		if len(keep.Keys) < c.Type.Min {
			return newError(ErrConstraintViolation,
				"Deletion of %d weak reference(s) to deleted (or never-existing) rows from column %q in %q row %s caused this column to become empty, but constraints on this column disallow an empty column.",
				len(d.Keys)-len(keep.Keys), c.Name, ts.Name, tr.uuid)
		}
		if t.rows[tr.uuid] == nil {
			t.rows[tr.uuid] = tr
			t.order = append(t.order, tr)
		}
		nr := t.modify(tr.table, tr.new)
		nr.Fields[pos] = keep
	}
	return nil
}

func (t *txn) checkMaxRows(changes []RowChange) *Error {
	delta := map[string]int{}
	for _, c := range changes {
		if c.Table.MaxRows == 0 {
			continue
		}
		switch {
		case c.Old == nil:
			delta[c.Table.Name]++
		case c.New == nil:
			delta[c.Table.Name]--
		}
	}
	for name, d := range delta {
		tbl := t.db.Tables[name]
		if n := len(tbl.Rows) + d; d > 0 && n > tbl.Schema.MaxRows {
			return newError(ErrConstraintViolation,
				"Transaction causes %q table to contain %d rows, greater than the schema-defined limit of %d row(s).",
				name, n, tbl.Schema.MaxRows)
		}
	}
	return nil
}

// checkIndexes fails if the transaction leaves two rows with equal values
// in the columns of one of the table's indexes.
func (t *txn) checkIndexes(changes []RowChange) *Error {
	seen := map[string]UUID{}
	for _, c := range changes {
		if c.New == nil || len(c.Table.Indexes) == 0 {
			continue
		}
		tbl := t.db.Tables[c.Table.Name]
		for i, positions := range c.Table.Indexes {
			key := indexKey(c.Table, positions, c.New)
			seenKey := fmt.Sprintf("%s\x00%d\x00%s", c.Table.Name, i, key)
			if other, dup := seen[seenKey]; dup {
				return indexError(c.Table, positions, c.New, other, c.UUID)
			}
			seen[seenKey] = c.UUID
			holder, held := tbl.indexes[i][key]
			if !held || holder == c.UUID {
				continue
			}
			if tr := t.rows[holder]; tr != nil && (tr.new == nil || indexKey(c.Table, positions, tr.new) != key) {
				continue
			}
			return indexError(c.Table, positions, c.New, holder, c.UUID)
		}
	}
	return nil
}

func indexError(ts *TableSchema, positions []int, r *Row, first, second UUID) *Error {
	var names, values string
	for n, p := range positions {
		if n > 0 {
			names += ", "
			values += ", "
		}
		names += ts.Columns[p].Name
		values += jsonText(r.Fields[p].JSON(&ts.Columns[p].Type))
	}
	return newError(ErrConstraintViolation,
		"Transaction causes multiple rows in %q table to have identical values (%s) for index on column(s) %s.  First row, with UUID %s, and second row, with UUID %s.",
		ts.Name, values, names, first, second)
}
