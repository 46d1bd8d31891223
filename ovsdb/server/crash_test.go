package server

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govs/govs/ovsdb"
)

const crashSchema = `{"name":"Crash","version":"1.0.0","tables":{"T":{"isRoot":true,
 "columns":{"name":{"type":"string"},"pad":{"type":"string"}},"indexes":[["name"]]}}}`

// TestCrashSafety kills the server with SIGKILL in the middle of a stream
// of pipelined transactions, several times, and checks after each restart
// that every acknowledged transaction is present and that no transaction
// is half present.
func TestCrashSafety(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crash.db")
	if err := ovsdb.CreateFile(db, []byte(crashSchema)); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "db.sock")
	acked := map[int]bool{}
	sent := 0
	for round := 0; round < 4; round++ {
		cmd := mainCommand(t, dir, "ovsdb-server", db, "--remote=punix:"+sock,
			"--unixctl="+filepath.Join(dir, "ctl"), "--log-file="+filepath.Join(dir, "log"))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitForSocket(t, sock)
		c := dialTest(t, "unix", sock)

		// Everything acknowledged so far survived the previous kill.
		checkCrashDB(t, c, acked, sent)

		var mu sync.Mutex
		var wg sync.WaitGroup
		window := make(chan struct{}, 64)
		stop := time.After(time.Duration(150+100*round) * time.Millisecond)
	send:
		for {
			select {
			case <-stop:
				break send
			case window <- struct{}{}:
			}
			n := sent
			sent++
			pad := strings.Repeat("x", 100*(n%7))
			ch, err := c.start("transact", "Crash",
				map[string]any{"op": "insert", "table": "T", "row": map[string]any{"name": fmt.Sprintf("a%d", n), "pad": pad}},
				map[string]any{"op": "insert", "table": "T", "row": map[string]any{"name": fmt.Sprintf("b%d", n)}})
			if err != nil {
				break
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-window }()
				m, ok := <-ch
				if ok && !strings.Contains(string(m.Result), "error") {
					mu.Lock()
					acked[n] = true
					mu.Unlock()
				}
			}()
		}
		cmd.Process.Kill()
		cmd.Wait()
		c.conn.Close()
		wg.Wait()
		t.Logf("round %d: %d sent, %d acknowledged in total", round, sent, len(acked))
	}
	// A last restart must recover whatever tail the final kill left.
	cmd := mainCommand(t, dir, "ovsdb-server", db, "--remote=punix:"+sock, "--unixctl="+filepath.Join(dir, "ctl"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	waitForSocket(t, sock)
	checkCrashDB(t, dialTest(t, "unix", sock), acked, sent)
	if len(acked) == 0 {
		t.Fatal("no transaction was acknowledged")
	}
}

// checkCrashDB selects every row and checks the invariants.
func checkCrashDB(t *testing.T, c *testClient, acked map[int]bool, sent int) {
	t.Helper()
	res := c.call(t, "transact", "Crash", map[string]any{"op": "select", "table": "T", "where": []any{}, "columns": []string{"name"}})
	var results []struct {
		Rows []struct {
			Name string `json:"name"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(res, &results); err != nil || len(results) != 1 {
		t.Fatalf("select: %s (%v)", res, err)
	}
	present := map[string]bool{}
	for _, r := range results[0].Rows {
		present[r.Name] = true
	}
	for n := 0; n < sent; n++ {
		a, b := present[fmt.Sprintf("a%d", n)], present[fmt.Sprintf("b%d", n)]
		if a != b {
			t.Errorf("transaction %d is half present (a=%v b=%v)", n, a, b)
		}
		if acked[n] && !a {
			t.Errorf("acknowledged transaction %d is missing", n)
		}
	}
	if len(present) > 2*sent {
		t.Errorf("%d rows present, but only %d transactions were sent", len(present), sent)
	}
	if data, err := os.ReadFile(filepath.Join(filepath.Dir(c.conn.RemoteAddr().String()), "log")); err == nil && strings.Contains(string(data), "EMER") {
		t.Errorf("server log reports a fatal error:\n%s", data)
	}
}
