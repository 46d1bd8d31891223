package datapath

import (
	"fmt"
	"math/bits"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Meter passes the packet through a meter of the executor's
// [MeterTable]; a packet the meter drops goes no further (the actions
// after it, in its list, do not run), as OVS_ACTION_ATTR_METER.
type Meter struct{ ID uint32 }

func (a *Meter) appendText(b *strings.Builder) { fmt.Fprintf(b, "meter(%d)", a.ID) }

// MeterTable is what an [Executor] polices meter actions with.
type MeterTable interface {
	// Police passes a packet of size bytes through meter id and reports
	// whether it goes on. A meter the table lacks passes everything.
	Police(id uint32, size int) bool
}

// MeterConfig configures one meter of [Meters]: its bands are drop bands
// rated in packets per second (Pktps) or kilobits per second, with burst
// sizes in packets or kilobits (0: the band's rate).
type MeterConfig struct {
	Pktps bool
	Bands []MeterBandConfig
}

// MeterBandConfig is one drop band.
type MeterBandConfig struct {
	Rate, Burst uint32
}

// MeterStats are a meter's counters: every packet the meter saw, and per
// band the packets it dropped.
type MeterStats struct {
	Packets, Bytes uint64
	Bands          []BandStats
}

// BandStats count the packets a band dropped.
type BandStats struct{ Packets, Bytes uint64 }

// Meters is a datapath's meter table: token-bucket policers as OVS's
// userspace datapath implements them. Each band's bucket holds up to its
// burst and refills at its rate (in thousandths of a packet for packet
// meters, in bits for kbps ones); it starts full. A packet takes its cost
// from every band that can pay it; if some band cannot, the packet exceeds
// the band with the highest rate among those, which counts and drops it.
// It is safe for concurrent use; Police does not allocate.
type Meters struct {
	meters atomic.Pointer[map[uint32]*meter] // replaced whole on change
	mu     sync.Mutex                        // serializes replacements

	// Now is the meters' clock (time.Now unless set before first use).
	Now func() time.Time
}

// meter is one meter's buckets and counters, under its own lock as OVS
// keeps one per meter.
type meter struct {
	mu             sync.Mutex
	pktps          bool
	used           time.Time // when the buckets were last refilled
	packets, bytes uint64
	bands          []band
}

type band struct {
	rate    uint64 // bucket units per second / 1000
	cap     uint64 // bucket units
	bucket  uint64
	frac    uint64 // refill remainder, in billionths of a unit
	packets uint64
	bytes   uint64
}

// NewMeters returns an empty meter table on the system clock.
func NewMeters() *Meters {
	ms := &Meters{Now: time.Now}
	ms.meters.Store(&map[uint32]*meter{})
	return ms
}

// Set installs meter id with cfg, replacing any meter id was (whose
// buckets and counters start over, as in OVS).
func (ms *Meters) Set(id uint32, cfg MeterConfig) {
	m := &meter{pktps: cfg.Pktps, used: ms.Now(), bands: make([]band, len(cfg.Bands))}
	for i, c := range cfg.Bands {
		burst := c.Burst
		if burst == 0 {
			burst = c.Rate
		}
		b := &m.bands[i]
		b.rate = uint64(c.Rate)
		b.cap = uint64(burst) * 1000
		b.bucket = b.cap
	}
	ms.update(func(t map[uint32]*meter) { t[id] = m })
}

// Delete removes meter id.
func (ms *Meters) Delete(id uint32) {
	ms.update(func(t map[uint32]*meter) { delete(t, id) })
}

func (ms *Meters) update(fn func(map[uint32]*meter)) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	cur := *ms.meters.Load()
	next := make(map[uint32]*meter, len(cur)+1)
	for k, v := range cur {
		next[k] = v
	}
	fn(next)
	ms.meters.Store(&next)
}

// Stats returns meter id's counters.
func (ms *Meters) Stats(id uint32) (MeterStats, bool) {
	m, ok := (*ms.meters.Load())[id]
	if !ok {
		return MeterStats{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st := MeterStats{Packets: m.packets, Bytes: m.bytes, Bands: make([]BandStats, len(m.bands))}
	for i := range m.bands {
		st.Bands[i] = BandStats{m.bands[i].packets, m.bands[i].bytes}
	}
	return st, true
}

// Police implements [MeterTable].
func (ms *Meters) Police(id uint32, size int) bool {
	m, ok := (*ms.meters.Load())[id]
	if !ok {
		return true
	}
	now := ms.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	elapsed := now.Sub(m.used)
	if elapsed < 0 {
		elapsed = 0
	}
	m.used = now
	m.packets++
	m.bytes += uint64(size)
	cost := uint64(size) * 8
	if m.pktps {
		cost = 1000
	}
	hit := -1
	for i := range m.bands {
		b := &m.bands[i]
		b.refill(uint64(elapsed))
		if b.bucket >= cost {
			b.bucket -= cost
		} else if hit < 0 || b.rate > m.bands[hit].rate {
			hit = i
		}
	}
	if hit < 0 {
		return true
	}
	m.bands[hit].packets++
	m.bands[hit].bytes += uint64(size)
	return false
}

// refill adds what the band's rate earned in ns nanoseconds, up to its
// capacity; the fraction of a unit left over carries to the next refill
// so slow rates are not starved by frequent packets.
func (b *band) refill(ns uint64) {
	if b.bucket >= b.cap {
		b.frac = 0
		return
	}
	hi, lo := bits.Mul64(ns, b.rate*1000)
	lo, carry := bits.Add64(lo, b.frac, 0)
	hi += carry
	if hi >= 1e9 {
		// More than 2^64 units: certainly full.
		b.bucket, b.frac = b.cap, 0
		return
	}
	add, frac := bits.Div64(hi, lo, 1e9)
	if add >= b.cap-b.bucket {
		b.bucket, b.frac = b.cap, 0
		return
	}
	b.bucket += add
	b.frac = frac
}
