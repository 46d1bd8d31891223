package ofp

import (
	"fmt"
	"strings"

	"github.com/govs/govs/flowtable"
)

// Nicira TLV table messages (ovs-ofctl add-tlv-map, del-tlv-map,
// dump-tlv-map), which map Geneve options to tun_metadataN.
const (
	nxtTLVTableMod     = 24
	nxtTLVTableRequest = 25
	nxtTLVTableReply   = 26
)

// TLV table errors (NXTTMFC_*) and the flow_mod error for a tun_metadataN
// the table does not map.
const (
	TLVTableBadCommand   ErrorCode = "NXTTMFC_BAD_COMMAND"
	TLVTableBadOptLen    ErrorCode = "NXTTMFC_BAD_OPT_LEN"
	TLVTableBadFieldIdx  ErrorCode = "NXTTMFC_BAD_FIELD_IDX"
	TLVTableFull         ErrorCode = "NXTTMFC_TABLE_FULL"
	TLVTableAlreadyMap   ErrorCode = "NXTTMFC_ALREADY_MAPPED"
	TLVTableDupEntry     ErrorCode = "NXTTMFC_DUP_ENTRY"
	TLVTableInvalidDel   ErrorCode = "NXTTMFC_INVALID_TLV_DEL"
	FlowModInvalidTLVFld ErrorCode = "NXFMFC_INVALID_TLV_FIELD"
)

func init() {
	// OVS 3.1's ovs-ofctl print-error NXFMFC_INVALID_TLV_FIELD.
	errorTable[FlowModInvalidTLVFld] = [6]wireError{{true, 0x2320, 1, 536}, {true, 0x2320, 1, 536}, {true, 0x2320, 37, 0}, {true, 0x2320, 37, 0}, {true, 0x2320, 37, 0}, {true, 0x2320, 37, 0}}
}

// TLVTableCommand is a TLV table mod's command (NXTTMC_*).
type TLVTableCommand uint16

// TLV table mod commands.
const (
	TLVTableAdd    TLVTableCommand = 0
	TLVTableDelete TLVTableCommand = 1
	TLVTableClear  TLVTableCommand = 2
)

// TLVTableMod is NXT_TLV_TABLE_MOD: add or delete mappings, or clear the
// table.
type TLVTableMod struct {
	Command  TLVTableCommand
	Mappings []flowtable.TLVMapping
}

// TLVTableRequest is NXT_TLV_TABLE_REQUEST.
type TLVTableRequest struct{}

// TLVTableReply is NXT_TLV_TABLE_REPLY: the switch's limits and mappings.
type TLVTableReply struct {
	MaxOptionSpace uint32 // bytes of option data the switch can map
	MaxFields      uint16 // number of tun_metadata fields
	Mappings       []flowtable.TLVMapping
}

// nx_tlv_map: class, type, length, index, 2 pad bytes.
const tlvMapLen = 8

func putTLVMappings(e *enc, ms []flowtable.TLVMapping) {
	for _, m := range ms {
		e.u16(m.Class)
		e.u8(m.Type)
		e.u8(m.Length)
		e.u16(uint16(m.Index))
		e.zeros(2)
	}
}

