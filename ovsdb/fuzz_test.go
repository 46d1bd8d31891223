package ovsdb

import (
	"testing"
)

// checkInvariants recomputes reference counts and indexes from scratch and
// compares them with the database's bookkeeping, and checks that no row
// holds a dangling strong reference.
func checkInvariants(t *testing.T, db *Database) {
	t.Helper()
	refs := map[UUID]int{}
	for _, tbl := range db.Tables {
		for _, r := range tbl.Rows {
			forEachRef(tbl.Schema, r, true, func(c *ColumnSchema, target UUID, refTable string) {
				refs[target]++
				if db.Tables[refTable].Rows[target] == nil {
					t.Fatalf("%s row %s column %s: dangling strong reference to %s", tbl.Schema.Name, r.UUID, c.Name, target)
				}
			})
			for i, c := range tbl.Schema.Columns {
				d := r.Fields[i]
				if n := d.Len(); n < c.Type.Min || n > c.Type.Max {
					t.Fatalf("%s row %s column %s has %d elements", tbl.Schema.Name, r.UUID, c.Name, n)
				}
			}
		}
		for i, positions := range tbl.Schema.Indexes {
			if len(tbl.indexes[i]) != len(tbl.Rows) {
				t.Fatalf("%s index %d has %d keys for %d rows", tbl.Schema.Name, i, len(tbl.indexes[i]), len(tbl.Rows))
			}
			for _, r := range tbl.Rows {
				if tbl.indexes[i][indexKey(tbl.Schema, positions, r)] != r.UUID {
					t.Fatalf("%s index %d does not map row %s", tbl.Schema.Name, i, r.UUID)
				}
			}
		}
	}
	if len(refs) != len(db.strongRefs) {
		t.Fatalf("reference counts: %d targets recomputed, %d recorded", len(refs), len(db.strongRefs))
	}
	for u, n := range refs {
		if db.strongRefs[u] != n {
			t.Fatalf("row %s: %d strong references, %d recorded", u, n, db.strongRefs[u])
		}
	}
}

