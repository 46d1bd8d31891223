package ofp

import (
	"testing"
	"time"

	"github.com/govs/govs/flowtable"
)

func TestFlowRemovedGolden(t *testing.T) {
	match, err := flowtable.ParseMatch("tcp,in_port=1,nw_src=10.0.0.0/8,tp_dst=80", nil)
	if err != nil {
		t.Fatal(err)
	}
	nxOnly, err := flowtable.ParseMatch("ip,reg0=0x5,nw_ttl=9", nil)
	if err != nil {
		t.Fatal(err)
	}
	fr := func(m flowtable.Match, reason FlowRemovedReason, nxm bool) *FlowRemoved {
		return &FlowRemoved{Match: m, Cookie: 0x1234, Priority: 100, Reason: reason, Table: 2,
			Duration: 3*time.Second + 250*time.Millisecond, IdleTimeout: 5, HardTimeout: 30,
			Packets: 7, Bytes: 700, NXM: nxm}
	}
	cases := []goldenCase{
		{"flow-removed-of10-idle", OF10, fr(match, RemovedIdleTimeout, false)},
		{"flow-removed-of10-hard", OF10, fr(match, RemovedHardTimeout, false)},
		{"flow-removed-nxm-idle", OF10, fr(match, RemovedIdleTimeout, true)},
		{"flow-removed-nxm-delete", OF10, fr(nxOnly, RemovedDelete, true)},
		{"flow-removed-of12-hard", OF12, fr(match, RemovedHardTimeout, false)},
		{"flow-removed-of13-idle", OF13, fr(match, RemovedIdleTimeout, false)},
		{"flow-removed-of13-delete", OF13, fr(nxOnly, RemovedDelete, false)},
		{"flow-removed-of13-group-delete", OF13, fr(match, RemovedGroupDelete, false)},
		{"flow-removed-of14-meter-delete", OF14, fr(match, RemovedMeterDelete, false)},
		{"flow-removed-of15-hard", OF15, fr(match, RemovedHardTimeout, false)},
		{"flow-removed-of15-delete", OF15, fr(nxOnly, RemovedDelete, false)},
	}
	runGolden(t, "flowremoved.golden", cases)
}
