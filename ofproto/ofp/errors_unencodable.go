package ofp

// unencodableError is what OVS sends in place of an error the session's
// version has no code for (OFPTMFC_EPERM in OpenFlow 1.1, say), added to
// errorTable with the encodings `ovs-ofctl print-error
// NXBRC_UNENCODABLE_ERROR` (OVS 3.1) reports.
const unencodableError ErrorCode = "NXBRC_UNENCODABLE_ERROR"

func init() {
	errorTable[unencodableError] = [6]wireError{{true, 0x2320, 1, 521}, {true, 0x2320, 1, 521}, {true, 0x2320, 10, 0}, {true, 0x2320, 10, 0}, {true, 0x2320, 10, 0}, {true, 0x2320, 10, 0}}
}
