package flowtable

import (
	"errors"
	"reflect"
	"testing"
)

// actionRoundTripTests hold inputs and what real ovs-ofctl 3.1 printed for
// them (`ovs-ofctl parse-flow`, default OpenFlow 1.0+NXM protocol).
var actionRoundTripTests = []struct{ name, in, out string }{
	{"output", "output:1", "output:1"},
	{"bare ports", "1,2,LOCAL", "output:1,output:2,LOCAL"},
	{"keyword case", "OUTPUT:1,Normal", "output:1,NORMAL"},
	{"spaces", " output:1 , output:2 ", "output:1,output:2"},
	{"empty is drop", "", "drop"},
	{"drop upper case", "DROP", "drop"},
	{"reserved ports", "NORMAL,FLOOD,ALL,IN_PORT,LOCAL,TABLE", "NORMAL,FLOOD,ALL,IN_PORT,LOCAL,TABLE"},
	{"highest port", "output:65279", "output:65279"},
	{"output truncated", "output(port=2,max_len=100)", "output(port=2,max_len=100)"},
	{"output register", "output:reg0[0..15]", "output:NXM_NX_REG0[0..15]"},
	{"controller", "controller", "CONTROLLER:65535"},
	{"controller max_len", "controller:100", "CONTROLLER:100"},
	{"output to controller", "output:CONTROLLER", "CONTROLLER:65535"},
	{"controller args", "controller(reason=no_match,max_len=10)", "controller(reason=no_match,max_len=10)"},
	{"controller pause", "controller(id=3,pause)", "controller(id=3,pause)"},
	{"controller empty userdata", "controller(userdata=)", "CONTROLLER:65535"},
	{"controller userdata", "controller(userdata=0102)", "controller(userdata=01.02)"},
	{"controller meter", "controller(meter_id=4294967295)", "controller(meter_id=4294967295)"},
	{"controller meter zero", "controller(meter_id=0)", "CONTROLLER:65535"},
	{"controller order", "controller(pause,meter_id=5,userdata=01,id=2,reason=group,max_len=7)",
		"controller(reason=group,max_len=7,id=2,userdata=01,pause,meter_id=5)"},
	{"enqueue colon", "enqueue:1:2", "enqueue:1:2"},
	{"enqueue parens", "enqueue(LOCAL,2)", "enqueue:LOCAL:2"},
	{"mod_vlan_vid", "mod_vlan_vid:4095", "mod_vlan_vid:4095"},
	{"mod_vlan_pcp", "mod_vlan_pcp:7", "mod_vlan_pcp:7"},
	{"pop_vlan is strip_vlan", "pop_vlan", "strip_vlan"},
	{"mod_dl_src short octets", "mod_dl_src:0:1:2:3:4:5", "mod_dl_src:00:01:02:03:04:05"},
	{"mod_nw_tos hex", "mod_nw_tos:0xfc", "mod_nw_tos:252"},
	{"mod_nw_ecn", "mod_nw_ecn:3", "load:0x3->NXM_NX_IP_ECN[]"},
	{"mod_nw_ttl zero", "mod_nw_ttl:0", "load:0->NXM_NX_IP_TTL[]"},
	{"mod_tp_src", "mod_tp_src:1", "mod_tp_src:1"},
	{"dec_ttl ids", "dec_ttl(1,2,3)", "dec_ttl(1,2,3)"},
	{"dec_ttl empty parens", "dec_ttl()", "dec_ttl"},
	{"set_field ip prefix", "set_field:10.0.0.0/8->ip_src", "mod_nw_src:10.0.0.0"},
	{"set_field masked reg", "set_field:0x10/0xf0->reg3", "load:0x1->NXM_NX_REG3[4..7]"},
	{"set_field split mask", "set_field:0x1122334455667788/0xffff0000ffff0000->xreg0",
		"load:0x5566->OXM_OF_PKT_REG0[16..31],load:0x1122->OXM_OF_PKT_REG0[48..63]"},
	{"set_field vlan_tci no cfi", "set_field:0x8000->vlan_tci", "strip_vlan"},
	{"set_field vlan_tci", "set_field:0xffff->vlan_tci", "mod_vlan_vid:4095,mod_vlan_pcp:7"},
	{"set_field ipv6 prefix", "set_field:2001:db8::1/64->ipv6_src", "load:0x20010db800000000->NXM_NX_IPV6_SRC[64..127]"},
	{"set_field twice", "set_field:0x1->reg0,set_field:0x2->reg0", "load:0x1->NXM_NX_REG0[],load:0x2->NXM_NX_REG0[]"},
	{"set_field tp_dst", "set_field:80->tp_dst", "mod_tp_dst:80"},
	{"set_field ip_dscp", "set_field:46->ip_dscp", "mod_nw_tos:184"},
	{"load wide zero", "load:0->NXM_NX_XXREG3[]", "load:0->NXM_NX_XXREG3[0..63],load:0->NXM_NX_XXREG3[64..127]"},
	{"load over 64 bits", "load:0xffffffffffffffffff->NXM_NX_XXREG3[0..71]",
		"load:0xffffffffffffffff->NXM_NX_XXREG3[0..63],load:0xff->NXM_NX_XXREG3[64..71]"},
	{"load leading zeros", "load:0x001122334455->NXM_OF_ETH_SRC[]", "load:0x1122334455->NXM_OF_ETH_SRC[]"},
	{"move", "move:NXM_NX_REG0[]->NXM_NX_REG1[]", "move:NXM_NX_REG0[]->NXM_NX_REG1[]"},
	{"move bare names", "move:reg0->NXM_NX_REG1[]", "move:NXM_NX_REG0[]->NXM_NX_REG1[]"},
	{"move in_port", "move:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15]", "move:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15]"},
	{"push wide", "push:NXM_NX_XXREG0[]", "push:NXM_NX_XXREG0[]"},
	{"pop bit", "pop:NXM_NX_REG0[5]", "pop:NXM_NX_REG0[5]"},
	{"resubmit port name", "resubmit:LOCAL", "resubmit:LOCAL"},
	{"resubmit one arg", "resubmit(1)", "resubmit:1"},
	{"resubmit table 0", "resubmit(,0)", "resubmit(,0)"},
	{"resubmit both", "resubmit(2,3)", "resubmit(2,3)"},
	{"table numbers are decimal", "resubmit(,010)", "resubmit(,10)"},
	{"goto_table", "goto_table:0", "resubmit(,0)"},
	{"write_metadata zero", "write_metadata:0", "write_metadata:0"},
	{"write_metadata mask", "write_metadata:0xff/0xf", "write_metadata:0xff/0xf"},
	{"write_metadata full mask", "write_metadata:0x1/0xffffffffffffffff", "write_metadata:0x1"},
	{"set_tunnel zero", "set_tunnel:0", "set_tunnel:0"},
	{"set_tunnel64", "set_tunnel64:0x1", "set_tunnel64:0x1"},
	{"set_tunnel wide", "set_tunnel:0x100000000", "set_tunnel64:0x100000000"},
	{"set_queue", "set_queue:0", "set_queue:0"},
	{"group max", "group:4294967295", "group:4294967295"},
	{"note empty", "note:", "note:00.00.00.00.00.00"},
	{"note dots", "note:0102.03", "note:01.02.03.00.00.00"},
	{"conjunction max", "conjunction(4294967295,64/64)", "conjunction(4294967295,64/64)"},
	{"ct_clear", "ct_clear", "ct_clear"},
	{"exit", "exit", "exit"},
	{"dec_mpls_ttl", "dec_mpls_ttl", "dec_mpls_ttl"},
	{"set_mpls_label", "set_mpls_label:1048575", "set_mpls_label(1048575)"},
	{"set_mpls_tc", "set_mpls_tc:7", "set_mpls_tc(7)"},
	{"set_mpls_ttl", "set_mpls_ttl:255", "set_mpls_ttl(255)"},
	{"push_mpls", "push_mpls:0x8848", "push_mpls:0x8848"},
	{"pop_mpls", "pop_mpls:0x0800", "pop_mpls:0x0800"},
	{"fin_timeout", "fin_timeout(hard_timeout=5)", "fin_timeout(hard_timeout=5)"},
	{"fin_timeout empty", "fin_timeout()", "fin_timeout()"},
	{"sample egress", "sample(probability=1,collector_set_id=0,obs_domain_id=0,obs_point_id=0,egress)",
		"sample(probability=1,collector_set_id=0,obs_domain_id=0,obs_point_id=0,egress)"},
	{"check_pkt_larger", "check_pkt_larger(0)->NXM_NX_REG0[31]", "check_pkt_larger(0)->NXM_NX_REG0[31]"},
	{"clone empty", "clone()", "clone(drop)"},
	{"clone set_field", "clone(set_field:1->reg0,resubmit(,1))", "clone(load:0x1->NXM_NX_REG0[],resubmit(,1))"},
	{"multipath", "multipath(nw_dst,0,modulo_n,65536,0,NXM_NX_REG0[])", "multipath(nw_dst,0,modulo_n,65536,0,NXM_NX_REG0[])"},
	{"multipath iter_hash", "multipath(symmetric_l3,0,iter_hash,16,0,NXM_NX_REG0[0..3])",
		"multipath(symmetric_l3,0,iter_hash,16,0,NXM_NX_REG0[0..3])"},
	{"bundle_load", "bundle_load(nw_src,1,active_backup,ofport,NXM_NX_REG0[0..15],members:4)",
		"bundle_load(nw_src,1,active_backup,ofport,NXM_NX_REG0[0..15],members:4)"},
	{"bundle slaves", "bundle(eth_src,0,hrw,ofport,slaves:1,2)", "bundle(eth_src,0,hrw,ofport,members:1,2)"},
	{"learn empty", "learn()", "learn(table=1)"},
	{"learn options", "learn(table=0,priority=0,idle_timeout=1,hard_timeout=2,cookie=0xff,limit=1,NXM_NX_REG0[0..3]=0,load:0->NXM_NX_REG1[],load:NXM_NX_REG0[0..3]->NXM_NX_REG1[4..7])",
		"learn(table=0,idle_timeout=1,hard_timeout=2,priority=0,cookie=0xff,limit=1,NXM_NX_REG0[0..3]=0,load:0->NXM_NX_REG1[],load:NXM_NX_REG0[0..3]->NXM_NX_REG1[4..7])"},
	{"learn flags", "learn(table=1,priority=5,send_flow_rem,cookie=0x5,reg0[0..7]=5,load:5->reg1[0..3],NXM_NX_REG2[0..7]=0x3)",
		"learn(table=1,priority=5,send_flow_rem,cookie=0x5,NXM_NX_REG0[0..7]=0x5,load:0x5->NXM_NX_REG1[0..3],NXM_NX_REG2[0..7]=0x3)"},
	{"learn copy and output", "learn(NXM_NX_REG0[]=NXM_NX_REG1[],output:NXM_NX_REG2[0..15])",
		"learn(table=1,NXM_NX_REG0[]=NXM_NX_REG1[],output:NXM_NX_REG2[0..15])"},
	{"learn whole subfield immediate", "learn(reg0[]=5)", "learn(table=1,reg0=0x5)"},
	{"learn port", "learn(table=1,in_port=LOCAL)", "learn(table=1,in_port=LOCAL)"},
	{"learn result_dst", "learn(table=1,priority=5,fin_idle_timeout=3,delete_learned,send_flow_rem,result_dst=reg0[1],limit=2)",
		"learn(table=1,fin_idle_timeout=3,priority=5,send_flow_rem,delete_learned,limit=2,result_dst=NXM_NX_REG0[1])"},
	{"ct zone subfield", "ct(zone=NXM_NX_REG0[16..31])", "ct(zone=NXM_NX_REG0[16..31])"},
	{"ct options", "ct(commit,force,table=0,zone=65535,alg=tftp)", "ct(commit,force,table=0,zone=65535,alg=tftp)"},
	{"nat single range", "ct(commit,nat(dst=10.0.0.1-10.0.0.1))", "ct(commit,nat(dst=10.0.0.1))"},
	{"nat single port", "ct(commit,nat(src=10.0.0.1:1-1))", "ct(commit,nat(src=10.0.0.1:1))"},
	{"nat port zero", "ct(commit,nat(src=10.0.0.1:0))", "ct(commit,nat(src=10.0.0.1))"},
	{"nat ipv6", "ct(commit,nat(src=2001:db8::1))", "ct(commit,nat(src=2001:db8::1))"},
	{"nat ipv6 ports", "ct(commit,nat(src=[2001:db8::1]-[2001:db8::2]:5-6,persistent,random))",
		"ct(commit,nat(src=[2001:db8::1]-[2001:db8::2]:5-6,persistent,random))"},
	{"nat bare src", "ct(nat(src),commit)", "ct(commit,nat(src))"},
	{"nat after exec", "ct(commit,exec(set_field:1->ct_mark),nat(src=1.1.1.1))",
		"ct(commit,exec(load:0x1->NXM_NX_CT_MARK[],nat(src=1.1.1.1)))"},
	{"ct exec", "ct(exec(set_field:0x1/0x1->ct_mark,set_field:0xff->ct_label),commit)",
		"ct(commit,exec(load:0x1->NXM_NX_CT_MARK[0],load:0xff->NXM_NX_CT_LABEL[0..63],load:0->NXM_NX_CT_LABEL[64..127]))"},
	{"ct label high", "ct(commit,exec(load:0x1->NXM_NX_CT_LABEL[64..127]))", "ct(commit,exec(load:0x1->NXM_NX_CT_LABEL[64..127]))"},
	{"write_actions dropped", "write_actions(output:1,group:1)", "drop"},
	{"clear_actions dropped", "clear_actions,write_actions(output:1)", "drop"},
	{"push_vlan needs OpenFlow 1.1", "push_vlan:0x8100,set_field:0x1005->vlan_vid,output:1",
		"push_vlan:0x8100,set_field:4101->vlan_vid,output:1"},
	{"meter needs OpenFlow 1.3", "meter:1,write_actions(output:1),goto_table:3", "meter:1,write_actions(output:1),goto_table:3"},
}

