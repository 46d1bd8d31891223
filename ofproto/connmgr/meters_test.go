package connmgr

import (
	"regexp"
	"strings"
	"testing"
)

// TestMetersWithRealOfctl drives the switch's meters with the real
// ovs-ofctl; the expected output and exit codes are what ovs-ofctl 3.1
// prints against OVS 3.1's userspace switch (durations masked).
func TestMetersWithRealOfctl(t *testing.T) {
	_, target := newManagedBridge(t)
	duration := regexp.MustCompile(`duration:[0-9.]+s`)
	steps := []struct {
		args string
		out  string
		code int
	}{
		{"meter-features", "OFPST_METER_FEATURES reply (OF1.3) (xid=0x2):\nmax_meter:262144 max_bands:8 max_color:0\nband_types: drop\ncapabilities: kbps pktps burst stats", 0},
		{"add-meter meter=1,kbps,band=type=drop,rate=1000", "", 0},
		{"add-meter meter=1,kbps,band=type=drop,rate=1000", "OFPT_ERROR (OF1.3) (xid=0x2): OFPMMFC_METER_EXISTS\nOFPT_METER_MOD (OF1.3) (xid=0x2): ADD meter=1 kbps bands=\ntype=drop rate=1000", 1},
		{"add-meter meter=2,pktps,burst,stats,band=type=drop,rate=10,burst_size=5", "", 0},
		{"add-meter meter=3,kbps,band=type=dscp_remark,rate=100,prec_level=1", "OFPT_ERROR (OF1.3) (xid=0x2): OFPMMFC_BAD_BAND\nOFPT_METER_MOD (OF1.3) (xid=0x2): ADD meter=3 kbps bands=\ntype=dscp_remark rate=100 prec_level=1", 1},
		{"add-meter meter=8,burst,band=type=drop,rate=10,burst_size=3", "OFPT_ERROR (OF1.3) (xid=0x2): OFPMMFC_BAD_FLAGS\nOFPT_METER_MOD (OF1.3) (xid=0x2): ADD meter=8 burst bands=\ntype=drop rate=10 burst_size=3", 1},
		{"mod-meter meter=99,kbps,band=type=drop,rate=1000", "OFPT_ERROR (OF1.3) (xid=0x2): OFPMMFC_UNKNOWN_METER\nOFPT_METER_MOD (OF1.3) (xid=0x2): MOD meter=99 kbps bands=\ntype=drop rate=1000", 1},
		{"mod-meter meter=1,pktps,band=type=drop,rate=7", "", 0},
		{"dump-meters", "OFPST_METER_CONFIG reply (OF1.3) (xid=0x2):\nmeter=1 pktps bands=\ntype=drop rate=7\n\nmeter=2 pktps burst stats bands=\ntype=drop rate=10 burst_size=5", 0},
		// OVS echoes the whole flow_mod in the error; govs' sendError
		// sends its first 64 bytes, so only the error line is compared.
		{"add-flow priority=5,ip,actions=meter:55,normal", "OFPT_ERROR (OF1.3) (xid=0x6): OFPMMFC_INVALID_METER", 1},
		{"add-flow priority=6,ip,actions=meter:2,normal", "", 0},
		{"meter-stats meter=2", "OFPST_METER reply (OF1.3) (xid=0x2):\nmeter:2 flow_count:1 packet_in_count:0 byte_in_count:0 duration:Xs bands:\n0: packet_count:0 byte_count:0", 0},
		{"dump-meters meter=77", "OFPT_ERROR (OF1.3) (xid=0x2): OFPMMFC_UNKNOWN_METER\nOFPST_METER_CONFIG request (OF1.3) (xid=0x2): meter=77", 0},
		{"meter-stats meter=77", "OFPT_ERROR (OF1.3) (xid=0x2): OFPMMFC_UNKNOWN_METER\nOFPST_METER request (OF1.3) (xid=0x2): meter=77", 0},
		{"del-meter meter=99", "", 0},
		{"del-meter meter=2", "", 0},
		{"dump-flows", "OFPST_FLOW reply (OF1.3) (xid=0x2):\n cookie=0x0, duration=Xs, table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL", 0},
		{"add-meter meter=slowpath,kbps,band=type=drop,rate=10", "", 0},
		{"meter-stats", "OFPST_METER reply (OF1.3) (xid=0x2):\nmeter:1 flow_count:0 packet_in_count:0 byte_in_count:0 duration:Xs bands:\n0: packet_count:0 byte_count:0\n\nmeter:slowpath flow_count:0 packet_in_count:0 byte_in_count:0 duration:Xs bands:\n0: packet_count:0 byte_count:0", 0},
		{"del-meters", "", 0},
		{"dump-meters", "OFPST_METER_CONFIG reply (OF1.3) (xid=0x2):", 0},
	}
	for _, st := range steps {
		fields := strings.Fields(st.args)
		args := append([]string{"-O", "OpenFlow13", fields[0], target}, fields[1:]...)
		out, code := ofctl(t, args...)
		out = duration.ReplaceAllString(out, "duration:Xs")
		if strings.Contains(st.args, "meter:55") {
			out, _, _ = strings.Cut(out, "\n")
		}
		out = regexp.MustCompile(`duration=[0-9.]+s`).ReplaceAllString(out, "duration=Xs")
		if out != st.out || code != st.code {
			t.Errorf("ovs-ofctl %s: exit %d\n%s\nwant exit %d\n%s", st.args, code, out, st.code, st.out)
		}
	}
}

// TestMeterPolicing: a flow's meter polices the packets the datapath
// runs through it: with 1 packet/s and a burst of 3, three of ten packets
// sent at once pass, and meter-stats (real ovs-ofctl) counts all ten in
// and the seven the drop band took.
func TestMeterPolicing(t *testing.T) {
	r := newSwitchRig(t)
	target := "unix:" + r.m.path
	for _, args := range [][]string{
		{"add-meter", target, "meter=1,pktps,burst,band=type=drop,rate=1,burst_size=3"},
		{"add-flow", target, "in_port=p1,actions=meter:1,output:p2"},
	} {
		if out, code := ofctl(t, append([]string{"-O", "OpenFlow13"}, args...)...); code != 0 {
			t.Fatalf("%v: %s", args, out)
		}
	}
	frame := testFrame()
	for range 10 {
		r.inject(t, 1, frame)
	}
	if got := r.egress(t, frame); len(got) != 3 {
		t.Errorf("%d of 10 packets passed the meter, want the burst of 3", len(got))
	}
	out, _ := ofctl(t, "-O", "OpenFlow13", "meter-stats", target)
	out = regexp.MustCompile(`duration:[0-9.]+s`).ReplaceAllString(out, "duration:Xs")
	want := "OFPST_METER reply (OF1.3) (xid=0x2):\nmeter:1 flow_count:1 packet_in_count:10 byte_in_count:620 duration:Xs bands:\n0: packet_count:7 byte_count:434"
	if out != want {
		t.Errorf("meter-stats:\n%s\nwant\n%s", out, want)
	}
}
