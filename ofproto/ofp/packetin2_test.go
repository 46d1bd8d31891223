package ofp

import (
	"encoding/hex"
	"reflect"
	"testing"

	"github.com/govs/govs/flowtable"
)

func TestPacketIn2Codec(t *testing.T) {
	var md flowtable.Match
	md.SetExact(flowtable.FieldInPort, 1)
	md.SetExact(flowtable.FieldReg[0], 0x2a)
	frame, _ := hex.DecodeString("ffffffffffff0a00000000010800")
	tests := []struct {
		name string
		v    Version
		m    *PacketIn2
		hex  string
	}{
		{"full packet, cookie, userdata", OF15, &PacketIn2{Data: frame, TotalLen: 14, BufferID: NoBuffer, Table: 3,
			Cookie: 0x42, Reason: 1, Match: md, Userdata: []byte{1, 2, 3}},
			// ovs-ofctl ofp-print: table_id=3 cookie=0x42 total_len=14
			// reg0=0x2a,in_port=1 (via action) data_len=14 (unbuffered)
			// userdata=01.02.03
			"0604007000000007000023200000001e" +
				"00000012ffffffffffff0a0000000001080000000000" + "0000" +
				"0003000503000000" +
				"00040010000000000000000000000042" +
				"0005000501000000" +
				"00060020800000040000000180010110" + "0000002a00000000ffffffff00000000" +
				"0007000701020300"},
		{"truncated, no cookie", OF13, &PacketIn2{Data: frame[:6], TotalLen: 14, BufferID: NoBuffer,
			Cookie: ^uint64(0), Match: md},
			// ovs-ofctl ofp-print: table_id=0 total_len=14 reg0=0x2a,in_port=1
			// (via no_match) data_len=6 (unbuffered)
			"0404005000000007000023200000001e" +
				"0000000affffffffffff000000000000" + "000100080000000e" +
				"0003000500000000" + "0005000500000000" +
				"00060014800000040000000100010004" + "0000002a00000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Encode(tc.v, 7, tc.m)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%x", b)
			if got := hex.EncodeToString(b); got != tc.hex {
				t.Fatalf("encode:\n got %s\nwant %s", got, tc.hex)
			}
			_, m, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m, tc.m) {
				t.Fatalf("decode %+v, want %+v", m, tc.m)
			}
		})
	}
}
