package flowtable

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseActions checks that parsing never panics and that whatever
// parses prints as text that parses back to the same actions, both as
// ParseActions normalizes them and as OpenFlow 1.5 does. The seeds are
// the unit test inputs and the actions of every golden flow.
func FuzzParseActions(f *testing.F) {
	for _, tt := range actionRoundTripTests {
		f.Add(tt.in)
	}
	for _, name := range []string{"flows.golden", "errors.golden"} {
		data, _ := os.ReadFile(filepath.Join(*goldenDir, name))
		for _, line := range strings.Split(string(data), "\n") {
			if in, ok := strings.CutPrefix(line, "in "); ok {
				if actions, ok := actionsPart(in); ok {
					f.Add(actions)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		roundTrip(t, s, func(s string) (Actions, error) { return ParseActions(s, goldenPorts) })
		roundTrip(t, s, func(s string) (Actions, error) { return ParseFlowActions(s, goldenPorts, nil, OpenFlow15) })
	})
}

func roundTrip(t *testing.T, s string, parse func(string) (Actions, error)) {
	acts, err := parse(s)
	if err != nil {
		return
	}
	text := acts.Format(goldenPorts)
	again, err := parse(text)
	if err != nil {
		t.Fatalf("%q formatted as %q, which does not parse: %v", s, text, err)
	}
	if got := again.Format(goldenPorts); got != text {
		t.Fatalf("%q formatted as %q, reparsed and formatted as %q", s, text, got)
	}
	if !reflect.DeepEqual(acts, again) {
		t.Fatalf("%q: %#v reparsed from %q as %#v", s, acts, text, again)
	}
}