func TestActionsRoundTrip(t *testing.T) {
	for _, tt := range actionRoundTripTests {
		t.Run(tt.name, func(t *testing.T) {
			acts, err := ParseActions(tt.in, nil)
			if err != nil {
				t.Fatalf("ParseActions(%q): %v", tt.in, err)
			}
			got := acts.Format(nil)
			if got != tt.out {
				t.Fatalf("ParseActions(%q).Format() = %q, want %q", tt.in, got, tt.out)
			}
			again, err := ParseActions(got, nil)
			if err != nil {
				t.Fatalf("reparsing %q: %v", got, err)
			}
			if !reflect.DeepEqual(again, acts) {
				t.Fatalf("reparsing %q gave %#v, want %#v", got, again, acts)
			}
		})
	}
}

func TestActionsPortNames(t *testing.T) {
	tests := []struct{ name, in, out, named string }{
		{"output", "output:veth22", "output:2", "output:veth22"},
		{"bare name", "veth21", "output:3", "output:veth21"},
		{"resubmit", "resubmit(veth11,3)", "resubmit(1,3)", "resubmit(veth11,3)"},
		{"enqueue", "enqueue(veth22,5)", "enqueue:2:5", "enqueue:veth22:5"},
		{"bundle", "bundle(eth_src,0,hrw,ofport,members:veth11,p4)", "bundle(eth_src,0,hrw,ofport,members:1,4)",
			"bundle(eth_src,0,hrw,ofport,members:veth11,p4)"},
		{"output truncated", "output(port=p4,max_len=64)", "output(port=4,max_len=64)", "output(port=p4,max_len=64)"},
		{"sampling port", "sample(probability=1,sampling_port=veth22)",
			"sample(probability=1,collector_set_id=0,obs_domain_id=0,obs_point_id=0,sampling_port=2)",
			"sample(probability=1,collector_set_id=0,obs_domain_id=0,obs_point_id=0,sampling_port=veth22)"},
		{"unnamed port", "output:9", "output:9", "output:9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acts, err := ParseActions(tt.in, goldenPorts)
			if err != nil {
				t.Fatal(err)
			}
			if got := acts.Format(nil); got != tt.out {
				t.Errorf("Format(nil) = %q, want %q", got, tt.out)
			}
			if got := acts.Format(goldenPorts); got != tt.named {
				t.Errorf("Format(names) = %q, want %q", got, tt.named)
			}
		})
	}
}

