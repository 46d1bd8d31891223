// Package server owns govs' OVSDB server: RFC 7047 JSON-RPC sessions over
// unix, TCP and SSL remotes, transactions with durable group commit,
// monitors (update, update2, update3), locks, the _Server database, and the
// ovsdb-server and ovsdb-tool command lines ([ServerMain], [ToolMain]).
package server

import (
	"encoding/json"
	"fmt"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govs/govs/internal/jsonrpc"
	"github.com/govs/govs/ovsdb"
)

// serverSchema is the _Server schema as ovsdb-server 3.1 serves it.
const serverSchema = `{"cksum":"3009684573 744","name":"_Server","tables":{"Database":{"columns":{"cid":{"type":{"key":"uuid","min":0}},"connected":{"type":"boolean"},"index":{"type":{"key":"integer","min":0}},"leader":{"type":"boolean"},"model":{"type":{"key":{"enum":["set",["clustered","relay","standalone"]],"type":"string"}}},"name":{"type":"string"},"schema":{"type":{"key":"string","min":0}},"sid":{"type":{"key":"uuid","min":0}}}}},"version":"1.2.0"}`

// Server serves OVSDB databases to JSON-RPC clients. Transactions, monitors
// and locks are serialized by one lock; replies wait for the commit they
// depend on to be synced to disk, so one fsync covers every transaction
// committed meanwhile.
type Server struct {
	// Logf receives the server's log lines; nil discards them.
	Logf func(format string, args ...any)

	mu       sync.Mutex
	dbs      map[string]*database
	locks    map[string]*lockState
	sessions map[*session]bool
	triggers []*trigger
	closed   bool
	// dbRemotes are the db:DB,TABLE,COLUMN remotes to track.
	dbRemotes        []dbColumn
	reconcilePending bool

	dur durability

	remotesMu sync.Mutex
	remotes   map[string]*remote
	tlsFiles  TLSFiles
	// fromDB marks remotes started from db: columns.
	fromDB map[string]bool
	wg     sync.WaitGroup
}

type database struct {
	name     string
	db       *ovsdb.Database
	file     *ovsdb.File
	monitors map[*monitor]bool
}

// New returns a server holding only the _Server database.
func New() *Server {
	s := &Server{
		dbs: map[string]*database{}, locks: map[string]*lockState{},
		sessions: map[*session]bool{}, remotes: map[string]*remote{}, fromDB: map[string]bool{},
	}
	s.dur.init()
	schema, err := ovsdb.ParseSchema([]byte(serverSchema))
	if err != nil {
		panic("ovsdb/server: _Server schema: " + err.Error())
	}
	s.dbs["_Server"] = &database{name: "_Server", db: ovsdb.NewDatabase(schema), monitors: map[*monitor]bool{}}
	s.addServerRow("_Server", schema)
	s.wg.Add(1)
	go s.dur.run(&s.wg, s.logf)
	return s
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

// AddDatabase serves db, appending its commits to file (nil keeps it in
// memory only). The server does not close file.
func (s *Server) AddDatabase(db *ovsdb.Database, file *ovsdb.File) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := db.Schema.Name
	if s.dbs[name] != nil {
		return fmt.Errorf("add database %s: already served", name)
	}
	s.dbs[name] = &database{name: name, db: db, file: file, monitors: map[*monitor]bool{}}
	s.addServerRow(name, db.Schema)
	return nil
}

// Database returns the served database called name, or nil. Callers must
// not use it concurrently with the server; use [Server.Do].
func (s *Server) Database(name string) *ovsdb.Database {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.dbs[name]; d != nil {
		return d.db
	}
	return nil
}

// Do runs fn with exclusive access to the server's databases.
func (s *Server) Do(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}

// addServerRow records a database in _Server's Database table. s.mu is held
// (or the server is not yet shared).
func (s *Server) addServerRow(name string, schema *ovsdb.DatabaseSchema) {
	text, err := ovsdb.MarshalJSON(schema.JSON())
	if err != nil {
		panic("ovsdb/server: encode schema: " + err.Error())
	}
	row := map[string]any{
		"name": name, "model": "standalone", "connected": true, "leader": true,
		"schema": string(text),
	}
	sd := s.dbs["_Server"]
	res := sd.db.Transact([]any{map[string]any{"op": "insert", "table": "Database", "row": row}}, nil)
	if res.Commit == nil {
		panic(fmt.Sprintf("ovsdb/server: _Server insert failed: %v", res.Results))
	}
	s.publish(sd, res.Commit, s.dur.current())
}

