package ofp

import (
	"time"
)

// Meters (OpenFlow 1.3+).
const (
	t13MeterMod        = 29 // OFPT_METER_MOD
	statsMeter         = 9  // OFPMP_METER
	statsMeterConfig   = 10 // OFPMP_METER_CONFIG
	statsMeterFeatures = 11 // OFPMP_METER_FEATURES
)

// MeterCommand is a meter_mod command.
type MeterCommand uint16

// Meter commands.
const (
	MeterAdd    MeterCommand = 0
	MeterModify MeterCommand = 1
	MeterDelete MeterCommand = 2
)

// MeterFlags are ofp_meter_flags.
type MeterFlags uint16

// Meter flags.
const (
	MeterFlagKbps  MeterFlags = 1 << 0
	MeterFlagPktps MeterFlags = 1 << 1
	MeterFlagBurst MeterFlags = 1 << 2
	MeterFlagStats MeterFlags = 1 << 3
)

// Reserved meter ids.
const (
	MeterMaxID        = 0xffff0000 // OFPM13_MAX, flowtable.MaxMeterID
	MeterSlowpath     = 0xfffffffd // OFPM13_SLOWPATH
	MeterController   = 0xfffffffe // OFPM13_CONTROLLER
	MeterAllID        = 0xffffffff // OFPM13_ALL: every meter (delete, statistics)
	meterBandLen      = 16
	meterConfigLen    = 8
	meterStatsLen     = 40
	meterBandStatsLen = 16
	meterFeaturesLen  = 16
)

// Meter band types.
const (
	MeterBandDrop         = 1
	MeterBandDSCPRemark   = 2
	MeterBandExperimenter = 0xffff
)

// MeterBand is one band of a meter: Rate in kbps or packets per second
// as the meter's flags say, BurstSize when the meter has MeterFlagBurst.
// PrecLevel is for dscp_remark bands, Experimenter for experimenter ones.
type MeterBand struct {
	Type         uint16
	Rate         uint32
	BurstSize    uint32
	PrecLevel    uint8
	Experimenter uint32
}

// Meter is a meter's configuration: a meter_mod's body, a meter
// configuration reply's entry.
type Meter struct {
	ID    uint32
	Flags MeterFlags
	Bands []MeterBand
}

// MeterMod adds, modifies or deletes a meter (OFPT_METER_MOD).
type MeterMod struct {
	Command MeterCommand
	Meter   Meter
}

func needOF13(v Version, what string) error {
	if v < OF13 {
		return errorf(BadRequestBadVersion, "%s in %s are not supported", what, v)
	}
	return nil
}

func (m *MeterMod) encode(e *enc) error {
	if err := needOF13(e.v, "meters"); err != nil {
		return err
	}
	e.header(t13MeterMod)
	e.u16(uint16(m.Command))
	e.u16(uint16(m.Meter.Flags))
	e.u32(m.Meter.ID)
	appendBands(e, m.Meter.Bands)
	return nil
}

func appendBands(e *enc, bands []MeterBand) {
	for _, b := range bands {
		e.u16(b.Type)
		e.u16(meterBandLen)
		e.u32(b.Rate)
		e.u32(b.BurstSize)
		switch b.Type {
		case MeterBandDSCPRemark:
			e.u8(b.PrecLevel)
			e.zeros(3)
		case MeterBandExperimenter:
			e.u32(b.Experimenter)
		default:
			e.zeros(4)
		}
	}
}

func decodeBands(v Version, b []byte) ([]MeterBand, error) {
	var out []MeterBand
	for len(b) > 0 {
		d := newDec(v, b, MeterModBadBand, "meter band")
		band := MeterBand{Type: d.u16()}
		n := int(d.u16())
		band.Rate, band.BurstSize = d.u32(), d.u32()
		if d.err != nil || n != meterBandLen || n > len(b) {
			return nil, errorf(MeterModBadBand, "meter band of length %d in %d bytes", n, len(b))
		}
		switch band.Type {
		case MeterBandDrop:
		case MeterBandDSCPRemark:
			band.PrecLevel = d.u8()
		case MeterBandExperimenter:
			band.Experimenter = d.u32()
		default:
			return nil, errorf(MeterModBadBand, "meter band type %d", band.Type)
		}
		out = append(out, band)
		b = b[n:]
	}
	return out, nil
}

