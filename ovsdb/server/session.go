package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/govs/govs/internal/jsonrpc"
	"github.com/govs/govs/ovsdb"
)

// session is one client connection. Its reader goroutine executes requests
// in order. Replies and notifications go out in the order they were
// queued, each once the commit it reveals is durable: whichever goroutine
// makes a message sendable (the one queueing it, or the one completing the
// sync it waits for) writes it straight to the socket if the socket takes
// it without blocking, and the session's writer goroutine sends whatever a
// slow peer left behind. So the usual message costs one write system call
// and no goroutine hand-off, yet a stalled client never blocks the server.
type session struct {
	s    *Server
	conn net.Conn
	// raw writes to conn without blocking; nil when the stream cannot be
	// written beneath Go's net package (SSL), leaving all writes to the
	// writer goroutine.
	raw syscall.RawConn

	out struct {
		mu    sync.Mutex
		cond  *sync.Cond
		items []outItem
		// buf holds encoded messages not yet written, in order.
		buf []byte
		// spare is the buffer the writer goroutine last wrote out,
		// kept for reuse.
		spare []byte
		// writing is set while the writer goroutine writes outside mu;
		// nobody else may write meanwhile.
		writing bool
		closed  bool
	}

	// probe is the inactivity probe interval, 0 for none.
	probe time.Duration

	// Guarded by s.mu.
	monitors    map[string]*monitor
	lockNames   map[string]bool
	changeAware bool
}

type outItem struct {
	msg *jsonrpc.Message
	// seq is the durability sequence number to wait for before sending.
	seq uint64
}

func newSession(s *Server, conn net.Conn) *session {
	sess := &session{
		s: s, conn: conn,
		monitors: map[string]*monitor{}, lockNames: map[string]bool{},
	}
	if sc, ok := conn.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			sess.raw = raw
		}
	}
	sess.out.cond = sync.NewCond(&sess.out.mu)
	return sess
}

// send queues msg, to go out once write seq is durable: at once if it is,
// or when the sync covering it completes.
func (sess *session) send(msg *jsonrpc.Message, seq uint64) {
	sess.out.mu.Lock()
	if sess.out.closed {
		sess.out.mu.Unlock()
		return
	}
	sess.out.items = append(sess.out.items, outItem{msg, seq})
	sess.out.mu.Unlock()
	if !sess.s.dur.await(sess, seq) {
		sess.flush()
	}
}

// flush sends the messages that may go out now, as far as the socket
// takes them without blocking, and leaves the rest to the writer
// goroutine. It never blocks on the peer, so it may run with the server
// locked.
func (sess *session) flush() {
	sess.out.mu.Lock()
	defer sess.out.mu.Unlock()
	if sess.out.closed && len(sess.out.items) == 0 {
		return
	}
	sess.encodeReady()
	if len(sess.out.buf) == 0 || sess.out.writing {
		// The writer goroutine sends the buffer once its write is done.
		return
	}
	if sess.raw != nil {
		n, err := writeNow(sess.raw, sess.out.buf)
		if err != nil {
			sess.failLocked()
			return
		}
		sess.out.buf = sess.out.buf[:copy(sess.out.buf, sess.out.buf[n:])]
		if len(sess.out.buf) == 0 {
			return
		}
	}
	sess.out.cond.Signal()
}

// writeNow writes as much of b to raw as the socket accepts without
// waiting, returning how much that was.
func writeNow(raw syscall.RawConn, b []byte) (int, error) {
	n := 0
	var werr error
	err := raw.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, err := syscall.Write(int(fd), b[n:])
			if err == syscall.EINTR {
				continue
			}
			if err == syscall.EAGAIN {
				break
			}
			if err != nil {
				werr = err
				break
			}
			n += m
		}
		// Done either way: waiting for the socket is the writer's job.
		return true
	})
	if err == nil {
		err = werr
	}
	return n, err
}

// encodeReady moves the longest prefix of queued messages whose commits
// are durable into the output buffer. out.mu is held.
func (sess *session) encodeReady() {
	n := 0
	for n < len(sess.out.items) && sess.s.dur.isSynced(sess.out.items[n].seq) {
		sess.out.buf = sess.out.items[n].msg.AppendJSON(sess.out.buf)
		sess.out.items[n] = outItem{}
		n++
	}
	if n == len(sess.out.items) {
		sess.out.items = sess.out.items[:0]
	} else {
		sess.out.items = sess.out.items[n:]
	}
}

// failLocked gives up on a connection that cannot be written: the reader
// then sees it closed and ends the session. out.mu is held.
func (sess *session) failLocked() {
	sess.out.closed = true
	sess.out.items, sess.out.buf = nil, nil
	sess.conn.Close()
	sess.out.cond.Signal()
}

