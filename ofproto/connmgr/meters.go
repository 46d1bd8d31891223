package connmgr

import (
	"errors"
	"time"

	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// Meters: meter_mod and the meter statistics requests, answered as OVS
// 3.1's userspace switch answers them, with the counters of the
// datapath's policers.

// handleMeter answers a meter message; it reports false for any other.
// A failure to write ends nothing here: the session notices on its next
// read or write.
func (s *session) handleMeter(h ofp.Header, msg ofp.Message, raw []byte) bool {
	b := s.mgr.bridge
	var reply ofp.Message
	switch m := msg.(type) {
	case *ofp.MeterMod:
		s.meterMod(h.Xid, m, raw)
		return true
	case *ofp.MeterFeaturesRequest:
		reply = &ofp.MeterFeaturesReply{MaxMeters: ofproto.MaxMeters, BandTypes: 1 << ofp.MeterBandDrop,
			Capabilities: uint32(ofp.MeterFlagKbps | ofp.MeterFlagPktps | ofp.MeterFlagBurst | ofp.MeterFlagStats),
			MaxBands:     ofproto.MaxMeterBands}
	case *ofp.MeterConfigRequest:
		meters, ok := s.selectMeters(h.Xid, m.MeterID, raw)
		if !ok {
			return true
		}
		r := &ofp.MeterConfigReply{}
		for _, mt := range meters {
			r.Meters = append(r.Meters, wireMeter(mt))
		}
		reply = r
	case *ofp.MeterStatsRequest:
		meters, ok := s.selectMeters(h.Xid, m.MeterID, raw)
		if !ok {
			return true
		}
		r := &ofp.MeterStatsReply{}
		now := b.Now()
		for _, mt := range meters {
			st := ofp.MeterStats{MeterID: mt.ID, FlowCount: b.MeterFlowCount(mt.ID),
				Duration: now.Sub(mt.Created).Truncate(time.Millisecond), Bands: make([]ofp.BandCounter, len(mt.Bands))}
			if c, ok := b.MeterStats(mt.ID); ok {
				st.Packets, st.Bytes = c.Packets, c.Bytes
				for i := range min(len(c.Bands), len(st.Bands)) {
					st.Bands[i] = ofp.BandCounter{Packets: c.Bands[i].Packets, Bytes: c.Bands[i].Bytes}
				}
			}
			r.Meters = append(r.Meters, st)
		}
		reply = r
	default:
		return false
	}
	if err := s.sendReplies(h.Xid, reply); err != nil {
		s.mgr.log.Printf("rconn", "WARN", "%s<->mgmt: reply: %v", b.Name(), err)
	}
	return true
}

// selectMeters returns meter id (every meter for ofp.MeterAllID); for a
// meter the bridge lacks it answers OFPMMFC_UNKNOWN_METER, as OVS does,
// and reports false.
func (s *session) selectMeters(xid, id uint32, raw []byte) ([]*ofproto.Meter, bool) {
	b := s.mgr.bridge
	if id == ofp.MeterAllID {
		return b.Meters(), true
	}
	m, ok := b.MeterByID(id)
	if !ok {
		s.sendError(xid, ofp.MeterModUnknownMeter, raw)
		return nil, false
	}
	return []*ofproto.Meter{m}, true
}

func wireMeter(m *ofproto.Meter) ofp.Meter {
	w := ofp.Meter{ID: m.ID, Flags: ofp.MeterFlags(m.Flags)}
	for _, band := range m.Bands {
		w.Bands = append(w.Bands, ofp.MeterBand{Type: band.Type, Rate: band.Rate, BurstSize: band.BurstSize,
			PrecLevel: band.PrecLevel})
	}
	return w
}

// meterMod applies a meter_mod; flows that a deleted meter took with it
// are reported removed (reason meter_delete, which only OpenFlow 1.4+
// connections hear about by default).
func (s *session) meterMod(xid uint32, m *ofp.MeterMod, raw []byte) {
	if s.role == ofp.RoleSlave {
		s.sendError(xid, "OFPBRC_IS_SECONDARY", raw)
		return
	}
	mt := &ofproto.Meter{ID: m.Meter.ID, Flags: uint16(m.Meter.Flags)}
	for _, band := range m.Meter.Bands {
		if band.Type == ofp.MeterBandExperimenter {
			s.sendError(xid, ofp.MeterModBadBand, raw)
			return
		}
		mt.Bands = append(mt.Bands, ofproto.MeterBand{Type: band.Type, Rate: band.Rate,
			BurstSize: band.BurstSize, PrecLevel: band.PrecLevel})
	}
	var cmd ofproto.MeterCommand
	switch m.Command {
	case ofp.MeterAdd:
		cmd = ofproto.MeterAdd
	case ofp.MeterModify:
		cmd = ofproto.MeterModify
	case ofp.MeterDelete:
		cmd = ofproto.MeterDelete
	default:
		s.sendError(xid, ofp.MeterModBadCommand, raw)
		return
	}
	gone, err := s.mgr.bridge.MeterMod(cmd, mt)
	if err != nil {
		var me *ofproto.MeterModError
		code := ofp.BadRequestEPerm
		if errors.As(err, &me) {
			code = ofp.ErrorCode(me.Code)
		}
		s.sendError(xid, code, raw)
		return
	}
	now := s.mgr.bridge.Now()
	for _, r := range gone {
		s.mgr.flowRemoved(r, ofp.RemovedMeterDelete, now, s)
	}
}
