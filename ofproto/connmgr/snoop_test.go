package connmgr

import (
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govs/govs/internal/testutil"
	govsofctl "github.com/govs/govs/ofproto/ofctl"
	"github.com/govs/govs/ofproto/ofp"
)

// TestSnoopWithRealOfctl: real `ovs-ofctl snoop` on the bridge's snoop
// socket sees what a controller sends and what the switch answers.
func TestSnoopWithRealOfctl(t *testing.T) {
	path := testutil.RequireCommand(t, "ovs-ofctl")
	_, m := newControlledBridge(t)
	dir := filepath.Dir(m.Path())
	var out testutil.SyncBuffer
	snoop := exec.Command(path, "snoop", "br0")
	snoop.Env = append(snoop.Environ(), "OVS_RUNDIR="+dir)
	snoop.Stdout, snoop.Stderr = &out, &out
	if err := snoop.Start(); err != nil {
		t.Fatal(err)
	}
	defer snoop.Process.Kill()
	// govs' ovs-ofctl snoop alongside.
	t.Setenv("OVS_RUNDIR", dir)
	var ours testutil.SyncBuffer
	go govsofctl.Run([]string{"snoop", "br0"}, strings.NewReader(""), &ours, &ours, false)
	waitUntil(t, "the snoopers", func() bool {
		m.snoop.mu.Lock()
		defer m.snoop.mu.Unlock()
		return len(m.snoop.conns) == 2
	})
	ln, err := net.Listen("unix", filepath.Join(t.TempDir(), "ctl.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	m.SetControllers([]ControllerConfig{{Target: "unix:" + ln.Addr().String()}}, false)
	c := acceptControllerAt(t, ln, ofp.OF13)
	c.send(&ofp.EchoRequest{Data: []byte("hi")})
	if _, ok := c.recv().(*ofp.EchoReply); !ok {
		t.Fatal("no echo reply")
	}
	want := []string{"OFPT_FEATURES_REQUEST (OF1.3) (xid=0x1):", "OFPT_FEATURES_REPLY (OF1.3) (xid=0x1):",
		"OFPT_ECHO_REQUEST (OF1.3) (xid=0x1): 2 bytes of payload", "OFPT_ECHO_REPLY (OF1.3) (xid=0x1): 2 bytes of payload"}
	deadline := time.Now().Add(5 * time.Second)
	for !(strings.Contains(out.String(), want[len(want)-1]) && strings.Contains(ours.String(), want[len(want)-1])) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	snoop.Process.Signal(syscall.SIGTERM)
	snoop.Wait()
	got := regexp.MustCompile(`(?m)^.*fatal_signal.*\n`).ReplaceAllString(out.String(), "")
	if ours.String() != got {
		t.Errorf("govs' snoop printed:\n%s\nthe real one:\n%s", ours.String(), got)
	}
	at := 0
	for _, w := range want {
		i := strings.Index(got[at:], w)
		if i < 0 {
			t.Fatalf("snoop did not print %q (in order) in:\n%s", w, got)
		}
		at += i + len(w)
	}
}
