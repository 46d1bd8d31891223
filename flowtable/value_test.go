package flowtable

import "testing"

func TestFieldValueRoundTrip(t *testing.T) {
	tests := []struct {
		field, in, out string
	}{
		{"nw_src", "10.0.0.0/8", "10.0.0.0/8"},
		{"nw_src", "10.1.2.3/8", "10.0.0.0/8"},
		{"nw_src", "10.0.0.1/255.0.255.0", "10.0.0.0/255.0.255.0"},
		{"nw_src", "10.0.0.1/32", "10.0.0.1"},
		{"ipv6_src", "2001:db8::1/64", "2001:db8::/64"},
		{"dl_dst", "01:00:00:00:00:00/01:00:00:00:00:00", "01:00:00:00:00:00/01:00:00:00:00:00"},
		{"tcp_dst", "0x1000/0xf000", "4096/0xf000"}, // decimal value, hex mask, as ovs-ofctl prints set_field
		{"tcp_dst", "80", "80"},
		{"reg0", "5/0xff", "0x5/0xff"},
		{"reg0", "5", "0x5"},
		{"ct_label", "0x1/0x1", "0x1/0x1"},
		{"ct_state", "+trk-est", "-est+trk"},
		{"ip_frag", "later", "later"},
		{"in_port", "LOCAL", "LOCAL"},
		{"in_port", "7", "7"},
		{"xxreg1", "0x112233445566778899aabbccddeeff00", "0x112233445566778899aabbccddeeff00"},
	}
	for _, tt := range tests {
		f, ok := FieldByName(tt.field)
		if !ok {
			t.Fatalf("no field %s", tt.field)
		}
		v, m, err := f.ParseValue(tt.in, nil)
		if err != nil {
			t.Errorf("%s=%s: %v", tt.field, tt.in, err)
			continue
		}
		if got := f.FormatValue(v, m, nil); got != tt.out {
			t.Errorf("%s=%s: formatted %q, want %q", tt.field, tt.in, got, tt.out)
		}
		var match Match
		match.SetBytesMasked(f, v, m)
		got := make([]byte, f.Bytes())
		f.GetBytes(&match.Key, got)
		if string(got) != string(v) {
			t.Errorf("%s=%s: key round trip %x, want %x", tt.field, tt.in, got, v)
		}
	}
}

func TestFieldValueErrors(t *testing.T) {
	tests := []struct{ field, in string }{
		{"nw_src", "1.2.3"},
		{"dl_vlan", "70000"},
		{"nw_proto", "6/0xf0"}, // 0xff and 0 are the masks a field without masks takes
		{"ct_state", "0x100"},
		{"tcp_flags", "0x1/0xffff"},
		{"ct_state", "+bogus"},
		{"dl_src", "00:11:22:33:44"},
		{"in_port", "nosuchport"},
	}
	for _, tt := range tests {
		f, _ := FieldByName(tt.field)
		if _, _, err := f.ParseValue(tt.in, nil); err == nil {
			t.Errorf("%s=%s: parsed, want error", tt.field, tt.in)
		}
	}
}

func TestSubfield(t *testing.T) {
	for _, tt := range []struct{ in, out string }{
		{"NXM_NX_REG0[0..15]", "NXM_NX_REG0[0..15]"},
		{"reg0[]", "NXM_NX_REG0[]"},
		{"eth_src[40]", "NXM_OF_ETH_SRC[40]"},
		{"metadata[0..31]", "OXM_OF_METADATA[0..31]"},
		{"reg0[+3]", "NXM_NX_REG0[3]"},
		{"reg0[08..010]", "NXM_NX_REG0[8..10]"},
		{"reg0[4294967297]", "NXM_NX_REG0[1]"}, // %d wraps to 32 bits
	} {
		sf, err := ParseSubfield(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if got := sf.String(); got != tt.out {
			t.Errorf("%s: got %s want %s", tt.in, got, tt.out)
		}
	}
	var k Key
	sf, _ := ParseSubfield("xxreg0[60..67]")
	sf.Set(&k, 0xff)
	if got := sf.Get(&k); got != 0xff {
		t.Errorf("xxreg0[60..67] = %#x, want 0xff", got)
	}
	if k[wXReg1] != 0xf<<60 || k[wXReg0] != 0xf {
		t.Errorf("xxreg0[60..67] stored as %#x %#x", k[wXReg0], k[wXReg1])
	}
}

// TestSubfieldErrors checks OVS's messages for subfields it refuses; a
// negative bit once got through and made a load panic.
func TestSubfieldErrors(t *testing.T) {
	for _, tt := range []struct{ in, err string }{
		{"NXM_NX_REG0[-1]", "NXM_NX_REG0[-1]: starting bit -1 is not valid because field is only 32 bits wide"},
		{"NXM_NX_REG0[-3..-2]", "NXM_NX_REG0[-3..-2]: starting bit -3 is not valid because field is only 32 bits wide"},
		{"NXM_NX_REG0[1..-2]", "NXM_NX_REG0[1..-2]: starting bit 1 is after ending bit -2"},
		{"NXM_NX_REG0[32]", "NXM_NX_REG0[32]: starting bit 32 is not valid because field is only 32 bits wide"},
		{"NXM_NX_REG0[0..32]", "NXM_NX_REG0[0..32]: ending bit 32 is not valid because field is only 32 bits wide"},
		{"NXM_NX_REG0[A]", "NXM_NX_REG0[A]: syntax error expecting [] or [<bit>] or [<start>..<end>]"},
		{"NXM_NX_REG0[1", "NXM_NX_REG0[1: syntax error expecting [] or [<bit>] or [<start>..<end>]"},
		{"nosuch[1]x", "nosuch[1]x: unknown field `nosuch'"},
		{"nxm_nx_reg1[1..2]", "nxm_nx_reg1[1..2]: unknown field `nxm_nx_reg1'"}, // names have case
		{"tun_metadata00[]", "tun_metadata00[]: unknown field `tun_metadata00'"},
		{"a-b", "a-b: unknown field `a'"}, // a name ends at '-'
		{"NXM_NX_REG0[0x3]", "NXM_NX_REG0[0x3]: syntax error expecting [] or [<bit>] or [<start>..<end>]"},
		{"NXM_NX_REG0[3...4]", "NXM_NX_REG0[3...4]: syntax error expecting [] or [<bit>] or [<start>..<end>]"},
		{"NXM_NX_REG0[3]x", "unexpected input following field syntax"},
	} {
		if _, err := ParseSubfield(tt.in); err == nil || err.Error() != tt.err {
			t.Errorf("%s: got error %v, want %q", tt.in, err, tt.err)
		}
	}
	if _, err := ParseActions("load:0->NXM_NX_REG0[-1]", nil); err == nil {
		t.Error("load to bit -1 parsed")
	}
}