// FuzzTransaction runs arbitrary transactions on a populated database: no
// input may panic; a failed transaction must leave the database exactly as
// it was; a committed one must keep references, counts and indexes
// consistent.
func FuzzTransaction(f *testing.F) {
	for _, seed := range []string{
		`[{"op":"insert","table":"Root","row":{"name":"x","kids":["named-uuid","k"]}},{"op":"insert","table":"Kid","uuid-name":"k","row":{"name":"k2"}}]`,
		`[{"op":"delete","table":"Kid","where":[]}]`,
		`[{"op":"update","table":"Root","where":[["name","==","r"]],"row":{"kids":["set",[]]}}]`,
		`[{"op":"mutate","table":"Root","where":[],"mutations":[["n","+=",1],["tags","insert",["set",["a","b"]]],["kv","delete",["set",["a"]]]]}]`,
		`[{"op":"delete","table":"Root","where":[["name","==","r"]]}]`,
		`[{"op":"select","table":"Root","where":[["n",">",1]],"columns":["name"]}]`,
		`[{"op":"wait","table":"Root","where":[],"columns":["name"],"until":"!=","rows":[],"timeout":0}]`,
		`[{"op":"insert","table":"Root","row":{"name":"r"}}]`,
		`[{"op":"insert","table":"One","row":{"x":1}}]`,
		`[{"op":"update","table":"Root","where":[],"row":{"fav":["set",[]],"must":["set",[]]}}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := decodeJSON(data)
		if err != nil {
			return
		}
		ops, ok := j.([]any)
		if !ok {
			return
		}
		db := newTestDB(t)
		setup, _ := decodeJSON([]byte(`[{"op":"insert","table":"Pet","uuid-name":"p","row":{"name":"p"}},
			{"op":"insert","table":"Kid","uuid-name":"k","row":{"name":"k","pet":["named-uuid","p"]}},
			{"op":"insert","table":"Root","row":{"name":"r","n":5,"kids":["named-uuid","k"],"fav":["named-uuid","k"],"must":["named-uuid","k"],"kv":["map",[["a","1"]]]}}]`))
		setupRes := db.Transact(setup.([]any), nil)
		if setupRes.Commit == nil {
			t.Fatalf("setup failed: %s", jsonText(setupRes.Results))
		}
		before := dumpDB(db)
		res := db.Transact(ops, nil)
		if len(res.Results) < len(ops) {
			t.Fatalf("%d results for %d operations", len(res.Results), len(ops))
		}
		if res.Commit == nil && dumpDB(db) != before {
			t.Fatalf("failed transaction changed the database: %s", jsonText(res.Results))
		}
		checkInvariants(t, db)
		// The log records of the setup and of a committed transaction
		// replay to the same state.
		if res.Commit != nil {
			replayed := newTestDB(t)
			for _, c := range []*Commit{setupRes.Commit, res.Commit} {
				text, err := MarshalJSON(commitRecord(c))
				if err != nil {
					t.Fatalf("encode record: %v", err)
				}
				rec, err := decodeJSON(text)
				if err != nil {
					t.Fatalf("decode record %s: %v", text, err)
				}
				if err := replayed.replay(rec); err != nil {
					t.Fatalf("replay %s: %v", text, err)
				}
			}
			if got, want := dumpDB(replayed), dumpDB(db); got != want {
				t.Fatalf("replayed log differs\n got %s\nwant %s", got, want)
			}
			// Reverting the commit restores the database exactly.
			db.Revert(res.Commit)
			if got := dumpDB(db); got != before {
				t.Fatalf("reverted database differs\n got %s\nwant %s", got, before)
			}
			checkInvariants(t, db)
		}
	})
}

// FuzzParseSchema: arbitrary schema text must parse or fail cleanly, and a
// parsed schema must survive a round trip through its JSON form.
func FuzzParseSchema(f *testing.F) {
	f.Add([]byte(testSchema))
	f.Add(vswitchSchema)
	f.Add([]byte(`{"name":"x","version":"1.0.0","tables":{"T":{"columns":{"c":{"type":{"key":{"type":"string","enum":"a"},"min":0}}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSchema(data)
		if err != nil {
			return
		}
		text, err := MarshalJSON(s.JSON())
		if err != nil {
			t.Fatalf("encode schema: %v", err)
		}
		if _, err := ParseSchema(text); err != nil {
			t.Fatalf("schema does not re-parse: %v\n%s", err, text)
		}
	})
}

// FuzzParseDatum: arbitrary <value> JSON for a few column types must parse
// or fail cleanly; a parsed value must re-encode to itself.
func FuzzParseDatum(f *testing.F) {
	f.Add([]byte(`["map",[["a","b"]]]`))
	f.Add([]byte(`["set",[1,2,3]]`))
	f.Add([]byte(`["uuid","6019517c-7cf6-48a7-8c72-58e278f6fbaf"]`))
	f.Add([]byte(`1.5`))
	types := []ColumnType{
		{Key: newBaseType(TypeInteger), Min: 0, Max: Unlimited},
		{Key: newBaseType(TypeString), Value: &BaseType{Type: TypeString, MaxLength: 1 << 30}, Min: 0, Max: Unlimited},
		{Key: newBaseType(TypeUUID), Min: 0, Max: 1},
		{Key: newBaseType(TypeReal), Min: 1, Max: 1},
		{Key: newBaseType(TypeBoolean), Min: 0, Max: Unlimited},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for i := range types {
			d, err := ParseDatum(data, &types[i])
			if err != nil {
				continue
			}
			text, err := MarshalJSON(d.JSON(&types[i]))
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			d2, err := ParseDatum(text, &types[i])
			if err != nil || !d2.Equal(&d) {
				t.Fatalf("%s does not round-trip (%s): %v", data, text, err)
			}
			_ = d.Format(&types[i])
		}
	})
}

// FuzzReadFile: whatever follows a valid schema record in a database file
// must load or fail cleanly, never panic.
func FuzzReadFile(f *testing.F) {
	rec, _ := encodeRecord(map[string]any{"_is_diff": true, "Root": map[string]any{"6019517c-7cf6-48a7-8c72-58e278f6fbaf": map[string]any{"name": "x"}}})
	f.Add(rec)
	f.Add([]byte("OVSDB JSON 3 0000000000000000000000000000000000000000\n{}\n"))
	schemaRec, _ := encodeRecord(mustSchemaJSON(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := t.TempDir() + "/db"
		if err := writeFile(path, append(append([]byte(nil), schemaRec...), data...)); err != nil {
			t.Fatal(err)
		}
		if db, err := ReadFile(path, nil); err == nil {
			checkInvariantsLoaded(t, db)
		}
	})
}

func mustSchemaJSON(tb testing.TB) map[string]any {
	s, err := ParseSchema([]byte(testSchema))
	if err != nil {
		tb.Fatal(err)
	}
	return s.JSON()
}

// checkInvariantsLoaded checks bookkeeping of a loaded database; files may
// legitimately hold dangling references, so only counts are compared.
func checkInvariantsLoaded(t *testing.T, db *Database) {
	refs := map[UUID]int{}
	for _, tbl := range db.Tables {
		for _, r := range tbl.Rows {
			forEachRef(tbl.Schema, r, true, func(_ *ColumnSchema, target UUID, _ string) { refs[target]++ })
		}
	}
	for u, n := range refs {
		if db.strongRefs[u] != n {
			t.Fatalf("row %s: %d strong references, %d recorded", u, n, db.strongRefs[u])
		}
	}
}

// FuzzParseDatumString: ovs-vsctl's value syntax must parse or fail
// cleanly for any input; a parsed value formats back to text that parses
// to the same value.
func FuzzParseDatumString(f *testing.F) {
	for _, s := range []string{`{a=b, "k 2"=2}`, `[1, 2, 3]`, `1-5,7`, `"00:11:22"`, `true`, `@row`, `6019517c-7cf6-48a7-8c72-58e278f6fbaf`, `[]`} {
		f.Add(s)
	}
	types := []ColumnType{
		{Key: newBaseType(TypeString), Value: ptr(newBaseType(TypeString)), Min: 0, Max: Unlimited},
		{Key: newBaseType(TypeInteger), Min: 0, Max: 4096},
		{Key: newBaseType(TypeString), Min: 1, Max: 1},
		{Key: newBaseType(TypeBoolean), Min: 0, Max: 1},
		{Key: newBaseType(TypeUUID), Min: 0, Max: Unlimited},
		{Key: newBaseType(TypeReal), Min: 0, Max: Unlimited},
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i := range types {
			d, err := ParseDatumString(s, &types[i], func(string) (UUID, error) { return UUID{1}, nil })
			if err != nil {
				continue
			}
			text := d.Format(&types[i])
			d2, err := ParseDatumString(text, &types[i], nil)
			if err != nil || !d2.Equal(&d) {
				t.Fatalf("%q parsed, formatted as %q, which does not parse back (%v)", s, text, err)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }
