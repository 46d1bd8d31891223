package connmgr

import (
	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// PortStatus tells every session that wants it (by its async config, as
// OVS's ofconn_receives_async_msg decides) that a port was added, deleted
// or modified. It shares the packet-in queue, so it never blocks on a slow
// controller.
func (m *Manager) PortStatus(reason ofp.PortReason, port flowtable.Port, name string) {
	msg := &ofp.PortStatus{Reason: reason, Desc: m.portDesc(port, name)}
	for _, s := range m.sessionList() {
		a := s.async.Load()
		if a == nil || !s.receives(a, ofp.AsyncPortStatus, uint(reason)) {
			continue
		}
		b, err := ofp.Encode(a.v, 0, msg)
		if err != nil {
			m.log.Printf("connmgr", "WARN", "%s: port status: %v", m.bridge.Name(), err)
			continue
		}
		s.queueAsync(b)
	}
}
