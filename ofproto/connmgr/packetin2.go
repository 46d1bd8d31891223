package connmgr

import (
	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// packetIn2 encodes pin as NXT_PACKET_IN2 for a session that chose that
// format: data is what the miss_send_len or max_len left of the packet,
// reason the one the session's version reads. govs keeps no buffers and
// (not yet) no continuations: controller(pause) is sent without one.
func packetIn2(a *asyncState, pin *ofproto.PacketIn, reason flowtable.ControllerReason, data []byte) ([]byte, error) {
	m := &ofp.PacketIn2{Data: data, TotalLen: uint32(len(pin.Packet)), BufferID: ofp.NoBuffer,
		Table: pin.Table, Cookie: pin.Cookie, Reason: uint8(reason), Match: pin.Metadata, Userdata: pin.Userdata}
	return ofp.Encode(a.v, 0, m)
}
