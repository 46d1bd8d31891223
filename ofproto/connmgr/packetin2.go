package connmgr

import (
	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// packetIn2 encodes pin as NXT_PACKET_IN2 for a session that chose that
// format: data is what the miss_send_len or max_len left of the packet,
// reason the one the session's version reads. govs keeps no buffers. A
// pause's continuation is laid out in the session's version, the one its
// NXT_RESUME will come back in (resume.go).
func packetIn2(a *asyncState, pin *ofproto.PacketIn, reason flowtable.ControllerReason, data []byte) ([]byte, error) {
	m := &ofp.PacketIn2{Data: data, TotalLen: uint32(len(pin.Packet)), BufferID: ofp.NoBuffer,
		Table: pin.Table, Cookie: pin.Cookie, Reason: uint8(reason), Match: pin.Metadata, Userdata: pin.Userdata}
	if pin.Continuation != nil {
		cont, err := ofp.EncodeContinuation(a.v, wireContinuation(pin.Continuation))
		if err != nil {
			return nil, err
		}
		m.Continuation = cont
	}
	return ofp.Encode(a.v, 0, m)
}
