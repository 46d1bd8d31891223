package ofctl

import (
	"encoding/hex"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/ofproto/ofp"
)

func init() {
	scenarios["queue-stats"] = []step{
		{args: "queue-stats br0"}, {args: "queue-stats br0 1"}, {args: "queue-stats br0 1 5"},
		{args: "queue-stats br0 9"}, {args: "queue-stats br0 ALL 3"}, {args: "-O OpenFlow13 queue-stats br0"},
		{args: "-O OpenFlow13 queue-stats br0 2 1"}, {args: "-O OpenFlow14 queue-stats br0 veth11"},
		{args: "queue-stats br0 LOCAL"}, {args: "queue-stats br0 nosuch"},
	}
	scenarios["read-only"] = []step{
		{args: "--read-only add-flow br0 actions=drop"}, {args: "--read-only dump-flows br0"},
		{args: "--read-only mod-port br0 1 up"}, {args: "--read-only del-groups br0"},
		{args: "--read-only diff-flows br0 /dev/null"}, {args: "--read-only dump-tlv-map br0"},
	}
}

var testPacket, _ = hex.DecodeString("ffffffffffff0000000000010800450000280000000040063cce0a0000010a00000204d200500000000000000000500200002d290000")

// TestAsyncMessagesPrintedAsOvsOfctl encodes the messages monitor and
// snoop print and checks that govs prints them as `ovs-ofctl ofp-print`.
func TestAsyncMessagesPrintedAsOvsOfctl(t *testing.T) {
	path := testutil.RequireCommand(t, "ovs-ofctl")
	var meta flowtable.Match
	flowtable.FieldInPort.SetAllOnes(&meta.Mask)
	flowtable.FieldInPort.Set(&meta.Key, 1)
	flowtable.FieldReg[1].SetAllOnes(&meta.Mask)
	flowtable.FieldReg[1].Set(&meta.Key, 5)
	f, err := flowtable.ParseFlow("table=1,cookie=0x5,idle_timeout=30,priority=7,tcp,tp_dst=80,actions=output:2", flowtable.FlowAdd, nil, flowtable.OpenFlow10)
	if err != nil {
		t.Fatal(err)
	}
	type tc struct {
		v ofp.Version
		m ofp.Message
	}
	cases := []tc{
		{ofp.OF10, &ofp.PacketIn{BufferID: ofp.NoBuffer, TotalLen: 54, Reason: 1, Match: meta, Data: testPacket, NXM: true}},
		{ofp.OF10, &ofp.PacketIn{BufferID: ofp.NoBuffer, TotalLen: 54, Reason: 0, Match: meta, Data: testPacket}},
		{ofp.OF13, &ofp.PacketIn{BufferID: ofp.NoBuffer, TotalLen: 54, Reason: 1, Table: 3, Cookie: 0x99, Match: meta, Data: testPacket[:20]}},
		{ofp.OF10, &ofp.PacketIn2{BufferID: ofp.NoBuffer, TotalLen: 54, Reason: 0, Match: meta, Data: testPacket, Cookie: ^uint64(0), Userdata: []byte{1, 2}}},
		{ofp.OF15, &ofp.PacketIn2{BufferID: ofp.NoBuffer, TotalLen: 54, Reason: 5, Table: 7, Cookie: 0x12, Match: meta, Data: testPacket}},
		{ofp.OF10, &ofp.FlowRemoved{Match: f.Match, Priority: 7, Reason: ofp.RemovedIdleTimeout, Duration: 1500 * time.Millisecond, IdleTimeout: 30, Packets: 3, Bytes: 180}},
		{ofp.OF10, &ofp.FlowRemoved{Match: f.Match, Priority: 7, Cookie: 5, Reason: ofp.RemovedDelete, Table: 1, Duration: 2 * time.Second, NXM: true}},
		{ofp.OF13, &ofp.FlowRemoved{Match: f.Match, Priority: 7, Reason: ofp.RemovedHardTimeout, Table: 1, HardTimeout: 9, Duration: time.Second}},
		{ofp.OF10, &ofp.PortStatus{Reason: ofp.PortReason(0), Desc: ofp.PortDesc{Port: 3, Name: "p3", HWAddr: [6]byte{0xaa, 0, 0, 0, 0, 3}}}},
		{ofp.OF13, &ofp.PortStatus{Reason: ofp.PortReason(1), Desc: ofp.PortDesc{Port: 3, Name: "p3", State: 1}}},
		{ofp.OF10, &ofp.FlowMonitorReply{Updates: []ofp.FlowUpdate{{Event: ofp.EventAdded, Flow: *f}, {Event: ofp.EventAbbrev, Xid: 9}}}},
		{ofp.OF13, &ofp.FlowMonitorReply{Updates: []ofp.FlowUpdate{{Event: ofp.EventModified, Flow: *f}}}},
		{ofp.OF14, &ofp.FlowMonitorReply{Updates: []ofp.FlowUpdate{{Event: ofp.EventRemoved, Reason: ofp.RemovedHardTimeout, Flow: *f}}}},
		{ofp.OF10, &ofp.FlowMonitorReply{}},
		{ofp.OF10, &ofp.FlowMonitorPaused{}},
		{ofp.OF13, &ofp.FlowMonitorResumed{}},
		{ofp.OF12, &ofp.FlowMonitorCancel{ID: 3}},
		{ofp.OF10, &ofp.QueueStatsReply{}},
		{ofp.OF13, &ofp.Hello{Versions: 1<<ofp.OF10 | 1<<ofp.OF13}},
		{ofp.OF10, &ofp.EchoRequest{}},
		{ofp.OF14, &ofp.EchoReply{Data: []byte("0123456789abcdefXYZ")}},
	}
	c := &ctl{}
	for _, x := range cases {
		b, err := ofp.Encode(x.v, 0, x.m)
		if err != nil {
			t.Fatalf("%T in %s: %v", x.m, x.v, err)
		}
		out, err := exec.Command(path, "ofp-print", hex.EncodeToString(b)).CombinedOutput()
		if err != nil {
			t.Fatalf("ofp-print: %v\n%s", err, out)
		}
		h, msg, err := ofp.Decode(b)
		if err != nil {
			t.Fatalf("%T in %s: decode: %v", x.m, x.v, err)
		}
		if got := c.formatMessage(received{raw: b, h: h, msg: msg}); got != string(out) {
			t.Errorf("%T in %s:\n got %q\nwant %q", x.m, x.v, got, out)
		}
	}
}

