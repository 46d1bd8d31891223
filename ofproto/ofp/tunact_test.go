package ofp

import (
	"errors"
	"reflect"
	"testing"

	"github.com/govs/govs/flowtable"
)

// tunActionTexts are actions naming tun_metadata0 (a 4-byte option in
// tunTestMap), one of each form that carries a field header.
var tunActionTexts = []string{
	"set_field:0x5->tun_metadata0",
	"set_field:0x6/0xff->tun_metadata0",
	"move:NXM_NX_REG0[0..7]->NXM_NX_TUN_METADATA0[0..7]",
	"move:NXM_NX_TUN_METADATA0[0..7]->NXM_NX_REG2[0..7]",
	"learn(table=5,NXM_NX_TUN_METADATA0[0..7],load:NXM_NX_TUN_METADATA0[0..15]->NXM_NX_REG1[0..15],load:0x7->NXM_NX_TUN_METADATA0[0..3])",
	"push:NXM_NX_TUN_METADATA0[0..7],pop:NXM_NX_TUN_METADATA0[0..7]",
	"output:NXM_NX_TUN_METADATA0[0..15]",
	"set_field:0xa0b0c0d0e0f->tun_metadata5",
}

// TestTunMetadataActionsCodec round-trips flow_mods whose actions name
// tun_metadataN in every version: the actions come back whole with the
// map and re-encode to the same bytes; without it the field is
// NXFMFC_INVALID_TLV_FIELD, as in OVS.
func TestTunMetadataActionsCodec(t *testing.T) {
	tlv := tunTestMap(t)
	names := flowtable.Names{TLV: tlv}
	for _, text := range tunActionTexts {
		acts, err := flowtable.ParseActions(text, names)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		for _, v := range []Version{OF10, OF11, OF12, OF13, OF14, OF15} {
			fm := &FlowMod{Command: flowtable.FlowAdd, BufferID: NoBuffer, NXM: v == OF10,
				Flow: flowtable.Flow{OutPort: flowtable.PortNone, OutGroup: flowtable.GroupAny, Actions: acts}}
			b, err := EncodeTLV(v, 1, fm, tlv)
			if err != nil {
				t.Fatalf("%s in %s: %v", text, v, err)
			}
			_, got, err := DecodeTLV(b, tlv)
			if err != nil {
				t.Fatalf("%s in %s: decode %x: %v", text, v, b, err)
			}
			gotActs := got.(*FlowMod).Flow.Actions
			if gotActs.String() != acts.String() {
				t.Errorf("%s in %s: decoded as %s", text, v, gotActs)
			}
			if again, err := EncodeTLV(v, 1, got, tlv); err != nil || !reflect.DeepEqual(again, b) {
				t.Errorf("%s in %s: re-encoded %x, %v; want %x", text, v, again, err, b)
			}
			_, _, err = DecodeTLV(b, nil)
			var oe *Error
			if !errors.As(err, &oe) || oe.Code != FlowModInvalidTLVFld {
				t.Errorf("%s in %s without the map: %v, want %s", text, v, err, FlowModInvalidTLVFld)
			}
		}
	}
}

// TestTunMetadataActionsFromOfctl decodes the action bytes the real
// ovs-ofctl 3.1 sends, which has no TLV map: field headers give
// tun_metadata0 its largest length (124) and set_field values take the
// bytes they need. OVS 3.1 itself answers with the option's length.
func TestTunMetadataActionsFromOfctl(t *testing.T) {
	tlv := tunTestMap(t)
	for _, c := range []struct {
		name string
		wire []byte // one action
		want string
	}{
		{"reg_move", []byte{0xff, 0xff, 0x00, 0x18, 0x00, 0x00, 0x23, 0x20, 0x00, 0x06, 0x00, 0x08, 0, 0, 0, 0,
			0x00, 0x01, 0x00, 0x04, 0x00, 0x01, 0x50, 0x7c}, "move:NXM_NX_REG0[0..7]->NXM_NX_TUN_METADATA0[0..7]"},
		{"reg_move from OVS", []byte{0xff, 0xff, 0x00, 0x18, 0x00, 0x00, 0x23, 0x20, 0x00, 0x06, 0x00, 0x08, 0, 0, 0, 0,
			0x00, 0x01, 0x00, 0x04, 0x00, 0x01, 0x50, 0x04}, "move:NXM_NX_REG0[0..7]->NXM_NX_TUN_METADATA0[0..7]"},
		{"reg_load2 masked", []byte{0xff, 0xff, 0x00, 0x10, 0x00, 0x00, 0x23, 0x20, 0x00, 0x21,
			0x00, 0x01, 0x51, 0x02, 0x05, 0xff}, "set_field:0x5/0xff->tun_metadata0"},
		{"reg_load2", []byte{0xff, 0xff, 0x00, 0x10, 0x00, 0x00, 0x23, 0x20, 0x00, 0x21,
			0x00, 0x01, 0x50, 0x01, 0x05, 0}, "set_field:0x5->tun_metadata0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			acts, err := decodeActions(&decodeCtx{tlv: tlv}, OF10, c.wire)
			if err != nil {
				t.Fatal(err)
			}
			if acts.String() != c.want {
				t.Fatalf("got %s, want %s", acts, c.want)
			}
		})
	}
}

// TestTunMetadataActionErrors checks malformed tun_metadata actions.
func TestTunMetadataActionErrors(t *testing.T) {
	tlv := tunTestMap(t)
	for _, c := range []struct {
		name string
		wire []byte
		code ErrorCode
	}{
		{"longer than the option", []byte{0x00, 0x19, 0x00, 0x10, 0x00, 0x01, 0x50, 0x05, 1, 2, 3, 4, 5, 0, 0, 0}, BadActionBadSetLen},
		{"empty", []byte{0x00, 0x19, 0x00, 0x08, 0x00, 0x01, 0x50, 0x00}, BadActionBadSetLen},
		{"bits beyond the option", []byte{0xff, 0xff, 0x00, 0x18, 0x00, 0x00, 0x23, 0x20, 0x00, 0x06, 0x00, 0x08, 0, 0, 0, 30,
			0x00, 0x01, 0x00, 0x04, 0x00, 0x01, 0x50, 0x04}, BadActionBadSetLen},
		{"unmapped", []byte{0x00, 0x19, 0x00, 0x10, 0x00, 0x01, 0x52, 0x04, 0, 0, 0, 1, 0, 0, 0, 0}, FlowModInvalidTLVFld},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeActions(&decodeCtx{tlv: tlv}, OF13, c.wire)
			var oe *Error
			if !errors.As(err, &oe) || oe.Code != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}
}
