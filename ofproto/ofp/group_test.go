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

func mustActions(t *testing.T, s string) flowtable.Actions {
	t.Helper()
	a, err := flowtable.ParseActions(s, nil)
	if err != nil {
		t.Fatalf("ParseActions(%q): %v", s, err)
	}
	return a
}

func TestGroupGolden(t *testing.T) {
	out1 := mustActions(t, "output:1")
	out2 := mustActions(t, "mod_vlan_vid:5,output:2")
	all := Group{ID: 1, Type: GroupAll, Buckets: []Bucket{
		{ID: 0, WatchPort: flowtable.PortNone, WatchGroup: GroupAnyID, Actions: out1},
		{ID: 1, WatchPort: flowtable.PortNone, WatchGroup: GroupAnyID, Actions: out2},
	}}
	sel := Group{ID: 2, Type: GroupSelect, Buckets: []Bucket{
		{ID: 0, Weight: 100, WatchPort: 1, WatchGroup: GroupAnyID, Actions: out1},
		{ID: 1, Weight: 50, WatchPort: flowtable.PortNone, WatchGroup: GroupAnyID, Actions: out2},
	}}
	ff := Group{ID: 3, Type: GroupFastFailover, Buckets: []Bucket{
		{ID: 7, WatchPort: 1, WatchGroup: 5, Actions: out1},
	}}
	ind := Group{ID: 4, Type: GroupIndirect}
	stats := []GroupStats{
		{GroupID: 1, RefCount: 2, Packets: 10, Bytes: 640, Duration: 3*time.Second + 5000000,
			Buckets: []BucketCounter{{4, 256}, {6, 384}}},
		{GroupID: 4, Duration: time.Second},
	}
	feat := &GroupFeaturesReply{Types: 0xf, Capabilities: GroupCapSelectWeight | GroupCapSelectLiveness | GroupCapChaining,
		MaxGroups: [4]uint32{0xffffff00, 0xffffff00, 0xffffff00, 0xffffff00}, Actions: [4]uint32{1, 1, 1, 1}}
	var cases []goldenCase
	for _, v := range []Version{OF10, OF11, OF13, OF15} {
		vn := fmt.Sprintf("of1%d", v-1)
		all, sel := all, sel
		if v == OF11 {
			// ofp decodes OpenFlow 1.1 actions only as far as 1.0's.
			all.Buckets = all.Buckets[:1]
			sel.Buckets = sel.Buckets[:1]
		}
		cases = append(cases,
			goldenCase{"groupmod-add-all-" + vn, v, &GroupMod{Command: GroupAdd, Group: all, CommandBucketID: BucketAll}},
			goldenCase{"groupmod-add-select-" + vn, v, &GroupMod{Command: GroupAdd, Group: sel, CommandBucketID: BucketAll}},
			goldenCase{"groupmod-modify-ff-" + vn, v, &GroupMod{Command: GroupModify, Group: ff, CommandBucketID: BucketAll}},
			goldenCase{"groupmod-delete-all-" + vn, v, &GroupMod{Command: GroupDelete, Group: Group{ID: GroupAllID}, CommandBucketID: BucketAll}},
		)
		cases = append(cases,
			goldenCase{"group-desc-request-" + vn, v, &GroupDescStatsRequest{GroupID: GroupAllID}},
			goldenCase{"group-desc-reply-" + vn, v, &GroupDescStatsReply{Groups: []Group{all, sel, ff, ind}}},
			goldenCase{"group-stats-request-" + vn, v, &GroupStatsRequest{GroupID: 5}},
			goldenCase{"group-stats-reply-" + vn, v, &GroupStatsReply{Groups: stats}},
			goldenCase{"group-features-request-" + vn, v, &GroupFeaturesRequest{}},
			goldenCase{"group-features-reply-" + vn, v, feat},
		)
	}
	cases = append(cases,
		goldenCase{"groupmod-insert-bucket-of15", OF15, &GroupMod{Command: GroupInsertBucket, Group: Group{ID: 3, Type: GroupFastFailover, Buckets: ff.Buckets}, CommandBucketID: BucketFirst}},
		goldenCase{"group-desc-request-one-of15", OF15, &GroupDescStatsRequest{GroupID: 7}},
		goldenCase{"groupmod-remove-bucket-of15", OF15, &GroupMod{Command: GroupRemoveBucket, Group: Group{ID: 3, Type: GroupAll}, CommandBucketID: 8}},
	)
	runGolden(t, "groups.golden", cases)
}

