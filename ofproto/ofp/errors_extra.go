// Code generated from ovs-ofctl print-error (OVS 3.1) by the gen_errors.sh recipe; DO NOT EDIT.

package ofp

// Bundle (OFPBFC_*) and TLV table (NXTTMFC_*) errors, added to errorTable.
func init() {
	errorTable["OFPBFC_UNKNOWN"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2300, 0}, {true, 0, 17, 0}, {true, 0, 17, 0}}
	errorTable["OFPBFC_EPERM"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2301, 0}, {true, 0, 17, 1}, {true, 0, 17, 1}}
	errorTable["OFPBFC_BAD_ID"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2302, 0}, {true, 0, 17, 2}, {true, 0, 17, 2}}
	errorTable["OFPBFC_BUNDLE_EXIST"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2303, 0}, {true, 0, 17, 3}, {true, 0, 17, 3}}
	errorTable["OFPBFC_BUNDLE_CLOSED"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2304, 0}, {true, 0, 17, 4}, {true, 0, 17, 4}}
	errorTable["OFPBFC_OUT_OF_BUNDLES"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2305, 0}, {true, 0, 17, 5}, {true, 0, 17, 5}}
	errorTable["OFPBFC_BAD_TYPE"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2306, 0}, {true, 0, 17, 6}, {true, 0, 17, 6}}
	errorTable["OFPBFC_BAD_FLAGS"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2307, 0}, {true, 0, 17, 7}, {true, 0, 17, 7}}
	errorTable["OFPBFC_MSG_BAD_LEN"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2308, 0}, {true, 0, 17, 8}, {true, 0, 17, 8}}
	errorTable["OFPBFC_MSG_BAD_XID"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2309, 0}, {true, 0, 17, 9}, {true, 0, 17, 9}}
	errorTable["OFPBFC_MSG_UNSUP"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2310, 0}, {true, 0, 17, 10}, {true, 0, 17, 10}}
	errorTable["OFPBFC_MSG_CONFLICT"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2311, 0}, {true, 0, 17, 11}, {true, 0, 17, 11}}
	errorTable["OFPBFC_MSG_TOO_MANY"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2312, 0}, {true, 0, 17, 12}, {true, 0, 17, 12}}
	errorTable["OFPBFC_MSG_FAILED"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2313, 0}, {true, 0, 17, 13}, {true, 0, 17, 13}}
	errorTable["OFPBFC_TIMEOUT"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2314, 0}, {true, 0, 17, 14}, {true, 0, 17, 14}}
	errorTable["OFPBFC_BUNDLE_IN_PROGRESS"] = [6]wireError{{}, {}, {}, {true, 0x4f4e4600, 2315, 0}, {true, 0, 17, 15}, {true, 0, 17, 15}}
	errorTable["NXTTMFC_BAD_COMMAND"] = [6]wireError{{true, 0x2320, 1, 527}, {true, 0x2320, 1, 527}, {true, 0x2320, 16, 0}, {true, 0x2320, 16, 0}, {true, 0x2320, 16, 0}, {true, 0x2320, 16, 0}}
	errorTable["NXTTMFC_BAD_OPT_LEN"] = [6]wireError{{true, 0x2320, 1, 528}, {true, 0x2320, 1, 528}, {true, 0x2320, 17, 0}, {true, 0x2320, 17, 0}, {true, 0x2320, 17, 0}, {true, 0x2320, 17, 0}}
	errorTable["NXTTMFC_BAD_FIELD_IDX"] = [6]wireError{{true, 0x2320, 1, 529}, {true, 0x2320, 1, 529}, {true, 0x2320, 18, 0}, {true, 0x2320, 18, 0}, {true, 0x2320, 18, 0}, {true, 0x2320, 18, 0}}
	errorTable["NXTTMFC_TABLE_FULL"] = [6]wireError{{true, 0x2320, 1, 530}, {true, 0x2320, 1, 530}, {true, 0x2320, 19, 0}, {true, 0x2320, 19, 0}, {true, 0x2320, 19, 0}, {true, 0x2320, 19, 0}}
	errorTable["NXTTMFC_ALREADY_MAPPED"] = [6]wireError{{true, 0x2320, 1, 531}, {true, 0x2320, 1, 531}, {true, 0x2320, 20, 0}, {true, 0x2320, 20, 0}, {true, 0x2320, 20, 0}, {true, 0x2320, 20, 0}}
	errorTable["NXTTMFC_DUP_ENTRY"] = [6]wireError{{true, 0x2320, 1, 532}, {true, 0x2320, 1, 532}, {true, 0x2320, 21, 0}, {true, 0x2320, 21, 0}, {true, 0x2320, 21, 0}, {true, 0x2320, 21, 0}}
	errorTable["NXTTMFC_INVALID_TLV_DEL"] = [6]wireError{{true, 0x2320, 1, 537}, {true, 0x2320, 1, 537}, {true, 0x2320, 38, 0}, {true, 0x2320, 38, 0}, {true, 0x2320, 38, 0}, {true, 0x2320, 38, 0}}
}
