package connmgr

import (
	"slices"
	"strings"
	"testing"

	"github.com/govs/govs/flowtable"
)

// TestModPortEffects: the config bits real ovs-ofctl mod-port sets change
// how the bridge switches: noforward drops outputs to the port, noflood
// leaves it out of FLOOD, noreceive drops what it receives.
func TestModPortEffects(t *testing.T) {
	r := newSwitchRig(t)
	target := "unix:" + r.m.path
	for _, args := range [][]string{{"p2", "noforward"}, {"p3", "noflood"}} {
		if out, code := ofctl(t, append([]string{"mod-port", target}, args...)...); code != 0 {
			t.Fatalf("mod-port %v: %s", args, out)
		}
	}
	out, _ := ofctl(t, "show", target)
	for _, want := range []string{"2(p2): addr:00:00:00:00:00:00\n     config:     NO_FWD", "3(p3): addr:00:00:00:00:00:00\n     config:     NO_FLOOD"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if out, code := ofctl(t, "add-flow", target, "in_port=p1,actions=FLOOD"); code != 0 {
		t.Fatal(out)
	}
	frame := testFrame()
	r.inject(t, 1, frame)
	if got, want := r.egress(t, frame), []uint32{uint32(flowtable.PortLocal)}; !slices.Equal(got, want) {
		t.Errorf("FLOOD with p2 noforward, p3 noflood went to %v, want %v", got, want)
	}
	if out, code := ofctl(t, "mod-port", target, "p1", "noreceive"); code != 0 {
		t.Fatal(out)
	}
	if out, code := ofctl(t, "mod-flows", target, "in_port=p1,actions=ALL"); code != 0 {
		t.Fatal(out)
	}
	r.inject(t, 1, frame)
	if got := r.egress(t, frame); len(got) != 0 {
		t.Errorf("p1 noreceive still forwarded to %v", got)
	}
	if out, code := ofctl(t, "mod-port", target, "p1", "receive"); code != 0 {
		t.Fatal(out)
	}
	r.inject(t, 1, frame)
	if got, want := r.egress(t, frame), []uint32{3, uint32(flowtable.PortLocal)}; !slices.Equal(got, want) {
		t.Errorf("ALL after receive went to %v, want %v (p2 is noforward)", got, want)
	}
}
