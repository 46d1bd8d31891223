package dummy_test

import (
	"bytes"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/dummy"
)

// frame builds an Ethernet frame from src to dst carrying an IPv4/UDP
// header and a payload, long enough to need no padding.
func frame(src, dst byte) []byte {
	f := []byte{
		0x0a, 0, 0, 0, 0, dst, 0x0a, 0, 0, 0, 0, src, 0x08, 0x00,
		0x45, 0, 0, 48, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, src, 10, 0, 0, dst,
		0x30, 0x39, 0x00, 0x35, 0, 28, 0, 0,
	}
	return append(f, []byte("twenty bytes payload")...)
}

// newDP returns a bridge with ports p1–p3 (datapath ports 1–3; LOCAL is
// datapath port 0xfffe) and its dummy datapath, listening on every port.
func newDP(t *testing.T, flows ...string) (*dummy.Datapath, map[uint32]<-chan []byte) {
	t.Helper()
	b := ofproto.NewBridge("br0")
	for _, n := range []string{"p1", "p2", "p3"} {
		if _, err := b.AddPort(ofproto.PortConfig{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	if len(flows) > 0 {
		b.FlushFlows()
	}
	for _, text := range flows {
		f, err := flowtable.ParseFlow(text, flowtable.FlowAdd, b, flowtable.OpenFlow10)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.FlowMod(f, flowtable.FlowAdd); err != nil {
			t.Fatal(err)
		}
	}
	d := dummy.New(b)
	chans := map[uint32]<-chan []byte{}
	for _, p := range []uint32{1, 2, 3, uint32(flowtable.PortLocal)} {
		chans[p] = d.Frames(p, 16)
	}
	return d, chans
}

// drain returns, in port order, the ports that have a frame waiting, and
// checks each frame is want.
func drain(t *testing.T, chans map[uint32]<-chan []byte, want []byte) []uint32 {
	t.Helper()
	var got []uint32
	for p, ch := range chans {
		for len(ch) > 0 {
			if f := <-ch; !bytes.Equal(f, want) {
				t.Errorf("port %d: frame %x, want %x", p, f, want)
			}
			got = append(got, p)
		}
	}
	slices.Sort(got)
	return got
}

func TestInject(t *testing.T) {
	local := uint32(flowtable.PortLocal)
	tests := []struct {
		name    string
		flows   []string
		in      uint32
		frame   []byte
		want    []uint32
		upcalls int
	}{
		{name: "NORMAL floods an unknown destination", in: 1, frame: frame(1, 2), want: []uint32{2, 3, local}},
		{name: "a flow", flows: []string{"in_port=1,actions=output:3"}, in: 1, frame: frame(1, 2), want: []uint32{3}},
		{name: "two outputs", flows: []string{"in_port=2,actions=output:1,output:3"}, in: 2, frame: frame(1, 2), want: []uint32{1, 3}},
		{name: "drop", flows: []string{"actions=drop"}, in: 1, frame: frame(1, 2)},
		{name: "controller", flows: []string{"actions=controller"}, in: 1, frame: frame(1, 2), upcalls: 1},
		{name: "output and controller", flows: []string{"actions=output:2,controller"}, in: 3, frame: frame(1, 2),
			want: []uint32{2}, upcalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, chans := newDP(t, tt.flows...)
			var pins []ofproto.PacketIn
			d.SetUpcallHandler(func(pin *ofproto.PacketIn) {
				p := *pin
				p.Packet = bytes.Clone(p.Packet)
				pins = append(pins, p)
			})
			if err := d.Inject(tt.in, tt.frame); err != nil {
				t.Fatal(err)
			}
			if got := drain(t, chans, tt.frame); !slices.Equal(got, tt.want) {
				t.Errorf("out on %v, want %v", got, tt.want)
			}
			if len(pins) != tt.upcalls {
				t.Fatalf("%d packet-ins, want %d", len(pins), tt.upcalls)
			}
			for _, pin := range pins {
				if in := flowtable.FieldInPort.Get(&pin.Metadata.Key); in != uint64(tt.in) ||
					pin.Reason != flowtable.ReasonAction || !bytes.Equal(pin.Packet, tt.frame) {
					t.Errorf("packet-in in_port %d reason %s data %x", in, pin.Reason, pin.Packet)
				}
			}
		})
	}
}

func TestInjectCountsAndErrors(t *testing.T) {
	d, chans := newDP(t, "in_port=1,actions=output:2,output:7")
	f := frame(1, 2)
	if err := d.Inject(9, f); !errors.Is(err, dummy.ErrNoPort) {
		t.Fatalf("inject on a missing port: %v", err)
	}
	if err := d.Inject(1, f); err != nil {
		t.Fatal(err)
	}
	drain(t, chans, f)
	p1, _ := d.Bridge().Port("p1")
	p2, _ := d.Bridge().Port("p2")
	if p1.Stats().RxPackets.Load() != 1 || p2.Stats().TxPackets.Load() != 1 ||
		p2.Stats().TxBytes.Load() != uint64(len(f)) {
		t.Errorf("port counters: p1 rx %d, p2 tx %d/%d bytes", p1.Stats().RxPackets.Load(),
			p2.Stats().TxPackets.Load(), p2.Stats().TxBytes.Load())
	}
	// output:7 names no port: the bridge drops it before the datapath.
	if d.Dropped() != 0 {
		t.Errorf("%d drops", d.Dropped())
	}
	d.OnOutput(2, nil)
	if err := d.Inject(1, f); err != nil {
		t.Fatal(err)
	}
	if d.Dropped() != 1 {
		t.Errorf("output to a port without a listener: %d drops, want 1", d.Dropped())
	}
}

// TestPacketOutRunsOnTheDatapath: the bridge's packet-outs execute on the
// attached dummy datapath.
func TestPacketOutRunsOnTheDatapath(t *testing.T) {
	d, chans := newDP(t)
	f := frame(7, 8)
	acts, err := flowtable.ParseFlowActions("output:2,output:3", d.Bridge(), nil, flowtable.OpenFlow10)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Bridge().PacketOut(flowtable.PortController, acts, f); err != nil {
		t.Fatal(err)
	}
	if got := drain(t, chans, f); !slices.Equal(got, []uint32{2, 3}) {
		t.Errorf("packet-out went out %v", got)
	}
}

// TestConcurrentInjection is for -race: injections on several ports at
// once, with handlers that keep what they get.
func TestConcurrentInjection(t *testing.T) {
	d, _ := newDP(t, "in_port=1,actions=output:2", "in_port=2,actions=output:1", "in_port=3,actions=controller")
	var mu sync.Mutex
	counts := map[string]int{}
	for _, p := range []uint32{1, 2} {
		d.OnOutput(p, func(f []byte) {
			mu.Lock()
			counts[string(f[:6])]++
			mu.Unlock()
		})
	}
	d.SetUpcallHandler(func(*ofproto.PacketIn) {
		mu.Lock()
		counts["controller"]++
		mu.Unlock()
	})
	const n = 200
	var wg sync.WaitGroup
	for _, in := range []uint32{1, 2, 3} {
		wg.Go(func() {
			for range n {
				if err := d.Inject(in, frame(byte(in), byte(in+10))); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if counts[string(frame(1, 11)[:6])] != n || counts[string(frame(2, 12)[:6])] != n || counts["controller"] != n {
		t.Errorf("counts %v", counts)
	}
}

// TestInjectAllocations keeps the packet path light: what allocates is
// the bridge's translation, not the datapath.
func TestInjectAllocations(t *testing.T) {
	d, _ := newDP(t, "in_port=1,actions=output:2")
	d.OnOutput(2, func([]byte) {})
	f := frame(1, 2)
	k := translationKey(f)
	translate := testing.AllocsPerRun(100, func() { d.Bridge().Translate(&k, len(f)) })
	inject := testing.AllocsPerRun(100, func() {
		if err := d.Inject(1, f); err != nil {
			t.Fatal(err)
		}
	})
	if inject > translate {
		t.Errorf("Inject allocates %.0f times, translation alone %.0f", inject, translate)
	}
}

func translationKey(f []byte) flowtable.Key {
	var k flowtable.Key
	k.ParseFrame(f)
	flowtable.FieldInPort.Set(&k, 1)
	return k
}
