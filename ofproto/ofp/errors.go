package ofp

import (
	"encoding/binary"
	"errors"
	"fmt"
)

//go:generate bash gen_errors.sh

// ErrorCode names an OpenFlow error as OVS does ("OFPBRC_BAD_LEN",
// "OFPBMC_BAD_PREREQ", "NXBAC_MUST_BE_ZERO"). Each version encodes it as
// its own (type, code) pair or as a vendor error; see [ErrorMsg].
type ErrorCode string

// Errors the codec itself reports; every name in errorTable is valid.
const (
	HelloIncompatible         ErrorCode = "OFPHFC_INCOMPATIBLE"
	BadRequestBadVersion      ErrorCode = "OFPBRC_BAD_VERSION"
	BadRequestBadType         ErrorCode = "OFPBRC_BAD_TYPE"
	BadRequestBadStat         ErrorCode = "OFPBRC_BAD_STAT"
	BadRequestBadVendor       ErrorCode = "OFPBRC_BAD_VENDOR"
	BadRequestBadSubtype      ErrorCode = "OFPBRC_BAD_SUBTYPE"
	BadRequestBadLen          ErrorCode = "OFPBRC_BAD_LEN"
	BadRequestBadTableID      ErrorCode = "OFPBRC_BAD_TABLE_ID"
	BadRequestBadPort         ErrorCode = "OFPBRC_BAD_PORT"
	BadRequestEPerm           ErrorCode = "OFPBRC_EPERM"
	BadActionBadType          ErrorCode = "OFPBAC_BAD_TYPE"
	BadActionBadLen           ErrorCode = "OFPBAC_BAD_LEN"
	BadActionBadVendor        ErrorCode = "OFPBAC_BAD_VENDOR"
	BadActionBadVendorType    ErrorCode = "OFPBAC_BAD_VENDOR_TYPE"
	BadActionBadOutPort       ErrorCode = "OFPBAC_BAD_OUT_PORT"
	BadActionBadArgument      ErrorCode = "OFPBAC_BAD_ARGUMENT"
	BadActionUnsupportedOrder ErrorCode = "OFPBAC_UNSUPPORTED_ORDER"
	BadActionBadSetType       ErrorCode = "OFPBAC_BAD_SET_TYPE"
	BadActionBadSetLen        ErrorCode = "OFPBAC_BAD_SET_LEN"
	BadActionBadSetArgument   ErrorCode = "OFPBAC_BAD_SET_ARGUMENT"
	BadActionMustBeZero       ErrorCode = "NXBAC_MUST_BE_ZERO"
	BadInstUnknown            ErrorCode = "OFPBIC_UNKNOWN_INST"
	BadInstUnsupported        ErrorCode = "OFPBIC_UNSUP_INST"
	BadInstBadLen             ErrorCode = "OFPBIC_BAD_LEN"
	BadInstDup                ErrorCode = "OFPBIC_DUP_INST"
	BadMatchBadType           ErrorCode = "OFPBMC_BAD_TYPE"
	BadMatchBadLen            ErrorCode = "OFPBMC_BAD_LEN"
	BadMatchBadField          ErrorCode = "OFPBMC_BAD_FIELD"
	BadMatchBadValue          ErrorCode = "OFPBMC_BAD_VALUE"
	BadMatchBadMask           ErrorCode = "OFPBMC_BAD_MASK"
	BadMatchBadPrereq         ErrorCode = "OFPBMC_BAD_PREREQ"
	BadMatchDupField          ErrorCode = "OFPBMC_DUP_FIELD"
	BadMatchBadWildcards      ErrorCode = "OFPBMC_BAD_WILDCARDS"
	FlowModOverlap            ErrorCode = "OFPFMFC_OVERLAP"
	FlowModBadCommand         ErrorCode = "OFPFMFC_BAD_COMMAND"
	FlowModBadTableID         ErrorCode = "OFPFMFC_BAD_TABLE_ID"
	FlowModBadFlags           ErrorCode = "OFPFMFC_BAD_FLAGS"
	RoleRequestBadRole        ErrorCode = "OFPRRFC_BAD_ROLE"
	NXBadRequestBadReason     ErrorCode = "NXBRC_BAD_REASON"

	// Group and meter mod errors, for the switch's replies.
	GroupModGroupExists      ErrorCode = "OFPGMFC_GROUP_EXISTS"
	GroupModInvalidGroup     ErrorCode = "OFPGMFC_INVALID_GROUP"
	GroupModOutOfGroups      ErrorCode = "OFPGMFC_OUT_OF_GROUPS"
	GroupModOutOfBuckets     ErrorCode = "OFPGMFC_OUT_OF_BUCKETS"
	GroupModWatchUnsupported ErrorCode = "OFPGMFC_WATCH_UNSUPPORTED"
	GroupModLoop             ErrorCode = "OFPGMFC_LOOP"
	GroupModUnknownGroup     ErrorCode = "OFPGMFC_UNKNOWN_GROUP"
	GroupModChainedGroup     ErrorCode = "OFPGMFC_CHAINED_GROUP"
	GroupModBadType          ErrorCode = "OFPGMFC_BAD_TYPE"
	GroupModBadCommand       ErrorCode = "OFPGMFC_BAD_COMMAND"
	GroupModBadBucket        ErrorCode = "OFPGMFC_BAD_BUCKET"
	GroupModBadWatch         ErrorCode = "OFPGMFC_BAD_WATCH"
	GroupModUnknownBucket    ErrorCode = "OFPGMFC_UNKNOWN_BUCKET"
	GroupModBucketExists     ErrorCode = "OFPGMFC_BUCKET_EXISTS"
	MeterModMeterExists      ErrorCode = "OFPMMFC_METER_EXISTS"
	MeterModInvalidMeter     ErrorCode = "OFPMMFC_INVALID_METER"
	MeterModUnknownMeter     ErrorCode = "OFPMMFC_UNKNOWN_METER"
	MeterModBadCommand       ErrorCode = "OFPMMFC_BAD_COMMAND"
	MeterModBadFlags         ErrorCode = "OFPMMFC_BAD_FLAGS"
	MeterModBadRate          ErrorCode = "OFPMMFC_BAD_RATE"
	MeterModBadBurst         ErrorCode = "OFPMMFC_BAD_BURST"
	MeterModBadBand          ErrorCode = "OFPMMFC_BAD_BAND"
	MeterModOutOfMeters      ErrorCode = "OFPMMFC_OUT_OF_METERS"
)

