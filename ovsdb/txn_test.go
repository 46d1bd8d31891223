package ovsdb

import (
	"encoding/json"
	"strings"
	"testing"
)

// transactJSON runs a transaction given as JSON text (the ops array) and
// returns the result array as JSON text.
func transactJSON(t *testing.T, db *Database, ops string) (string, *Commit) {
	t.Helper()
	j, err := decodeJSON([]byte(ops))
	if err != nil {
		t.Fatalf("bad test ops %s: %v", ops, err)
	}
	res := db.Transact(j.([]any), nil)
	out, err := json.Marshal(res.Results)
	if err != nil {
		t.Fatalf("marshal results: %v", err)
	}
	return string(out), res.Commit
}

func newVSwitchDB(t *testing.T) *Database {
	t.Helper()
	db := NewDatabase(VSwitchSchema())
	out, c := transactJSON(t, db, `[{"op":"insert","table":"Open_vSwitch","row":{},"uuid-name":"ovs"}]`)
	if c == nil {
		t.Fatalf("init: %s", out)
	}
	return db
}

func TestVSwitchSchema(t *testing.T) {
	s := VSwitchSchema()
	if s.Name != "Open_vSwitch" || s.Version != "8.3.1" || s.Cksum != "3012963480 26720" {
		t.Fatalf("schema header = %q %q %q", s.Name, s.Version, s.Cksum)
	}
	if len(s.Tables) != 19 {
		t.Errorf("got %d tables, want 19", len(s.Tables))
	}
	br := s.Tables["Bridge"]
	if br.IsRoot || len(br.Indexes) != 1 {
		t.Errorf("Bridge: isRoot=%v indexes=%v", br.IsRoot, br.Indexes)
	}
	c, _ := br.Column("ports")
	if c == nil || c.Type.Key.RefTable != "Port" || !c.Type.Key.IsStrongRef() || c.Type.Max != Unlimited {
		t.Errorf("Bridge.ports type = %+v", c)
	}
	// The schema survives a round trip through its JSON form.
	text, err := json.Marshal(s.JSON())
	if err != nil {
		t.Fatal(err)
	}
	s2, err := ParseSchema(text)
	if err != nil {
		t.Fatalf("reparse: %v", err)
	}
	text2, _ := json.Marshal(s2.JSON())
	if string(text) != string(text2) {
		t.Errorf("schema JSON does not round-trip")
	}
}

func TestBadSchemas(t *testing.T) {
	tests := []struct {
		name, schema, want string
	}{
		{"not object", `[]`, "must be a JSON object"},
		{"bad name", `{"name":"1x","version":"1.0.0","tables":{}}`, "not a valid identifier"},
		{"bad version", `{"name":"x","version":"1","tables":{}}`, "x.y.z"},
		{"reserved column", `{"name":"x","version":"1.0.0","tables":{"T":{"columns":{"_c":{"type":"integer"}}}}}`, "not a valid column name"},
		{"unknown type", `{"name":"x","version":"1.0.0","tables":{"T":{"columns":{"c":{"type":"int"}}}}}`, "unknown atomic type"},
		{"bad refTable", `{"name":"x","version":"1.0.0","tables":{"T":{"columns":{"c":{"type":{"key":{"type":"uuid","refTable":"U"}}}}}}}`, "undefined table"},
		{"min>max", `{"name":"x","version":"1.0.0","tables":{"T":{"columns":{"c":{"type":{"key":"integer","min":1,"max":0}}}}}}`, "max must be positive"},
		{"bad index", `{"name":"x","version":"1.0.0","tables":{"T":{"columns":{"c":{"type":"integer"}},"indexes":[["d"]]}}}`, "unknown column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSchema([]byte(tt.schema))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseSchema error = %v, want containing %q", err, tt.want)
			}
		})
	}
}

const testSchema = `{"name":"T","version":"1.0.0","tables":{
 "Root":{"isRoot":true,"columns":{
   "name":{"type":"string"},
   "n":{"type":{"key":{"type":"integer","minInteger":0,"maxInteger":100}}},
   "r":{"type":"real"},
   "color":{"type":{"key":{"type":"string","enum":["set",["red","green"]]},"min":0,"max":1}},
   "tags":{"type":{"key":"string","min":0,"max":3}},
   "kv":{"type":{"key":"string","value":"string","min":0,"max":"unlimited"}},
   "nums":{"type":{"key":"integer","min":0,"max":"unlimited"}},
   "kids":{"type":{"key":{"type":"uuid","refTable":"Kid"},"min":0,"max":"unlimited"}},
   "fav":{"type":{"key":{"type":"uuid","refTable":"Kid","refType":"weak"},"min":0,"max":"unlimited"}},
   "must":{"type":{"key":{"type":"uuid","refTable":"Kid","refType":"weak"},"min":0,"max":1}},
   "fixed":{"type":"string","mutable":false}},
  "indexes":[["name"]]},
 "Kid":{"columns":{"name":{"type":"string"},
   "pet":{"type":{"key":{"type":"uuid","refTable":"Pet"},"min":0,"max":1}}}},
 "Pet":{"columns":{"name":{"type":"string"}}},
 "One":{"isRoot":true,"maxRows":1,"columns":{"x":{"type":"integer"}}}}}`