// writer sends what flush could not: the output when the socket is full,
// and everything on streams without a raw descriptor.
func (sess *session) writer(done chan<- struct{}) {
	defer close(done)
	sess.out.mu.Lock()
	defer sess.out.mu.Unlock()
	for {
		sess.encodeReady()
		if len(sess.out.buf) == 0 {
			if sess.out.closed {
				return
			}
			sess.out.cond.Wait()
			continue
		}
		data := sess.out.buf
		sess.out.buf, sess.out.writing = sess.out.spare[:0], true
		sess.out.mu.Unlock()
		_, err := sess.conn.Write(data)
		sess.out.mu.Lock()
		sess.out.writing, sess.out.spare = false, data[:0]
		if err != nil {
			sess.failLocked()
			return
		}
	}
}

func (sess *session) reply(id json.RawMessage, result any, seq uint64) {
	msg, err := jsonrpc.NewReply(id, result)
	if err != nil {
		sess.s.logf("ERR|%v", err)
		return
	}
	sess.send(msg, seq)
}

func (sess *session) replyError(id json.RawMessage, e any) {
	msg, err := jsonrpc.NewErrorReply(id, e)
	if err != nil {
		sess.s.logf("ERR|%v", err)
		return
	}
	sess.send(msg, 0)
}

func (sess *session) notify(method string, params any, seq uint64) {
	msg, err := jsonrpc.NewNotification(method, params)
	if err != nil {
		sess.s.logf("ERR|%v", err)
		return
	}
	sess.send(msg, seq)
}

func (sess *session) run() {
	done := make(chan struct{})
	go sess.writer(done)
	var in io.Reader = sess.conn
	if sess.probe > 0 {
		in = &probingReader{sess: sess}
	}
	dec := jsonrpc.NewDecoder(in)
	for {
		msg, err := dec.Decode()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				sess.s.logf("WARN|%s: receive error: %v", sess.conn.RemoteAddr(), err)
			}
			break
		}
		if msg.Kind() == jsonrpc.KindRequest || msg.Kind() == jsonrpc.KindNotification {
			sess.handle(msg)
		}
		if dec.Buffered() {
			// More requests are waiting: sync in the background
			// while executing them.
			sess.s.dur.kick()
		} else {
			// The client is waiting: sync here rather than hand off.
			sess.s.dur.syncTo(sess.s.dur.current(), sess.s.logf)
		}
	}
	sess.s.mu.Lock()
	sess.cleanup()
	sess.s.mu.Unlock()
	sess.out.mu.Lock()
	sess.out.closed = true
	sess.out.cond.Signal()
	sess.out.mu.Unlock()
	<-done
	sess.conn.Close()
}

// probingReader reads from the session's connection; when the peer has
// been silent for the probe interval it sends an echo request, and if the
// peer stays silent for another interval it fails the read, which ends
// the session.
type probingReader struct {
	sess   *session
	probed bool
}

func (p *probingReader) Read(b []byte) (int, error) {
	for {
		p.sess.conn.SetReadDeadline(time.Now().Add(p.sess.probe))
		n, err := p.sess.conn.Read(b)
		if n > 0 {
			p.probed = false
			return n, err
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			return n, err
		}
		if p.probed {
			p.sess.s.logf("ERR|%s: no response to inactivity probe after %v, disconnecting",
				p.sess.conn.RemoteAddr(), p.sess.probe)
			return 0, err
		}
		p.probed = true
		if echo, err := jsonrpc.NewRequest("echo", []any{}, "echo"); err == nil {
			p.sess.send(echo, 0)
		}
	}
}

// cleanup drops the session's monitors, locks and blocked transactions.
// s.mu is held.
func (sess *session) cleanup() {
	s := sess.s
	delete(s.sessions, sess)
	for _, m := range sess.monitors {
		delete(m.db.monitors, m)
	}
	for name := range sess.lockNames {
		s.unlock(sess, name)
	}
	kept := s.triggers[:0]
	for _, t := range s.triggers {
		if t.sess == sess {
			if t.timer != nil {
				t.timer.Stop()
			}
			continue
		}
		kept = append(kept, t)
	}
	s.triggers = kept
}

// HoldsLock implements ovsdb.LockChecker. s.mu is held.
func (sess *session) HoldsLock(name string) bool {
	l := sess.s.locks[name]
	return l != nil && l.owner == sess
}

func syntaxErrorJSON(params any, format string, args ...any) map[string]any {
	return (&ovsdb.Error{Name: ovsdb.ErrSyntax, Details: fmt.Sprintf(format, args...), Syntax: jsonText(params)}).JSON()
}

