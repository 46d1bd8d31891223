package ofp

import (
	"github.com/govs/govs/flowtable"
)

// Queue statistics (OFPST_QUEUE, OFPMP_QUEUE_STATS). govs has no QoS
// queues, so a switch answers with no entries, as OVS does for ports
// without queues; the reply type carries only a count, which is all
// ovs-ofctl prints for an empty reply.

const statsQueue = 5

// QueueAll is OFPQ_ALL: every queue of the port(s).
const QueueAll = 0xffffffff

// Queue statistics error codes.
const (
	QueueBadPort  ErrorCode = "OFPQOFC_BAD_PORT"
	QueueBadQueue ErrorCode = "OFPQOFC_BAD_QUEUE"
)

func init() {
	// OVS 3.1's ovs-ofctl print-error for each.
	errorTable[QueueBadPort] = [6]wireError{{true, 0, 5, 0}, {true, 0, 9, 0}, {true, 0, 9, 0}, {true, 0, 9, 0}, {true, 0, 9, 0}, {true, 0, 9, 0}}
	errorTable[QueueBadQueue] = [6]wireError{{true, 0, 5, 1}, {true, 0, 9, 1}, {true, 0, 9, 1}, {true, 0, 9, 1}, {true, 0, 9, 1}, {true, 0, 9, 1}}
}

// QueueStatsRequest asks for the statistics of one queue or every queue
// (QueueAll) of one port or every port (flowtable.PortNone).
type QueueStatsRequest struct {
	Port  flowtable.Port
	Queue uint32
}

// QueueStatsReply is a queue statistics reply; Queues counts its entries
// (govs encodes none).
type QueueStatsReply struct{ Queues int }

// portAll10 is OpenFlow 1.0's OFPP_ALL, which its queue requests use for
// "every port".
const portAll10 = 0xfffc

func (m *QueueStatsRequest) encode(e *enc) error {
	if e.v == OF11 {
		return errorf(BadRequestBadVersion, "statistics in %s are not supported", e.v)
	}
	e.statsHeader(false, statsQueue, 0)
	if e.v == OF10 {
		p := m.Port
		if p == flowtable.PortNone {
			p = portAll10
		}
		e.u16(uint16(p))
		e.zeros(2)
	} else {
		e.u32(encodePort32(m.Port))
	}
	e.u32(m.Queue)
	return nil
}

func (m *QueueStatsReply) encode(e *enc) error {
	if m.Queues != 0 {
		return errorf(BadRequestBadStat, "queue statistics entries are not supported")
	}
	e.statsHeader(true, statsQueue, 0)
	return nil
}

// queueEntryLen is the size of one ofp_queue_stats in v (OpenFlow 1.4's
// has a length field, and may carry properties).
func queueEntryLen(v Version) int {
	switch {
	case v <= OF12:
		return 32
	case v == OF13:
		return 40
	}
	return 48
}

func decodeQueueStats(v Version, b []byte, reply bool) (Message, error) {
	if reply {
		n := 0
		for len(b) > 0 {
			l := queueEntryLen(v)
			if v >= OF14 && len(b) >= 2 {
				l = int(b[0])<<8 | int(b[1])
			}
			if l < queueEntryLen(v) || l > len(b) {
				return nil, errorf(BadRequestBadLen, "queue statistics entry of %d bytes in %d", l, len(b))
			}
			b = b[l:]
			n++
		}
		return &QueueStatsReply{Queues: n}, nil
	}
	d := newDec(v, b, BadRequestBadLen, "queue statistics request")
	m := &QueueStatsRequest{}
	if v == OF10 {
		m.Port = flowtable.Port(d.u16())
		if m.Port == portAll10 {
			m.Port = flowtable.PortNone
		}
		d.skip(2)
	} else {
		m.Port = d.port()
	}
	m.Queue = d.u32()
	if d.err == nil && len(d.b) != 0 {
		return nil, errorf(BadRequestBadLen, "queue statistics request has %d extra bytes", len(d.b))
	}
	return m, d.err
}
