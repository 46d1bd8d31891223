package ofp

import "encoding/binary"

// Bundle message types: OFPT_BUNDLE_CONTROL and OFPT_BUNDLE_ADD_MESSAGE of
// OpenFlow 1.4+, and the ONF extension that carries the same bodies in
// OpenFlow 1.3 (ONFT_BUNDLE_CONTROL, ONFT_BUNDLE_ADD_MESSAGE).
const (
	t14BundleControl = 33
	t14BundleAdd     = 34
	onftBundleCtrl   = 2300
	onftBundleAdd    = 2301
)

// BundleCtrlType is ofp_bundle_ctrl_msg's type.
type BundleCtrlType uint16

// Bundle control types.
const (
	BundleOpenRequest    BundleCtrlType = 0
	BundleOpenReply      BundleCtrlType = 1
	BundleCloseRequest   BundleCtrlType = 2
	BundleCloseReply     BundleCtrlType = 3
	BundleCommitRequest  BundleCtrlType = 4
	BundleCommitReply    BundleCtrlType = 5
	BundleDiscardRequest BundleCtrlType = 6
	BundleDiscardReply   BundleCtrlType = 7
)

// BundleFlags are ofp_bundle_ctrl_msg's and ofp_bundle_add_msg's flags.
type BundleFlags uint16

// Bundle flags.
const (
	BundleAtomic  BundleFlags = 1
	BundleOrdered BundleFlags = 2
)

// Bundle errors (OFPBFC_*), as OVS names them.
const (
	BundleBadID         ErrorCode = "OFPBFC_BAD_ID"
	BundleClosed        ErrorCode = "OFPBFC_BUNDLE_CLOSED"
	BundleBadType       ErrorCode = "OFPBFC_BAD_TYPE"
	BundleBadFlags      ErrorCode = "OFPBFC_BAD_FLAGS"
	BundleMsgBadLen     ErrorCode = "OFPBFC_MSG_BAD_LEN"
	BundleMsgBadXid     ErrorCode = "OFPBFC_MSG_BAD_XID"
	BundleMsgUnsup      ErrorCode = "OFPBFC_MSG_UNSUP"
	BundleMsgFailed     ErrorCode = "OFPBFC_MSG_FAILED"
	BundleOutOfBundles  ErrorCode = "OFPBFC_OUT_OF_BUNDLES"
	BundleMsgTooMany    ErrorCode = "OFPBFC_MSG_TOO_MANY"
	BundleUnknownReason ErrorCode = "OFPBFC_UNKNOWN"
)

// BundleControl is OFPT_BUNDLE_CONTROL (ONFT_BUNDLE_CONTROL in OpenFlow
// 1.3): a request to open, close, commit or discard a bundle, or the
// switch's reply. Properties are neither sent nor kept.
type BundleControl struct {
	BundleID uint32
	Type     BundleCtrlType
	Flags    BundleFlags
}

// BundleAdd is OFPT_BUNDLE_ADD_MESSAGE (ONFT_BUNDLE_ADD_MESSAGE in
// OpenFlow 1.3): one message, whole and with the same xid as the add,
// for the bundle. Msg is the inner message as it travels; [Decode] it (a
// switch: [DecodeTLV], so its matches may use tun_metadataN).
type BundleAdd struct {
	BundleID uint32
	Flags    BundleFlags
	Msg      []byte
}

// bundleHeader starts a bundle message: the 1.4+ type or, in 1.3, the ONF
// experimenter header.
func (e *enc) bundleHeader(t14 uint8, onf uint32) error {
	switch {
	case e.v >= OF14:
		e.header(t14)
	case e.v == OF13:
		e.header(tVendor)
		e.u32(vendorONF)
		e.u32(onf)
	default:
		return errorf(BadRequestBadVersion, "bundles need OpenFlow 1.3 or later, not %s", e.v)
	}
	return nil
}

func (m *BundleControl) encode(e *enc) error {
	if err := e.bundleHeader(t14BundleControl, onftBundleCtrl); err != nil {
		return err
	}
	e.u32(m.BundleID)
	e.u16(uint16(m.Type))
	e.u16(uint16(m.Flags))
	return nil
}

