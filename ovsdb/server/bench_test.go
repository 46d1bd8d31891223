package server

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/internal/jsonrpc"
	"github.com/govs/govs/ovsdb"
)

// benchServer is one server under benchmark.
type benchServer struct {
	sock string
	pid  int
}

// cpu returns the CPU time the server's threads have used so far.
// Benchmarks report it per operation: on a shared machine it is disturbed
// far less than the wall-clock time.
func (s benchServer) cpu(b *testing.B) time.Duration {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", s.pid))
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for _, t := range tasks {
		// The first field of schedstat is the time spent on the CPU in ns.
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", s.pid, t.Name()))
		if err != nil {
			continue // the thread exited
		}
		ns, _ := strconv.ParseInt(strings.Fields(string(data))[0], 10, 64)
		total += time.Duration(ns)
	}
	return total
}

// measureCPU reports the server CPU time per operation of the benchmark
// loop run.
func (s benchServer) measureCPU(b *testing.B, run func()) {
	start := s.cpu(b)
	run()
	b.ReportMetric(float64(s.cpu(b)-start)/float64(time.Microsecond)/float64(b.N), "server-cpu-µs/op")
}

// benchServers starts govs' ovsdb-server (this test binary re-executed)
// and the real ovsdb-server, each as its own process on a fresh
// Open_vSwitch database, and returns them by name.
func benchServers(b *testing.B) map[string]benchServer {
	b.Helper()
	servers := map[string]benchServer{}
	dir := b.TempDir()
	db := filepath.Join(dir, "conf.db")
	if err := ovsdb.CreateFile(db, ovsdb.VSwitchSchemaText()); err != nil {
		b.Fatal(err)
	}
	sock := filepath.Join(dir, "db.sock")
	cmd := mainCommand(b, dir, "ovsdb-server", db, "--remote=punix:"+sock, "--unixctl="+filepath.Join(dir, "ctl"))
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	waitForSocket(b, sock)
	servers["govs"] = benchServer{sock, cmd.Process.Pid}
	ovsSock := startOVS(b)
	pid, err := os.ReadFile(filepath.Join(filepath.Dir(ovsSock), "ovsdb-server.pid"))
	if err != nil {
		b.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(pid)))
	if err != nil {
		b.Fatal(err)
	}
	servers["ovsdb-server"] = benchServer{ovsSock, n}
	return servers
}

// BenchmarkInsert measures single-row insert transactions over one unix
// connection: "sequential" waits for each reply before sending the next
// request (as ovs-vsctl does), "pipelined" keeps up to 64 outstanding.
// The "durable" variants add {"op":"commit","durable":true}, which makes
// ovsdb-server sync its log before replying as govs always does; without
// it ovsdb-server does not sync at all. Run with -benchtime=10000x for the
// 10 000-transaction figure.
func BenchmarkInsert(b *testing.B) {
	servers := benchServers(b)
	for _, name := range []string{"govs", "ovsdb-server"} {
		for _, mode := range []string{"sequential", "pipelined", "sequential-durable", "pipelined-durable"} {
			b.Run(name+"/"+mode, func(b *testing.B) {
				c := dialTest(b, "unix", servers[name].sock)
				window := make(chan (<-chan *jsonrpc.Message), 64)
				if strings.HasPrefix(mode, "sequential") {
					window = make(chan (<-chan *jsonrpc.Message), 1)
				}
				var extra []any
				if strings.HasSuffix(mode, "durable") {
					extra = append(extra, map[string]any{"op": "commit", "durable": true})
				}
				done := make(chan struct{})
				go func() {
					for ch := range window {
						m, ok := <-ch
						if !ok || strings.Contains(string(m.Result), "error") {
							b.Errorf("insert failed: %v", m)
						}
					}
					close(done)
				}()
				b.ResetTimer()
				servers[name].measureCPU(b, func() {
					for i := 0; i < b.N; i++ {
						ch, err := c.start("transact", append([]any{"Open_vSwitch", map[string]any{
							"op": "insert", "table": "Queue",
							"row": map[string]any{"external_ids": []any{"map", []any{[]any{"n", fmt.Sprint(i)}}}},
						}}, extra...)...)
						if err != nil {
							b.Fatal(err)
						}
						window <- ch
					}
					close(window)
					<-done
				})
			})
		}
	}
}

// BenchmarkMonitorFanout measures one committed update delivered to ten
// monitoring clients (each iteration waits until all ten received it); the
// "durable" variant asks ovsdb-server to sync as govs always does. Run
// with -benchtime=1000x for the 1 000-update figure.
func BenchmarkMonitorFanout(b *testing.B) {
	servers := benchServers(b)
	for _, bench := range []string{"govs", "ovsdb-server", "govs/durable", "ovsdb-server/durable"} {
		name, durable := strings.TrimSuffix(bench, "/durable"), strings.HasSuffix(bench, "/durable")
		b.Run(bench, func(b *testing.B) {
			w := dialTest(b, "unix", servers[name].sock)
			w.call(b, "transact", "Open_vSwitch", map[string]any{"op": "insert", "table": "Queue",
				"row": map[string]any{"external_ids": []any{"map", []any{[]any{"fanout", "0"}}}}})
			var clients []*testClient
			var extra []any
			if durable {
				extra = append(extra, map[string]any{"op": "commit", "durable": true})
			}
			for i := 0; i < 10; i++ {
				c := dialTest(b, "unix", servers[name].sock)
				c.call(b, "monitor_cond", "Open_vSwitch", fmt.Sprint("m", i), map[string]any{
					"Queue": []any{map[string]any{"columns": []string{"external_ids"},
						"where": []any{[]any{"external_ids", "includes", []any{"map", []any{}}}}}}})
				clients = append(clients, c)
			}
			b.ResetTimer()
			servers[name].measureCPU(b, func() {
				for i := 0; i < b.N; i++ {
					ch, err := w.start("transact", append([]any{"Open_vSwitch", map[string]any{"op": "mutate", "table": "Queue",
						"where": []any{[]any{"external_ids", "includes", []any{"map", []any{[]any{"fanout", fmt.Sprint(i)}}}}},
						"mutations": []any{
							[]any{"external_ids", "delete", []any{"set", []any{"fanout"}}},
							[]any{"external_ids", "insert", []any{"map", []any{[]any{"fanout", fmt.Sprint(i + 1)}}}},
						}}}, extra...)...)
					if err != nil {
						b.Fatal(err)
					}
					for _, c := range clients {
						c.nextNote(b)
					}
					<-ch
				}
			})
		})
	}
}
