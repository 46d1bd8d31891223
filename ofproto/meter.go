package ofproto

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/govs/govs/datapath"
	"github.com/govs/govs/flowtable"
)

// Meters, as OVS's userspace datapath offers them: up to MaxMeters
// meters of up to MaxMeterBands drop bands each, rated in kbps or packets
// per second, with optional burst sizes. The bridge keeps their
// configuration; the policing and the counters live in the datapath's
// meter table ([Bridge.MeterTable]), which a flow's meter action reaches
// through the datapath meter action xlate emits.

// Meter features of OVS's userspace datapath (ovs-ofctl meter-features).
const (
	MaxMeters     = 262144
	MaxMeterBands = 8
)

// Meter flags (ofp_meter_flags).
const (
	MeterKbps  uint16 = 1 << 0
	MeterPktps uint16 = 1 << 1
	MeterBurst uint16 = 1 << 2
	MeterStats uint16 = 1 << 3
)

// Meter band types.
const (
	MeterBandDrop       uint16 = 1
	MeterBandDSCPRemark uint16 = 2
)

// Reserved meter ids.
const (
	MeterIDMax        uint32 = 0xffff0000 // the highest ordinary meter
	MeterIDSlowpath   uint32 = 0xfffffffd
	MeterIDController uint32 = 0xfffffffe
	MeterIDAll        uint32 = 0xffffffff // delete: every meter
)

// MeterBand is one band of a meter.
type MeterBand struct {
	Type      uint16
	Rate      uint32 // kbps or packets per second, as the meter's flags say
	BurstSize uint32
	PrecLevel uint8 // dscp_remark
}

// Meter is one configured meter.
type Meter struct {
	ID      uint32
	Flags   uint16
	Bands   []MeterBand
	Created time.Time
}

// MeterCommand is what a meter_mod does.
type MeterCommand uint8

// Meter commands.
const (
	MeterAdd MeterCommand = iota
	MeterModify
	MeterDelete
)

// MeterModError is a meter_mod refused with an OpenFlow error, named as
// OVS names it (e.g. OFPMMFC_METER_EXISTS).
type MeterModError struct{ Code string }

func (e *MeterModError) Error() string { return "meter_mod failed: " + e.Code }

// ErrInvalidMeter refuses a flow whose meter action names a meter the
// bridge lacks, as OVS does.
var ErrInvalidMeter = &flowtable.FlowModError{Code: "OFPMMFC_INVALID_METER"}

// meterSet is a bridge's meters.
type meterSet struct {
	mu     sync.Mutex
	meters map[uint32]*Meter
	dp     *datapath.Meters // the policers, one per meter, same ids
}

// MeterTable is the datapath meter table that polices the bridge's
// meters: a datapath executing the bridge's translations hands it to its
// executors. Datapath meter ids are the OpenFlow ones.
func (b *Bridge) MeterTable() *datapath.Meters { return b.meters.dp }

// MeterStats returns meter id's counters: the packets it saw and, per
// band, the packets it dropped.
func (b *Bridge) MeterStats(id uint32) (datapath.MeterStats, bool) { return b.meters.dp.Stats(id) }

// dpMeterConfig is a meter as the datapath polices it. Like OVS's
// userspace datapath, it takes a band's burst size whether or not the
// meter has the burst flag (a band without one bursts its rate).
func dpMeterConfig(m *Meter) datapath.MeterConfig {
	c := datapath.MeterConfig{Pktps: m.Flags&MeterPktps != 0}
	for _, band := range m.Bands {
		c.Bands = append(c.Bands, datapath.MeterBandConfig{Rate: band.Rate, Burst: band.BurstSize})
	}
	return c
}

// MeterMod adds, modifies or deletes meter m.ID (for a delete,
// MeterIDAll deletes every meter), answering as OVS 3.1's userspace
// switch does. Deleting a meter deletes the flows that use it; those are
// returned (for flow removed messages).
func (b *Bridge) MeterMod(cmd MeterCommand, m *Meter) ([]*flowtable.Rule, error) {
	ms := &b.meters
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if ms.meters == nil {
		ms.meters = map[uint32]*Meter{}
	}
	if cmd == MeterDelete {
		var ids []uint32
		if m.ID == MeterIDAll {
			for id := range ms.meters {
				ids = append(ids, id)
			}
		} else if _, ok := ms.meters[m.ID]; ok {
			ids = append(ids, m.ID)
		}
		// Deleting a meter that does not exist is no error.
		for _, id := range ids {
			delete(ms.meters, id)
			ms.dp.Delete(id)
		}
		return b.deleteMeterFlows(ids), nil
	}
	if cmd != MeterAdd && cmd != MeterModify {
		return nil, &MeterModError{Code: "OFPMMFC_BAD_COMMAND"}
	}
	if m.ID == 0 || (m.ID > MeterIDMax && m.ID != MeterIDSlowpath && m.ID != MeterIDController) {
		return nil, &MeterModError{Code: "OFPMMFC_INVALID_METER"}
	}
	old, exists := ms.meters[m.ID]
	switch {
	case cmd == MeterAdd && exists:
		return nil, &MeterModError{Code: "OFPMMFC_METER_EXISTS"}
	case cmd == MeterModify && !exists:
		return nil, &MeterModError{Code: "OFPMMFC_UNKNOWN_METER"}
	case cmd == MeterAdd && len(ms.meters) >= MaxMeters:
		return nil, &MeterModError{Code: "OFPMMFC_OUT_OF_METERS"}
	}
	if err := checkMeter(m); err != nil {
		return nil, err
	}
	nm := &Meter{ID: m.ID, Flags: m.Flags, Bands: slices.Clone(m.Bands), Created: b.now()}
	if exists {
		nm.Created = old.Created
	}
	ms.meters[m.ID] = nm
	ms.dp.Set(m.ID, dpMeterConfig(nm))
	b.changed()
	return nil, nil
}