// wireError is one version's encoding of an error: a standard (type,
// code) when vendor is 0, else a vendor error.
type wireError struct {
	ok     bool
	vendor uint32
	typ    uint16
	code   uint16
}

// Error is a decoding (or encoding) failure: the OpenFlow error a switch
// answers the offending message with, and what exactly was wrong.
type Error struct {
	Code ErrorCode
	Err  error
}

// Error returns "CODE: what was wrong".
func (e *Error) Error() string {
	if e.Err == nil {
		return string(e.Code)
	}
	return string(e.Code) + ": " + e.Err.Error()
}

// Unwrap returns what was wrong.
func (e *Error) Unwrap() error { return e.Err }

func errorf(code ErrorCode, format string, args ...any) error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// Vendor ids.
const (
	vendorNicira = 0x00002320
	vendorONF    = 0x4f4e4600
)

// OpenFlow 1.0/1.1 carry vendor errors as NXET_VENDOR; 1.2+ as
// OFPET_EXPERIMENTER.
const (
	errTypeNXVendor     = 0xb0c2
	errTypeExperimenter = 0xffff
)

// ErrorMsg is OFPT_ERROR. Code names the error; when the (type, code) pair
// received has no name known to ofp, Code is empty and Vendor, Type and
// Num hold it as received. Data is (usually the start of) the offending
// message.
type ErrorMsg struct {
	Code   ErrorCode
	Vendor uint32
	Type   uint16
	Num    uint16
	Data   []byte
}