func decodeMeterMod(v Version, body []byte) (Message, error) {
	d := newDec(v, body, BadRequestBadLen, "meter_mod")
	cmd, flags, id := d.u16(), d.u16(), d.u32()
	if d.err != nil {
		return nil, d.err
	}
	if MeterCommand(cmd) > MeterDelete {
		return nil, errorf(MeterModBadCommand, "meter_mod command %d", cmd)
	}
	if flags&^0xf != 0 {
		return nil, errorf(MeterModBadFlags, "meter_mod flags %#x", flags)
	}
	bands, err := decodeBands(v, d.rest())
	if err != nil {
		return nil, err
	}
	return &MeterMod{Command: MeterCommand(cmd), Meter: Meter{ID: id, Flags: MeterFlags(flags), Bands: bands}}, nil
}

// meterRequest is the body of meter and meter configuration requests.
type meterRequest struct{ MeterID uint32 }

func (m *meterRequest) encode(e *enc, stype uint16) error {
	if err := needOF13(e.v, "meters"); err != nil {
		return err
	}
	e.statsHeader(false, stype, 0)
	e.u32(m.MeterID)
	e.zeros(4)
	return nil
}

// MeterStatsRequest asks for the statistics of meter MeterID (MeterAllID:
// every meter).
type MeterStatsRequest meterRequest

func (m *MeterStatsRequest) encode(e *enc) error {
	return (*meterRequest)(m).encode(e, statsMeter)
}

// MeterConfigRequest asks for the configuration of meter MeterID
// (MeterAllID: every meter).
type MeterConfigRequest meterRequest

func (m *MeterConfigRequest) encode(e *enc) error {
	return (*meterRequest)(m).encode(e, statsMeterConfig)
}

// MeterConfigReply is one part of a meter configuration reply.
type MeterConfigReply struct {
	Meters []Meter
	More   bool
}

func (m *MeterConfigReply) encode(e *enc) error { return encodeMultipart(e, m, m.More) }

func (m *MeterConfigReply) header(e *enc, more bool) error {
	if err := needOF13(e.v, "meters"); err != nil {
		return err
	}
	e.statsHeader(true, statsMeterConfig, moreFlag(more))
	return nil
}

func (m *MeterConfigReply) entries() int { return len(m.Meters) }

func (m *MeterConfigReply) appendEntry(e *enc, i int) error {
	mt := &m.Meters[i]
	start := len(e.b)
	e.u16(0)
	e.u16(uint16(mt.Flags))
	e.u32(mt.ID)
	appendBands(e, mt.Bands)
	return e.lenAt(start, start)
}

// BandCounter is one band's statistics.
type BandCounter struct{ Packets, Bytes uint64 }

// MeterStats is one meter's statistics.
type MeterStats struct {
	MeterID        uint32
	FlowCount      uint32
	Packets, Bytes uint64 // in
	Duration       time.Duration
	Bands          []BandCounter
}

// MeterStatsReply is one part of a meter statistics reply.
type MeterStatsReply struct {
	Meters []MeterStats
	More   bool
}

func (m *MeterStatsReply) encode(e *enc) error { return encodeMultipart(e, m, m.More) }

func (m *MeterStatsReply) header(e *enc, more bool) error {
	if err := needOF13(e.v, "meters"); err != nil {
		return err
	}
	e.statsHeader(true, statsMeter, moreFlag(more))
	return nil
}

func (m *MeterStatsReply) entries() int { return len(m.Meters) }

func (m *MeterStatsReply) appendEntry(e *enc, i int) error {
	s := &m.Meters[i]
	start := len(e.b)
	e.u32(s.MeterID)
	e.u16(0)
	e.zeros(6)
	e.u32(s.FlowCount)
	e.u64(s.Packets)
	e.u64(s.Bytes)
	sec, nsec := durationParts(s.Duration)
	e.u32(sec)
	e.u32(nsec)
	for _, bc := range s.Bands {
		e.u64(bc.Packets)
		e.u64(bc.Bytes)
	}
	return e.lenAt(start+4, start)
}

