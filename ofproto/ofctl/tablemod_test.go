package ofctl

import "testing"

// mod-table and dump-table-desc scenarios against the govs switch, run by
// TestAgainstRealOvsOfctl. (OpenFlow 1.1 and 1.2 are left out: before
// the table_mod, ovs-ofctl asks for table statistics, which govs does
// not encode in those versions yet.)
func init() {
	scenarios["mod-table"] = []step{
		{args: "-O OpenFlow14 mod-table br0 1 evict"},
		{args: "-O OpenFlow14 mod-table br0 2 vacancy:10,20"},
		{args: "-O OpenFlow15 mod-table br0 2 evict"},
		{args: "-O OpenFlow15 mod-table br0 3 vacancy:0x10,020"},
		{args: "-O OpenFlow14 mod-table br0 1 novacancy"},
		{args: "-O OpenFlow14 mod-table br0 3 noevict"},
		{args: "-O OpenFlow14 mod-table br0 254 evict"},
		{args: "-O OpenFlow14 mod-table br0 255 evict"},
		{args: "-O OpenFlow14 mod-table br0 ALL noevict"},
		{args: "-O OpenFlow14 mod-table br0 010 vacancy:10,,20,30"},
		{args: "-O OpenFlow14 mod-table br0 1 vacancy"},
		{args: "-O OpenFlow14 mod-table br0 1 vacancy:"},
		{args: "-O OpenFlow14 mod-table br0 1 vacancy:10"},
		{args: "-O OpenFlow14 mod-table br0 1 vacancy:a,20"},
		{args: "-O OpenFlow14 mod-table br0 1 vacancy:-1,20"},
		{args: "-O OpenFlow14 mod-table br0 1 vacancy:10,101"},
		{args: "-O OpenFlow14 mod-table br0 1 vacancy:30,20"},
		{args: "-O OpenFlow14 mod-table br0 1 vacancyfoo"},
		{args: "-O OpenFlow14 mod-table br0 1 Evict"},
		{args: "-O OpenFlow14 mod-table br0 foo evict"},
		{args: "-O OpenFlow14 mod-table br0 300 evict"},
		{args: "-O OpenFlow14 mod-table br0 0x10 evict"},
		{args: "-O OpenFlow13 mod-table br0 5 evict"},
		{args: "-O OpenFlow13 mod-table br0 5 drop"},
		{args: "mod-table br0 5 controller"},
		{args: "mod-table br0 5 bogus"},
		{args: "mod-table nosuch 5 bogus"},
		{args: "mod-table br0 5"},
		{args: "-O OpenFlow14 dump-table-desc br0"},
		{args: "-O OpenFlow13,OpenFlow15 dump-table-desc br0"},
		{args: "-O OpenFlow13 dump-table-desc br0"},
		{args: "dump-table-desc br0"},
		{args: "dump-table-desc nosuch"},
	}
}

func TestParseVacancy(t *testing.T) {
	for _, tc := range []struct {
		in       string
		down, up uint8
		err      string
	}{
		{"vacancy:10,20", 10, 20, ""},
		{"vacancy:0x10,020", 16, 16, ""},
		{"vacancy:,20", 0, 0, "Vacancy up value missing"},
		{"vacancy:: 10,20", 0, 0, `Invalid vacancy down value ": 10"`},
		{"vacancy: 10,+20,30", 10, 20, ""},
		{"vacancy:5,5", 5, 5, ""},
	} {
		down, up, err := parseVacancy(tc.in)
		msg := ""
		if err != nil {
			msg = err.(*exitError).msg
		}
		if down != tc.down || up != tc.up || msg != tc.err {
			t.Errorf("%q: got %d,%d %q; want %d,%d %q", tc.in, down, up, msg, tc.down, tc.up, tc.err)
		}
	}
}
