// Code generated from ovs-ofctl print-error (OVS 3.1) by the gen_errors.sh recipe; DO NOT EDIT.

package ofp

// NXT_RESUME's error (NXR_STALE: the continuation names no bridge of this
// switch), added to errorTable.
func init() {
	errorTable["NXR_STALE"] = [6]wireError{{true, 0x2320, 1, 534}, {true, 0x2320, 1, 534}, {true, 0x2320, 35, 0}, {true, 0x2320, 35, 0}, {true, 0x2320, 35, 0}, {true, 0x2320, 35, 0}}
}