func newTestDB(t *testing.T) *Database {
	t.Helper()
	s, err := ParseSchema([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	return NewDatabase(s)
}

// maskUUIDs replaces every UUID in s with a placeholder.
func maskUUIDs(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+36 <= len(s) && IsUUID(s[i:i+36]) {
			b.WriteString("<uuid>")
			i += 36
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func TestTransactions(t *testing.T) {
	tests := []struct {
		name  string
		setup []string // transactions run first, each must commit
		ops   string
		want  string // result array, UUIDs masked
		check string // optional transaction run after ops
		after string // its result, UUIDs masked
	}{
		{name: "insert and select",
			ops:  `[{"op":"insert","table":"Root","row":{"name":"a","n":5}},{"op":"select","table":"Root","where":[["name","==","a"]],"columns":["name","n","tags"]}]`,
			want: `[{"uuid":["uuid","<uuid>"]},{"rows":[{"n":5,"name":"a","tags":["set",[]]}]}]`},
		{name: "unknown column",
			ops:  `[{"op":"insert","table":"Root","row":{"bogus":1}}]`,
			want: `[{"details":"No column bogus in table Root.","error":"unknown column","syntax":"{\"bogus\":1}"}]`},
		{name: "unknown table",
			ops:  `[{"op":"select","table":"Nope","where":[]}]`,
			want: `[{"details":"No table named Nope.","error":"unknown table","syntax":"{\"op\":\"select\",\"table\":\"Nope\",\"where\":[]}"}]`},
		{name: "integer range",
			ops:  `[{"op":"insert","table":"Root","row":{"n":101}}]`,
			want: `[{"details":"101 is not in the valid range 0 to 100 (inclusive)","error":"constraint violation"}]`},
		{name: "enum",
			ops:  `[{"op":"insert","table":"Root","row":{"color":"blue"}}]`,
			want: `[{"details":"blue is not one of the allowed values ([green, red])","error":"constraint violation"}]`},
		{name: "too many set members",
			ops:  `[{"op":"insert","table":"Root","row":{"tags":["set",["a","b","c","d"]]}}]`,
			want: `[{"details":"Set must have 0 to 3 members but 4 are present","error":"syntax error","syntax":"[\"set\",[\"a\",\"b\",\"c\",\"d\"]]"}]`},
		{name: "failed op voids earlier ops and nulls later ones",
			ops:   `[{"op":"insert","table":"Root","row":{"name":"x"}},{"op":"abort"},{"op":"insert","table":"Root","row":{"name":"y"}}]`,
			want:  `[{"uuid":["uuid","<uuid>"]},{"details":"aborted by request","error":"aborted"},null]`,
			check: `[{"op":"select","table":"Root","where":[],"columns":["name"]}]`,
			after: `[{"rows":[]}]`},
		{name: "named uuid and strong ref",
			ops:   `[{"op":"insert","table":"Kid","row":{"name":"k"},"uuid-name":"k"},{"op":"insert","table":"Root","row":{"name":"r","kids":["named-uuid","k"]}}]`,
			want:  `[{"uuid":["uuid","<uuid>"]},{"uuid":["uuid","<uuid>"]}]`,
			check: `[{"op":"select","table":"Kid","where":[],"columns":["name"]}]`,
			after: `[{"rows":[{"name":"k"}]}]`},
		{name: "duplicate uuid-name",
			ops:  `[{"op":"insert","table":"Kid","uuid-name":"k"},{"op":"insert","table":"Kid","uuid-name":"k"}]`,
			want: `[{"uuid":["uuid","<uuid>"]},{"details":"This \"uuid-name\" appeared on an earlier \"insert\" operation.","error":"duplicate uuid-name","syntax":"{\"op\":\"insert\",\"table\":\"Kid\",\"uuid-name\":\"k\"}"}]`},
		{name: "unreferenced non-root row is collected",
			ops:   `[{"op":"insert","table":"Kid","row":{"name":"orphan"}}]`,
			want:  `[{"uuid":["uuid","<uuid>"]}]`,
			check: `[{"op":"select","table":"Kid","where":[],"columns":["name"]}]`,
			after: `[{"rows":[]}]`},
		{name: "dangling strong ref",
			ops:  `[{"op":"insert","table":"Root","row":{"name":"r","kids":["uuid","00000000-0000-0000-0000-000000000001"]}}]`,
			want: `[{"uuid":["uuid","<uuid>"]},{"details":"Table Root column kids row <uuid> references nonexistent row <uuid> in table Kid.","error":"referential integrity violation"}]`},
		{name: "delete referenced row",
			setup: []string{`[{"op":"insert","table":"Kid","row":{"name":"k"},"uuid-name":"k"},{"op":"insert","table":"Root","row":{"name":"r","kids":["named-uuid","k"]}}]`},
			ops:   `[{"op":"delete","table":"Kid","where":[]}]`,
			want:  `[{"count":1},{"details":"cannot delete Kid row <uuid> because of 1 remaining reference(s)","error":"referential integrity violation"}]`},
		{name: "GC cascades through references",
			setup: []string{`[{"op":"insert","table":"Pet","row":{"name":"p"},"uuid-name":"p"},{"op":"insert","table":"Kid","row":{"name":"k","pet":["named-uuid","p"]},"uuid-name":"k"},{"op":"insert","table":"Root","row":{"name":"r","kids":["named-uuid","k"]}}]`},
			ops:   `[{"op":"update","table":"Root","where":[],"row":{"kids":["set",[]]}},{"op":"select","table":"Kid","where":[],"columns":["name"]}]`,
			want:  `[{"count":1},{"rows":[{"name":"k"}]}]`,
			check: `[{"op":"select","table":"Pet","where":[],"columns":["name"]}]`,
			after: `[{"rows":[]}]`},
		{name: "weak refs to deleted rows vanish",
			setup: []string{`[{"op":"insert","table":"Kid","row":{"name":"k"},"uuid-name":"k"},{"op":"insert","table":"Root","row":{"name":"r","kids":["named-uuid","k"],"fav":["named-uuid","k"]}}]`},
			ops:   `[{"op":"mutate","table":"Root","where":[],"mutations":[["kids","delete",["set",[]]]]},{"op":"update","table":"Root","where":[],"row":{"kids":["set",[]]}},{"op":"select","table":"Root","where":[],"columns":["fav"]}]`,
			want:  `[{"count":1},{"count":1},{"rows":[{"fav":["uuid","<uuid>"]}]}]`,
			check: `[{"op":"select","table":"Root","where":[],"columns":["fav"]}]`,
			after: `[{"rows":[{"fav":["set",[]]}]}]`},
		{name: "weak ref to nonexistent row is dropped",
			ops:  `[{"op":"insert","table":"Root","row":{"name":"r","fav":["uuid","00000000-0000-0000-0000-000000000001"]}}]`,
			want: `[{"uuid":["uuid","<uuid>"]}]`},
		{name: "index uniqueness",
			setup: []string{`[{"op":"insert","table":"Root","row":{"name":"a"}}]`},
			ops:   `[{"op":"insert","table":"Root","row":{"name":"a"}}]`,
			want:  `[{"uuid":["uuid","<uuid>"]},{"details":"Transaction causes multiple rows in \"Root\" table to have identical values (\"a\") for index on column(s) name.  First row, with UUID <uuid>, and second row, with UUID <uuid>.","error":"constraint violation"}]`},
		{name: "index swap is allowed",
			setup: []string{`[{"op":"insert","table":"Root","row":{"name":"a"}},{"op":"insert","table":"Root","row":{"name":"b"}}]`},
			ops:   `[{"op":"update","table":"Root","where":[["name","==","a"]],"row":{"name":"tmp"}},{"op":"update","table":"Root","where":[["name","==","b"]],"row":{"name":"a"}},{"op":"update","table":"Root","where":[["name","==","tmp"]],"row":{"name":"b"}}]`,
			want:  `[{"count":1},{"count":1},{"count":1}]`},
		{name: "maxRows",
			setup: []string{`[{"op":"insert","table":"One","row":{}}]`},
			ops:   `[{"op":"insert","table":"One","row":{}}]`,
			want:  `[{"uuid":["uuid","<uuid>"]},{"details":"Transaction causes \"One\" table to contain 2 rows, greater than the schema-defined limit of 1 row(s).","error":"constraint violation"}]`},
		{name: "immutable column",
			setup: []string{`[{"op":"insert","table":"Root","row":{"fixed":"f"}}]`},
			ops:   `[{"op":"update","table":"Root","where":[],"row":{"fixed":"g"}}]`,
			want:  `[{"details":"Cannot update immutable column fixed in table Root.","error":"constraint violation"}]`},
		{name: "mutate arithmetic and sets and maps",
			setup: []string{`[{"op":"insert","table":"Root","row":{"n":10,"r":1.5,"nums":["set",[1,2]],"kv":["map",[["a","1"],["b","2"]]]}}]`},
			ops: `[{"op":"mutate","table":"Root","where":[],"mutations":[["n","+=",5],["n","*=",2],["n","%=",7],["r","/=",2],["nums","-=",1],["nums","insert",["set",[7]]],["kv","insert",["map",[["a","x"],["c","3"]]]],["kv","delete",["set",["b"]]]]},` +
				`{"op":"select","table":"Root","where":[],"columns":["n","r","nums","kv"]}]`,
			want: `[{"count":1},{"rows":[{"kv":["map",[["a","1"],["c","3"]]],"n":2,"nums":["set",[0,1,7]],"r":0.75}]}]`},
		{name: "mutate out of range",
			setup: []string{`[{"op":"insert","table":"Root","row":{"n":100}}]`},
			ops:   `[{"op":"mutate","table":"Root","where":[],"mutations":[["n","+=",1]]}]`,
			want:  `[{"details":"101 is not in the valid range 0 to 100 (inclusive)","error":"constraint violation"}]`},
		{name: "mutate division by zero",
			setup: []string{`[{"op":"insert","table":"Root","row":{"n":1}}]`},
			ops:   `[{"op":"mutate","table":"Root","where":[],"mutations":[["n","/=",0]]}]`,
			want:  `[{"details":"Division by zero.","error":"domain error"}]`},
		{name: "mutate set over max",
			setup: []string{`[{"op":"insert","table":"Root","row":{"tags":["set",["a","b","c"]]}}]`},
			ops:   `[{"op":"mutate","table":"Root","where":[],"mutations":[["tags","insert","d"]]}]`,
			want:  `[{"details":"Attempted to store 4 elements in Set with min 0 and max 3 in column tags of table Root.","error":"constraint violation"}]`},
		{name: "conditions",
			setup: []string{`[{"op":"insert","table":"Root","row":{"name":"a","n":1,"tags":["set",["x","y"]],"kv":["map",[["k","v"]]]}},{"op":"insert","table":"Root","row":{"name":"b","n":2}}]`},
			ops: `[{"op":"select","table":"Root","where":[["n",">",1]],"columns":["name"]},{"op":"select","table":"Root","where":[["n","<=",1],["tags","includes","x"]],"columns":["name"]},` +
				`{"op":"select","table":"Root","where":[["kv","includes",["map",[["k","v"]]]]],"columns":["name"]},{"op":"select","table":"Root","where":[["tags","excludes","x"]],"columns":["name"]},{"op":"select","table":"Root","where":[["name","!=","a"]],"columns":["name"]}]`,
			want: `[{"rows":[{"name":"b"}]},{"rows":[{"name":"a"}]},{"rows":[{"name":"a"}]},{"rows":[{"name":"b"}]},{"rows":[{"name":"b"}]}]`},
		{name: "wait satisfied and failed",
			setup: []string{`[{"op":"insert","table":"Root","row":{"name":"a"}}]`},
			ops:   `[{"op":"wait","table":"Root","where":[],"columns":["name"],"until":"==","rows":[{"name":"a"}],"timeout":0},{"op":"wait","table":"Root","where":[],"columns":["name"],"until":"==","rows":[],"timeout":0}]`,
			want:  `[{},{"details":"\"where\" clause test failed","error":"timed out"}]`},
		{name: "comment commit assert",
			ops:  `[{"op":"comment","comment":"hi"},{"op":"commit","durable":true},{"op":"assert","lock":"l"}]`,
			want: `[{},{},{"details":"Asserted lock l not held.","error":"not owner"}]`},
		{name: "delete by uuid",
			setup: []string{`[{"op":"insert","table":"Root","row":{"name":"a"}}]`},
			ops:   `[{"op":"delete","table":"Root","where":[["name","==","a"]]},{"op":"delete","table":"Root","where":[["name","==","a"]]}]`,
			want:  `[{"count":1},{"count":0}]`},
		{name: "unknown operation",
			ops:  `[{"op":"frob"}]`,
			want: `[{"details":"No operation \"frob\"","error":"unknown operation","syntax":"{\"op\":\"frob\"}"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newTestDB(t)
			for _, s := range tt.setup {
				if out, c := transactJSON(t, db, s); c == nil {
					t.Fatalf("setup %s: %s", s, out)
				}
			}
			got, _ := transactJSON(t, db, tt.ops)
			if got = maskUUIDs(got); got != tt.want {
				t.Errorf("results\n got %s\nwant %s", got, tt.want)
			}
			if tt.check != "" {
				got, _ := transactJSON(t, db, tt.check)
				if got = maskUUIDs(got); got != tt.after {
					t.Errorf("after: %s\n got %s\nwant %s", tt.check, got, tt.after)
				}
			}
		})
	}
}
