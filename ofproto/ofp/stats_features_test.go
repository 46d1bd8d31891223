package ofp

import (
	"encoding/binary"
	"errors"
	"reflect"
	"testing"

	"github.com/govs/govs/flowtable"
)

// sampleTableFeatures is a reply with every kind of property: both
// forms of a field (NXM and OXM in_port), masked and experimenter
// headers, a miss set unlike the table's, an empty next-tables list and
// a name.
func sampleTableFeatures(t *testing.T, v Version) *TableFeaturesReply {
	t.Helper()
	hdr := func(f *flowtable.Field, nxm, masked bool) FieldHeader {
		h, ok := TableFieldHeader(v, f, nxm, masked)
		if !ok {
			t.Fatalf("%s: no header for %s", v, f.Name)
		}
		return h
	}
	match := []FieldHeader{hdr(flowtable.FieldInPort, true, false), hdr(flowtable.FieldInPort, false, false),
		hdr(flowtable.FieldEthSrc, false, true), hdr(flowtable.FieldTCPFlags, false, true),
		hdr(flowtable.FieldActsetOutput, false, false), TunMetadataHeader(3, true)}
	wild := []FieldHeader{hdr(flowtable.FieldInPort, true, false), hdr(flowtable.FieldEthSrc, false, false)}
	set := []FieldHeader{hdr(flowtable.FieldEthSrc, false, false), hdr(flowtable.FieldIPDSCP, true, false),
		hdr(flowtable.FieldIPDSCP, false, false), TunMetadataHeader(0, false)}
	props := TableFeatureProps{
		Instructions: []uint16{1, 2, 3, 4, 5}, NextTables: []uint8{1, 2, 3},
		WriteActions: []uint16{0, 22}, ApplyActions: []uint16{0, 17, 25},
		WriteSetfield: set[:1], ApplySetfield: set,
	}
	miss := TableFeatureProps{Instructions: []uint16{4}, ApplyActions: []uint16{0}}
	return &TableFeaturesReply{Tables: []TableFeatures{
		{Table: 0, Name: "classifier", MetadataMatch: ^uint64(0), MetadataWrite: 0xff, MaxEntries: 1000000,
			Features: props, Miss: miss, Match: match, Wildcards: wild},
		{Table: 3, MaxEntries: 10, Config: 1<<2 | 1<<3, Features: miss, Miss: miss},
	}}
}

// TestTableFeaturesGolden checks the property encodings against what the
// real ovs-ofctl prints for them, and their decode/encode round trip.
func TestTableFeaturesGolden(t *testing.T) {
	var cases []goldenCase
	for _, v := range []Version{OF13, OF14, OF15} {
		cases = append(cases,
			goldenCase{"table-features-reply-" + v.String(), v, sampleTableFeatures(t, v)},
			goldenCase{"table-features-request-" + v.String(), v, &TableFeaturesRequest{}})
	}
	runGolden(t, "tablefeatures.golden", cases)
}

// TestTableFeaturesRoundTrip checks that every property decodes to what
// was encoded.
func TestTableFeaturesRoundTrip(t *testing.T) {
	for _, v := range []Version{OF13, OF14, OF15} {
		want := sampleTableFeatures(t, v)
		b, err := Encode(v, 7, want)
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: decode: %v", v, err)
		}
		// Empty lists decode as nil.
		want.Tables[1].Features.NextTables, want.Tables[1].Miss.NextTables = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoded\n%+v\nwant\n%+v", v, got, want)
		}
	}
}

// TestTableFeaturesHeaders checks headers against OVS 3.1's bytes.
func TestTableFeaturesHeaders(t *testing.T) {
	for _, c := range []struct {
		v           Version
		f           *flowtable.Field
		nxm, masked bool
		want        FieldHeader
	}{
		{OF13, flowtable.FieldInPort, true, false, FieldHeader{Header: 0x00000002}},
		{OF13, flowtable.FieldInPort, false, false, FieldHeader{Header: 0x80000004}},
		{OF13, flowtable.FieldTunID, false, true, FieldHeader{Header: 0x80004d10}},
		{OF13, flowtable.FieldTCPFlags, false, true, FieldHeader{Header: 0xffff5508, Experimenter: vendorONF}},
		{OF15, flowtable.FieldTCPFlags, false, true, FieldHeader{Header: 0x80005504}},
		{OF14, flowtable.FieldActsetOutput, false, false, FieldHeader{Header: 0xffff5608, Experimenter: vendorONF}},
		{OF13, flowtable.FieldIPDSCP, true, false, FieldHeader{Header: 0x00000a01}},
	} {
		if got, ok := TableFieldHeader(c.v, c.f, c.nxm, c.masked); !ok || got != c.want {
			t.Errorf("%s %s nxm=%v masked=%v: %+v, want %+v", c.v, c.f.Name, c.nxm, c.masked, got, c.want)
		}
	}
	if got := TunMetadataHeader(63, true); got != (FieldHeader{Header: 0x0001cff8}) {
		t.Errorf("tun_metadata63 masked: %+v", got)
	}
}

// TestTableFeaturesRequestWithBody checks that a request that would
// change the tables gets OVS 3.1's error for it.
func TestTableFeaturesRequestWithBody(t *testing.T) {
	withProps := func(v Version, types ...uint16) []byte {
		b, err := Encode(v, 9, sampleTableFeatures(t, v))
		if err != nil {
			t.Fatal(err)
		}
		b[1] = statsRequestType(v) // the same body as a request
		if types == nil {
			return b
		}
		// Keep only the first table, with just the given properties.
		entry := b[16:]
		entry = entry[:binary.BigEndian.Uint16(entry)]
		out := append([]byte(nil), b[:16]...)
		out = append(out, entry[:tableFeaturesLen]...)
		for _, typ := range types {
			out = append(out, byte(typ>>8), byte(typ), 0, 4, 0, 0, 0, 0)
		}
		binary.BigEndian.PutUint16(out[16:], uint16(len(out)-16))
		binary.BigEndian.PutUint16(out[2:], uint16(len(out)))
		return out
	}
	for _, c := range []struct {
		name string
		v    Version
		b    []byte
		want ErrorCode
	}{
		{"full-13", OF13, withProps(OF13), TableFeaturesEPerm},
		{"full-15", OF15, withProps(OF15), TableFeaturesEPerm},
		{"no-props-13", OF13, withProps(OF13, []uint16{}...), NXBadRequestUnencodable},
		{"no-props-15", OF15, withProps(OF15, []uint16{}...), TableFeaturesEPerm},
		{"some-props-14", OF14, withProps(OF14, 0), NXBadRequestUnencodable},
		{"some-props-15", OF15, withProps(OF15, 0), TableFeaturesBadFeatures},
		{"required-props-13", OF13, withProps(OF13, 0, 2, 4, 6, 8, 10, 12, 14), TableFeaturesEPerm},
	} {
		_, _, err := Decode(c.b)
		var oe *Error
		if !errors.As(err, &oe) || oe.Code != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
		// The error must be encodable in the request's version.
		if _, err := Encode(c.v, 1, &ErrorMsg{Code: c.want}); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// An entry shorter than its fixed part.
	short := []byte{4, 18, 0, 24, 0, 0, 0, 9, 0, 12, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0}
	var oe *Error
	if _, _, err := Decode(short); !errors.As(err, &oe) || oe.Code != BadPropertyBadLen {
		t.Errorf("short entry: %v, want %s", err, BadPropertyBadLen)
	}
}