// decodeTLVMappings reads nx_tlv_map entries with OVS's checks: lengths
// a multiple of 4 up to 124, indexes below 64.
func decodeTLVMappings(b []byte, what string) ([]flowtable.TLVMapping, error) {
	if len(b)%tlvMapLen != 0 {
		return nil, errorf(BadRequestBadLen, "%s: %d bytes of mappings", what, len(b))
	}
	var ms []flowtable.TLVMapping
	for ; len(b) > 0; b = b[tlvMapLen:] {
		m := flowtable.TLVMapping{
			Class:  uint16(b[0])<<8 | uint16(b[1]),
			Type:   b[2],
			Length: b[3],
			Index:  int(uint16(b[4])<<8 | uint16(b[5])),
		}
		if m.Length%4 != 0 || m.Length > 124 {
			return nil, errorf(TLVTableBadOptLen, "%s: option length %d", what, m.Length)
		}
		if m.Index >= flowtable.MaxTunMetadata {
			return nil, errorf(TLVTableBadFieldIdx, "%s: field index %d", what, m.Index)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

func (m *TLVTableMod) encode(e *enc) error {
	e.nxHeader(nxtTLVTableMod)
	e.u16(uint16(m.Command))
	e.zeros(6)
	putTLVMappings(e, m.Mappings)
	return nil
}

func (m *TLVTableRequest) encode(e *enc) error {
	e.nxHeader(nxtTLVTableRequest)
	return nil
}

func (m *TLVTableReply) encode(e *enc) error {
	e.nxHeader(nxtTLVTableReply)
	e.u32(m.MaxOptionSpace)
	e.u16(m.MaxFields)
	e.zeros(10)
	putTLVMappings(e, m.Mappings)
	return nil
}

// decodeTLVMsg decodes the TLV table messages' bodies (after the Nicira
// header); ok is false for other subtypes.
func decodeTLVMsg(subtype uint32, body []byte) (Message, bool, error) {
	switch subtype {
	case nxtTLVTableMod:
		if len(body) < 8 {
			return nil, true, errorf(BadRequestBadLen, "NXT_TLV_TABLE_MOD body of %d bytes", len(body))
		}
		m := &TLVTableMod{Command: TLVTableCommand(uint16(body[0])<<8 | uint16(body[1]))}
		if m.Command > TLVTableClear {
			return nil, true, errorf(TLVTableBadCommand, "TLV table command %d", m.Command)
		}
		var err error
		m.Mappings, err = decodeTLVMappings(body[8:], "NXT_TLV_TABLE_MOD")
		if err != nil {
			return nil, true, err
		}
		return m, true, nil
	case nxtTLVTableRequest:
		m, err := empty(body, &TLVTableRequest{})
		return m, true, err
	case nxtTLVTableReply:
		if len(body) < 16 {
			return nil, true, errorf(BadRequestBadLen, "NXT_TLV_TABLE_REPLY body of %d bytes", len(body))
		}
		m := &TLVTableReply{
			MaxOptionSpace: uint32(body[0])<<24 | uint32(body[1])<<16 | uint32(body[2])<<8 | uint32(body[3]),
			MaxFields:      uint16(body[4])<<8 | uint16(body[5]),
		}
		var err error
		m.Mappings, err = decodeTLVMappings(body[16:], "NXT_TLV_TABLE_REPLY")
		if err != nil {
			return nil, true, err
		}
		return m, true, nil
	}
	return nil, false, nil
}

// FormatTLVMappings writes mappings as ovs-ofctl prints a TLV table:
// a header, then one line per mapping.
func FormatTLVMappings(w *strings.Builder, ms []flowtable.TLVMapping) {
	w.WriteString("  class  type  length  match field\n")
	w.WriteString(" ------  ----  ------  --------------")
	for _, m := range ms {
		fmt.Fprintf(w, "\n %6s  %4s  %6d  tun_metadata%d", cHex(uint64(m.Class)), cHex(uint64(m.Type)), m.Length, m.Index)
	}
}

// cHex is C's %#x: 0 without a prefix.
func cHex(x uint64) string {
	if x == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", x)
}

// String returns the body ovs-ofctl prints for the message (after its
// "NXT_TLV_TABLE_MOD (xid=...):" line).
func (m *TLVTableMod) String() string {
	var w strings.Builder
	switch m.Command {
	case TLVTableAdd:
		w.WriteString(" ADD mapping table:\n")
	case TLVTableDelete:
		w.WriteString(" DEL mapping table:\n")
	case TLVTableClear:
		w.WriteString(" CLEAR")
		return w.String()
	}
	FormatTLVMappings(&w, m.Mappings)
	return w.String()
}

// String returns the body ovs-ofctl prints for the reply, as dump-tlv-map
// shows it.
func (m *TLVTableReply) String() string {
	var w strings.Builder
	space := 0
	for _, mp := range m.Mappings {
		space += int(mp.Length)
	}
	fmt.Fprintf(&w, " max option space=%d max fields=%d\n", m.MaxOptionSpace, m.MaxFields)
	fmt.Fprintf(&w, " allocated option space=%d\n\n", space)
	w.WriteString(" mapping table:\n")
	FormatTLVMappings(&w, m.Mappings)
	return w.String()
}

// NXM_NX_TUN_METADATA0..63: class 0x0001, fields 40..103.
const tunMetadataField0 = 40

func tunMetadataIndex(h uint32) (int, bool) {
	if h>>16 != classNXM1 {
		return 0, false
	}
	f := int(h >> 9 & 0x7f)
	if f < tunMetadataField0 || f >= tunMetadataField0+flowtable.MaxTunMetadata {
		return 0, false
	}
	return f - tunMetadataField0, true
}

// putTunMetadata appends the match's tun_metadataN TLVs, as the encoder's
// TLV map lays them out, each as long as its option.
func putTunMetadata(e *enc, m *flowtable.Match) {
	if e.tlv == nil {
		return
	}
	for n := 0; n < flowtable.MaxTunMetadata; n++ {
		f, ok := e.tlv.Field(n)
		if !ok || m.IsWildcard(f) {
			continue
		}
		size := f.Bytes()
		exact := m.IsExact(f)
		h := uint32(classNXM1)<<16 | uint32(tunMetadataField0+n)<<9 | uint32(size)
		if !exact {
			h = h&^0xff | 1<<8 | uint32(2*size)
		}
		e.u32(h)
		buf := make([]byte, size)
		f.GetBytes(&m.Key, buf)
		e.bytes(buf)
		if !exact {
			f.GetBytes(&m.Mask, buf)
			e.bytes(buf)
		}
	}
}

// decodeCtx is what decoding a message needs besides its bytes: the
// bridge's TLV map, without which a tun_metadataN header means nothing.
// It is passed down from the entry points to every match decoder, bundled
// messages included, so that no decoder depends on shared state.
type decodeCtx struct {
	tlv *flowtable.TLVMap // nil: no tun_metadataN is mapped
	// dropUnmapped drops an unmapped tun_metadataN instead of refusing
	// it, as OVS does in a packet-out's metadata.
	dropUnmapped bool
}

// fitTo right-aligns p in size bytes; bytes beyond size must be zero.
func fitTo(p []byte, size int) ([]byte, bool) {
	out := make([]byte, size)
	if len(p) > size {
		if !isZero(p[:len(p)-size]) {
			return nil, false
		}
		p = p[len(p)-size:]
	}
	copy(out[size-len(p):], p)
	return out, true
}

// applyTunMetadata adds one NXM_NX_TUN_METADATAn TLV's payload to m
// through c's TLV map. An unmapped field is NXFMFC_INVALID_TLV_FIELD, as
// in OVS, whose switch always decodes with its map (empty or not). The
// TLV may be shorter than the option, as ovs-ofctl, which parses flows
// without the switch's map, sends only the bytes the value needs: it is
// right-aligned in the option.
func (c *decodeCtx) applyTunMetadata(m *flowtable.Match, n int, payload []byte, hasMask bool) error {
	var tlv *flowtable.TLVMap
	if c != nil {
		tlv = c.tlv
	}
	f, ok := tlv.Field(n)
	if !ok {
		if c != nil && c.dropUnmapped {
			return nil
		}
		return errorf(FlowModInvalidTLVFld, "tun_metadata%d is not mapped", n)
	}
	value, mask := payload, []byte(nil)
	if hasMask {
		if len(payload)%2 != 0 {
			return errorf(BadMatchBadLen, "NXM_NX_TUN_METADATA%d of odd masked length %d", n, len(payload))
		}
		value, mask = payload[:len(payload)/2], payload[len(payload)/2:]
	}
	if len(value) == 0 || len(value) > 124 {
		return errorf(BadMatchBadLen, "NXM_NX_TUN_METADATA%d of length %d", n, len(value))
	}
	if !m.IsWildcard(f) {
		return errorf(BadMatchDupField, "NXM_NX_TUN_METADATA%d appears twice", n)
	}
	v, ok := fitTo(value, f.Bytes())
	if !ok {
		return errorf(BadMatchBadValue, "tun_metadata%d value longer than its %d-byte option", n, f.Bytes())
	}
	if mask != nil {
		if mask, ok = fitTo(mask, f.Bytes()); !ok {
			return errorf(BadMatchBadMask, "tun_metadata%d mask longer than its %d-byte option", n, f.Bytes())
		}
		// OVS keeps only the masked bits rather than refusing the others.
		for i := range v {
			v[i] &= mask[i]
		}
		if isZero(mask) {
			return nil
		}
	}
	m.SetTunMetadata(f, v, mask)
	return nil
}

// DecodeTLV is [Decode] for a switch whose TLV map is tlv: matches in
// every message (flow_mods, bundled ones included, stats and monitor
// requests, packet-outs, resumes and the rest) may then use tun_metadataN.
func DecodeTLV(b []byte, tlv *flowtable.TLVMap) (Header, Message, error) {
	return decode(b, &decodeCtx{tlv: tlv})
}

// tunMetadataTLV is the NXM TLV of f, a tun_metadataN field from a TLV
// map, as long as its option; nil if f is another field. Actions name
// tun_metadataN with this header in every version, as OVS does.
func tunMetadataTLV(f *flowtable.Field) *matchField {
	n, ok := flowtable.TunMetadataIndex(f)
	if !ok {
		return nil
	}
	return &matchField{
		hdr:  tlvHeader{class: classNXM1, field: uint8(tunMetadataField0 + n)},
		name: f.NXMName,
		f:    f,
		size: f.Bytes(),
		kind: kindPlain,
	}
}

// actionField resolves the field that an action's TLV header (h, with th
// its class, field and experimenter) names: a fixed field, or
// tun_metadataN through c's TLV map. It returns nil for an unknown field
// and, as OVS, NXFMFC_INVALID_TLV_FIELD for an unmapped tun_metadataN.
// variable reports a tun_metadataN, whose header length OVS does not
// check against the option: ovs-ofctl, which has no map, sends 124.
func (c *decodeCtx) actionField(h uint32, th tlvHeader) (mf *matchField, variable bool, err error) {
	if mf := fieldIndex[th]; mf != nil {
		return mf, false, nil
	}
	n, ok := tunMetadataIndex(h)
	if !ok || th.exp != 0 {
		return nil, false, nil
	}
	var tlv *flowtable.TLVMap
	if c != nil {
		tlv = c.tlv
	}
	f, ok := tlv.Field(n)
	if !ok {
		return nil, true, errorf(FlowModInvalidTLVFld, "tun_metadata%d is not mapped", n)
	}
	return tunMetadataTLV(f), true, nil
}