// ofctlCommands are ovs-ofctl group and meter commands whose messages
// testdata/ofp/ofctl-requests.txt records, one per line, "|" between
// arguments; T is the switch.
var ofctlCommands = []string{
	"-O|OpenFlow13|add-group|T|group_id=1,type=all,bucket=output:1,bucket=output:2",
	"add-group|T|group_id=1,type=all,bucket=output:1",
	"add-group|T|group_id=2,type=select,bucket=output:1",
	"-O|OpenFlow11|add-group|T|group_id=1,type=all,bucket=output:1",
	"-O|OpenFlow15|add-group|T|group_id=1,type=all,bucket=output:1",
	"-O|OpenFlow13|add-group|T|group_id=2,type=select,bucket=weight:100,watch_port:1,actions=output:1,bucket=weight:50,actions=output:2",
	"-O|OpenFlow13|add-group|T|group_id=2,type=select,bucket=output:1,bucket=actions=output:2",
	"-O|OpenFlow15|add-group|T|group_id=2,type=select,bucket=output:1",
	"-O|OpenFlow15|add-group|T|group_id=2,type=select,selection_method=hash,fields=ip_src,bucket=weight:100,watch_port:1,actions=output:1",
	"-O|OpenFlow13|add-group|T|group_id=3,type=ff,bucket=watch_port:1,watch_group:5,actions=output:1",
	"-O|OpenFlow15|add-group|T|group_id=3,type=ff,bucket=bucket_id:7,watch_port:1,watch_group:5,actions=output:1",
	"-O|OpenFlow13|add-group|T|group_id=4,type=indirect,bucket=actions=mod_vlan_vid:5,group:1",
	"-O|OpenFlow13|mod-group|T|group_id=1,type=indirect,bucket=output:3",
	"-O|OpenFlow15|insert-buckets|T|group_id=3,command_bucket_id=first,bucket=bucket_id:8,watch_port:2,actions=output:2",
	"-O|OpenFlow15|remove-buckets|T|group_id=3,command_bucket_id=8",
	"del-groups|T",
	"-O|OpenFlow13|del-groups|T",
	"-O|OpenFlow13|del-groups|T|group_id=3",
	"dump-groups|T",
	"-O|OpenFlow13|dump-groups|T",
	"-O|OpenFlow15|dump-groups|T|7",
	"dump-group-stats|T",
	"-O|OpenFlow13|dump-group-stats|T",
	"-O|OpenFlow13|dump-group-stats|T|group_id=5",
	"dump-group-features|T",
	"-O|OpenFlow13|dump-group-features|T",
	"-O|OpenFlow13|add-meter|T|meter=2,pktps,band=type=drop,rate=5",
	"-O|OpenFlow13|add-meter|T|meter=1,kbps,burst,stats,band=type=drop,rate=1000,burst_size=10,type=dscp_remark,rate=200,burst_size=5,prec_level=1",
	"-O|OpenFlow15|add-meter|T|meter=1,kbps,band=type=drop,rate=1000",
	"-O|OpenFlow13|mod-meter|T|meter=2,pktps,band=type=drop,rate=6",
	"-O|OpenFlow13|del-meters|T",
	"-O|OpenFlow13|del-meters|T|meter=2",
	"-O|OpenFlow13|dump-meters|T",
	"-O|OpenFlow13|dump-meters|T|meter=2",
	"-O|OpenFlow13|meter-stats|T",
	"-O|OpenFlow13|meter-stats|T|meter=3",
	"-O|OpenFlow13|meter-features|T",
}

const ofctlRequestsFile = "ofctl-requests.txt"

// emptyStatsReply answers a statistics request with an empty reply of
// its type (features with a zero body), or nil for other messages.
func emptyStatsReply(b []byte) []byte {
	h, m, err := Decode(b)
	if err != nil {
		return nil
	}
	var r Message
	switch m.(type) {
	case *GroupDescStatsRequest:
		r = &GroupDescStatsReply{}
	case *GroupStatsRequest:
		r = &GroupStatsReply{}
	case *GroupFeaturesRequest:
		r = &GroupFeaturesReply{}
	default:
		if r = emptyMeterReply(m); r == nil {
			return nil
		}
	}
	out, err := Encode(h.Version, h.Xid, r)
	if err != nil {
		return nil
	}
	return out
}

