package ofproto

import (
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/govs/govs/flowtable"
)

// The expected texts are real OVS 3.1's `ovs-appctl ofproto/trace` output
// for the same bridge, flows and packet, with three differences: datapath
// port numbers are govs' (OpenFlow port numbers; OVS's netdev datapath
// numbers its ports from 2 here), the megaflow has no nw_frag (govs'
// datapath does not need it), the controller's userspace action carries
// no recirc_id (govs keeps continuations with the translation, not in
// the datapath), and a tagged flow has no
// "vlan_tci1=0x0000" (flowtable's match format prints one tag only).
func TestTrace(t *testing.T) {
	const (
		mac1 = "00:00:00:00:00:01"
		mac2 = "00:00:00:00:00:02"
	)
	tests := []struct {
		name  string
		ports []PortConfig
		flows []string
		of10  bool // the flows need OpenFlow 1.0 (dec_ttl), as with ovs-ofctl
		in    flowtable.Port
		pkt   pkt
		want  string
	}{
		{
			name:  "rewrites, dec_ttl, resubmit, controller",
			of10:  true,
			flows: []string{"table=0,priority=10,in_port=2,actions=mod_dl_src:00:00:00:00:00:aa,mod_nw_src:1.2.3.4,dec_ttl,resubmit(,1)", "table=1,priority=10,actions=mod_tp_dst:99,output:3,controller"},
			in:    2,
			pkt:   pkt{src: mac1, dst: mac2, proto: layers.IPProtocolTCP, dport: 80},
			want: `Flow: tcp,in_port=2,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,tp_src=0,tp_dst=80,tcp_flags=0

bridge("br0")
-------------
 0. in_port=2, priority 10
    mod_dl_src:00:00:00:00:00:aa
    mod_nw_src:1.2.3.4
    dec_ttl
    resubmit(,1)
 1. priority 10
    mod_tp_dst:99
    output:3
    CONTROLLER:65535

Final flow: tcp,in_port=2,vlan_tci=0x0000,dl_src=00:00:00:00:00:aa,dl_dst=00:00:00:00:00:02,nw_src=1.2.3.4,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=63,nw_frag=no,tp_src=0,tp_dst=99,tcp_flags=0
Megaflow: recirc_id=0,eth,tcp,in_port=2,dl_src=00:00:00:00:00:01,nw_src=10.0.0.1,nw_ttl=64,tp_dst=80
Datapath actions: set(eth(src=00:00:00:00:00:aa)),set(ipv4(src=1.2.3.4,ttl=63)),set(tcp(dst=99)),3,userspace(pid=0,controller(reason=1,dont_send=0,continuation=0,rule_cookie=0,controller_id=0,max_len=65535))
`,
		},
		{
			name:  "goto_table pipeline",
			flows: []string{"table=0,priority=10,in_port=1,actions=write_metadata:0x7/0xff,goto_table:1", "table=1,priority=10,actions=set_field:3->reg1,goto_table:2", "table=2,priority=10,actions=output:2"},
			in:    1,
			pkt:   pkt{src: mac1, dst: mac2, arp: true},
			want: `Flow: arp,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,arp_spa=10.0.0.1,arp_tpa=10.0.0.2,arp_op=1,arp_sha=00:00:00:00:00:01,arp_tha=00:00:00:00:00:00

bridge("br0")
-------------
 0. in_port=1, priority 10
    write_metadata:0x7/0xff
    goto_table:1
 1. priority 10
    set_field:0x3->reg1
    goto_table:2
 2. priority 10
    output:2

Final flow: arp,reg1=0x3,metadata=0x7,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,arp_spa=10.0.0.1,arp_tpa=10.0.0.2,arp_op=1,arp_sha=00:00:00:00:00:01,arp_tha=00:00:00:00:00:00
Megaflow: recirc_id=0,eth,arp,in_port=1
Datapath actions: 2
`,
		},
		{
			name:  "dec_ttl exception",
			of10:  true,
			flows: []string{"table=0,priority=10,in_port=2,actions=dec_ttl,output:3,IN_PORT"},
			in:    2,
			pkt:   pkt{src: mac1, dst: mac2, ttl: 1, sport: 1, dport: 2},
			want: `Flow: udp,in_port=2,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=1,nw_frag=no,tp_src=1,tp_dst=2

bridge("br0")
-------------
 0. in_port=2, priority 10
    dec_ttl
     >> IPv4 decrement TTL exception

Final flow: unchanged
Megaflow: recirc_id=0,eth,ip,in_port=2,nw_ttl=1
Datapath actions: userspace(pid=0,controller(reason=2,dont_send=0,continuation=0,rule_cookie=0,controller_id=0,max_len=65535))
`,
		},
		{
			name:  "learn suppressed, resubmit, flood",
			flows: []string{"table=0,priority=10,in_port=3,actions=learn(table=10,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,10)", "table=10,priority=0,actions=FLOOD"},
			in:    3,
			pkt:   pkt{src: mac1, dst: mac2, arp: true},
			want: `Flow: arp,in_port=3,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,arp_spa=10.0.0.1,arp_tpa=10.0.0.2,arp_op=1,arp_sha=00:00:00:00:00:01,arp_tha=00:00:00:00:00:00

bridge("br0")
-------------
 0. in_port=3, priority 10
    learn(table=10,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])
     >> suppressing side effects, so learn action ignored
    resubmit(,10)
10. priority 0
    FLOOD

Final flow: unchanged
Megaflow: recirc_id=0,eth,arp,in_port=3,dl_src=00:00:00:00:00:01
Datapath actions: 1,2,4,65534
`,
		},
		{
			name:  "NORMAL drops a tagged frame on an access port",
			ports: []PortConfig{access("p1", 10), access("p2", 20), access("p3", 10), {Name: "p4"}},
			in:    1,
			pkt:   pkt{src: mac1, dst: mac2, vlan: 5, sport: 1, dport: 2},
			want: `Flow: udp,in_port=1,dl_vlan=5,dl_vlan_pcp=0,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,tp_src=1,tp_dst=2

bridge("br0")
-------------
 0. priority 0
    NORMAL
     >>>> dropping VLAN 5 tagged packet received on port p1 configured as VLAN 10 access port <<<<
     >> disallowed VLAN VID for this input port, dropping

Final flow: unchanged
Megaflow: recirc_id=0,eth,ip,in_port=1,dl_vlan=5,dl_vlan_pcp=0,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02
Datapath actions: drop
`,
		},
		{
			name:  "NORMAL floods an access port's frame to its VLAN",
			ports: []PortConfig{access("p1", 10), access("p2", 20), access("p3", 10), {Name: "p4"}},
			in:    1,
			pkt:   pkt{src: mac1, dst: mac2, proto: layers.IPProtocolICMPv4},
			want: `Flow: icmp,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,icmp_type=8,icmp_code=0

bridge("br0")
-------------
 0. priority 0
    NORMAL
     -> no learned MAC for destination, flooding

Final flow: unchanged
Megaflow: recirc_id=0,eth,ip,in_port=1,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02
Datapath actions: 3,push_vlan(vid=10,pcp=0),4,65534
`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := tc.ports
			if ps == nil {
				ps = []PortConfig{{Name: "p1"}, {Name: "p2"}, {Name: "p3"}, {Name: "p4"}}
			}
			d := newTestDP(t, ps...)
			if tc.flows != nil {
				d.delFlows("")
				proto := flowtable.OpenFlow15
				if tc.of10 {
					proto = flowtable.OpenFlow10
				}
				d.flows(proto, tc.flows...)
			}
			got := d.br.Trace(tc.pkt.key(t, tc.in))
			if got != tc.want {
				t.Errorf("trace:\n%s\nwant:\n%s\ndiff at %q", got, tc.want, firstDiff(got, tc.want))
			}
		})
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return al[i] + " ≠ " + bl[i]
		}
	}
	return ""
}
