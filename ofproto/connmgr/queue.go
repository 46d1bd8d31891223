package connmgr

import (
	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// queueStats answers a queue statistics request as OVS does for ports
// without QoS queues (govs has none): an empty reply for every queue of
// a port that exists (or of every port), OFPQOFC_BAD_PORT for a port that
// does not, OFPQOFC_BAD_QUEUE for any particular queue.
func (s *session) queueStats(h ofp.Header, msg ofp.Message, raw []byte) (bool, error) {
	m, ok := msg.(*ofp.QueueStatsRequest)
	if !ok {
		return false, nil
	}
	if m.Port != flowtable.PortNone {
		if _, ok := s.mgr.bridge.PortByNumber(m.Port); !ok {
			s.sendError(h.Xid, ofp.QueueBadPort, raw)
			return true, nil
		}
	}
	if m.Queue != ofp.QueueAll {
		s.sendError(h.Xid, ofp.QueueBadQueue, raw)
		return true, nil
	}
	return true, s.send(h.Xid, &ofp.QueueStatsReply{})
}
