package ofp

import (
	"encoding/hex"
	"reflect"
	"testing"
)

func TestAsyncCodec(t *testing.T) {
	def13 := DefaultAsyncConfig(OF13)
	def14 := DefaultAsyncConfig(OF14)
	tests := []struct {
		name string
		v    Version
		m    Message
		hex  string
	}{
		{"set controller id", OF10, &SetControllerID{ID: 3},
			"01040018000000050000232000000014000000000000" + "0003"},
		{"nx set async", OF10, &SetAsync{Legacy: true, Config: DefaultAsyncConfig(OF10)},
			"010400280000000500002320000000130000000300000000000000070000000700000007" + "00000000"},
		{"of13 set async", OF13, &SetAsync{Legacy: true, Config: def13},
			"041c002000000005" + "00000003000000000000000700000007000000" + "0f00000000"},
		{"of14 set async props", OF14, &SetAsync{Props: []AsyncMask{{Type: 1, Mask: 0x3}, {Type: 5, Mask: 0}}},
			"051c001800000005" + "0001000800000003" + "0005000800000000"},
		{"nx set async2", OF10, &SetAsync{Props: []AsyncMask{{Type: 0, Mask: 0x2}}},
			"01040018000000050000232000000" + "01b" + "0000000800000002"},
		{"get async request", OF13, &GetAsyncRequest{}, "041a000800000005"},
		{"get async reply 13", OF13, &GetAsyncReply{Config: def13},
			"041b002000000005" + "000000030000000000000007000000070000000f00000000"},
		{"get async reply 14", OF14, &GetAsyncReply{Config: def14},
			"051b006800000005" +
				"0000000800000000" + "000100080000003b" +
				"0002000800000007" + "0003000800000007" +
				"0004000800000000" + "000500080000003f" +
				"0006000800000000" + "0007000800000000" +
				"0008000800000000" + "0009000800000000" +
				"000a000800000000" + "000b000800000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Encode(tc.v, 5, tc.m)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(b); got != tc.hex {
				t.Fatalf("encode:\n got %s\nwant %s", got, tc.hex)
			}
			_, m, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			b2, err := Encode(tc.v, 5, m)
			if err != nil || !reflect.DeepEqual(b, b2) {
				t.Fatalf("re-encode %x, %v", b2, err)
			}
		})
	}
}

func TestSetAsyncApply(t *testing.T) {
	basis := DefaultAsyncConfig(OF14)
	tests := []struct {
		name    string
		v       Version
		props   []AsyncMask
		wantErr ErrorCode
		check   func(c AsyncConfig) bool
	}{
		{"primary pin action only", OF14, []AsyncMask{{1, 1 << 1}}, "",
			func(c AsyncConfig) bool { return c.Primary[AsyncPacketIn] == 2 && c.Primary[AsyncFlowRemoved] == 0x3f }},
		{"no_match adds explicit miss", OF14, []AsyncMask{{0, 1}}, "",
			func(c AsyncConfig) bool { return c.Secondary[AsyncPacketIn] == 1|1<<PinReasonExplicitMiss }},
		{"no_match before 1.3 adds implicit miss", OF10, []AsyncMask{{0, 1}}, "",
			func(c AsyncConfig) bool {
				return c.Secondary[AsyncPacketIn] == 1|1<<PinReasonExplicitMiss|1<<PinReasonImplicitMiss
			}},
		{"1.4 reasons invalid in 1.0", OF10, []AsyncMask{{1, 1 << 3}}, AsyncConfigInvalid, nil},
		{"unknown property", OF14, []AsyncMask{{12, 0}}, AsyncConfigUnsupported, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := (&SetAsync{Props: tc.props}).Apply(tc.v, basis)
			if tc.wantErr != "" {
				if NewErrorMsg(err, nil).Code != tc.wantErr {
					t.Fatalf("err %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || !tc.check(c) {
				t.Fatalf("got %+v, %v", c, err)
			}
		})
	}
}