func (m *BundleAdd) encode(e *enc) error {
	if err := e.bundleHeader(t14BundleAdd, onftBundleAdd); err != nil {
		return err
	}
	e.u32(m.BundleID)
	e.u16(0)
	e.u16(uint16(m.Flags))
	e.bytes(m.Msg)
	return nil
}

// NewBundleAdd wraps m, encoded in v with xid, for bundle id.
func NewBundleAdd(v Version, xid, id uint32, flags BundleFlags, m Message) (*BundleAdd, error) {
	inner, err := Encode(v, xid, m)
	if err != nil {
		return nil, err
	}
	return &BundleAdd{BundleID: id, Flags: flags, Msg: inner}, nil
}

// decodeBundle parses a bundle message body (after the 1.4 header or the
// ONF experimenter header); xid is the outer message's, which an added
// message must repeat.
func decodeBundle(add bool, xid uint32, body []byte) (Message, error) {
	if len(body) < 8 {
		return nil, errorf(BadRequestBadLen, "bundle message body of %d bytes", len(body))
	}
	id := binary.BigEndian.Uint32(body)
	if !add {
		return &BundleControl{
			BundleID: id,
			Type:     BundleCtrlType(binary.BigEndian.Uint16(body[4:])),
			Flags:    BundleFlags(binary.BigEndian.Uint16(body[6:])),
		}, nil
	}
	m := &BundleAdd{BundleID: id, Flags: BundleFlags(binary.BigEndian.Uint16(body[6:]))}
	inner := body[8:]
	if len(inner) < HeaderLen {
		return nil, errorf(BundleMsgBadLen, "bundled message of %d bytes", len(inner))
	}
	n := int(binary.BigEndian.Uint16(inner[2:]))
	if n < HeaderLen || n > len(inner) {
		return nil, errorf(BundleMsgBadLen, "bundled message length %d in %d bytes", n, len(inner))
	}
	if binary.BigEndian.Uint32(inner[4:]) != xid {
		return nil, errorf(BundleMsgBadXid, "bundled message xid %#x in an add with xid %#x", binary.BigEndian.Uint32(inner[4:]), xid)
	}
	m.Msg = clone(inner[:n])
	return m, nil
}

// decodeONF parses an ONF experimenter message (vendor already checked).
func decodeONF(v Version, xid uint32, body []byte) (Message, error) {
	if len(body) < 8 {
		return nil, errorf(BadRequestBadLen, "ONF message body of %d bytes", len(body))
	}
	if m, ok, err := decodeMonitorControl(binary.BigEndian.Uint32(body[4:]), true, body[8:]); ok && v == OF13 {
		return m, err
	}
	switch binary.BigEndian.Uint32(body[4:]) {
	case onftBundleCtrl:
		if v == OF13 {
			return decodeBundle(false, xid, body[8:])
		}
	case onftBundleAdd:
		if v == OF13 {
			return decodeBundle(true, xid, body[8:])
		}
	}
	return nil, errorf(BadRequestBadSubtype, "ONF message subtype %d", binary.BigEndian.Uint32(body[4:]))
}

// IsBundleable reports whether a switch takes m in a bundle (govs: flow
// and group mods).
func IsBundleable(m Message) bool {
	switch m.(type) {
	case *FlowMod, *GroupMod:
		return true
	}
	return false
}

// decodeBundleMsg decodes h's message if it is a bundle (or other ONF
// extension) message; ok says whether it was one.
func decodeBundleMsg(h Header, body []byte) (m Message, ok bool, err error) {
	switch {
	case h.Version >= OF14 && (h.Type == t14BundleControl || h.Type == t14BundleAdd):
		m, err = decodeBundle(h.Type == t14BundleAdd, h.Xid, body)
		return m, true, err
	case h.Type == tVendor && len(body) >= 4 && binary.BigEndian.Uint32(body) == vendorONF:
		m, err = decodeONF(h.Version, h.Xid, body)
		return m, true, err
	}
	return nil, false, nil
}
