package flowtable

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseFlow checks that the flow and match parsers never panic on any
// text, and that what they accept prints as text that parses back to the
// same flow (a fixed point), in both protocols, as dump-flows output is
// fed back to add-flow. Matches must also come back equal field by field.
// The seeds are every flow of the golden files, accepted or refused, and
// its match alone.
func FuzzParseFlow(f *testing.F) {
	for _, name := range []string{"flows.golden", "flows-of15.golden", "errors.golden", "errors-of15.golden"} {
		data, err := os.ReadFile(filepath.Join(*goldenDir, name))
		if err != nil {
			f.Fatalf("seeds: %v", err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if in, ok := strings.CutPrefix(line, "in "); ok {
				f.Add(in)
				f.Add(matchPart(in))
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, proto := range []Protocol{OpenFlow10, OpenFlow15} {
			flowFixedPoint(t, s, proto)
		}
		matchRoundTrip(t, s)
	})
}

// refusedBySwitch reports whether m cannot reach a switch's flow table,
// so that nothing prints it whole: no OpenFlow match carries tun_tos or
// tun_ttl (ParseFlow refuses them as ovs-ofctl does), and a switch refuses
// (OFPBMC_BAD_PREREQ) NSH fields without their prerequisite and Ethernet
// header fields in a match for another packet type, which ovs-ofctl
// passes on.
func refusedBySwitch(m *Match) bool {
	if !m.IsWildcard(FieldTunTOS) || !m.IsWildcard(FieldTunTTL) {
		return true
	}
	if pt, ok := m.PacketType(); ok && pt != 0 {
		for _, f := range []*Field{FieldEthSrc, FieldEthDst, FieldEthType, FieldVLANTCI} {
			if !m.IsWildcard(f) {
				return true
			}
		}
	}
	for _, f := range fields {
		if !m.IsWildcard(f) && !m.PrereqsMet(f.Prereq) {
			return true
		}
	}
	return false
}

// printsLossily reports whether OVS prints m without part of it, by
// design, so that its text cannot come back the same (the match form of
// printedLossily): ERSPAN and GTP-U fields, and NSH context headers
// unless the match is for MD type 1.
func printsLossily(m *Match) bool {
	for _, f := range []*Field{FieldTunERSPANIdx, FieldTunERSPANVer, FieldTunERSPANDir, FieldTunERSPANHWID, FieldTunGTPUFlags, FieldTunGTPUMsgType} {
		if !m.IsWildcard(f) {
			return true
		}
	}
	mdType1 := m.IsExact(FieldNSHMDType) && FieldNSHMDType.Get(&m.Key) == 1
	for _, f := range FieldNSHC {
		if !m.IsWildcard(f) && !mdType1 {
			return true
		}
	}
	return false
}

func flowFixedPoint(t *testing.T, s string, proto Protocol) {
	fl, err := ParseFlow(s, FlowAdd, goldenPorts, proto)
	if err != nil || refusedBySwitch(&fl.Match) || printsLossily(&fl.Match) {
		return
	}
	text := fl.Format(goldenPorts, proto)
	again, err := ParseFlow(text, FlowAdd, goldenPorts, proto)
	var inconsistent *ActionCheckError
	if proto == OpenFlow10 && errors.As(err, &inconsistent) && inconsistent.Code == "OFPBAC_MATCH_INCONSISTENT" {
		// The text shows the actions as the switch receives them
		// (mod_nw_ecn as a load in OpenFlow 1.0), and the switch checks
		// them against the match where ovs-ofctl did not: it refuses
		// this flow.
		return
	}
	if err != nil && printsUnreadably(fl.Actions) {
		return
	}
	if err != nil {
		t.Fatalf("%v: %q printed as %q, which does not parse: %v", proto, s, text, err)
	}
	if got := again.Format(goldenPorts, proto); got != text {
		t.Fatalf("%v: %q printed as %q, reparsed and printed as %q", proto, s, text, got)
	}
	if again.Match != fl.Match {
		t.Fatalf("%v: %q printed as %q, whose match differs:\n%s\n%s", proto, s, text,
			fl.Match.Format(goldenPorts), again.Match.Format(goldenPorts))
	}
}

func matchRoundTrip(t *testing.T, s string) {
	m, err := ParseMatch(s, goldenPorts)
	if err != nil || refusedBySwitch(&m) || printsLossily(&m) {
		return
	}
	text := m.Format(goldenPorts)
	again, err := ParseMatch(text, goldenPorts)
	if err != nil {
		t.Fatalf("match %q printed as %q, which does not parse: %v", s, text, err)
	}
	if again != m {
		t.Fatalf("match %q printed as %q, which parses as %q", s, text, again.Format(goldenPorts))
	}
}
