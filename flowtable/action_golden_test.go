package flowtable

import (
	"bufio"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var goldenDir = flag.String("golden-dir", "../testdata/ofctl", "directory of the ovs-ofctl golden files")

// ofctlRecord is one blank-line-separated record of a golden file.
type ofctlRecord struct {
	line  int                 // line number of the "in" line
	lines map[string][]string // by tag: in, proto, out, names, err, exit, warn
}

func (r ofctlRecord) first(tag string) string {
	if v := r.lines[tag]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func readOfctlGolden(t *testing.T, name string) []ofctlRecord {
	t.Helper()
	f, err := os.Open(filepath.Join(*goldenDir, name))
	if err != nil {
		t.Skipf("golden file: %v", err)
	}
	defer f.Close()
	var recs []ofctlRecord
	var cur *ofctlRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		tag, rest, _ := strings.Cut(sc.Text(), " ")
		if tag == "in" {
			recs = append(recs, ofctlRecord{line: n, lines: map[string][]string{}})
			cur = &recs[len(recs)-1]
		}
		if cur != nil && tag != "" {
			cur.lines[tag] = append(cur.lines[tag], rest)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

// actionsPart returns the text after "actions=" in a flow.
func actionsPart(flow string) (string, bool) {
	i := strings.Index(flow, "actions=")
	if i < 0 {
		return "", false
	}
	return flow[i+len("actions="):], true
}

// goldenKnownGaps lists golden inputs this package cannot reproduce yet,
// with the reason; they are skipped (and counted) rather than failed.
var goldenKnownGaps = []struct{ substr, why string }{
	{"encap(", "encap is not implemented"},
	{"decap(", "decap is not implemented"},
}

// goldenKnownErrorGaps lists invalid action texts whose error message
// comes from code outside the action files and still differs from OVS's.
var goldenKnownErrorGaps = []struct{ actions, why string }{}

func knownErrorGap(actions string) string {
	for _, g := range goldenKnownErrorGaps {
		if actions == g.actions {
			return g.why
		}
	}
	return ""
}

func knownGap(actions string) string {
	for _, g := range goldenKnownGaps {
		if strings.Contains(strings.ToLower(actions), g.substr) {
			return g.why
		}
	}
	return ""
}

// goldenMatch parses the match of a golden "in" flow; ok is false when
// the match parser cannot (the record then is about the match).
func goldenMatch(t *testing.T, in string) (*Match, bool) {
	m, err := ParseMatch(matchPart(in), goldenPorts)
	if err != nil {
		return nil, false
	}
	return &m, true
}

// TestActionsGolden parses the actions of every flow real ovs-ofctl
// accepted, with the flow's match and protocol, and compares Format with
// what dump-flows printed, without and with port names; then it checks
// that the printed text parses back to the same actions. Records made
// with the default protocol are also parsed by ParseActions, which must
// agree without seeing the match.
func TestActionsGolden(t *testing.T) {
	pass, gaps := 0, 0
	for _, r := range readOfctlGolden(t, "flows.golden") {
		in, ok := actionsPart(r.first("in"))
		if !ok || len(r.lines["out"]) == 0 {
			continue
		}
		if why := knownGap(in); why != "" {
			gaps++
			t.Logf("line %d: skipped (%s): %s", r.line, why, in)
			continue
		}
		proto := OpenFlow10
		if r.first("proto") == "OpenFlow15" {
			proto = OpenFlow15
		}
		if checkGoldenOut(t, r, in, proto, true) {
			pass++
		}
	}
	t.Logf("%d golden records pass, %d skipped as known gaps", pass, gaps)
}

// checkGoldenOut compares one accepted golden flow's actions. With
// defaultProto, the record is one of flows.golden, made with ovs-ofctl's
// default protocol where it could be, which ParseActions must reproduce.
func checkGoldenOut(t *testing.T, r ofctlRecord, in string, proto Protocol, defaultProto bool) bool {
	t.Helper()
	want, _ := actionsPart(r.first("out"))
	wantNames, _ := actionsPart(r.first("names"))
	if defaultProto {
		plain, err := ParseActions(in, goldenPorts)
		if err != nil || plain.Format(goldenNoPorts) != want {
			t.Errorf("line %d: ParseActions(%q) = %v, %v; want %s", r.line, in, plain, err, want)
			return false
		}
	}
	m, ok := goldenMatch(t, r.first("in"))
	if !ok {
		// The match parser does not cover this match yet; the actions
		// were compared above when they could be.
		return defaultProto
	}
	acts, err := ParseFlowActions(in, goldenPorts, m, proto)
	if err != nil {
		t.Errorf("line %d: ParseFlowActions(%q): %v", r.line, in, err)
		return false
	}
	got, gotNames := acts.Format(goldenNoPorts), acts.Format(goldenPorts)
	if got != want || gotNames != wantNames {
		t.Errorf("line %d: %s\n got   %s\n want  %s\n names %s\n want  %s", r.line, in, got, want, gotNames, wantNames)
		return false
	}
	if printsUnreadably(acts) {
		return true // as OVS prints it, and no more to check
	}
	again, err := ParseFlowActions(got, goldenNoPorts, m, proto)
	if err != nil || again.Format(goldenNoPorts) != got {
		t.Errorf("line %d: reparsing %q: %v, %q", r.line, got, err, again.Format(goldenNoPorts))
		return false
	}
	return true
}

// TestActionsGoldenOpenFlow15 does the same for flows added and dumped
// with -O OpenFlow15, and compares the errors of those OVS refused.
func TestActionsGoldenOpenFlow15(t *testing.T) {
	pass, gaps := 0, 0
	for _, r := range readOfctlGolden(t, "flows-of15.golden") {
		in, ok := actionsPart(r.first("in"))
		if !ok {
			continue
		}
		if why := knownGap(in); why != "" {
			gaps++
			continue
		}
		if len(r.lines["out"]) == 0 {
			checkGoldenError(t, r, in, OpenFlow15)
			continue
		}
		if checkGoldenOut(t, r, in, OpenFlow15, false) {
			pass++
		}
	}
	t.Logf("%d golden records pass, %d skipped as known gaps", pass, gaps)
}

// TestActionsGoldenErrors checks the error text of every invalid flow
// whose match is valid: the error then comes from the actions.
func TestActionsGoldenErrors(t *testing.T) {
	for _, file := range []struct {
		name  string
		proto Protocol
	}{{"errors.golden", OpenFlow10}, {"errors-of15.golden", OpenFlow15}} {
		t.Run(file.name, func(t *testing.T) {
			compared := 0
			for _, r := range readOfctlGolden(t, file.name) {
				if in, ok := actionsPart(r.first("in")); ok && knownGap(in) == "" && checkGoldenError(t, r, in, file.proto) {
					compared++
				}
			}
			t.Logf("%d action errors compared", compared)
		})
	}
}

// checkGoldenError compares the error for one refused golden flow, when
// it is about the actions: ovs-ofctl's final message and the warning OVS
// logged before it. It reports whether it compared an error.
func checkGoldenError(t *testing.T, r ofctlRecord, in string, proto Protocol) bool {
	t.Helper()
	var final, warning string
	for _, e := range r.lines["err"] {
		if msg, ok := strings.CutPrefix(e, "ovs-ofctl: "); ok {
			final = msg
		}
		if _, w, ok := strings.Cut(e, "|WARN|"); ok {
			warning = w
		}
	}
	m, ok := goldenMatch(t, r.first("in"))
	if !ok || final == "" {
		return false // a match error, or one only the switch reports
	}
	_, err := ParseFlowActions(in, goldenPorts, m, proto)
	var ce *ActionCheckError
	switch {
	case knownErrorGap(in) != "":
		t.Logf("line %d: skipped (%s): %s", r.line, knownErrorGap(in), in)
		return false
	case err == nil:
		if in != "drop" { // else the error is about flow keywords
			t.Logf("line %d: %s: accepted; OVS said %q", r.line, r.first("in"), final)
		}
		return false
	case err.Error() != final:
		t.Errorf("line %d: %s\n got  %v\n want %s", r.line, r.first("in"), err, final)
	case errors.As(err, &ce) && ce.Warning != "" && ce.Warning != warning:
		t.Errorf("line %d: %s: warning\n got  %s\n want %s", r.line, r.first("in"), ce.Warning, warning)
	}
	return true
}
