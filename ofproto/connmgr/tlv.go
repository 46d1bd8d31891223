package connmgr

import (
	"errors"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// tlvMsg answers the TLV table messages; handled is false for others.
func (s *session) tlvMsg(h ofp.Header, msg ofp.Message, raw []byte) (handled bool, err error) {
	b := s.mgr.bridge
	switch m := msg.(type) {
	case *ofp.TLVTableMod:
		if err := b.TLVTableMod(ofproto.TLVCommand(m.Command), m.Mappings); err != nil {
			s.sendError(h.Xid, tlvError(err), raw)
		}
		return true, nil
	case *ofp.TLVTableRequest:
		// govs reports the room its flow key really has for options
		// (OVS reports 256).
		return true, s.send(h.Xid, &ofp.TLVTableReply{
			MaxOptionSpace: flowtable.TunMetadataBytes,
			MaxFields:      flowtable.MaxTunMetadata,
			Mappings:       b.TLVMap().Mappings(),
		})
	}
	return false, nil
}

// tlvError maps a bridge's TLV table error to OVS's error code.
func tlvError(err error) ofp.ErrorCode {
	for _, c := range []struct {
		err  error
		code ofp.ErrorCode
	}{
		{ofproto.ErrTLVAlreadyMapped, ofp.TLVTableAlreadyMap},
		{ofproto.ErrTLVDupEntry, ofp.TLVTableDupEntry},
		{ofproto.ErrTLVTableFull, ofp.TLVTableFull},
		{ofproto.ErrTLVBadOptLen, ofp.TLVTableBadOptLen},
		{ofproto.ErrTLVBadFieldIdx, ofp.TLVTableBadFieldIdx},
		{ofproto.ErrTLVInUse, ofp.TLVTableInvalidDel},
	} {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ofp.TLVTableBadCommand
}