// databaseNames returns the served databases' names, sorted.
func (s *Server) databaseNames() []string {
	names := make([]string, 0, len(s.dbs))
	for name := range s.dbs {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// commit makes a committed transaction durable (asynchronously), compacts
// the file when due, and sends monitor updates. It returns the durability
// sequence number that replies about this commit must wait for. If the
// commit cannot be written, it is reverted and res gets an "I/O error".
// s.mu is held.
func (s *Server) commit(d *database, res *ovsdb.TxnResult) uint64 {
	c := res.Commit
	seq := s.dur.current()
	if d.file != nil {
		if err := d.file.Write(c); err != nil {
			// Nothing was stored: undo the commit and say so, as a
			// commit-time error after the operations' results.
			s.logf("ERR|%s: %v", d.name, err)
			d.db.Revert(c)
			res.Commit = nil
			res.Results = append(res.Results, (&ovsdb.Error{Name: ovsdb.ErrIO, Details: err.Error()}).JSON())
			return seq
		}
		seq = s.dur.wrote(d.file)
		if d.file.ShouldCompact() {
			start := time.Now()
			if err := d.file.Compact(d.db); err != nil {
				s.logf("ERR|%s: %v", d.name, err)
			} else {
				s.logf("INFO|%s: compacted database in %v", d.file.Path(), time.Since(start).Round(time.Millisecond))
			}
		}
	}
	s.publish(d, c, seq)
	return seq
}

// publish sends the updates for c to d's monitors, and retries the
// transactions waiting on d.
func (s *Server) publish(d *database, c *ovsdb.Commit, seq uint64) {
	cache := map[string][]byte{}
	for m := range d.monitors {
		m.commitUpdate(c, seq, cache)
	}
	s.retryTriggers(d)
	s.scheduleRemoteReconcile()
}

// durability tracks which written records have been synced, running one
// fsync for every batch of commits (group commit), and sends the sessions'
// queued messages that were waiting for a sync.
type durability struct {
	mu sync.Mutex
	// cond wakes goroutines waiting for a sync in progress (syncTo);
	// kicked wakes the syncer goroutine, only when there is work for it.
	cond, kicked *sync.Cond
	written      uint64
	synced       atomic.Uint64
	dirty        map[*ovsdb.File]bool
	// waiters maps each session waiting for a sync to the highest write
	// sequence number it waits for.
	waiters map[*session]uint64
	// syncing is set while some goroutine runs a sync.
	syncing bool
	closed  bool
}

func (d *durability) init() {
	d.cond = sync.NewCond(&d.mu)
	d.kicked = sync.NewCond(&d.mu)
	d.dirty = map[*ovsdb.File]bool{}
	d.waiters = map[*session]uint64{}
}

// wrote notes an unsynced write to f and returns its sequence number.
// The writer then calls syncTo or kick: waking the syncer goroutine here
// would cost a wakeup per commit that it mostly finds already handled.
func (d *durability) wrote(f *ovsdb.File) uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.written++
	d.dirty[f] = true
	return d.written
}

// kick has the syncer goroutine sync whatever is unsynced, for a writer
// that goes on with other work instead of waiting (see syncTo).
func (d *durability) kick() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.synced.Load() < d.written {
		d.kicked.Signal()
	}
}

// current returns the sequence number of the latest write.
func (d *durability) current() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.written
}

// isSynced reports whether write seq is durable (or the server closed).
func (d *durability) isSynced(seq uint64) bool {
	return seq <= d.synced.Load()
}

// await registers sess to be woken once write seq is synced; it returns
// false if seq is already synced.
func (d *durability) await(sess *session, seq uint64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if seq <= d.synced.Load() || d.closed {
		return false
	}
	d.waiters[sess] = max(d.waiters[sess], seq)
	return true
}

func (d *durability) close() {
	d.mu.Lock()
	d.closed = true
	d.cond.Broadcast()
	d.kicked.Signal()
	d.mu.Unlock()
}

// run is the syncer goroutine: once kicked, it syncs whatever was written
// while no session is syncing inline (see syncTo), so pipelined commits
// share one sync.
func (d *durability) run(wg *sync.WaitGroup, logf func(string, ...any)) {
	defer wg.Done()
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		// Wait out another goroutine's sync even when closing: it
		// signals when done.
		for (d.synced.Load() == d.written && !d.closed) || d.syncing {
			d.kicked.Wait()
		}
		if d.closed && !d.syncing && d.synced.Load() == d.written {
			woken := d.takeWaiters(true)
			d.mu.Unlock()
			flushAll(woken)
			d.mu.Lock()
			return
		}
		if !d.syncing {
			d.syncOnce(logf)
		}
	}
}

