package ofp

import "github.com/govs/govs/flowtable"

// TableFieldHeader returns the header that names field f in table
// features properties in version v: the OXM header the version encodes f
// with or, when nxm is set, its NXM header (OVS lists both forms of
// in_port and of the IP DSCP field as separate fields). masked sets the
// has-mask bit and doubles the payload length, as a match property does
// for a maskable field. It reports false when the version has no header
// for f.
func TableFieldHeader(v Version, f *flowtable.Field, nxm, masked bool) (FieldHeader, bool) {
	var mf *matchField
	switch {
	case nxm:
		mf = nxmOf[f]
	case v >= OF12 && v <= OF15:
		mf = oxmOf[v-OF12][f]
	}
	if mf == nil {
		return FieldHeader{}, false
	}
	return fieldHeader(mf.hdr, mf.size, masked), true
}

// TunMetadataMaxLen is the payload length table features give
// tun_metadataN: the longest Geneve option a TLV mapping accepts.
const TunMetadataMaxLen = 124

// TunMetadataHeader returns the header naming tun_metadataN in table
// features properties.
func TunMetadataHeader(n int, masked bool) FieldHeader {
	return fieldHeader(tlvHeader{class: classNXM1, field: uint8(tunMetadataField0 + n)}, TunMetadataMaxLen, masked)
}

func fieldHeader(h tlvHeader, size int, masked bool) FieldHeader {
	n := size
	if masked {
		n *= 2
	}
	if h.class == classExperimenter {
		n += 4 // the experimenter id counts as payload
	}
	fh := FieldHeader{Header: uint32(h.class)<<16 | uint32(h.field)<<9 | uint32(n), Experimenter: h.exp}
	if masked {
		fh.Header |= 1 << 8
	}
	return fh
}
