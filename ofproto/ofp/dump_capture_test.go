package ofp

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/testutil"
)

// dumpCases are the ovs-ofctl dump-flows and dump-aggregate commands whose
// requests testdata/ofp/dump-requests.txt records: options, command, filter.
var dumpCases = []struct {
	opts   []string
	cmd    string
	filter string
}{
	{nil, "dump-flows", ""},
	{nil, "dump-flows", "table=1"},
	{nil, "dump-flows", "in_port=veth11"},
	{nil, "dump-flows", "tcp,tp_dst=80,out_port=2,table=3"},
	{nil, "dump-flows", "reg0=5,metadata=0x3,cookie=0x5/0xffffffffffffffff"},
	{nil, "dump-flows", "cookie=0x5/0xff"},
	{nil, "dump-flows", "ip,nw_src=10.0.0.0/8,nw_dst=192.168.1.1"},
	{nil, "dump-flows", "dl_vlan=5,dl_src=00:11:22:33:44:55"},
	{nil, "dump-flows", "ct_state=+trk,ipv6,ipv6_dst=2001:db8::/32"},
	{nil, "dump-aggregate", ""},
	{nil, "dump-aggregate", "in_port=veth11,out_port=2"},
	{[]string{"-F", "openflow10"}, "dump-flows", "in_port=1,udp"},
	{[]string{"-F", "openflow10"}, "dump-aggregate", "table=2"},
	{[]string{"-O", "OpenFlow13"}, "dump-flows", ""},
	{[]string{"-O", "OpenFlow13"}, "dump-flows", "table=1"},
	{[]string{"-O", "OpenFlow13"}, "dump-flows", "tcp,tp_dst=80,out_port=2"},
	{[]string{"-O", "OpenFlow13"}, "dump-flows", "cookie=0x5/0xff,out_group=3"},
	{[]string{"-O", "OpenFlow13"}, "dump-flows", "ipv6,ipv6_src=2001:db8::/32,reg3=0x10/0xf0"},
	{[]string{"-O", "OpenFlow13"}, "dump-aggregate", ""},
	{[]string{"-O", "OpenFlow13"}, "dump-aggregate", "udp,in_port=LOCAL"},
	{[]string{"-O", "OpenFlow14"}, "dump-flows", "in_port=1,dl_vlan=7"},
}

const dumpRequestsFile = "dump-requests.txt"

// dumpKey names a case in the fixture: "OPTS|COMMAND|FILTER".
func dumpKey(opts []string, cmd, filter string) string {
	return strings.Join(opts, " ") + "|" + cmd + "|" + filter
}

// captureDump runs ovs-ofctl against a fake switch that answers flow and
// aggregate statistics requests with reply(request). It returns the
// statistics request and ovs-ofctl's standard output.
func captureDump(t *testing.T, opts []string, cmd, filter string, reply func(req []byte) [][]byte) ([]byte, string) {
	t.Helper()
	ofctl := testutil.RequireCommand(t, "ovs-ofctl")
	s, target := newFakeSwitchWith(t, func(b []byte) ([][]byte, bool, bool) {
		h, _ := ParseHeader(b)
		if h.Type != statsRequestType(h.Version) {
			return nil, false, false
		}
		switch binary16(b[8:]) {
		case statsFlow, statsAggregate, statsVendor:
			return reply(b), true, true
		}
		return nil, false, false
	})
	args := append(append([]string{}, opts...), cmd, target)
	if filter != "" {
		args = append(args, filter)
	}
	c := exec.Command(ofctl, args...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	go func() { done <- c.Run() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ovs-ofctl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		c.Process.Kill()
		t.Fatalf("ovs-ofctl %s: timed out", strings.Join(args, " "))
	}
	var req []byte
	for len(s.got) > 0 {
		req = <-s.got
	}
	if req == nil {
		t.Fatalf("ovs-ofctl %s sent no statistics request", strings.Join(args, " "))
	}
	return req, stdout.String()
}

// emptyReply answers a request with a reply without flows.
func emptyReply(t *testing.T) func([]byte) [][]byte {
	return func(req []byte) [][]byte {
		h, m, err := Decode(req)
		if err != nil {
			t.Errorf("Decode %x: %v", req, err)
			return nil
		}
		var r Message
		switch m := m.(type) {
		case *FlowStatsRequest:
			r = &FlowStatsReply{NXM: m.NXM}
		case *AggregateStatsRequest:
			r = &AggregateStatsReply{NXM: m.NXM}
		}
		out, err := Encode(h.Version, h.Xid, r)
		if err != nil {
			t.Errorf("Encode: %v", err)
		}
		return [][]byte{out}
	}
}

func readDumpRequests(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(goldenDir, dumpRequestsFile))
	if err != nil {
		t.Fatalf("read dump requests (regenerate with go test -run TestDumpCaptureUpdate -update): %v", err)
	}
	defer f.Close()
	recs := map[string]string{}
	var key string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		kw, rest, _ := strings.Cut(sc.Text(), " ")
		switch kw {
		case "dump":
			key = rest
		case "msg":
			recs[key] = rest
		}
	}
	return recs
}

