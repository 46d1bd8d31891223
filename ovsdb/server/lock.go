package server

import (
	"encoding/json"
)

// lockState is one named lock: its owner and the sessions waiting for it,
// in request order.
type lockState struct {
	owner   *session
	waiters []*session
}

// lockRequest handles lock, steal and unlock. s.mu is held.
func (sess *session) lockRequest(method string, id json.RawMessage, params []any) {
	s := sess.s
	if len(params) != 1 {
		sess.replyError(id, syntaxErrorJSON(params, "%s expects one lock name", method))
		return
	}
	name, ok := params[0].(string)
	if !ok || name == "" {
		sess.replyError(id, syntaxErrorJSON(params, "%s expects one lock name", method))
		return
	}
	if method == "unlock" {
		if !sess.lockNames[name] {
			sess.replyError(id, syntaxErrorJSON(params, "Attempt to unlock lock %s not held by session", name))
			return
		}
		s.unlock(sess, name)
		sess.reply(id, map[string]any{}, 0)
		return
	}
	if sess.lockNames[name] && !(method == "steal" && s.locks[name].owner != sess) {
		sess.replyError(id, syntaxErrorJSON(params, "Session already holds or is waiting for lock %s", name))
		return
	}
	l := s.locks[name]
	if l == nil {
		l = &lockState{}
		s.locks[name] = l
	}
	sess.lockNames[name] = true
	switch {
	case l.owner == nil:
		l.owner = sess
	case method == "steal":
		old := l.owner
		l.removeWaiter(sess)
		l.owner = sess
		l.waiters = append(l.waiters, old)
		old.notify("stolen", []any{name}, 0)
	default:
		l.waiters = append(l.waiters, sess)
	}
	sess.reply(id, map[string]any{"locked": l.owner == sess}, 0)
}

func (l *lockState) removeWaiter(sess *session) {
	for i, w := range l.waiters {
		if w == sess {
			l.waiters = append(l.waiters[:i], l.waiters[i+1:]...)
			return
		}
	}
}

// unlock drops sess's hold on or wait for lock name, handing the lock to
// the next waiter. s.mu is held.
func (s *Server) unlock(sess *session, name string) {
	delete(sess.lockNames, name)
	l := s.locks[name]
	if l == nil {
		return
	}
	l.removeWaiter(sess)
	if l.owner == sess {
		l.owner = nil
		if len(l.waiters) > 0 {
			l.owner = l.waiters[0]
			l.waiters = l.waiters[1:]
			l.owner.notify("locked", []any{name}, 0)
		}
	}
	if l.owner == nil {
		delete(s.locks, name)
	}
}
