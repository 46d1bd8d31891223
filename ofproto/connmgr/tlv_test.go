package connmgr

import (
	"strings"
	"testing"
)

// TestTLVMapWithRealOfctl drives the TLV table with the real ovs-ofctl:
// each step's exit status and output (errors as ovs-ofctl prints them).
func TestTLVMapWithRealOfctl(t *testing.T) {
	b, target := newManagedBridge(t)
	const header = "NXT_TLV_TABLE_REPLY (xid=0x2):\n max option space=64 max fields=64\n"
	const table = " mapping table:\n  class  type  length  match field\n ------  ----  ------  --------------"
	steps := []struct {
		args []string
		rc   int
		out  string // substring of the output; for dump-tlv-map, all of it
	}{
		{[]string{"dump-tlv-map"}, 0, header + " allocated option space=0\n\n" + table},
		{[]string{"add-tlv-map", "{class=0xffff,type=0,len=4}->tun_metadata0,{class=0x102,type=3,len=8}->tun_metadata5"}, 0, ""},
		{[]string{"dump-tlv-map"}, 0, header + " allocated option space=12\n\n" + table +
			"\n 0xffff     0       4  tun_metadata0\n  0x102   0x3       8  tun_metadata5"},
		{[]string{"add-tlv-map", "{class=0xffff,type=1,len=4}->tun_metadata0"}, 1, "NXTTMFC_ALREADY_MAPPED"},
		{[]string{"add-tlv-map", "{class=0xffff,type=0,len=4}->tun_metadata1"}, 1, "NXTTMFC_DUP_ENTRY"},
		{[]string{"add-tlv-map", "{class=0xffff,type=9,len=124}->tun_metadata9"}, 1, "NXTTMFC_TABLE_FULL"},
		{[]string{"add-flow", "tun_metadata5=0x1234,actions=drop"}, 0, ""},
		{[]string{"-O", "OpenFlow13", "add-flow", "priority=5,tun_metadata0=0x10/0xf0,actions=drop"}, 0, ""},
		{[]string{"add-flow", "tun_metadata7=1,actions=drop"}, 1, "NXFMFC_INVALID_TLV_FIELD"},
		{[]string{"dump-flows", "--no-stats"}, 0, "tun_metadata5=0x1234 actions=drop"},
		{[]string{"-O", "OpenFlow13", "dump-flows", "--no-stats"}, 0, "priority=5,tun_metadata0=0x10/0xf0 actions=drop"},
		{[]string{"del-tlv-map", "{class=0x102,type=3,len=8}->tun_metadata5"}, 1, "NXTTMFC_INVALID_TLV_DEL"},
		{[]string{"del-tlv-map"}, 1, "NXTTMFC_INVALID_TLV_DEL"},
		{[]string{"del-flows"}, 0, ""},
		{[]string{"del-tlv-map", "{class=0xffff,type=0,len=4}->tun_metadata0"}, 0, ""},
		{[]string{"dump-tlv-map"}, 0, header + " allocated option space=8\n\n" + table +
			"\n  0x102   0x3       8  tun_metadata5"},
		{[]string{"del-tlv-map"}, 0, ""},
		{[]string{"dump-tlv-map"}, 0, header + " allocated option space=0\n\n" + table},
	}
	for i, st := range steps {
		args := st.args
		for j, a := range args {
			if strings.Contains(a, "-") && !strings.HasPrefix(a, "-") {
				args = append(append(append([]string{}, args[:j+1]...), target), args[j+1:]...)
				break
			}
		}
		out, rc := ofctl(t, args...)
		if rc != st.rc {
			t.Fatalf("step %d %v: exit %d, want %d\n%s", i, st.args, rc, st.rc, out)
		}
		if st.args[len(st.args)-1] == "dump-tlv-map" {
			if out != strings.TrimSpace(st.out) {
				t.Fatalf("step %d %v:\n%s\nwant\n%s", i, st.args, out, st.out)
			}
		} else if !strings.Contains(out, st.out) {
			t.Fatalf("step %d %v: %s, want %q", i, st.args, out, st.out)
		}
	}
	if n := len(b.TLVMap().Mappings()); n != 0 {
		t.Fatalf("%d mappings left", n)
	}
}