func jsonText(v any) string {
	b, _ := ovsdb.MarshalJSON(v)
	return string(b)
}

func (sess *session) handle(msg *jsonrpc.Message) {
	var params []any
	if len(msg.Params) > 0 {
		p, err := ovsdb.ParseJSON(msg.Params)
		list, ok := p.([]any)
		if err != nil || !ok {
			if msg.Kind() == jsonrpc.KindRequest {
				sess.replyError(msg.ID, syntaxErrorJSON(string(msg.Params), "params must be an array"))
			}
			return
		}
		params = list
	}
	if msg.Kind() == jsonrpc.KindNotification {
		if msg.Method == "cancel" && len(params) == 1 {
			sess.s.mu.Lock()
			sess.cancel(params[0])
			sess.s.mu.Unlock()
		}
		return
	}
	s := sess.s
	switch msg.Method {
	case "echo":
		sess.reply(msg.ID, params, 0)
		return
	case "list_dbs":
		s.mu.Lock()
		names := s.databaseNames()
		s.mu.Unlock()
		sess.reply(msg.ID, names, 0)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch msg.Method {
	case "get_schema":
		d, errObj := s.lookupDB(msg.Method, params)
		if errObj != nil {
			sess.replyError(msg.ID, errObj)
			return
		}
		sess.reply(msg.ID, d.db.Schema.JSON(), 0)
	case "transact":
		sess.transact(msg.ID, params)
	case "cancel":
		if len(params) == 1 {
			sess.cancel(params[0])
		}
	case "monitor", "monitor_cond", "monitor_cond_since":
		sess.monitor(msg.Method, msg.ID, params)
	case "monitor_cond_change":
		sess.monitorCondChange(msg.ID, params)
	case "monitor_cancel":
		sess.monitorCancel(msg.ID, params)
	case "lock", "steal", "unlock":
		sess.lockRequest(msg.Method, msg.ID, params)
	case "set_db_change_aware":
		if len(params) != 1 {
			sess.replyError(msg.ID, syntaxErrorJSON(params, "set_db_change_aware expects one boolean"))
			return
		}
		aware, ok := params[0].(bool)
		if !ok {
			sess.replyError(msg.ID, syntaxErrorJSON(params, "set_db_change_aware expects one boolean"))
			return
		}
		sess.changeAware = aware
		sess.reply(msg.ID, map[string]any{}, 0)
	default:
		sess.replyError(msg.ID, "unknown method")
	}
}

// lookupDB returns the database named by params[0]. s.mu is held.
func (s *Server) lookupDB(method string, params []any) (*database, any) {
	if len(params) == 0 {
		return nil, syntaxErrorJSON(params, "%s request lacks a database name", method)
	}
	name, ok := params[0].(string)
	if !ok {
		return nil, syntaxErrorJSON(params, "%s request's database name must be a string", method)
	}
	d := s.dbs[name]
	if d == nil {
		return nil, (&ovsdb.Error{
			Name: ovsdb.ErrUnknownDatabase, Details: fmt.Sprintf("%s request specifies unknown database %s", method, name),
			Syntax: jsonText(params),
		}).JSON()
	}
	return d, nil
}

// transact runs a transaction. s.mu is held.
func (sess *session) transact(id json.RawMessage, params []any) {
	s := sess.s
	d, errObj := s.lookupDB("transact", params)
	if errObj != nil {
		sess.replyError(id, errObj)
		return
	}
	ops := params[1:]
	started := time.Now()
	res := d.db.TransactSince(ops, sess, started)
	if res.WaitBlocked {
		t := &trigger{sess: sess, d: d, id: id, ops: ops, started: started}
		if res.WaitTimeout >= 0 {
			t.timer = time.AfterFunc(res.WaitTimeout, func() { s.expireTrigger(t) })
		}
		s.triggers = append(s.triggers, t)
		return
	}
	seq := s.dur.current()
	if res.Commit != nil {
		seq = s.commit(d, &res)
	}
	sess.reply(id, res.Results, seq)
}

// cancel aborts a blocked transaction of this session. s.mu is held.
func (sess *session) cancel(id any) {
	s := sess.s
	want := jsonText(id)
	for i, t := range s.triggers {
		tid, err := ovsdb.ParseJSON(t.id)
		if err == nil && t.sess == sess && jsonText(tid) == want {
			s.triggers = append(s.triggers[:i], s.triggers[i+1:]...)
			if t.timer != nil {
				t.timer.Stop()
			}
			sendCanceled(sess, t.id)
			return
		}
	}
}
