package connmgr

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/dummy"
)

// protocolsDir holds the commands and what real OVS 3.1 printed for them
// (testdata/ofctl/protocols/gen.sh regenerates golden.txt).
var protocolsDir = filepath.Join("..", "..", "testdata", "ofctl", "protocols")

// protocolRecord is one command of golden.txt and what it printed.
type protocolRecord struct {
	args string // fields joined by "|"
	rc   int
	out  []string
}

func readProtocolGolden(t *testing.T) []protocolRecord {
	t.Helper()
	f, err := os.Open(filepath.Join(protocolsDir, "golden.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []protocolRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		kw, rest, _ := strings.Cut(sc.Text(), " ")
		switch kw {
		case "cmd":
			recs = append(recs, protocolRecord{args: rest})
		case "rc":
			recs[len(recs)-1].rc, _ = strconv.Atoi(rest)
		case "out":
			recs[len(recs)-1].out = append(recs[len(recs)-1].out, rest)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

// protocolNoise masks what differs between runs and switches: times,
// ages, the datapath ID and the MAC address.
var protocolNoise = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`duration[=:][0-9.]+s`), "duration=X"},
	{regexp.MustCompile(`(idle|hard)_age=[0-9]+`), "${1}_age=X"},
	{regexp.MustCompile(`dpid:[0-9a-f]+`), "dpid:X"},
	{regexp.MustCompile(`addr:[0-9a-f:]+`), "addr:X"},
}

func maskProtocolNoise(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		for _, n := range protocolNoise {
			l = n.re.ReplaceAllString(l, n.with)
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

// TestProtocolsWithRealOfctl runs the real ovs-ofctl in every OpenFlow
// version (and with version lists) against govs' management socket and
// compares each command's output and status with real OVS 3.1's.
func TestProtocolsWithRealOfctl(t *testing.T) {
	ofctlPath := testutil.RequireCommand(t, "ovs-ofctl")
	b := ofproto.NewBridge("br0")
	m, sock := listenBridge(t, b, io.Discard)
	dir := filepath.Dir(sock)
	// packet-out needs a datapath to send through.
	dummy.New(b).SetUpcallHandler(m.PacketIn)
	flows, err := os.ReadFile(filepath.Join(protocolsDir, "flows.in"))
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range readProtocolGolden(t) {
		args := strings.Split(rec.args, "|")
		cmd := exec.Command(ofctlPath, args...)
		cmd.Env = append(os.Environ(), "OVS_RUNDIR="+dir)
		if args[len(args)-1] == "-" {
			cmd.Stdin = bytes.NewReader(flows)
		}
		out, _ := cmd.CombinedOutput()
		var lines []string
		if s := strings.TrimRight(string(out), "\n"); s != "" {
			lines = strings.Split(s, "\n")
		}
		got, want := maskProtocolNoise(lines), maskProtocolNoise(rec.out)
		if rc := cmd.ProcessState.ExitCode(); rc != rec.rc || got != want {
			t.Errorf("ovs-ofctl %s:\n got status %d:\n%s\nwant status %d:\n%s", strings.Join(args, " "), rc, got, rec.rc, want)
		}
	}
}