// TestActionsParseErrors checks error texts against ovs-ofctl's (after
// its "ovs-ofctl: " prefix).
func TestActionsParseErrors(t *testing.T) {
	tests := []struct{ name, in, err string }{
		{"unknown action", "frobnicate", "unknown action frobnicate"},
		{"unknown action with arg", "foo:1", "unknown action foo"},
		{"unknown port", "output:nosuchport", "nosuchport: output to unknown port"},
		{"drop first", "drop,output:1", `"drop" must not be accompanied by any other action or instruction`},
		{"drop nested", "clone(clone(output:1),drop)", `"drop" must not be accompanied by any other action or instruction`},
		{"output bad key", "output(port=1,foo=2)", "port=1,foo=2: output to unknown port"},
		{"truncate register", "output(port=reg0[0..15],max_len=100)", "output to unknown truncate port: reg0[0..15]"},
		{"controller reason", "controller(reason=bogus)", `unknown reason "bogus"`},
		{"ct argument", "ct(bogus)", "invalid argument to \"ct\" action: `bogus'"},
		{"ct timeout", "ct(commit,timeout=mytp)", "invalid argument to \"ct\" action: `timeout'"},
		{"ct force alone", "ct(force)", `"force" flag requires "commit" flag.`},
		{"ct nested output", "ct(commit,exec(output:1))", "ct action doesn't support nested action output"},
		{"ct nested reg", "ct(commit,exec(set_field:1->reg0))", "ct action doesn't support nested modification of reg0"},
		{"ct zone", "ct(zone=70000)", "70000: unknown field `70000'"},
		{"ct alg", "ct(alg=foo)", `invalid conntrack helper "foo"`},
		{"nat hash random", "ct(commit,nat(src=1.1.1.1,random,hash))", `Both "hash" and "random" are not allowed.`},
		{"nat flags alone", "ct(commit,nat(random))", `Flags allowed only with "src" or "dst".`},
		{"learn keyword", "learn(table=1,foo=bar)", "table=1,foo=bar: unknown keyword foo"},
		{"learn importance", "learn(table=0,importance=5,in_port=99,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[])",
			"table=0,importance=5,in_port=99,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[]: unknown keyword importance"},
		{"learn arrow", "learn(NXM_OF_IN_PORT[]->NXM_NX_REG15[])",
			"NXM_OF_IN_PORT[]->NXM_NX_REG15[]: unknown keyword NXM_OF_IN_PORT[]->NXM_NX_REG15[]"},
		{"learn load width", "learn(load:NXM_OF_IN_PORT[]->NXM_NX_REG15[])",
			"NXM_OF_IN_PORT[]->NXM_NX_REG15[]: source field is 16 bits wide but destination is 32 bits wide"},
		{"learn match width", "learn(NXM_OF_IN_PORT[]=NXM_NX_REG15[])",
			"NXM_OF_IN_PORT[]=NXM_NX_REG15[]: bit widths of NXM_OF_IN_PORT[] (32) and NXM_NX_REG15[] (16) differ"},
		{"multipath algorithm", "multipath(eth_src,50,bogus,1,0,NXM_NX_REG0[])",
			"eth_src,50,bogus,1,0,NXM_NX_REG0[]: unknown algorithm `bogus'"},
		{"multipath fields", "multipath(foo,50,hrw,3,0,NXM_NX_REG0[0..7])", "foo,50,hrw,3,0,NXM_NX_REG0[0..7]: unknown fields `foo'"},
		{"multipath links", "multipath(eth_src,50,hrw,300,0,NXM_NX_REG0[0..7])",
			"eth_src,50,hrw,300,0,NXM_NX_REG0[0..7]: 8-bit destination field has 256 possible values, less than specified n_links 300"},
		{"note digit", "note:xyz", "bad hex digit in `note' argument"},
		{"note text", "note:hello", "bad hex digit in `note' argument"},
		{"conjunction index", "conjunction(1,3/2)", "clause index must be less than or equal to number of clauses"},
		{"conjunction zero", "conjunction(1,0/2)", "clause index must be positive"},
		{"conjunction one clause", "conjunction(1,1/1)", "conjunction must have at least 2 clauses"},
		{"conjunction with output", "conjunction(1,1/2),output:1",
			`"conjunction" actions may be used along with "note" but not any other kind of action (such as the "output" action used here)`},
		{"vlan vid", "mod_vlan_vid:4096", "4096: not a valid VLAN VID"},
		{"vlan pcp", "mod_vlan_pcp:8", "8: not a valid VLAN PCP"},
		{"tos", "mod_nw_tos:3", "3: not a valid TOS"},
		{"ecn", "mod_nw_ecn:4", "4: not a valid ECN"},
		{"ttl", "mod_nw_ttl:256", `invalid TTL "256"`},
		{"load too big", "load:0x10000->NXM_NX_REG0[0..15]", "0x10000->NXM_NX_REG0[0..15]: value 0x10000 does not fit into 16 bits"},
		{"load unknown field", "load:5->NXM_NX_NOPE[]", "NXM_NX_NOPE[]: unknown field `NXM_NX_NOPE'"},
		{"load missing arrow", "load:5", "5: missing `->'"},
		{"set_field missing arrow", "set_field:5", "5: missing `->'"},
		{"set_field unknown", "set_field:1->nosuchfield", "nosuchfield is not a valid OXM field name"},
		{"set_field NXM name", "set_field:1->NXM_NX_REG0", "NXM_NX_REG0 is not a valid OXM field name"},
		{"set_field read-only", "set_field:0x8100->eth_type", "eth_type is read-only"},
		{"set_field ct_mark", "set_field:7->ct_mark", "cannot set CT fields outside of ct action"},
		{"load ct_label", "load:0x0->NXM_NX_CT_LABEL[0]", "cannot set CT fields outside of ct action"},
		{"move widths", "move:NXM_NX_REG0[0..15]->NXM_NX_REG1[0..7]",
			"NXM_NX_REG0[0..15]->NXM_NX_REG1[0..7]: source field is 16 bits wide but destination is 8 bits wide"},
		{"move in_port", "move:NXM_OF_IN_PORT[]->NXM_NX_REG14[]",
			"NXM_OF_IN_PORT[]->NXM_NX_REG14[]: source field is 16 bits wide but destination is 32 bits wide"},
		{"move missing arrow", "move:reg0", "reg0: missing `->' following source"},
		{"output bad subfield", "output:NXM_NX_REG0[0..40]", "NXM_NX_REG0[0..40]: output to unknown port"},
		{"enqueue syntax", "enqueue:1", `"enqueue" syntax is "enqueue:PORT:QUEUE" or "enqueue(PORT,QUEUE)"`},
		{"enqueue port", "enqueue(nosuchport,1)", "nosuchport: enqueue to unknown port"},
		{"set_queue", "set_queue:foo", "invalid numeric format foo"},
		{"group", "group:foo", "invalid numeric format foo"},
		{"check_pkt_larger arrow", "check_pkt_larger(1500)", "1500: missing `->'"},
		{"check_pkt_larger width", "check_pkt_larger(100)->reg0[0..1]", "Only 1-bit destination field is allowed"},
		{"push_vlan type", "push_vlan:0x1234", "0x1234: not a valid VLAN ethertype"},
		{"resubmit table", "resubmit(,256)", "256: resubmit to unknown table"},
		{"resubmit nothing", "resubmit(,)", `at least one "in_port" or "table" must be specified on resubmit`},
		{"resubmit in_port", "resubmit:IN_PORT", `at least one "in_port" or "table" must be specified on resubmit`},
		{"sample probability", "sample(probability=0)", `invalid probability value "0"`},
		{"dec_ttl ids", "dec_ttl(,)", "dec_ttl_cnt_ids: expected at least one controller id."},
		{"goto then output", "goto_table:1,output:1",
			"invalid instruction ordering: apply_actions must appear before goto_table, for OpenFlow 1.1+ compatibility"},
		{"clear then output", "clear_actions,output:1",
			"invalid instruction ordering: apply_actions must appear before clear_actions, for OpenFlow 1.1+ compatibility"},
		{"two write_metadata", "write_metadata:0x1,write_metadata:0x2",
			"duplicate write_metadata instruction not allowed, for OpenFlow 1.1+ compatibility"},
		{"two goto_table", "goto_table:1,goto_table:2", "duplicate goto_table instruction not allowed, for OpenFlow 1.1+ compatibility"},
		{"bundle port", "bundle(eth_src,0,hrw,ofport,members:nosuch,LOCAL)", "nosuch: bad port number"},
		{"learn table 255", "learn(table=255)", "table=255: table id 255 not valid for `learn' action"},
		{"learn table 256", "learn(table=256)", `unknown table "256"`},
		{"learn immediate width", "learn(NXM_NX_REG0[0..7]=0x1ff)",
			"NXM_NX_REG0[0..7]=0x1ff: NXM_NX_REG0[0..7] value 0x1ff cannot be parsed as a subfield (0x1ff: unknown field `0x1ff') or an immediate value (NXM_NX_REG0[0..7]=0x1ff: value 0x1ff does not fit into 8 bits)"},
		{"learn load immediate width", "learn(load:0x100->NXM_NX_REG0[0..7])", "0x100->NXM_NX_REG0[0..7]: value does not fit into 8 bits"},
		{"learn whole-field immediate syntax", "learn(NXM_OF_ETH_SRC[]=0x1)",
			"NXM_OF_ETH_SRC[]=0x1: NXM_OF_ETH_SRC[] value 0x1 cannot be parsed as a subfield (0x1: unknown field `0x1') or an immediate value (0x1: invalid Ethernet address)"},
		{"learn wildcards", "learn(reg0=5/0xff,in_port=1,eth_src=00:11:22:33:44:55)",
			"reg0=5/0xff,in_port=1,eth_src=00:11:22:33:44:55: reg0 value 5/0xff cannot be parsed as a subfield (5/0xff: unknown field `5/0xff') or an immediate value (5/0xff: wildcards not allowed here)"},
		{"clone write_actions", "clone(write_actions(output:1))", "write_actions instruction not allowed here"},
		{"clone goto_table", "clone(goto_table:1)", "goto_table instruction not allowed here"},
		{"write_actions goto_table", "write_actions(goto_table:1)", "goto_table instruction not allowed here"},
		{"clone meter", "clone(meter:1)", "clone action doesn't support nested action meter"},
		{"ct goto_table", "ct(exec(goto_table:1))", "ct action doesn't support nested action goto_table"},
		{"ct table 255", "ct(table=255)", "invalid table 0xff"},
		{"ct table 300", "ct(table=300)", "unknown table 300"},
		{"nat reversed", "ct(commit,nat(src=10.0.0.2-10.0.0.1))", `invalid nat range "10.0.0.2-10.0.0.1"`},
		{"nat ports reversed", "ct(commit,nat(src=10.0.0.1:2-1))", `invalid nat range "10.0.0.1:2-1"`},
		{"nat src and dst", "ct(commit,nat(src=10.0.0.1,dst=10.0.0.2))", `May only specify one of "src" or "dst".`},
		{"fin_timeout overflow", "fin_timeout(idle_timeout=65536)", `invalid idle_timeout "65536"`},
		{"sample overflow", "sample(probability=65536)", `invalid probability "65536"`},
		{"max_len too small", "output(port=1,max_len=10)", "max_len 10 is less than the minimum value 14"},
		{"tos overflow", "mod_nw_tos:256", `invalid TOS "256"`},
		{"mac", "mod_dl_src:00:11:22:33:44", "invalid mac address 00:11:22:33:44"},
		{"ip", "mod_nw_src:1.2.3", "1.2.3: could not convert to IP address"},
		{"mpls label", "set_mpls_label:1048576", "1048576: not a valid MPLS label"},
		{"mpls tc", "set_mpls_tc:8", "8: not a valid MPLS TC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseActions(tt.in, goldenPorts)
			if err == nil {
				t.Fatalf("ParseActions(%q) succeeded, want error %q", tt.in, tt.err)
			}
			if err.Error() != tt.err {
				t.Fatalf("ParseActions(%q) error\n got  %v\n want %s", tt.in, err, tt.err)
			}
		})
	}
}