// fatalSignal is the line ovs-ofctl logs when a signal ends it.
var fatalSignal = regexp.MustCompile(`(?m)^.*fatal_signal.*\n`)

// TestMonitorAgainstRealOvsOfctl runs govs' and the real ovs-ofctl
// monitor side by side against the govs switch while flows change; both
// must print the same.
func TestMonitorAgainstRealOvsOfctl(t *testing.T) {
	path := testutil.RequireCommand(t, "ovs-ofctl")
	for _, proto := range []string{"OpenFlow10", "OpenFlow13", "OpenFlow14"} {
		t.Run(proto, func(t *testing.T) {
			dir := startSwitch(t)
			run := func(args ...string) {
				t.Helper()
				if r := runReal(t, path, dir, "", append([]string{"-O", "OpenFlow13"}, args...)); r.status != 0 {
					t.Fatalf("%v: %s", args, r.stderr)
				}
			}
			run("add-flow", "br0", "priority=5,in_port=1,actions=drop")
			argv := []string{"-O", proto, "monitor", "br0", "watch:"}
			var real testutil.SyncBuffer
			cmd := exec.Command(path, argv...)
			cmd.Env = append(os.Environ(), "OVS_RUNDIR="+dir)
			cmd.Stdout, cmd.Stderr = &real, &real
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			t.Setenv("OVS_RUNDIR", dir)
			var ours testutil.SyncBuffer
			go Run(argv, strings.NewReader(""), &ours, &ours, false)
			deadline := time.Now().Add(5 * time.Second)
			for (!strings.Contains(real.String(), "\n") || !strings.Contains(ours.String(), "\n")) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			run("add-flow", "br0", "table=1,cookie=0x5,idle_timeout=30,priority=7,tcp,tp_dst=80,actions=output:2")
			run("mod-flows", "br0", "table=1,tcp,actions=output:1")
			run("--strict", "del-flows", "br0", "table=1,priority=7,tcp,tp_dst=80")
			time.Sleep(500 * time.Millisecond)
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			want := fatalSignal.ReplaceAllString(real.String(), "")
			if !strings.Contains(want, "event=DELETED") {
				t.Fatalf("real ovs-ofctl printed:\n%s", want)
			}
			if got := ours.String(); got != want {
				t.Errorf("govs printed:\n%s\nreal ovs-ofctl printed:\n%s", got, want)
			}
		})
	}
}

// TestPingAndProbe checks ping's lines (the times vary) and payload
// check against the govs switch.
func TestPingAndProbe(t *testing.T) {
	dir := startSwitch(t)
	r := runOurs(t, dir, "", []string{"ping", "br0", "3"})
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	line := regexp.MustCompile(`^3 bytes from br0: xid=0000000([2-9a-b]) time=[0-9]+\.[0-9] ms$`)
	if r.status != 0 || len(lines) != pingCount {
		t.Fatalf("ping: %d %q %q", r.status, r.stdout, r.stderr)
	}
	for _, l := range lines {
		if !line.MatchString(l) {
			t.Errorf("ping line %q", l)
		}
	}
	if r := runOurs(t, dir, "", []string{"ping", "br0", "70000"}); r.status != 1 || r.stderr != "ovs-ofctl: payload must be between 0 and 65527 bytes\n" {
		t.Errorf("big ping: %+v", r)
	}
}