// captureCommand runs ovs-ofctl with args (T replaced by a fake switch)
// and returns the messages it sent besides the handshake, or its error.
func captureCommand(t *testing.T, line string) ([][]byte, string) {
	t.Helper()
	ofctl := testutil.RequireCommand(t, "ovs-ofctl")
	s, target := newFakeSwitchWith(t, func(b []byte) ([][]byte, bool, bool) {
		h, _ := ParseHeader(b)
		if h.Type != statsRequestType(h.Version) {
			return nil, false, false
		}
		switch binary16(b[8:]) {
		case statsTable, statsPortDesc, statsTableFeatures:
			return nil, false, false
		}
		if r := emptyStatsReply(b); r != nil {
			return [][]byte{r}, true, true
		}
		// Unknown to the codec: answer with a bare reply header.
		r := append([]byte(nil), b[:16]...)
		r[1]++
		binary16put(r[2:], 16)
		return [][]byte{r}, true, true
	})
	args := strings.Split(line, "|")
	for i, a := range args {
		if a == "T" {
			args[i] = target
		}
	}
	cmd := exec.Command(ofctl, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	done := make(chan error, 1)
	go func() { done <- cmd.Run() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("ovs-ofctl %s: timed out", line)
	}
	var msgs [][]byte
	for len(s.got) > 0 {
		msgs = append(msgs, <-s.got)
	}
	if err != nil {
		return msgs, strings.TrimSpace(stderr.String())
	}
	return msgs, ""
}

func readOfctlRequests(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(goldenDir, ofctlRequestsFile))
	if err != nil {
		t.Fatalf("read %s (regenerate with go test -run TestOfctlRequestsUpdate -update): %v", ofctlRequestsFile, err)
	}
	defer f.Close()
	recs := map[string][]string{}
	var key string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		kw, rest, _ := strings.Cut(sc.Text(), " ")
		switch kw {
		case "cmd":
			key = rest
			recs[key] = nil
		case "msg":
			recs[key] = append(recs[key], rest)
		}
	}
	return recs
}

// TestOfctlRequestsUpdate records what ovs-ofctl sends for ofctlCommands,
// with -update.
func TestOfctlRequestsUpdate(t *testing.T) {
	if !*update {
		t.Skip("run with -update to recapture")
	}
	var b bytes.Buffer
	for _, line := range ofctlCommands {
		msgs, errText := captureCommand(t, line)
		fmt.Fprintf(&b, "cmd %s\n", line)
		for _, m := range msgs {
			fmt.Fprintf(&b, "msg %x\n", m)
		}
		if errText != "" {
			fmt.Fprintf(&b, "err %s\n", strings.ReplaceAll(errText, "\n", " | "))
		}
	}
	if err := os.WriteFile(filepath.Join(goldenDir, ofctlRequestsFile), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOfctlRequests decodes every recorded message and encodes it back to
// the same bytes.
func TestOfctlRequests(t *testing.T) {
	recs := readOfctlRequests(t)
	for _, line := range ofctlCommands {
		msgs, ok := recs[line]
		if !ok {
			t.Errorf("%s: not recorded", line)
			continue
		}
		for _, h := range msgs {
			raw, _ := hex.DecodeString(h)
			hdr, m, err := Decode(raw)
			if err != nil {
				t.Errorf("%s: Decode %s: %v", line, h, err)
				continue
			}
			again, err := Encode(hdr.Version, hdr.Xid, m)
			if err != nil || !bytes.Equal(again, raw) {
				t.Errorf("%s: %T: Encode\n got %x (%v)\nwant %s", line, m, again, err, h)
			}
		}
	}
}

// TestOfctlRequestsFresh checks the fixture against the installed
// ovs-ofctl.
func TestOfctlRequestsFresh(t *testing.T) {
	recs := readOfctlRequests(t)
	for _, line := range ofctlCommands {
		msgs, _ := captureCommand(t, line)
		var got []string
		for _, m := range msgs {
			got = append(got, hex.EncodeToString(m))
		}
		if strings.Join(got, " ") != strings.Join(recs[line], " ") {
			t.Errorf("%s: ovs-ofctl now sends %v, fixture has %v", line, got, recs[line])
		}
	}
}