// matchOf builds a match from field=value pairs (exact matches).
func matchOf(t *testing.T, pairs ...string) *Match {
	t.Helper()
	m := &Match{}
	for i := 0; i < len(pairs); i += 2 {
		f, ok := FieldByName(pairs[i])
		if !ok {
			t.Fatalf("no field %s", pairs[i])
		}
		v, mask, err := f.ParseValue(pairs[i+1], nil)
		if err != nil {
			t.Fatal(err)
		}
		m.SetBytesMasked(f, v, mask)
	}
	return m
}

func TestActionsCheck(t *testing.T) {
	ip := []string{"eth_type", "0x0800"}
	tcp := []string{"eth_type", "0x0800", "nw_proto", "6"}
	arp := []string{"eth_type", "0x0806"}
	ipv6 := []string{"eth_type", "0x86dd"}
	trkNotInv := []string{"ct_state", "+trk-inv"}
	tests := []struct {
		name    string
		match   []string
		actions string
		warning string // "" with code "" means the check passes
		code    string
	}{
		{"set_field tcp_dst without tcp", nil, "set_field:80->tcp_dst", "set_field tcp_dst lacks correct prerequisites", "OFPBAC_MATCH_INCONSISTENT"},
		{"set_field tcp_dst with tcp", tcp, "set_field:80->tcp_dst", "", ""},
		{"set_field tcp_dst with udp", []string{"eth_type", "0x0800", "nw_proto", "17"}, "set_field:80->tcp_dst",
			"set_field tcp_dst lacks correct prerequisites", "OFPBAC_MATCH_INCONSISTENT"},
		{"set_field ip_src without ip", nil, "set_field:10.0.0.1->ip_src", "set_field ip_src lacks correct prerequisites", "OFPBAC_MATCH_INCONSISTENT"},
		{"load ip_src without ip", nil, "load:5->NXM_OF_IP_SRC[]", "set_field ip_src lacks correct prerequisites", "OFPBAC_MATCH_INCONSISTENT"},
		{"set_field vlan_vid untagged", nil, "set_field:0x1005->vlan_vid", "set_field vlan_vid lacks correct prerequisites", "OFPBAC_MATCH_INCONSISTENT"},
		{"set_field vlan_pcp tagged", []string{"vlan_tci", "0x1000/0x1000"}, "set_field:3->vlan_pcp", "", ""},
		{"set_field arp_op", arp, "set_field:1->arp_op", "", ""},
		{"move tcp_src without tcp", nil, "move:NXM_OF_TCP_SRC[]->NXM_NX_REG0[0..15]", "source field tcp_src lacks correct prerequisites", "OFPBAC_MATCH_INCONSISTENT"},
		{"move arp_sha without arp", nil, "move:NXM_NX_ARP_SHA[]->NXM_OF_ETH_SRC[]", "source field arp_sha lacks correct prerequisites", "OFPBAC_MATCH_INCONSISTENT"},
		{"move into ip_dst", nil, "move:NXM_NX_REG0[]->NXM_OF_IP_DST[]", "destination field ip_dst lacks correct prerequisites", "OFPBAC_MATCH_INCONSISTENT"},
		{"mod_tp_dst in OpenFlow 1.0", nil, "mod_tp_dst:80", "", ""},
		{"mod_nw_src in OpenFlow 1.0", nil, "mod_nw_src:1.1.1.1", "", ""},
		{"output to ANY", nil, "output:ANY", "", "OFPBAC_BAD_OUT_PORT"},
		{"output to UNSET", nil, "output:UNSET", "", "OFPBAC_BAD_OUT_PORT"},
		{"enqueue to FLOOD", nil, "enqueue:FLOOD:1", "", "OFPBAC_BAD_OUT_PORT"},
		{"enqueue to LOCAL", nil, "enqueue:LOCAL:1", "", ""},
		{"resubmit ct without ct_state", ip, "resubmit(,3,ct)", "", "OFPBAC_MATCH_INCONSISTENT"},
		{"resubmit ct with +trk only", []string{"ct_state", "+trk", "eth_type", "0x0800"}, "resubmit(,3,ct)", "", "OFPBAC_MATCH_INCONSISTENT"},
		{"resubmit ct with +trk-inv", trkNotInv, "resubmit(,3,ct)", "", ""},
		{"ct without ip", nil, "ct(commit)", "", "OFPBAC_MATCH_INCONSISTENT"},
		{"ct with ip", ip, "ct(commit,zone=NXM_NX_REG13[0..15])", "", ""},
		{"nat ipv6 address on ipv4", tcp, "ct(commit,nat(src=2001:db8::1-2001:db8::5))", "", "OFPBAC_MATCH_INCONSISTENT"},
		{"nat ipv6 on ipv6", ipv6, "ct(commit,nat(dst=[2001:db8::1]:8080))", "", ""},
		{"learn source without tcp", nil, "learn(table=10,dl_type=0x800,nw_proto=6,NXM_OF_TCP_DST[]=NXM_OF_TCP_SRC[],load:1->reg3[])",
			"source field tcp_src lacks correct prerequisites", "OFPBAC_MATCH_INCONSISTENT"},
		{"learn source with tcp", tcp, "learn(table=10,dl_type=0x800,nw_proto=6,NXM_OF_TCP_DST[]=NXM_OF_TCP_SRC[],load:1->reg3[])", "", ""},
		{"learned flow lacks eth_type", ip, "learn(NXM_OF_IP_DST[]=NXM_OF_IP_SRC[]),output:1",
			"source field ip_dst lacks correct prerequisites", "OFPBAC_MATCH_INCONSISTENT"},
		{"learned flow has eth_type", ip, "learn(eth_type=0x800,NXM_OF_IP_DST[]=NXM_OF_IP_SRC[]),output:1", "", ""},
		{"learned flow lacks arp", nil, "learn(table=66,NXM_NX_REG1[],NXM_NX_ARP_SHA[]=NXM_OF_ETH_SRC[])",
			"source field arp_sha lacks correct prerequisites", "OFPBAC_MATCH_INCONSISTENT"},
		{"move to read-only field", nil, "move:NXM_NX_REG0[0..15]->NXM_OF_ETH_TYPE[]", "destination field eth_type is not writable", "OFPBAC_BAD_SET_ARGUMENT"},
		{"pop to read-only field", nil, "pop:NXM_OF_ETH_TYPE[]", "destination field eth_type is not writable", "OFPBAC_BAD_SET_ARGUMENT"},
		{"learn load to read-only field", nil, "learn(load:1->NXM_OF_ETH_TYPE[])", "destination field eth_type is not writable", "OFPBAC_BAD_SET_ARGUMENT"},
		{"load to read-only field", nil, "load:1->NXM_OF_ETH_TYPE[]", "", "OFPBAC_BAD_SET_ARGUMENT"},
		{"nested in clone", nil, "clone(set_field:1->tcp_src)", "set_field tcp_src lacks correct prerequisites", "OFPBAC_MATCH_INCONSISTENT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := matchOf(t, tt.match...)
			_, err := ParseFlowActions(tt.actions, nil, m, OpenFlow10)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("check failed: %v", err)
				}
				return
			}
			var ce *ActionCheckError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want an ActionCheckError", err)
			}
			if ce.Code != tt.code || ce.Warning != tt.warning {
				t.Fatalf("got code %s warning %q, want %s %q", ce.Code, ce.Warning, tt.code, tt.warning)
			}
			if want := "actions are invalid with specified match (" + tt.code + ")"; err.Error() != want {
				t.Fatalf("Error() = %q, want %q", err, want)
			}
		})
	}
}

