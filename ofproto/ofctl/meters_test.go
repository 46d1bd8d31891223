package ofctl

import (
	"regexp"
	"testing"

	"github.com/govs/govs/internal/testutil"
)

// meterDuration masks meter statistics' durations, which differ between
// runs.
var meterDuration = regexp.MustCompile(`duration:[0-9.]+s`)

// TestMetersAgainstRealOvsOfctl runs meter commands with the real
// ovs-ofctl and with ours against a fresh govs switch each: output and
// exit status must match.
func TestMetersAgainstRealOvsOfctl(t *testing.T) {
	path := testutil.RequireCommand(t, "ovs-ofctl")
	steps := []step{
		{args: "dump-meters br0"},
		{args: "-O OpenFlow13 meter-features br0"},
		{args: "-O OpenFlow15 meter-features br0"},
		{args: "-O OpenFlow13 add-meter br0 meter=1,kbps,band=type=drop,rate=1000"},
		{args: "-O OpenFlow13 add-meter br0 meter=1,kbps,band=type=drop,rate=1000"},
		{args: "-O OpenFlow13 add-meter br0 meter=2,pktps,burst,stats,band=type=drop,rate=10,burst_size=5"},
		{args: "-O OpenFlow13 add-meter br0 meter=3,kbps,band=type=dscp_remark,rate=100,prec_level=1"},
		{args: "-O OpenFlow13 add-meter br0 meter=4,kbps,band=type=drop,rate=100,band=type=drop,rate=200"},
		{args: "-O|OpenFlow13|add-meter|br0|meter=4,pktps,bands=type=drop,rate=10 type=drop,rate=20"},
		{args: "-O OpenFlow13 add-meter br0 meter=6,kbps,band=type=drop,rate=0"},
		{args: "-O OpenFlow13 add-meter br0 meter=0,kbps,band=type=drop,rate=10"},
		{args: "-O OpenFlow13 add-meter br0 meter=7,kbps"},
		{args: "-O OpenFlow13 add-meter br0 meter=8,burst,band=type=drop,rate=10,burst_size=3"},
		{args: "-O OpenFlow13 add-meter br0 meter=9,band=type=drop,rate=10,burst_size=3"},
		{args: "-O OpenFlow13 add-meter br0 meter=11,pktps,band=type=drop,rate=10,burst_size=20"},
		{args: "-O OpenFlow13 add-meter br0 meter=12,kbps,burst,band=type=drop,rate=10"},
		{args: "-O OpenFlow13 add-meter br0 meter=slowpath,kbps,band=type=drop,rate=10"},
		{args: "-O OpenFlow13 mod-meter br0 meter=99,kbps,band=type=drop,rate=1000"},
		{args: "-O OpenFlow13 mod-meter br0 meter=1,pktps,band=type=drop,rate=7"},
		{args: "-O OpenFlow13 dump-meters br0"},
		{args: "-O OpenFlow13 dump-meter br0 meter=2"},
		{args: "-O OpenFlow13 dump-meters br0 meter=77"},
		{args: "-O OpenFlow13 meter-stats br0"},
		{args: "-O OpenFlow14 meter-stats br0 meter=2"},
		{args: "-O OpenFlow13 meter-stats br0 meter=77"},
		{args: "-O OpenFlow13 del-meter br0 meter=99"},
		{args: "-O OpenFlow13 del-meter br0 meter=2"},
		{args: "-O OpenFlow13 dump-meters br0"},
		{args: "-O OpenFlow13 del-meters br0"},
		{args: "-O OpenFlow13 dump-meters br0"},
		{args: "-O OpenFlow13 add-meter br0"},
	}
	realDir, ourDir := startSwitch(t), startSwitch(t)
	for _, st := range steps {
		want := runReal(t, path, realDir, st.stdin, st.argv()).masked()
		got := runOurs(t, ourDir, st.stdin, st.argv()).masked()
		for _, r := range []*result{&want, &got} {
			r.stdout = meterDuration.ReplaceAllString(r.stdout, "duration:?")
			r.stderr = meterDuration.ReplaceAllString(r.stderr, "duration:?")
		}
		if got != want {
			t.Errorf("ovs-ofctl %s:\n got: status %d\nstdout:\n%s\nstderr:\n%s\nwant: status %d\nstdout:\n%s\nstderr:\n%s",
				st.args, got.status, got.stdout, got.stderr, want.status, want.stdout, want.stderr)
		}
	}
}
