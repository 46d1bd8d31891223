// Package dummy is an in-memory datapath for one bridge, as OVS's dummy
// datapath is: tests (and tools) inject frames on datapath ports and see
// what the bridge does with them, with no devices involved. Every packet
// is translated by the bridge (there is no megaflow cache, so every packet
// takes the upcall path and credits the flows it hits once) and its
// datapath actions are executed; frames output on a port go to that
// port's handler, and packets sent to the controller go to the upcall
// handler the bridge's owner registers (the connection manager).
package dummy

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/govs/govs/datapath"
	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto"
)

// ErrNoPort is an injection on a datapath port the bridge does not have.
var ErrNoPort = errors.New("dummy: no such datapath port")

// Datapath runs one bridge's packets in memory. It is safe for concurrent
// use: injections and packet-outs may run at once, each on its own
// executor, and handlers may be called concurrently.
type Datapath struct {
	br      *ofproto.Bridge
	workers sync.Pool // *worker, so the packet path reuses its buffers

	outputs atomic.Pointer[map[uint32]func([]byte)] // replaced whole on change
	outMu   sync.Mutex                              // serializes replacements
	upcall  atomic.Pointer[func(*ofproto.PacketIn)]
	dropped atomic.Uint64
}

// New returns a datapath for b and attaches it as b's packet executor, so
// the bridge's packet-outs run here too.
func New(b *ofproto.Bridge) *Datapath {
	d := &Datapath{br: b}
	d.workers.New = func() any { return &worker{d: d, x: datapath.Executor{Meters: b.MeterTable()}} }
	d.outputs.Store(&map[uint32]func([]byte){})
	b.SetPacketExecutor(d)
	return d
}

// Bridge is the bridge the datapath serves.
func (d *Datapath) Bridge() *ofproto.Bridge { return d.br }

// OnOutput makes fn receive every frame output on datapath port port; nil
// removes the handler, and frames to a port without one are dropped, as
// on a link with nothing at the other end. The frame is valid only while
// fn runs: a handler that keeps it must copy it.
func (d *Datapath) OnOutput(port uint32, fn func(frame []byte)) {
	d.outMu.Lock()
	defer d.outMu.Unlock()
	cur := *d.outputs.Load()
	next := make(map[uint32]func([]byte), len(cur)+1)
	for p, f := range cur {
		next[p] = f
	}
	if fn == nil {
		delete(next, port)
	} else {
		next[port] = fn
	}
	d.outputs.Store(&next)
}

// Frames returns a channel that receives a copy of every frame output on
// datapath port port, replacing the port's handler. It holds up to n
// frames; when it is full further frames are dropped (see Dropped), as a
// transmit queue nobody drains would drop them.
func (d *Datapath) Frames(port uint32, n int) <-chan []byte {
	ch := make(chan []byte, n)
	d.OnOutput(port, func(frame []byte) {
		select {
		case ch <- bytes.Clone(frame):
		default:
			d.dropped.Add(1)
		}
	})
	return ch
}

// Dropped counts frames that had nowhere to go: output on a port without
// a handler or a bridge port, or to a full Frames channel.
func (d *Datapath) Dropped() uint64 { return d.dropped.Load() }

// SetUpcallHandler makes fn receive the packet-ins that controller
// actions and table misses produce; nil drops them. The packet-in's
// Packet is valid only while fn runs.
func (d *Datapath) SetUpcallHandler(fn func(pin *ofproto.PacketIn)) {
	if fn == nil {
		d.upcall.Store(nil)
		return
	}
	d.upcall.Store(&fn)
}

// Inject delivers frame to datapath port port as if it arrived there:
// the bridge translates it and its actions run before Inject returns, so
// output and upcall handlers have been called by then. frame is not
// kept.
func (d *Datapath) Inject(port uint32, frame []byte) error {
	w := d.workers.Get().(*worker)
	defer d.workers.Put(w)
	p := w.load(frame)
	t, ok := d.br.Receive(port, p)
	if !ok {
		return fmt.Errorf("%w %d", ErrNoPort, port)
	}
	w.run(p, t)
	return nil
}

// ExecutePacket implements [ofproto.PacketExecutor]: it runs a
// packet-out's actions on frame.
func (d *Datapath) ExecutePacket(frame []byte, t *ofproto.Translation) {
	w := d.workers.Get().(*worker)
	defer d.workers.Put(w)
	p := w.load(frame)
	var k flowtable.Key
	p.Info = k.ParseFrame(p.Frame())
	w.run(p, t)
}

// worker is the state of one packet in flight: an executor (which keeps
// scratch buffers and must not be shared), a packet buffer reused from
// packet to packet, and the translation being executed, which upcalls
// need for their metadata. It is the executor's sink.
type worker struct {
	d   *Datapath
	x   datapath.Executor
	pkt datapath.Packet
	cur *ofproto.Translation
}

// load copies frame into the worker's buffer, after the headroom pushes
// need.
func (w *worker) load(frame []byte) *datapath.Packet {
	p := &w.pkt
	need := datapath.DefaultHeadroom + len(frame)
	if cap(p.Buf) < need {
		p.Buf = make([]byte, need)
	}
	p.Buf = p.Buf[:cap(p.Buf)]
	p.Off, p.Len = datapath.DefaultHeadroom, len(frame)
	copy(p.Frame(), frame)
	return p
}

func (w *worker) run(p *datapath.Packet, t *ofproto.Translation) {
	w.cur = t
	w.x.Execute(p, t.Actions, w)
	w.cur = nil
}

// Output implements [datapath.Sink]: it counts the frame as transmitted
// on the bridge port (as a NIC would, listener or not) and hands it to the
// port's handler.
func (w *worker) Output(port uint32, frame []byte, _ bool) {
	bp, ok := w.d.br.PortByDP(port)
	if !ok {
		w.d.dropped.Add(1)
		return
	}
	st := bp.Stats()
	st.TxPackets.Add(1)
	st.TxBytes.Add(uint64(len(frame)))
	if fn := (*w.d.outputs.Load())[port]; fn != nil {
		fn(frame)
	} else {
		w.d.dropped.Add(1)
	}
}

// Upcall implements [datapath.Sink]: a controller action becomes a
// packet-in for the upcall handler.
func (w *worker) Upcall(u *datapath.Userspace, frame []byte) {
	fn := w.d.upcall.Load()
	if fn == nil {
		w.d.dropped.Add(1)
		return
	}
	pin := w.cur.PacketIn(u, frame)
	(*fn)(&pin)
}

// Recirculate implements [datapath.Sink]. The bridge's translations do
// not recirculate yet (no conntrack or bonds), so a recirculated packet
// has no pipeline to re-enter and is dropped.
func (w *worker) Recirculate(uint32, []byte, bool) { w.d.dropped.Add(1) }