func TestActionsOutputsToAndUsesGroup(t *testing.T) {
	tests := []struct {
		name    string
		actions string
		port    Port
		outputs bool
		group   uint32
		uses    bool
	}{
		{"output", "output:2", 2, true, 1, false},
		{"other port", "output:3", 2, false, 1, false},
		{"enqueue", "enqueue:2:1", 2, true, 1, false},
		{"controller", "controller(reason=no_match)", PortController, true, 1, false},
		{"bundle member chosen at run time", "bundle(eth_src,0,hrw,ofport,members:1,2)", 2, false, 1, false},
		{"truncated output", "output(port=2,max_len=100)", 2, true, 1, false},
		{"in clone", "clone(output:2)", 2, true, 1, false},
		{"group", "group:7", 2, false, 7, true},
		{"group in clone", "clone(group:7)", 2, false, 7, true},
		{"write_actions kept for OpenFlow 1.3", "meter:1,write_actions(output:2,group:7)", 2, true, 7, true},
		{"register output", "output:reg0[0..15]", 2, false, 7, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acts, err := ParseActions(tt.actions, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := acts.OutputsTo(tt.port); got != tt.outputs {
				t.Errorf("OutputsTo(%d) = %v, want %v", tt.port, got, tt.outputs)
			}
			if got := acts.UsesGroup(tt.group); got != tt.uses {
				t.Errorf("UsesGroup(%d) = %v, want %v", tt.group, got, tt.uses)
			}
		})
	}
}

