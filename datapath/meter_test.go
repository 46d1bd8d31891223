package datapath

import (
	"testing"
	"time"
)

// fakeClock is a settable clock for meters.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newTestMeters() (*Meters, *fakeClock) {
	c := &fakeClock{t: time.Unix(1_000_000, 0)}
	ms := NewMeters()
	ms.Now = c.now
	return ms, c
}

func police(ms *Meters, id uint32, size, n int) (passed int) {
	for range n {
		if ms.Police(id, size) {
			passed++
		}
	}
	return passed
}

func TestMeterPktpsBurst(t *testing.T) {
	ms, clock := newTestMeters()
	ms.Set(1, MeterConfig{Pktps: true, Bands: []MeterBandConfig{{Rate: 1, Burst: 5}}})
	if got := police(ms, 1, 100, 20); got != 5 {
		t.Errorf("burst of 5 passed %d of 20 packets at once", got)
	}
	clock.t = clock.t.Add(2 * time.Second)
	if got := police(ms, 1, 100, 10); got != 2 {
		t.Errorf("after 2s at 1 pktps %d passed, want 2", got)
	}
	// Half a second twice earns one packet: fractions carry over.
	clock.t = clock.t.Add(500 * time.Millisecond)
	passedHalf := police(ms, 1, 100, 1)
	clock.t = clock.t.Add(500 * time.Millisecond)
	if got := passedHalf + police(ms, 1, 100, 1); got != 1 {
		t.Errorf("two half seconds passed %d packets, want 1", got)
	}
	st, _ := ms.Stats(1)
	if st.Packets != 32 || st.Bytes != 3200 || st.Bands[0].Packets != 24 || st.Bands[0].Bytes != 2400 {
		t.Errorf("stats %+v", st)
	}
	// A long idle period refills only up to the burst.
	clock.t = clock.t.Add(time.Hour)
	if got := police(ms, 1, 100, 10); got != 5 {
		t.Errorf("after an hour %d passed, want the burst of 5", got)
	}
}

func TestMeterKbps(t *testing.T) {
	ms, clock := newTestMeters()
	// 8 kbps = 1000 bytes/s; no burst given: the burst is the rate, 8 kbit.
	ms.Set(7, MeterConfig{Bands: []MeterBandConfig{{Rate: 8}}})
	if got := police(ms, 7, 100, 20); got != 10 {
		t.Errorf("8 kbit bucket passed %d 100-byte packets, want 10", got)
	}
	clock.t = clock.t.Add(300 * time.Millisecond)
	if got := police(ms, 7, 100, 20); got != 3 {
		t.Errorf("after 300ms at 8 kbps %d passed, want 3", got)
	}
}

func TestMeterHighestRateBandCounts(t *testing.T) {
	ms, _ := newTestMeters()
	ms.Set(1, MeterConfig{Pktps: true, Bands: []MeterBandConfig{{Rate: 1, Burst: 2}, {Rate: 10, Burst: 4}}})
	if got := police(ms, 1, 60, 6); got != 2 {
		t.Errorf("%d passed, want 2", got)
	}
	st, _ := ms.Stats(1)
	// Packets 3–4 exceed only the slow band; 5–6 exceed both and count
	// on the faster one.
	if st.Bands[0].Packets != 2 || st.Bands[1].Packets != 2 {
		t.Errorf("band stats %+v", st.Bands)
	}
	ms.Set(1, MeterConfig{Pktps: true, Bands: []MeterBandConfig{{Rate: 1, Burst: 2}}})
	if st, _ := ms.Stats(1); st.Packets != 0 {
		t.Errorf("a replaced meter kept its counters: %+v", st)
	}
	ms.Delete(1)
	if !ms.Police(1, 60) {
		t.Error("a missing meter dropped a packet")
	}
	if _, ok := ms.Stats(1); ok {
		t.Error("deleted meter still has stats")
	}
}

func TestExecuteMeter(t *testing.T) {
	ms, _ := newTestMeters()
	ms.Set(1, MeterConfig{Pktps: true, Bands: []MeterBandConfig{{Rate: 1, Burst: 1}}})
	spec := frameSpec{src: "0a:00:00:00:00:01", dst: "0a:00:00:00:00:02", ipSrc: "10.0.0.1", ipDst: "10.0.0.2", ttl: 64}
	p := NewPacket(spec.build(t))
	x := Executor{Meters: ms}
	var s nullSink
	acts := Actions{&Output{1}, &Meter{1}, &Output{2}}
	x.Execute(p, acts, &s)
	x.Execute(p, acts, &s)
	if s.n != 3 {
		t.Errorf("%d outputs, want 3: the second packet stops at the meter", s.n)
	}
	s.n = 0
	x.Execute(p, Actions{&Clone{Actions: Actions{&Meter{1}, &Output{1}}}, &Output{2}}, &s)
	if s.n != 1 {
		t.Errorf("%d outputs, want 1: a drop in a clone ends only the clone", s.n)
	}
	if got := (Actions{&Meter{3}, &Output{2}}).String(); got != "meter(3),2" {
		t.Errorf("text %q", got)
	}
	if n := testing.AllocsPerRun(100, func() { x.Execute(p, acts, &s) }); n != 0 {
		t.Errorf("meter execution: %v allocations per run", n)
	}
}

func BenchmarkExecuteMeter(b *testing.B) {
	spec := frameSpec{src: "0a:00:00:00:00:01", dst: "0a:00:00:00:00:02", ipSrc: "10.0.0.1", ipDst: "10.0.0.2", ttl: 64}
	ms := NewMeters()
	// Fast enough that every packet passes: the cost measured is the
	// policing, not the early exit.
	ms.Set(1, MeterConfig{Pktps: true, Bands: []MeterBandConfig{{Rate: 1 << 31, Burst: 1 << 31}}})
	p := NewPacket(spec.build(b))
	x := Executor{Meters: ms}
	var s nullSink
	acts := Actions{&Meter{1}, &Output{2}}
	b.ReportAllocs()
	for b.Loop() {
		x.Execute(p, acts, &s)
	}
}