// syncTo makes write seq durable before returning, syncing in the calling
// goroutine unless a sync already in progress covers it. A session reader
// with no further input calls it, saving the hand-off to the syncer
// goroutine on the path of a waiting client.
func (d *durability) syncTo(seq uint64, logf func(string, ...any)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.synced.Load() < seq && !d.closed {
		if d.syncing {
			d.cond.Wait()
			continue
		}
		d.syncOnce(logf)
	}
}

// syncOnce syncs every dirty file, publishes the new synced position and
// sends what the sync made sendable. d.mu is held (and released while
// syncing and sending).
func (d *durability) syncOnce(logf func(string, ...any)) {
	d.syncing = true
	target, files := d.written, d.dirty
	d.dirty = map[*ovsdb.File]bool{}
	d.mu.Unlock()
	for f := range files {
		if err := f.Sync(); err != nil {
			logf("ERR|%v", err)
		}
	}
	d.mu.Lock()
	d.syncing = false
	d.synced.Store(target)
	woken := d.takeWaiters(false)
	d.cond.Broadcast()
	if d.written > target || d.closed {
		// Writes arrived during the sync, possibly with a kick that
		// found it busy.
		d.kicked.Signal()
	}
	d.mu.Unlock()
	flushAll(woken)
	d.mu.Lock()
}

// takeWaiters removes and returns the sessions whose awaited writes are
// now synced (all of them when closing). d.mu is held.
func (d *durability) takeWaiters(all bool) []*session {
	synced := d.synced.Load()
	var woken []*session
	for sess, seq := range d.waiters {
		if all || seq <= synced {
			woken = append(woken, sess)
			delete(d.waiters, sess)
		}
	}
	return woken
}

// flushAll sends the sessions' sendable output, in this goroutine rather
// than waking one writer goroutine per session.
func flushAll(sessions []*session) {
	for _, sess := range sessions {
		sess.flush()
	}
}

// Close stops every remote and session and waits for pending syncs.
func (s *Server) Close() error {
	s.remotesMu.Lock()
	for _, r := range s.remotes {
		r.stop()
	}
	s.remotes = map[string]*remote{}
	s.remotesMu.Unlock()
	s.mu.Lock()
	s.closed = true
	sessions := make([]*session, 0, len(s.sessions))
	for sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	s.mu.Unlock()
	for _, sess := range sessions {
		sess.conn.Close()
	}
	s.dur.close()
	s.wg.Wait()
	return nil
}

// Serve runs a JSON-RPC session on conn until it closes.
func (s *Server) Serve(conn net.Conn) { s.serve(conn, 0) }

// serve runs a session that probes an idle peer every probe interval (0:
// never), as ovsdb-server does on TCP and SSL connections.
func (s *Server) serve(conn net.Conn, probe time.Duration) {
	sess := newSession(s, conn)
	sess.probe = probe
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return
	}
	s.sessions[sess] = true
	s.mu.Unlock()
	sess.run()
}

// trigger is a transaction blocked on a "wait" operation, retried after
// each commit to its database until it completes or times out.
type trigger struct {
	sess    *session
	d       *database
	id      json.RawMessage
	ops     []any
	started time.Time
	timer   *time.Timer
}

func (s *Server) retryTriggers(d *database) {
	pending := s.triggers
	s.triggers = nil
	for _, t := range pending {
		if t.d != d || !s.runTrigger(t) {
			s.triggers = append(s.triggers, t)
		}
	}
}

// runTrigger retries t and replies if it completed or timed out; it
// returns whether t is done. s.mu is held.
func (s *Server) runTrigger(t *trigger) bool {
	res := t.d.db.TransactSince(t.ops, t.sess, t.started)
	if res.WaitBlocked {
		return false
	}
	if t.timer != nil {
		t.timer.Stop()
	}
	seq := s.dur.current()
	if res.Commit != nil {
		seq = s.commit(t.d, &res)
	}
	t.sess.reply(t.id, res.Results, seq)
	return true
}

func (s *Server) expireTrigger(t *trigger) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.triggers {
		if p == t {
			if s.runTrigger(t) {
				s.triggers = append(s.triggers[:i], s.triggers[i+1:]...)
				s.dur.kick()
			} else {
				// The timer fired a little early; try again shortly.
				t.timer = time.AfterFunc(time.Millisecond, func() { s.expireTrigger(t) })
			}
			return
		}
	}
}

// sendCanceled answers a request whose trigger was cancelled.
func sendCanceled(sess *session, id json.RawMessage) {
	msg, err := jsonrpc.NewErrorReply(id, "canceled")
	if err == nil {
		sess.send(msg, 0)
	}
}