// TestDumpCaptureUpdate records what ovs-ofctl sends for dumpCases, with
// -update.
func TestDumpCaptureUpdate(t *testing.T) {
	if !*update {
		t.Skip("run with -update to recapture")
	}
	var b bytes.Buffer
	for _, c := range dumpCases {
		req, _ := captureDump(t, c.opts, c.cmd, c.filter, emptyReply(t))
		fmt.Fprintf(&b, "dump %s\nmsg %x\n", dumpKey(c.opts, c.cmd, c.filter), req)
	}
	if err := os.WriteFile(filepath.Join(goldenDir, dumpRequestsFile), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDumpRequests decodes each recorded request into a filter equal to
// what flowtable.ParseFlow makes of the command's filter text, and encodes
// it back to the same bytes.
func TestDumpRequests(t *testing.T) {
	recs := readDumpRequests(t)
	for _, c := range dumpCases {
		key := dumpKey(c.opts, c.cmd, c.filter)
		h := recs[key]
		if h == "" {
			t.Errorf("%s: not recorded", key)
			continue
		}
		raw, _ := hex.DecodeString(h)
		hdr, m, err := Decode(raw)
		if err != nil {
			t.Errorf("%s: Decode: %v", key, err)
			continue
		}
		var got *flowStatsRequest
		switch m := m.(type) {
		case *FlowStatsRequest:
			got = (*flowStatsRequest)(m)
			if c.cmd != "dump-flows" {
				t.Errorf("%s: decoded %T", key, m)
			}
		case *AggregateStatsRequest:
			got = (*flowStatsRequest)(m)
			if c.cmd != "dump-aggregate" {
				t.Errorf("%s: decoded %T", key, m)
			}
		default:
			t.Errorf("%s: decoded %T", key, m)
			continue
		}
		proto := flowtable.OpenFlow15
		if hdr.Version == OF10 {
			proto = flowtable.OpenFlow10
		}
		want, err := flowtable.ParseFlow(c.filter, flowtable.FlowDelete, capturePorts, proto)
		if err != nil {
			t.Fatalf("%s: ParseFlow: %v", key, err)
		}
		f := &got.Filter
		if f.Table != want.Table || f.Match != want.Match || f.OutPort != want.OutPort ||
			f.OutGroup != want.OutGroup || f.CookieMatch != want.CookieMatch || f.CookieMask != want.CookieMask {
			t.Errorf("%s: decoded filter\n got table=%d out_port=%d out_group=%d cookie=%#x/%#x %s\nwant table=%d out_port=%d out_group=%d cookie=%#x/%#x %s",
				key, f.Table, f.OutPort, f.OutGroup, f.CookieMatch, f.CookieMask, f.Match.Format(nil),
				want.Table, want.OutPort, want.OutGroup, want.CookieMatch, want.CookieMask, want.Match.Format(nil))
		}
		if wantNXM := hdr.Version == OF10 && !strings.Contains(key, "openflow10"); got.NXM != wantNXM {
			t.Errorf("%s: NXM = %v", key, got.NXM)
		}
		again, err := Encode(hdr.Version, hdr.Xid, m)
		if err != nil || !bytes.Equal(again, raw) {
			t.Errorf("%s: Encode\n got %x (%v)\nwant %x", key, again, err, raw)
		}
	}
}

// TestDumpFresh checks the fixture against the installed ovs-ofctl.
func TestDumpFresh(t *testing.T) {
	recs := readDumpRequests(t)
	for _, c := range dumpCases {
		req, _ := captureDump(t, c.opts, c.cmd, c.filter, emptyReply(t))
		if key := dumpKey(c.opts, c.cmd, c.filter); hex.EncodeToString(req) != recs[key] {
			t.Errorf("%s: ovs-ofctl now sends %x, fixture has %s", key, req, recs[key])
		}
	}
}