func (m *ErrorMsg) encode(e *enc) error {
	w := wireError{ok: true, vendor: m.Vendor, typ: m.Type, code: m.Num}
	if m.Code != "" {
		vs, known := errorTable[m.Code]
		if !known {
			return fmt.Errorf("encode error: %s has no encoding in %s", m.Code, e.v)
		}
		w = vs[e.v-1]
		if !w.ok {
			// A known error this version cannot say: OVS sends
			// NXBRC_UNENCODABLE_ERROR with the same data.
			w = errorTable[unencodableError][e.v-1]
		}
	}
	e.header(tError)
	switch {
	case w.vendor == 0:
		e.u16(w.typ)
		e.u16(w.code)
	case e.v <= OF11:
		e.u16(errTypeNXVendor)
		e.u16(0)
		e.u32(w.vendor)
		e.u16(w.typ)
		e.u16(w.code)
	default:
		e.u16(errTypeExperimenter)
		e.u16(w.typ)
		e.u32(w.vendor)
	}
	e.bytes(m.Data)
	return nil
}

func decodeError(v Version, body []byte) (Message, error) {
	if len(body) < 4 {
		return nil, errorf(BadRequestBadLen, "OFPT_ERROR body of %d bytes", len(body))
	}
	m := &ErrorMsg{Type: binary.BigEndian.Uint16(body), Num: binary.BigEndian.Uint16(body[2:])}
	rest := body[4:]
	switch {
	case v <= OF11 && m.Type == errTypeNXVendor:
		if len(rest) < 8 {
			return nil, errorf(BadRequestBadLen, "NXET_VENDOR error body of %d bytes", len(body))
		}
		m.Vendor = binary.BigEndian.Uint32(rest)
		m.Type = binary.BigEndian.Uint16(rest[4:])
		m.Num = binary.BigEndian.Uint16(rest[6:])
		rest = rest[8:]
	case v >= OF12 && m.Type == errTypeExperimenter:
		if len(rest) < 4 {
			return nil, errorf(BadRequestBadLen, "OFPET_EXPERIMENTER error body of %d bytes", len(body))
		}
		m.Type, m.Num = m.Num, 0
		m.Vendor = binary.BigEndian.Uint32(rest)
		rest = rest[4:]
	}
	isVendor := v <= OF11 && binary.BigEndian.Uint16(body) == errTypeNXVendor ||
		v >= OF12 && binary.BigEndian.Uint16(body) == errTypeExperimenter
	if isVendor && m.Vendor == 0 {
		// Vendor 0 is how ErrorMsg says "standard error".
		return nil, errorf(BadRequestBadVendor, "vendor error without a vendor")
	}
	m.Code = lookupError(v, wireError{ok: true, vendor: m.Vendor, typ: m.Type, code: m.Num})
	m.Data = clone(rest)
	return m, nil
}

// lookupError finds the name of a version's (vendor, type, code).
func lookupError(v Version, w wireError) ErrorCode {
	if v < OF10 || v > OF15 {
		return ""
	}
	// Some names share an encoding in some versions (OpenFlow 1.0's
	// OFPBRC_EPERM and OFPBRC_IS_SECONDARY); the alphabetically first wins
	// so that decoding is deterministic.
	var best ErrorCode
	for code, vs := range errorTable {
		if vs[v-1] == w && (best == "" || code < best) {
			best = code
		}
	}
	return best
}

// NewErrorMsg builds the OFPT_ERROR a switch sends back for a failed
// message: the error's code (OFPBRC_EPERM if err carries none) and
// the first 64 bytes of the message, as OVS replies.
func NewErrorMsg(err error, msg []byte) *ErrorMsg {
	code := BadRequestEPerm
	var oe *Error
	if errors.As(err, &oe) {
		code = oe.Code
	}
	return &ErrorMsg{Code: code, Data: clone(msg[:min(len(msg), 64)])}
}
