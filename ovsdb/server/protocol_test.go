package server

import (
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/internal/jsonrpc"
	"github.com/govs/govs/ovsdb"
)

// startMemServer serves an in-memory Open_vSwitch database over net.Pipe
// connections.
func startMemServer(t *testing.T) (*Server, func() *testClient) {
	t.Helper()
	s := New()
	s.Logf = t.Logf
	if err := s.AddDatabase(ovsdb.NewDatabase(ovsdb.VSwitchSchema()), nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	dial := func() *testClient {
		a, b := net.Pipe()
		go s.Serve(a)
		c := &testClient{conn: b, enc: jsonrpc.NewEncoder(b), pending: map[string]chan *jsonrpc.Message{},
			notes: make(chan *jsonrpc.Message, 1024), done: make(chan struct{})}
		go c.read()
		t.Cleanup(func() { b.Close() })
		return c
	}
	return s, dial
}

func mustJSON(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	v, err := ovsdb.ParseJSON(raw)
	if err != nil {
		t.Fatalf("bad JSON %s: %v", raw, err)
	}
	return maskUUIDs(jsonText(v))
}

func TestEchoListDBsUnknownMethod(t *testing.T) {
	_, dial := startMemServer(t)
	c := dial()
	if got := mustJSON(t, c.call(t, "echo", "a", 1)); got != `["a",1]` {
		t.Errorf("echo = %s", got)
	}
	if got := mustJSON(t, c.call(t, "list_dbs")); got != `["Open_vSwitch","_Server"]` {
		t.Errorf("list_dbs = %s", got)
	}
	ch, _ := c.start("frobnicate")
	if m := <-ch; string(m.Error) != `"unknown method"` {
		t.Errorf("unknown method error = %s", m.Error)
	}
	ch, _ = c.start("get_schema", "Nope")
	if m := <-ch; !strings.Contains(string(m.Error), "unknown database") {
		t.Errorf("get_schema Nope error = %s", m.Error)
	}
	// The connection survives bad requests.
	if got := mustJSON(t, c.call(t, "echo")); got != `[]` {
		t.Errorf("echo after errors = %s", got)
	}
}

func TestLocks(t *testing.T) {
	_, dial := startMemServer(t)
	a, b := dial(), dial()
	if got := mustJSON(t, a.call(t, "lock", "L")); got != `{"locked":true}` {
		t.Fatalf("a lock = %s", got)
	}
	if got := mustJSON(t, b.call(t, "lock", "L")); got != `{"locked":false}` {
		t.Fatalf("b lock = %s", got)
	}
	assert := map[string]any{"op": "assert", "lock": "L"}
	if got := mustJSON(t, a.call(t, "transact", "Open_vSwitch", assert)); got != `[{}]` {
		t.Errorf("a assert = %s", got)
	}
	if got := mustJSON(t, b.call(t, "transact", "Open_vSwitch", assert)); !strings.Contains(got, "not owner") {
		t.Errorf("b assert = %s", got)
	}
	a.call(t, "unlock", "L")
	if n := b.nextNote(t); n.Method != "locked" || mustJSON(t, n.Params) != `["L"]` {
		t.Errorf("b got %s %s, want locked", n.Method, n.Params)
	}
	if got := mustJSON(t, a.call(t, "steal", "L")); got != `{"locked":true}` {
		t.Errorf("a steal = %s", got)
	}
	if n := b.nextNote(t); n.Method != "stolen" {
		t.Errorf("b got %s, want stolen", n.Method)
	}
	// When the owner disconnects, the waiter gets the lock back.
	a.conn.Close()
	if n := b.nextNote(t); n.Method != "locked" {
		t.Errorf("b got %s, want locked", n.Method)
	}
}

func TestMonitorUpdate2AndCondChange(t *testing.T) {
	_, dial := startMemServer(t)
	c, w := dial(), dial()
	w.call(t, "transact", "Open_vSwitch",
		map[string]any{"op": "insert", "table": "Bridge", "row": map[string]any{"name": "br0"}, "uuid-name": "b"},
		map[string]any{"op": "insert", "table": "Open_vSwitch", "row": map[string]any{"bridges": []any{"named-uuid", "b"}}})
	initial := c.call(t, "monitor_cond", "Open_vSwitch", "m1", map[string]any{
		"Bridge": []any{map[string]any{"columns": []string{"name", "external_ids", "fail_mode"}, "where": []any{[]any{"name", "==", "br1"}}}},
	})
	if got := mustJSON(t, initial); got != `{}` {
		t.Errorf("initial = %s", got)
	}
	addBridge := func(name string) {
		w.call(t, "transact", "Open_vSwitch",
			map[string]any{"op": "insert", "table": "Bridge", "row": map[string]any{"name": name}, "uuid-name": "b"},
			map[string]any{"op": "mutate", "table": "Open_vSwitch", "where": []any{}, "mutations": []any{[]any{"bridges", "insert", []any{"named-uuid", "b"}}}})
	}
	addBridge("br1")
	n := c.nextNote(t)
	if got := maskUUIDs(string(n.Params)); n.Method != "update2" || got != `["m1",{"Bridge":{"<uuid>":{"insert":{"name":"br1"}}}}]` {
		t.Errorf("insert note = %s %s", n.Method, got)
	}
	addBridge("br2") // not selected
	c.noNote(t)
	w.call(t, "transact", "Open_vSwitch", map[string]any{"op": "update", "table": "Bridge", "where": []any{[]any{"name", "==", "br1"}},
		"row": map[string]any{"external_ids": []any{"map", []any{[]any{"k", "v"}}}, "fail_mode": "secure"}})
	n = c.nextNote(t)
	if got := maskUUIDs(string(n.Params)); got != `["m1",{"Bridge":{"<uuid>":{"modify":{"external_ids":["map",[["k","v"]]],"fail_mode":"secure"}}}}]` {
		t.Errorf("modify note = %s", got)
	}
	// Switch the condition to br2: br1 leaves, br2 enters.
	c.call(t, "monitor_cond_change", "m1", "m2", map[string]any{"Bridge": []any{map[string]any{"where": []any{[]any{"name", "==", "br2"}}}}})
	n = c.nextNote(t)
	got := maskUUIDs(string(n.Params))
	if !strings.HasPrefix(got, `["m2",`) || !strings.Contains(got, `{"delete":null}`) || !strings.Contains(got, `{"insert":{"name":"br2"}}`) {
		t.Errorf("cond change note = %s", got)
	}
	c.call(t, "monitor_cancel", "m2")
	addBridge("br3")
	c.noNote(t)
}

func TestMonitorV1Update(t *testing.T) {
	_, dial := startMemServer(t)
	c, w := dial(), dial()
	c.call(t, "monitor", "Open_vSwitch", nil, map[string]any{"Open_vSwitch": map[string]any{"columns": []string{"next_cfg", "cur_cfg"}}})
	w.call(t, "transact", "Open_vSwitch", map[string]any{"op": "insert", "table": "Open_vSwitch", "row": map[string]any{}})
	n := c.nextNote(t)
	if got := maskUUIDs(string(n.Params)); n.Method != "update" || got != `[null,{"Open_vSwitch":{"<uuid>":{"new":{"cur_cfg":0,"next_cfg":0}}}}]` {
		t.Errorf("insert = %s %s", n.Method, got)
	}
	w.call(t, "transact", "Open_vSwitch", map[string]any{"op": "mutate", "table": "Open_vSwitch", "where": []any{}, "mutations": []any{[]any{"next_cfg", "+=", 1}}})
	n = c.nextNote(t)
	if got := maskUUIDs(string(n.Params)); got != `[null,{"Open_vSwitch":{"<uuid>":{"new":{"cur_cfg":0,"next_cfg":1},"old":{"next_cfg":0}}}}]` {
		t.Errorf("modify = %s", got)
	}
}

func TestWaitBlocksUntilChange(t *testing.T) {
	_, dial := startMemServer(t)
	c, w := dial(), dial()
	w.call(t, "transact", "Open_vSwitch", map[string]any{"op": "insert", "table": "Open_vSwitch", "row": map[string]any{}})
	wait := map[string]any{"op": "wait", "table": "Open_vSwitch", "where": []any{}, "columns": []string{"cur_cfg"},
		"until": "==", "rows": []any{map[string]any{"cur_cfg": 1}}}
	ch, _ := c.start("transact", "Open_vSwitch", wait)
	select {
	case m := <-ch:
		t.Fatalf("wait returned early: %s", m.Result)
	case <-time.After(50 * time.Millisecond):
	}
	w.call(t, "transact", "Open_vSwitch", map[string]any{"op": "update", "table": "Open_vSwitch", "where": []any{}, "row": map[string]any{"cur_cfg": 1}})
	select {
	case m := <-ch:
		if got := mustJSON(t, m.Result); got != `[{}]` {
			t.Errorf("wait result = %s", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("wait never completed")
	}
	// A wait that never holds can be cancelled.
	wait["rows"] = []any{map[string]any{"cur_cfg": 7}}
	ch, _ = c.start("transact", "Open_vSwitch", wait)
	time.Sleep(20 * time.Millisecond)
	c.mu.Lock()
	id := c.nextID
	c.mu.Unlock()
	note, _ := jsonrpc.NewNotification("cancel", []any{id})
	c.enc.Encode(note)
	c.enc.Flush()
	select {
	case m := <-ch:
		if string(m.Error) != `"canceled"` {
			t.Errorf("cancelled wait error = %s", m.Error)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancel had no effect")
	}
}

// TestPipelinedTransactionsAllAnswered keeps many durable transactions in
// flight on one connection, so replies wait for group commits that
// overlap; every one must be answered, in order.
func TestPipelinedTransactionsAllAnswered(t *testing.T) {
	_, sock, _ := startGovs(t)
	c := dialTest(t, "unix", sock)
	const n = 3000
	window := make(chan (<-chan *jsonrpc.Message), 64)
	errs := make(chan error, 1)
	go func() {
		defer close(errs)
		for ch := range window {
			select {
			case m, ok := <-ch:
				if !ok || strings.Contains(string(m.Result), "error") {
					errs <- fmt.Errorf("bad reply %v", m)
					return
				}
			case <-time.After(10 * time.Second):
				errs <- fmt.Errorf("a reply never came")
				return
			}
		}
	}()
	for i := 0; i < n; i++ {
		ch, err := c.start("transact", "Open_vSwitch", map[string]any{"op": "insert", "table": "Queue",
			"row": map[string]any{"external_ids": []any{"map", []any{[]any{"n", fmt.Sprint(i)}}}}})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case window <- ch:
		case err := <-errs:
			t.Fatal(err)
		}
	}
	close(window)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
}

// TestWriteFailureReverts makes the database file unwritable: the
// transaction must fail with "I/O error" and leave no trace.
func TestWriteFailureReverts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conf.db")
	if err := ovsdb.CreateFile(path, ovsdb.VSwitchSchemaText()); err != nil {
		t.Fatal(err)
	}
	f, db, err := ovsdb.OpenFile(path, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	s := New()
	s.Logf = t.Logf
	if err := s.AddDatabase(db, f); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a, b := net.Pipe()
	go s.Serve(a)
	c := &testClient{conn: b, enc: jsonrpc.NewEncoder(b), pending: map[string]chan *jsonrpc.Message{},
		notes: make(chan *jsonrpc.Message, 16), done: make(chan struct{})}
	go c.read()
	t.Cleanup(func() { b.Close() })

	f.Close() // every later write fails
	got := mustJSON(t, c.call(t, "transact", "Open_vSwitch",
		map[string]any{"op": "insert", "table": "Open_vSwitch", "row": map[string]any{"next_cfg": 5}}))
	if !strings.Contains(got, `"error":"I/O error"`) {
		t.Errorf("transact on an unwritable file = %s, want an I/O error", got)
	}
	got = mustJSON(t, c.call(t, "transact", "Open_vSwitch",
		map[string]any{"op": "select", "table": "Open_vSwitch", "where": []any{}, "columns": []string{"next_cfg"}}))
	if got != `[{"rows":[]}]` {
		t.Errorf("after the failed write the table holds %s", got)
	}
}

// TestAutomaticCompaction lets the log grow past low thresholds and checks
// that the server compacts it while keeping every row.
func TestAutomaticCompaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conf.db")
	if err := ovsdb.CreateFile(path, ovsdb.VSwitchSchemaText()); err != nil {
		t.Fatal(err)
	}
	f, db, err := ovsdb.OpenFile(path, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	f.CompactMinRecords, f.CompactMinSize = 50, 1
	s := New()
	s.Logf = t.Logf
	if err := s.AddDatabase(db, f); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "db.sock")
	if err := s.AddRemote("punix:" + sock); err != nil {
		t.Fatal(err)
	}
	c := dialTest(t, "unix", sock)
	const n = 300
	for i := 0; i < n; i++ {
		c.call(t, "transact", "Open_vSwitch", map[string]any{"op": "insert", "table": "Queue",
			"row": map[string]any{"external_ids": []any{"map", []any{[]any{"n", fmt.Sprint(i)}}}}})
	}
	s.Close()
	f.Close()
	records, err := ovsdb.ReadRecords(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) >= n {
		t.Errorf("file holds %d records after %d commits: never compacted", len(records), n)
	}
	d, err := ovsdb.ReadFile(path, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(d.Tables["Queue"].Rows); got != n {
		t.Errorf("after compaction %d Queue rows, want %d", got, n)
	}
}

// TestActiveRemote makes the server connect out to a unix: remote (as to a
// manager) and serve requests on that connection, reconnecting after the
// peer hangs up.
func TestActiveRemote(t *testing.T) {
	s, _ := startMemServer(t)
	path := filepath.Join(t.TempDir(), "manager.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := s.AddRemote("unix:" + path); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 2; round++ {
		conn, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		c := &testClient{conn: conn, enc: jsonrpc.NewEncoder(conn), pending: map[string]chan *jsonrpc.Message{},
			notes: make(chan *jsonrpc.Message, 16), done: make(chan struct{})}
		go c.read()
		if got := mustJSON(t, c.call(t, "list_dbs")); got != `["Open_vSwitch","_Server"]` {
			t.Errorf("round %d: list_dbs = %s", round, got)
		}
		conn.Close()
	}
	if !s.RemoveRemote("unix:" + path) {
		t.Error("RemoveRemote did not find the remote")
	}
}

// TestInactivityProbe checks that a silent TCP client gets an echo request
// and is disconnected if it does not answer.
func TestInactivityProbe(t *testing.T) {
	saved := InactivityProbe
	InactivityProbe = 100 * time.Millisecond
	defer func() { InactivityProbe = saved }()
	s, _ := startMemServer(t)
	if err := s.AddRemote("ptcp:0:127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", s.ListenAddr("ptcp:0:127.0.0.1").String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dec := jsonrpc.NewDecoder(conn)
	m, err := dec.Decode()
	if err != nil || m.Method != "echo" || m.Kind() != jsonrpc.KindRequest {
		t.Fatalf("first message = %+v, %v; want an echo request", m, err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := dec.Decode(); err == nil {
		t.Fatal("silent client was not disconnected")
	}
}

// TestSlowMonitorDoesNotBlock fills the socket of a monitoring client
// that stops reading: other clients' transactions must still complete,
// and the slow client must later receive every update, in order.
func TestSlowMonitorDoesNotBlock(t *testing.T) {
	_, sock, _ := startGovs(t)
	slow, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	req, _ := jsonrpc.NewRequest("monitor_cond", []any{"Open_vSwitch", "slow", map[string]any{
		"Queue": map[string]any{"columns": []string{"other_config"}}}}, 0)
	enc := jsonrpc.NewEncoder(slow)
	if err := enc.Encode(req); err != nil || enc.Flush() != nil {
		t.Fatal("send monitor_cond:", err)
	}
	// The monitor must exist before the first insert, or that insert is
	// in the reply's initial contents instead of an update.
	dec := jsonrpc.NewDecoder(slow)
	if m, err := dec.Decode(); err != nil || m.Kind() != jsonrpc.KindReply {
		t.Fatalf("monitor reply: %v %v", m, err)
	}
	fast := dialTest(t, "unix", sock)
	// Each update is about 8 kB, so a few hundred overflow any socket
	// buffer.
	pad := strings.Repeat("x", 8000)
	const n = 300
	for i := 0; i < n; i++ {
		fast.call(t, "transact", "Open_vSwitch", map[string]any{"op": "insert", "table": "Queue",
			"row": map[string]any{"other_config": []any{"map", []any{[]any{"pad", pad}, []any{"n", fmt.Sprint(i)}}}}})
	}
	for i := 0; i < n; i++ {
		slow.SetReadDeadline(time.Now().Add(10 * time.Second))
		m, err := dec.Decode()
		if err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
		if want := fmt.Sprintf(`["n","%d"]`, i); m.Method != "update2" || !strings.Contains(string(m.Params), want) {
			t.Fatalf("update %d: %s %.200s", i, m.Method, m.Params)
		}
	}
}

// TestOwnUpdateBeforeReply checks that a client monitoring what it changes
// gets the update before the transaction's reply, for ordinary and durable
// commits alike.
func TestOwnUpdateBeforeReply(t *testing.T) {
	_, sock, _ := startGovs(t)
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	enc, dec := jsonrpc.NewEncoder(conn), jsonrpc.NewDecoder(conn)
	send := func(method string, id int, params ...any) {
		req, _ := jsonrpc.NewRequest(method, params, id)
		if err := enc.Encode(req); err != nil || enc.Flush() != nil {
			t.Fatal("send:", err)
		}
	}
	send("monitor_cond", 0, "Open_vSwitch", "m", map[string]any{"Queue": map[string]any{}})
	if m, err := dec.Decode(); err != nil || m.Kind() != jsonrpc.KindReply {
		t.Fatalf("monitor reply: %v %v", m, err)
	}
	for i, durable := range []bool{false, true, false} {
		send("transact", i+1, "Open_vSwitch",
			map[string]any{"op": "insert", "table": "Queue", "row": map[string]any{}},
			map[string]any{"op": "commit", "durable": durable})
		if m, err := dec.Decode(); err != nil || m.Method != "update2" {
			t.Fatalf("transaction %d: want update2 first, got %v %v", i, m, err)
		}
		if m, err := dec.Decode(); err != nil || m.Kind() != jsonrpc.KindReply || string(m.ID) != fmt.Sprint(i+1) {
			t.Fatalf("transaction %d: want reply, got %v %v", i, m, err)
		}
	}
}
