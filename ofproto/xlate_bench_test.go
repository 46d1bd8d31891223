package ofproto

import (
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/govs/govs/datapath"
	"github.com/govs/govs/flowtable"
)

// A typical 3-table pipeline: classify by port into a register, filter by
// L4 port, forward with a rewrite.
func benchBridge(b *testing.B) *testDP {
	d := newTestDP(b, PortConfig{Name: "p1"}, PortConfig{Name: "p2"}, PortConfig{Name: "p3"})
	d.delFlows("")
	d.flows(flowtable.OpenFlow10,
		"table=0,in_port=p1,actions=load:1->NXM_NX_REG0[],resubmit(,1)",
		"table=0,in_port=p2,actions=load:2->NXM_NX_REG0[],resubmit(,1)",
		"table=1,priority=10,reg0=1,tcp,tp_dst=22,actions=drop",
		"table=1,priority=5,reg0=1,ip,actions=resubmit(,2)",
		"table=2,ip,nw_dst=10.0.0.2,actions=dec_ttl,mod_dl_dst:0a:00:00:00:00:02,output:p2",
		"table=2,priority=0,actions=NORMAL",
	)
	return d
}

func BenchmarkXlate(b *testing.B) {
	d := benchBridge(b)
	k := pkt{src: macA, dst: macB, proto: layers.IPProtocolTCP, sport: 1000, dport: 80}.key(b, 1)
	if got := d.br.Translate(k, 64).Actions.String(); got != "set(eth(dst=0a:00:00:00:00:02)),set(ipv4(ttl=63)),2" {
		b.Fatalf("pipeline gives %s", got)
	}
	b.ReportAllocs()
	for b.Loop() {
		d.br.Translate(k, 64)
	}
}

// BenchmarkUpcall is a whole miss: parse, translate, execute.
func BenchmarkUpcall(b *testing.B) {
	d := benchBridge(b)
	frame := pkt{src: macA, dst: macB, proto: layers.IPProtocolTCP, sport: 1000, dport: 80}.build(b)
	p := datapath.NewPacket(frame)
	var s nullSink
	b.ReportAllocs()
	for b.Loop() {
		copy(p.Buf[p.Off:], frame)
		var k flowtable.Key
		p.Info = k.ParseFrame(p.Frame())
		flowtable.FieldInPort.Set(&k, 1)
		d.x.Execute(p, d.br.Translate(&k, len(frame)).Actions, &s)
	}
}

type nullSink struct{}

func (nullSink) Output(uint32, []byte, bool)        {}
func (nullSink) Upcall(*datapath.Userspace, []byte) {}
func (nullSink) Recirculate(uint32, []byte, bool)   {}
