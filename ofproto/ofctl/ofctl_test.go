package ofctl

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/connmgr"
)

// startSwitch runs a govs bridge "br0" with ports veth11 and veth22 whose
// management socket is in a fresh rundir, which it returns.
func startSwitch(t *testing.T) string {
	t.Helper()
	b := ofproto.NewBridge("br0")
	for i, name := range []string{"veth11", "veth22"} {
		if _, err := b.AddPort(ofproto.PortConfig{Name: name, OFPort: flowtable.Port(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	m, err := connmgr.Listen(b, filepath.Join(dir, "br0.mgmt"), daemon.NewLog(io.Discard), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return dir
}

// result is what one ovs-ofctl run printed and returned.
type result struct {
	stdout, stderr string
	status         int
}

// volatile matches what changes between runs: flow durations and ages.
var volatile = regexp.MustCompile(`(duration|idle_age|hard_age)=[0-9.]+s?`)

// logTime matches a log line's timestamp.
var logTime = regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\|`)

func (r result) masked() result {
	r.stdout = volatile.ReplaceAllString(r.stdout, "$1=?")
	r.stderr = volatile.ReplaceAllString(r.stderr, "$1=?")
	r.stderr = logTime.ReplaceAllString(r.stderr, "TIME|")
	return r
}

// runReal runs the real ovs-ofctl against the switch in rundir.
func runReal(t *testing.T, path, rundir, stdin string, args []string) result {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Args[0] = "ovs-ofctl" // getopt's messages start with argv[0]
	cmd.Env = append(os.Environ(), "OVS_RUNDIR="+rundir)
	cmd.Dir = rundir
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("ovs-ofctl %q: %v", args, err)
	}
	return result{out.String(), errOut.String(), cmd.ProcessState.ExitCode()}
}

// runOurs runs govs' ovs-ofctl against the switch in rundir.
func runOurs(t *testing.T, rundir, stdin string, args []string) result {
	t.Helper()
	t.Setenv("OVS_RUNDIR", rundir)
	var out, errOut bytes.Buffer
	status := Run(args, strings.NewReader(stdin), &out, &errOut, false)
	return result{out.String(), errOut.String(), status}
}

// step is one ovs-ofctl invocation of a scenario.
type step struct {
	args  string // split on spaces; "|" separates arguments with spaces
	stdin string
}

func (s step) argv() []string {
	if strings.Contains(s.args, "|") {
		return strings.Split(s.args, "|")
	}
	return strings.Fields(s.args)
}

// scenarios are sequences run against a fresh switch by both the real
// ovs-ofctl and ours; every step must print the same and exit the same.
var scenarios = map[string][]step{
	"show":            {{args: "show br0"}},
	"show13":          {{args: "-O OpenFlow13 show br0"}},
	"dump-desc":       {{args: "dump-desc br0"}},
	"dump-tables":     {{args: "dump-flows br0"}, {args: "add-flow|br0|table=2,priority=5,ip,actions=drop"}, {args: "add-flow|br0|table=3,priority=5,ip,actions=drop"}, {args: "dump-tables br0"}},
	"dump-tables13":   {{args: "-O OpenFlow13 dump-tables br0"}},
	"dump-ports":      {{args: "dump-ports br0"}, {args: "dump-ports br0 1"}, {args: "dump-ports br0 veth22"}, {args: "dump-ports br0 LOCAL"}, {args: "dump-ports br0 foo"}},
	"dump-ports13":    {{args: "-O OpenFlow13 dump-ports br0"}},
	"dump-ports-desc": {{args: "dump-ports-desc br0"}, {args: "-O OpenFlow13 dump-ports-desc br0"}},
	"probe":           {{args: "probe br0"}, {args: "-O OpenFlow10,OpenFlow13 probe br0"}},
	"add-dump": {
		{args: "add-flow|br0|priority=5,in_port=veth11,actions=output:veth22"},
		{args: "add-flow|br0|table=1,priority=7,tcp,tp_dst=80,actions=drop"},
		{args: "add-flow|br0|cookie=0x12,priority=9,reg0=5,idle_timeout=60,actions=NORMAL"},
		{args: "add-flow|br0|table=4,priority=9,reg1=5,actions=drop"},
		{args: "dump-flows br0"},
		{args: "dump-flows br0 --no-stats"},
		{args: "--names dump-flows br0"},
		{args: "--no-names --sort dump-flows br0"},
		{args: "--rsort dump-flows br0"},
		{args: "--sort=tcp_dst dump-flows br0"},
		{args: "dump-flows|br0|table=1"},
		{args: "dump-flows|br0|in_port=veth11"},
		{args: "dump-aggregate br0"},
		{args: "dump-aggregate|br0|tcp"},
		{args: "-O OpenFlow13 dump-flows br0"},
		{args: "-O OpenFlow13 dump-aggregate br0"},
	},
	"add-flows": {
		{args: "add-flows br0 -", stdin: "priority=7,ip,actions=drop\n# comment\n\n priority=8,arp actions=drop\n"},
		{args: "add-flows br0 -", stdin: "priority=7,ipx,actions=drop\n"},
		{args: "add-flows br0 /nonexistent"},
		{args: "dump-flows br0 --no-stats"},
	},
	"mod-del": {
		{args: "add-flow|br0|priority=5,in_port=1,actions=drop"},
		{args: "add-flow|br0|priority=6,in_port=1,actions=drop"},
		{args: "mod-flows|br0|in_port=1,actions=output:2"},
		{args: "dump-flows br0 --no-stats"},
		{args: "--strict|mod-flows|br0|priority=6,in_port=1,actions=NORMAL"},
		{args: "dump-flows br0 --no-stats"},
		{args: "--strict|del-flows|br0|priority=6,in_port=1"},
		{args: "dump-flows br0 --no-stats"},
		{args: "del-flows|br0|in_port=1"},
		{args: "dump-flows br0 --no-stats"},
		{args: "del-flows br0"},
		{args: "dump-flows br0"},
	},
	"of13": {
		{args: "-O|OpenFlow13|add-flow|br0|table=1,priority=5,ip,actions=drop"},
		{args: "-O|OpenFlow13|add-flow|br0|priority=5,in_port=veth11,actions=mod_dl_src:00:00:00:00:00:01,output:2"},
		{args: "-O|OpenFlow13|add-flow|br0|send_flow_rem,hard_timeout=9,priority=6,reg3=1,actions=NORMAL"},
		{args: "-O OpenFlow13 dump-flows br0"},
		{args: "-O OpenFlow13 --no-stats dump-flows br0"},
		{args: "-O|OpenFlow13|del-flows|br0|in_port=1"},
		{args: "-O|OpenFlow13|add-flow|br0|cookie=0x5,priority=5,tcp,tp_src=1,actions=drop"},
		{args: "-O|OpenFlow13|add-flow|br0|cookie=0x6,priority=5,tcp,tp_src=2,actions=drop"},
		{args: "-O|OpenFlow13|del-flows|br0|cookie=0x5/0xffffffffffffffff"},
		{args: "-O OpenFlow13 dump-flows br0"},
		{args: "-O OpenFlow14 dump-flows br0"},
		{args: "-O OpenFlow15 dump-desc br0"},
		{args: "-O OpenFlow15 dump-ports-desc br0"},
		{args: "-O OpenFlow12 show br0"},
	},
	"nxm": {
		{args: "add-flow|br0|table=3,priority=5,reg0=1,actions=drop"},
		{args: "add-flow|br0|cookie=0x5,priority=5,tcp,tp_src=1,actions=drop"},
		{args: "-F|nxm|add-flow|br0|priority=6,actions=drop"},
		{args: "-F|openflow10|add-flow|br0|priority=6,reg0=1,actions=drop"},
		{args: "dump-flows br0"},
		{args: "dump-flows|br0|table=3"},
		{args: "dump-flows|br0|out_port=2"},
	},
	"errors": {
		{args: "add-flow|br0|check_overlap,priority=0,actions=drop"},
		{args: "add-flow|br0|priority=5,in_port=1"},
		{args: "add-flow|br0|in_port=foo,actions=drop"},
		{args: "add-flow|br0|actions=drop|extra"},
		{args: "add-flow|nobr|actions=drop"},
		{args: "add-flow|unix:/nonexistent/sock|actions=drop"},
		{args: "frobnicate br0"},
		{args: "dump-flows"},
		{args: "--foo dump-flows br0"},
		{args: "-Z dump-flows br0"},
		{args: "-O"},
		{args: "-O OpenFlow99 dump-flows br0"},
		{args: "-F foo dump-flows br0"},
		{args: "--sort=foo dump-flows br0"},
		{args: "dump-flows|br0|foo=1"},
		{args: "dump-flows|br0|in_port=1,actions=drop"},
		{args: "-F openflow10 dump-flows br0"},
		{args: ""},
	},
}

func TestAgainstRealOvsOfctl(t *testing.T) {
	real := testutil.RequireCommand(t, "ovs-ofctl")
	for name, steps := range scenarios {
		t.Run(name, func(t *testing.T) {
			realDir, ourDir := startSwitch(t), startSwitch(t)
			for _, s := range steps {
				want := runReal(t, real, realDir, s.stdin, s.argv()).masked()
				got := runOurs(t, ourDir, s.stdin, s.argv()).masked()
				if got != want {
					t.Errorf("ovs-ofctl %s:\n got: status %d\nstdout:\n%s\nstderr:\n%s\nwant: status %d\nstdout:\n%s\nstderr:\n%s",
						s.args, got.status, got.stdout, got.stderr, want.status, want.stdout, want.stderr)
				}
			}
		})
	}
}