// MeterFeaturesRequest asks for the switch's meter features.
type MeterFeaturesRequest struct{}

func (m *MeterFeaturesRequest) encode(e *enc) error {
	if err := needOF13(e.v, "meters"); err != nil {
		return err
	}
	e.statsHeader(false, statsMeterFeatures, 0)
	return nil
}

// MeterFeaturesReply is ofp13_meter_features; BandTypes is a bitmap of
// band types (1 << MeterBandDrop ...), Capabilities of MeterFlags.
type MeterFeaturesReply struct {
	MaxMeters    uint32
	BandTypes    uint32
	Capabilities uint32
	MaxBands     uint8
	MaxColor     uint8
}

func (m *MeterFeaturesReply) encode(e *enc) error {
	if err := needOF13(e.v, "meters"); err != nil {
		return err
	}
	e.statsHeader(true, statsMeterFeatures, 0)
	e.u32(m.MaxMeters)
	e.u32(m.BandTypes)
	e.u32(m.Capabilities)
	e.u8(m.MaxBands)
	e.u8(m.MaxColor)
	e.zeros(2)
	return nil
}

// decodeMeterStats parses the meter statistics messages after their
// headers.
func decodeMeterStats(v Version, stype uint16, b []byte, reply, more bool) (Message, error) {
	if err := needOF13(v, "meters"); err != nil {
		return nil, err
	}
	d := newDec(v, b, BadRequestBadLen, "meter statistics")
	switch {
	case !reply && stype == statsMeterFeatures:
		return empty(b, &MeterFeaturesRequest{})
	case !reply:
		r := meterRequest{MeterID: d.u32()}
		d.skip(4)
		if d.err == nil && len(d.b) != 0 {
			d.fail(errorf(BadRequestBadLen, "meter request has %d extra bytes", len(d.b)))
		}
		if d.err != nil {
			return nil, d.err
		}
		if stype == statsMeter {
			return (*MeterStatsRequest)(&r), nil
		}
		return (*MeterConfigRequest)(&r), nil
	case stype == statsMeterFeatures:
		if len(b) != meterFeaturesLen {
			return nil, errorf(BadRequestBadLen, "meter features of %d bytes", len(b))
		}
		m := &MeterFeaturesReply{MaxMeters: d.u32(), BandTypes: d.u32(), Capabilities: d.u32(), MaxBands: d.u8(), MaxColor: d.u8()}
		return m, d.err
	case stype == statsMeterConfig:
		m := &MeterConfigReply{More: more}
		for len(b) > 0 {
			d := newDec(v, b, BadRequestBadLen, "meter configuration")
			n := int(d.u16())
			mt := Meter{Flags: MeterFlags(d.u16()), ID: d.u32()}
			if d.err != nil || n < meterConfigLen || n > len(b) {
				return nil, errorf(BadRequestBadLen, "meter configuration of length %d in %d bytes", n, len(b))
			}
			bands, err := decodeBands(v, b[meterConfigLen:n])
			if err != nil {
				return nil, err
			}
			mt.Bands = bands
			m.Meters = append(m.Meters, mt)
			b = b[n:]
		}
		return m, nil
	default:
		m := &MeterStatsReply{More: more}
		for len(b) > 0 {
			d := newDec(v, b, BadRequestBadLen, "meter statistics")
			s := MeterStats{MeterID: d.u32()}
			n := int(d.u16())
			d.skip(6)
			if d.err != nil || n < meterStatsLen || n > len(b) || (n-meterStatsLen)%meterBandStatsLen != 0 {
				return nil, errorf(BadRequestBadLen, "meter statistics of length %d in %d bytes", n, len(b))
			}
			s.FlowCount = d.u32()
			s.Packets, s.Bytes = d.u64(), d.u64()
			sec, nsec := d.u32(), d.u32()
			s.Duration = time.Duration(sec)*time.Second + time.Duration(nsec)
			for range (n - meterStatsLen) / meterBandStatsLen {
				s.Bands = append(s.Bands, BandCounter{Packets: d.u64(), Bytes: d.u64()})
			}
			if d.err != nil {
				return nil, d.err
			}
			m.Meters = append(m.Meters, s)
			b = b[n:]
		}
		return m, nil
	}
}
