package client

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/govs/govs/ovsdb"
	"github.com/govs/govs/ovsdb/server"
)

// startServer runs an in-memory govs OVSDB server with the Open_vSwitch
// schema on a unix socket.
func startServer(t *testing.T) string {
	t.Helper()
	s := server.New()
	if err := s.AddDatabase(ovsdb.NewDatabase(ovsdb.VSwitchSchema()), nil); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "db.sock")
	if err := s.AddRemote("punix:" + sock); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return "unix:" + sock
}

func waitFor(t *testing.T, r *Replica, cond func() bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for !cond() {
		select {
		case <-r.Changed():
		case <-deadline:
			t.Fatal("replica never reached the expected state")
		}
	}
}

func TestMonitorFollowsTransactions(t *testing.T) {
	ctx := context.Background()
	c, err := Dial(ctx, startServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.Monitor(ctx, "Open_vSwitch", map[string][]string{"Bridge": {"name", "ports"}, "Open_vSwitch": nil})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.Rows("Bridge")); n != 0 {
		t.Fatalf("%d bridges in an empty database", n)
	}
	_, err = c.Transact(ctx, "Open_vSwitch",
		map[string]any{"op": "insert", "table": "Bridge", "row": map[string]any{"name": "br0"}, "uuid-name": "b"},
		map[string]any{"op": "insert", "table": "Open_vSwitch", "row": map[string]any{
			"bridges": []any{"set", []any{[]any{"named-uuid", "b"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, r, func() bool {
		for _, b := range r.Rows("Bridge") {
			return b.Str("name") == "br0"
		}
		return false
	})
	var root Row
	for _, o := range r.Rows("Open_vSwitch") {
		root = o
	}
	if got := len(root.UUIDs("bridges")); got != 1 {
		t.Fatalf("Open_vSwitch.bridges has %d entries", got)
	}

	// Removing the reference lets the server collect the bridge.
	_, err = c.Transact(ctx, "Open_vSwitch", map[string]any{"op": "update", "table": "Open_vSwitch",
		"where": []any{}, "row": map[string]any{"bridges": []any{"set", []any{}}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, r, func() bool { return len(r.Rows("Bridge")) == 0 })
}

func TestTransactErrors(t *testing.T) {
	ctx := context.Background()
	c, err := Dial(ctx, startServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Transact(ctx, "Open_vSwitch", map[string]any{"op": "insert", "table": "Bridge", "row": map[string]any{"nosuch": 1}})
	oe, ok := err.(*OpError)
	if !ok || oe.Kind == "" {
		t.Fatalf("err %v, want an *OpError", err)
	}
	if _, err := c.Monitor(ctx, "Open_vSwitch", map[string][]string{"Nope": nil}); err == nil {
		t.Fatal("monitor of a missing table succeeded")
	}
	if _, err := Dial(ctx, "bogus:x"); err == nil {
		t.Fatal("bogus remote accepted")
	}
}
