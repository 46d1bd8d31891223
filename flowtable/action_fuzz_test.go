package flowtable

import (
	"reflect"
	"testing"
)

// FuzzParseActions checks that parsing never panics and that whatever
// parses prints as text that parses back to the same actions.
func FuzzParseActions(f *testing.F) {
	for _, tt := range actionRoundTripTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		acts, err := ParseActions(s, goldenPorts)
		if err != nil {
			return
		}
		text := acts.Format(goldenPorts)
		again, err := ParseActions(text, goldenPorts)
		if err != nil {
			t.Fatalf("%q formatted as %q, which does not parse: %v", s, text, err)
		}
		if got := again.Format(goldenPorts); got != text {
			t.Fatalf("%q formatted as %q, reparsed and formatted as %q", s, text, got)
		}
		if !reflect.DeepEqual(acts, again) {
			t.Fatalf("%q: %#v reparsed from %q as %#v", s, acts, text, again)
		}
	})
}
