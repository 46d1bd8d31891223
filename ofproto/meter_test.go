package ofproto

import (
	"testing"
	"time"

	"github.com/govs/govs/flowtable"
)

// A flow's meter becomes a datapath meter action ahead of its outputs,
// and the datapath polices with the bridge's meter table: a burst passes,
// the rest is dropped and counted, and time refills the bucket.
func TestMeterPolicesFlow(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"})
	if _, err := d.br.MeterMod(MeterAdd, &Meter{ID: 1, Flags: MeterPktps | MeterBurst,
		Bands: []MeterBand{{Type: MeterBandDrop, Rate: 2, BurstSize: 4}}}); err != nil {
		t.Fatal(err)
	}
	d.flows(flowtable.OpenFlow15, "in_port=p1,actions=meter:1,output:p2")
	frame := pkt{src: macA, dst: macB}.build(t)
	passed := 0
	for range 10 {
		passed += len(d.inject("p1", frame))
	}
	if a := d.last.Actions.String(); a != "meter(1),2" {
		t.Errorf("datapath actions %q, want meter(1),2", a)
	}
	if passed != 4 {
		t.Errorf("%d of 10 passed, want the burst of 4", passed)
	}
	d.advance(time.Second)
	passed = 0
	for range 10 {
		passed += len(d.inject("p1", frame))
	}
	if passed != 2 {
		t.Errorf("a second later %d passed at 2 packets/s, want 2", passed)
	}
	st, _ := d.br.MeterStats(1)
	if st.Packets != 20 || st.Bands[0].Packets != 14 || st.Bands[0].Bytes != 14*uint64(len(frame)) {
		t.Errorf("meter stats %+v", st)
	}

	// Modifying the meter starts its buckets and counters over, as OVS.
	if _, err := d.br.MeterMod(MeterModify, &Meter{ID: 1, Flags: MeterPktps,
		Bands: []MeterBand{{Type: MeterBandDrop, Rate: 1}}}); err != nil {
		t.Fatal(err)
	}
	if st, _ := d.br.MeterStats(1); st.Packets != 0 {
		t.Errorf("after modify: %+v", st)
	}
	// Without the burst flag the burst is the rate.
	if n := len(d.inject("p1", frame)) + len(d.inject("p1", frame)); n != 1 {
		t.Errorf("rate 1 without burst passed %d of 2", n)
	}
	if _, err := d.br.MeterMod(MeterDelete, &Meter{ID: 1}); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.br.MeterStats(1); ok {
		t.Error("deleted meter still polices")
	}
}
