package ofp

import (
	"encoding/binary"
	"fmt"
)

// Version is an OpenFlow protocol version as carried in ofp_header.
type Version uint8

// OpenFlow versions.
const (
	OF10 Version = 1
	OF11 Version = 2
	OF12 Version = 3
	OF13 Version = 4
	OF14 Version = 5
	OF15 Version = 6
)

// String names the version as OVS does ("OpenFlow13").
func (v Version) String() string {
	if v >= OF10 && v <= OF15 {
		return fmt.Sprintf("OpenFlow1%d", v-1)
	}
	return fmt.Sprintf("OpenFlow(0x%02x)", uint8(v))
}

// HeaderLen is the size of ofp_header.
const HeaderLen = 8

// MaxMessageLen is the largest message ofp_header's 16-bit length allows.
const MaxMessageLen = 0xffff

// Header is ofp_header, the 8 bytes that start every message.
type Header struct {
	Version Version
	Type    uint8
	Length  uint16
	Xid     uint32
}

// ParseHeader reads the header at the start of b. It checks only that b
// holds a header whose length is at least HeaderLen.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, errorf(BadRequestBadLen, "message of %d bytes is shorter than ofp_header", len(b))
	}
	h := Header{
		Version: Version(b[0]),
		Type:    b[1],
		Length:  binary.BigEndian.Uint16(b[2:]),
		Xid:     binary.BigEndian.Uint32(b[4:]),
	}
	if h.Length < HeaderLen {
		return h, errorf(BadRequestBadLen, "ofp_header length %d is shorter than the header", h.Length)
	}
	return h, nil
}

// Message types of OpenFlow 1.0 (t10*) and 1.1+ (t11*), where they differ
// and where they are the same (t*).
const (
	tHello            = 0
	tError            = 1
	tEchoRequest      = 2
	tEchoReply        = 3
	tVendor           = 4
	tFeaturesRequest  = 5
	tFeaturesReply    = 6
	tGetConfigRequest = 7
	tGetConfigReply   = 8
	tSetConfig        = 9
	tPortStatus       = 12
	tFlowMod          = 14
	t10StatsRequest   = 16
	t10StatsReply     = 17
	t10BarrierRequest = 18
	t10BarrierReply   = 19
	t11StatsRequest   = 18
	t11StatsReply     = 19
	t11BarrierRequest = 20
	t11BarrierReply   = 21
	t12RoleRequest    = 24
	t12RoleReply      = 25
)

// statsRequestType is OFPT_STATS_REQUEST (OpenFlow 1.0) or
// OFPT_MULTIPART_REQUEST (1.1+); the reply is one more.
func statsRequestType(v Version) uint8 {
	if v == OF10 {
		return t10StatsRequest
	}
	return t11StatsRequest
}

// barrierRequestType is OFPT_BARRIER_REQUEST in v; the reply is one more.
func barrierRequestType(v Version) uint8 {
	if v == OF10 {
		return t10BarrierRequest
	}
	return t11BarrierRequest
}