// TestParseFlowActions covers protocol normalization and refusal, with
// results from `ovs-ofctl [-O OpenFlow15] parse-flow`.
func TestParseFlowActions(t *testing.T) {
	tests := []struct {
		name, match, actions string
		proto                Protocol
		want, err            string
	}{
		{"of15 mod_dl_src", "", "mod_dl_src:00:00:00:00:00:01,output:1", OpenFlow15,
			"set_field:00:00:00:00:00:01->eth_src,output:1", ""},
		{"of15 ip actions", "ip", "mod_nw_src:1.2.3.4,mod_nw_tos:8,mod_nw_ecn:1,mod_nw_ttl:9", OpenFlow15,
			"set_field:1.2.3.4->ip_src,set_field:2->ip_dscp,set_field:1->nw_ecn,mod_nw_ttl:9", ""},
		{"of15 sctp ports", "sctp", "mod_tp_src:1,mod_tp_dst:2", OpenFlow15, "set_field:1->sctp_src,set_field:2->sctp_dst", ""},
		{"of15 tagged flow", "dl_vlan=5", "mod_vlan_pcp:2,strip_vlan", OpenFlow15, "set_field:2->vlan_pcp,pop_vlan", ""},
		{"of15 push again after pop", "", "mod_vlan_vid:5,strip_vlan,mod_vlan_pcp:1", OpenFlow15,
			"push_vlan:0x8100,set_field:4101->vlan_vid,pop_vlan,push_vlan:0x8100,set_field:1->vlan_pcp", ""},
		{"of15 enqueue", "", "enqueue:LOCAL:3", OpenFlow15, "set_queue:3,LOCAL,pop_queue", ""},
		{"of15 set_tunnel64", "", "set_tunnel64:0x1", OpenFlow15, "set_field:0x1->tun_id", ""},
		{"of15 in_port ANY", "", "load:0xffff->NXM_OF_IN_PORT[]", OpenFlow15, "set_field:ANY->in_port", ""},
		{"of15 wide set_field", "", "set_field:1->xxreg1", OpenFlow15, "set_field:0x1->xxreg1", ""},
		{"of15 two loads", "", "load:5->NXM_NX_REG0[0..15],load:1->NXM_NX_REG0[16..31]", OpenFlow15,
			"set_field:0x5/0xffff->reg0,set_field:0x10000/0xffff0000->reg0", ""},
		{"of15 nested", "ip", "clone(mod_nw_src:1.1.1.1),ct(commit,exec(load:1->NXM_NX_CT_MARK[]))", OpenFlow15,
			"clone(set_field:1.1.1.1->ip_src),ct(commit,exec(set_field:0x1->ct_mark))", ""},
		{"of15 goto_table", "", "goto_table:3", OpenFlow15, "goto_table:3", ""},
		{"of15 write_actions", "", "clear_actions,write_actions(mod_dl_dst:00:00:00:00:00:02,output:1)", OpenFlow15,
			"clear_actions,write_actions(set_field:00:00:00:00:00:02->eth_dst,output:1)", ""},
		{"of15 action set not held against protocol", "", "write_actions(strip_vlan)", OpenFlow15, "write_actions(pop_vlan)", ""},
		{"of15 mpls", "mpls", "dec_mpls_ttl,set_mpls_ttl:3,pop_mpls:0x0800,dec_ttl", OpenFlow15,
			"dec_mpls_ttl,set_mpls_ttl(3),pop_mpls:0x0800,dec_ttl", ""},
		{"of15 after push_mpls", "ip", "push_mpls:0x8847,set_mpls_label:5,set_mpls_tc:1", OpenFlow15,
			"push_mpls:0x8847,set_field:5->mpls_label,set_field:1->mpls_tc", ""},
		{"of15 fin_timeout", "tcp", "fin_timeout(idle_timeout=1)", OpenFlow15, "fin_timeout(idle_timeout=1)", ""},
		{"of15 refuses mod_tp_src", "", "mod_tp_src:5", OpenFlow15, "",
			"none of the usable flow formats (OpenFlow10,NXM) is among the allowed flow formats (OXM-OpenFlow15)"},
		{"of15 refuses dec_ttl without ip", "", "note:01,controller:5,dec_ttl(1)", OpenFlow15, "",
			"none of the usable flow formats (OpenFlow10,NXM) is among the allowed flow formats (OXM-OpenFlow15)"},
		{"no protocol at all", "", "push_vlan:0x8100,strip_vlan,strip_vlan", OpenFlow15, "",
			"actions are invalid with specified match (OFPBAC_MATCH_INCONSISTENT)"},
		{"of10 refuses meter", "", "meter:2,output:1", OpenFlow10, "",
			"none of the usable flow formats (OXM-OpenFlow13,OXM-OpenFlow14,OXM-OpenFlow15) is among the allowed flow formats (OpenFlow10,NXM)"},
		{"of10 refuses push_vlan", "", "push_vlan:0x8100", OpenFlow10, "",
			"none of the usable flow formats (OXM,OpenFlow11) is among the allowed flow formats (OpenFlow10,NXM)"},
		{"of10 mod_tp_src", "", "mod_tp_src:5", OpenFlow10, "mod_tp_src:5", ""},
		{"of10 set_field after push_mpls", "ip", "push_mpls:0x8847,set_field:5->mpls_label", OpenFlow10,
			"push_mpls:0x8847,load:0x5->OXM_OF_MPLS_LABEL[]", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMatch(tt.match, nil)
			if err != nil {
				t.Fatal(err)
			}
			acts, err := ParseFlowActions(tt.actions, nil, &m, tt.proto)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := acts.Format(nil); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			again, err := ParseFlowActions(tt.want, nil, &m, tt.proto)
			if err != nil || !reflect.DeepEqual(again, acts) {
				t.Fatalf("reparsing %q: %v, %v", tt.want, again, err)
			}
		})
	}
}
