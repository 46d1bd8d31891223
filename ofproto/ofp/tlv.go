package ofp

import (
	"encoding/binary"
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

// tunTLV is one tun_metadataN TLV taken out of a match.
type tunTLV struct {
	n           int
	value, mask []byte // mask nil: exact
}

// splitTunMetadata separates a match's tun_metadata TLVs from the others.
func splitTunMetadata(b []byte) (rest []byte, tuns []tunTLV, err error) {
	seen := map[int]bool{}
	for len(b) >= 4 {
		h := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		n := 4 + int(h&0xff)
		if n > len(b) {
			break // left for the match decoder to report
		}
		idx, ok := tunMetadataIndex(h)
		if !ok {
			rest = append(rest, b[:n]...)
			b = b[n:]
			continue
		}
		p := b[4:n]
		t := tunTLV{n: idx, value: p}
		if h&(1<<8) != 0 {
			if len(p)%2 != 0 {
				return nil, nil, errorf(BadMatchBadLen, "NXM_NX_TUN_METADATA%d of odd masked length %d", idx, len(p))
			}
			t.value, t.mask = p[:len(p)/2], p[len(p)/2:]
		}
		if len(t.value) == 0 || len(t.value) > 124 {
			return nil, nil, errorf(BadMatchBadLen, "NXM_NX_TUN_METADATA%d of length %d", idx, len(t.value))
		}
		if seen[idx] {
			return nil, nil, errorf(BadMatchDupField, "NXM_NX_TUN_METADATA%d appears twice", idx)
		}
		seen[idx] = true
		tuns = append(tuns, t)
		b = b[n:]
	}
	return append(rest, b...), tuns, nil
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

// applyTunMetadata adds tun_metadata TLVs to m through the bridge's map:
// an unmapped field is NXFMFC_INVALID_TLV_FIELD, as in OVS.
func applyTunMetadata(m *flowtable.Match, tuns []tunTLV, tlv *flowtable.TLVMap) error {
	for _, t := range tuns {
		f, ok := tlv.Field(t.n)
		if !ok {
			return errorf(FlowModInvalidTLVFld, "tun_metadata%d is not mapped", t.n)
		}
		v, ok := fitTo(t.value, f.Bytes())
		if !ok {
			return errorf(BadMatchBadValue, "tun_metadata%d value longer than its %d-byte option", t.n, f.Bytes())
		}
		var mask []byte
		if t.mask != nil {
			if mask, ok = fitTo(t.mask, f.Bytes()); !ok {
				return errorf(BadMatchBadMask, "tun_metadata%d mask longer than its %d-byte option", t.n, f.Bytes())
			}
			for i := range v {
				v[i] &= mask[i]
			}
			if isZero(mask) {
				continue
			}
		}
		m.SetTunMetadata(f, v, mask)
	}
	return nil
}

// DecodeTLV is [Decode] for a switch whose TLV map is tlv: flow_mods
// (NXT_FLOW_MOD and OpenFlow 1.1+) may then match on tun_metadataN.
func DecodeTLV(b []byte, tlv *flowtable.TLVMap) (Header, Message, error) {
	h, err := ParseHeader(b)
	if err != nil || int(h.Length) != len(b) {
		return Decode(b)
	}
	// Where the match's length and TLVs are, and what the length counts.
	var lenOff, tlvOff, lenExtra int
	switch {
	case h.Version == OF10 && h.Type == tVendor && len(b) >= 48 &&
		binary.BigEndian.Uint32(b[8:]) == vendorNicira && binary.BigEndian.Uint32(b[12:]) == nxtFlowMod:
		lenOff, tlvOff, lenExtra = 40, 48, 0
	case h.Version >= OF11 && h.Type == tFlowMod && len(b) >= 52:
		lenOff, tlvOff, lenExtra = 50, 52, 4
	default:
		return Decode(b)
	}
	n := int(binary.BigEndian.Uint16(b[lenOff:])) - lenExtra
	if n < 0 || tlvOff+n+padLen(n+lenExtra) > len(b) {
		return Decode(b)
	}
	rest, tuns, err := splitTunMetadata(b[tlvOff : tlvOff+n])
	if err != nil {
		return h, nil, err
	}
	if len(tuns) == 0 {
		return Decode(b)
	}
	out := append([]byte(nil), b[:tlvOff]...)
	out = append(out, rest...)
	out = append(out, make([]byte, padLen(len(rest)+lenExtra))...)
	out = append(out, b[tlvOff+n+padLen(n+lenExtra):]...)
	binary.BigEndian.PutUint16(out[lenOff:], uint16(len(rest)+lenExtra))
	binary.BigEndian.PutUint16(out[2:], uint16(len(out)))
	h2, msg, err := Decode(out)
	h2.Length = h.Length
	if err != nil {
		return h2, msg, err
	}
	fm, ok := msg.(*FlowMod)
	if !ok {
		return h2, msg, nil
	}
	if err := applyTunMetadata(&fm.Flow.Match, tuns, tlv); err != nil {
		return h2, nil, err
	}
	return h2, fm, nil
}