// checkMeter refuses what the userspace datapath cannot do: a meter
// rated both or neither in kbps and packets per second, unknown flags,
// too many bands, bands other than drop.
func checkMeter(m *Meter) error {
	rate := m.Flags & (MeterKbps | MeterPktps)
	if rate == 0 || rate == MeterKbps|MeterPktps || m.Flags&^(MeterKbps|MeterPktps|MeterBurst|MeterStats) != 0 {
		return &MeterModError{Code: "OFPMMFC_BAD_FLAGS"}
	}
	if len(m.Bands) > MaxMeterBands {
		return &MeterModError{Code: "OFPMMFC_OUT_OF_BANDS"}
	}
	for _, band := range m.Bands {
		if band.Type != MeterBandDrop {
			return &MeterModError{Code: "OFPMMFC_BAD_BAND"}
		}
	}
	return nil
}

// Meters returns the bridge's meters by id.
func (b *Bridge) Meters() []*Meter {
	ms := &b.meters
	ms.mu.Lock()
	defer ms.mu.Unlock()
	out := make([]*Meter, 0, len(ms.meters))
	for _, m := range ms.meters {
		out = append(out, m)
	}
	slices.SortFunc(out, func(x, y *Meter) int {
		if x.ID < y.ID {
			return -1
		}
		if x.ID > y.ID {
			return 1
		}
		return 0
	})
	return out
}

// MeterByID returns meter id.
func (b *Bridge) MeterByID(id uint32) (*Meter, bool) {
	ms := &b.meters
	ms.mu.Lock()
	defer ms.mu.Unlock()
	m, ok := ms.meters[id]
	return m, ok
}

// MeterFlowCount counts the flows whose actions use meter id.
func (b *Bridge) MeterFlowCount(id uint32) uint32 {
	var n uint32
	for _, t := range b.tables {
		if t.Len() == 0 {
			continue
		}
		t.ForEach(func(r *flowtable.Rule) bool {
			if usesMeter(r.Flow().Actions, id) {
				n++
			}
			return true
		})
	}
	return n
}

// usesMeter reports whether acts, nested ones included, use meter id.
func usesMeter(acts flowtable.Actions, id uint32) bool {
	for _, a := range acts {
		switch a := a.(type) {
		case *flowtable.Meter:
			if a.ID == id {
				return true
			}
		case *flowtable.WriteActions:
			if usesMeter(a.Actions, id) {
				return true
			}
		case *flowtable.Clone:
			if usesMeter(a.Actions, id) {
				return true
			}
		}
	}
	return false
}

// checkMeters refuses actions that use a meter the bridge lacks.
func (b *Bridge) checkMeters(acts flowtable.Actions) error {
	for _, a := range acts {
		var id uint32
		switch a := a.(type) {
		case *flowtable.Meter:
			id = a.ID
		case *flowtable.WriteActions:
			if err := b.checkMeters(a.Actions); err != nil {
				return err
			}
			continue
		case *flowtable.Clone:
			if err := b.checkMeters(a.Actions); err != nil {
				return err
			}
			continue
		default:
			continue
		}
		if _, ok := b.MeterByID(id); !ok {
			return fmt.Errorf("meter %d: %w", id, ErrInvalidMeter)
		}
	}
	return nil
}

// deleteMeterFlows deletes the flows that use any of the meters ids, as
// OVS does when a meter goes away, and returns them.
func (b *Bridge) deleteMeterFlows(ids []uint32) []*flowtable.Rule {
	if len(ids) == 0 {
		return nil
	}
	var gone []*flowtable.Rule
	now := b.now()
	for _, t := range b.tables {
		if t.Len() == 0 {
			continue
		}
		var victims []*flowtable.Rule
		t.ForEach(func(r *flowtable.Rule) bool {
			for _, id := range ids {
				if usesMeter(r.Flow().Actions, id) {
					victims = append(victims, r)
					break
				}
			}
			return true
		})
		for _, r := range victims {
			cur := r.Flow()
			del := flowtable.Flow{Match: cur.Match, Priority: cur.Priority, Table: t.ID(),
				OutPort: flowtable.PortNone, OutGroup: flowtable.GroupAny}
			res, err := t.Apply(&del, flowtable.FlowDeleteStrict, now)
			if err != nil {
				continue
			}
			b.tableState[t.ID()].forget(res.Deleted)
			gone = append(gone, res.Deleted...)
		}
	}
	if len(gone) > 0 {
		b.changed()
	}
	return gone
}
