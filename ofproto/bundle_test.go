package ofproto

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/govs/govs/flowtable"
)

// TestRaceBundleAtomicForPackets translates packets while bundles that delete
// every flow and then add one back commit over and over: no translation
// may see the empty table in between (it would drop the packet).
func TestRaceBundleAtomicForPackets(t *testing.T) {
	d := newTestDP(t, PortConfig{Name: "p1"}, PortConfig{Name: "p2"}, PortConfig{Name: "p3"})
	b := d.br
	d.flows(flowtable.OpenFlow10, "priority=1,actions=output:p1")
	parse := func(text string, cmd flowtable.FlowCommand) *flowtable.Flow {
		f, err := flowtable.ParseFlow(text, cmd, b, flowtable.OpenFlow10)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	deleteAll := parse("", flowtable.FlowDelete)
	adds := []*flowtable.Flow{parse("priority=1,actions=output:p1", flowtable.FlowAdd), parse("priority=1,actions=output:p2", flowtable.FlowAdd)}

	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			_, err := b.Atomically(2, func(j int) error {
				if j == 0 {
					del := *deleteAll
					_, err := b.FlowMod(&del, flowtable.FlowDelete)
					return err
				}
				add := *adds[i%2]
				_, err := b.FlowMod(&add, flowtable.FlowAdd)
				return err
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var key flowtable.Key
	key.ParseFrame(pkt{src: macA, dst: macB}.build(t))
	flowtable.FieldInPort.Set(&key, 3) // p3
	for range 20000 {
		if tr := b.Translate(&key, 60); len(tr.Actions) == 0 {
			t.Fatal("a packet was switched by a bundle half applied (dropped)")
		}
	}
	stop.Store(true)
	wg.Wait()
}
