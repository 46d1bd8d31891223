package vsctl

import (
	"net"
	"strings"
	"testing"
	"time"
)

// fakeVswitchd plays ovs-vswitchd's part in the next_cfg/cur_cfg
// handshake: it copies next_cfg to cur_cfg until stop is closed.
func fakeVswitchd(t *testing.T, sock string, stop <-chan struct{}) {
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Error(err)
		return
	}
	cn := &conn{c: c}
	cn.dec, cn.enc = newCodec(c)
	defer c.Close()
	for {
		select {
		case <-stop:
			return
		case <-time.After(20 * time.Millisecond):
		}
		res, err := cn.call("transact", "Open_vSwitch",
			map[string]any{"op": "select", "table": "Open_vSwitch", "where": []any{}, "columns": []string{"next_cfg"}})
		if err != nil {
			t.Error(err)
			return
		}
		rows := res.([]any)[0].(map[string]any)["rows"].([]any)
		if len(rows) == 0 {
			continue
		}
		next := rows[0].(map[string]any)["next_cfg"]
		if _, err := cn.call("transact", "Open_vSwitch",
			map[string]any{"op": "update", "table": "Open_vSwitch", "where": []any{}, "row": map[string]any{"cur_cfg": next}}); err != nil {
			t.Error(err)
			return
		}
	}
}

// TestWaitForReload checks that without --no-wait a change bumps next_cfg
// and returns once "ovs-vswitchd" reports it applied, and that --timeout
// ends the wait when nothing applies it.
func TestWaitForReload(t *testing.T) {
	sock := startGovsServer(t)
	dir := t.TempDir()
	govs := govsVsctl(t, dir)
	db := "--db=unix:" + sock
	if out, code := govs([]string{db, "--no-wait", "init"}); code != 0 {
		t.Fatalf("init: %s", out)
	}
	if out, code := govs([]string{db, "--timeout=1", "add-br", "br0"}); code != 142 || !strings.Contains(out, "timeout expired") {
		t.Errorf("add-br without a vswitchd: exit %d, %q; want 142 and a timeout", code, out)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		fakeVswitchd(t, sock, stop)
	}()
	defer func() {
		close(stop)
		<-done
	}()
	if out, code := govs([]string{db, "--timeout=5", "add-br", "br1"}); code != 0 {
		t.Errorf("add-br with a vswitchd: exit %d, %q", code, out)
	}
	if out, _ := govs([]string{db, "get", "open", ".", "next_cfg", "cur_cfg"}); out != "2\n2\n" {
		t.Errorf("next_cfg, cur_cfg = %q, want 2 and 2", out)
	}
}
