package flowtable

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// MaxTunMetadata is the number of tun_metadata fields (tun_metadata0..63).
const MaxTunMetadata = 64

// TLVMapping maps one Geneve option, by class and type, to tun_metadataN.
type TLVMapping struct {
	Class  uint16
	Type   uint8
	Length uint8 // option data bytes: a multiple of 4
	Index  int   // N of tun_metadataN
}

// TLVMap is a bridge's Geneve option table (ovs-ofctl add-tlv-map): which
// option each tun_metadataN holds and where its bytes sit in the key's
// bounded tun_metadata area (TunMetadataBytes in all). A TLVMap is
// immutable once built; a bridge replaces it whole, so flows parsed
// against it keep meaning what they meant.
type TLVMap struct {
	mappings []TLVMapping
	fields   [MaxTunMetadata]*Field
	used     int // bytes of the key area allocated
}

// NewTLVMap lays out the given mappings in order, with OVS's rules: an
// index and a (class, type) may appear once, lengths are multiples of 4 up
// to 124; govs also bounds the total by the key's room.
func NewTLVMap(mappings ...TLVMapping) (*TLVMap, error) {
	t := &TLVMap{}
	for _, m := range mappings {
		if m.Index < 0 || m.Index >= MaxTunMetadata {
			return nil, fmt.Errorf("tun_metadata%d: index out of range 0 through %d", m.Index, MaxTunMetadata-1)
		}
		if m.Length == 0 || m.Length%4 != 0 || m.Length > 124 {
			return nil, fmt.Errorf("tun_metadata%d: option length %d is not a multiple of 4 between 4 and 124", m.Index, m.Length)
		}
		if t.fields[m.Index] != nil {
			return nil, fmt.Errorf("tun_metadata%d: mapped twice", m.Index)
		}
		for _, o := range t.mappings {
			if o.Class == m.Class && o.Type == m.Type {
				return nil, fmt.Errorf("option class 0x%x type 0x%x: mapped twice", m.Class, m.Type)
			}
		}
		if t.used+int(m.Length) > TunMetadataBytes {
			return nil, fmt.Errorf("tun_metadata%d: %d more bytes of options exceed govs' %d-byte limit", m.Index, m.Length, TunMetadataBytes)
		}
		last := t.used + int(m.Length) - 1 // byte offset of the option's last byte
		f := fieldAt(wTunMeta0+last/8, uint(7-last%8)*8, 8*int(m.Length)).with(true, true, PrereqNone, FormatHex)
		f.Name = "tun_metadata" + strconv.Itoa(m.Index)
		f.NXMName = "NXM_NX_TUN_METADATA" + strconv.Itoa(m.Index)
		t.fields[m.Index] = &f
		t.used += int(m.Length)
		t.mappings = append(t.mappings, m)
	}
	return t, nil
}

// Mappings returns the table's entries in the order they were laid out.
func (t *TLVMap) Mappings() []TLVMapping { return append([]TLVMapping(nil), t.mappings...) }

// Field returns tun_metadataN's field, if N is mapped.
func (t *TLVMap) Field(n int) (*Field, bool) {
	if t == nil || n < 0 || n >= MaxTunMetadata || t.fields[n] == nil {
		return nil, false
	}
	return t.fields[n], true
}

// TunMetadataIndex returns N if f is a tun_metadataN field.
func TunMetadataIndex(f *Field) (int, bool) {
	if !strings.HasPrefix(f.Name, "tun_metadata") {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(f.Name, "tun_metadata"))
	return n, err == nil
}

// setPresent marks tun_metadataN as present in the key and, so that a match
// on the option requires the option, in the mask.
func setPresent(m *Match, n int) {
	m.Key[wTunMetaPresent] |= 1 << uint(n)
	m.Mask[wTunMetaPresent] |= 1 << uint(n)
}

// Names gives flow text a bridge's names: its ports and its TLV map (for
// tun_metadataN). Either may be nil.
type Names struct {
	Ports PortNamer
	TLV   *TLVMap
}

// PortByName implements PortNamer.
func (n Names) PortByName(name string) (Port, bool) {
	if n.Ports == nil {
		return 0, false
	}
	return n.Ports.PortByName(name)
}

// PortName implements PortNamer.
func (n Names) PortName(p Port) (string, bool) {
	if n.Ports == nil {
		return "", false
	}
	return n.Ports.PortName(p)
}

// tlvOf returns the TLV map that names carries, if any.
func tlvOf(names PortNamer) *TLVMap {
	if n, ok := names.(Names); ok {
		return n.TLV
	}
	return nil
}

var tunMetadataName = regexp.MustCompile(`^(?:tun_metadata|NXM_NX_TUN_METADATA)(0|[1-9][0-9]*)$`)

// lookupField resolves a field name as flow text uses it, with case, as
// OVS does: canonical names and aliases, NXM/OXM names when nxm is true
// (subfields), and tun_metadataN through the TLV map that names carries.
func lookupField(name string, names PortNamer, nxm bool) (*Field, bool) {
	if f, ok := byName[name]; ok {
		return f, true
	}
	if nxm {
		// A masked NXM/OXM header's name ends in _W; it names the field.
		if f, ok := byNXM[strings.TrimSuffix(name, "_W")]; ok {
			return f, true
		}
	}
	sub := tunMetadataName.FindStringSubmatch(name)
	if sub == nil || (!nxm && !strings.HasPrefix(name, "tun_metadata")) {
		return nil, false
	}
	n, _ := strconv.Atoi(sub[1])
	return tlvOf(names).Field(n)
}

// SetTunMetadata makes m match tun_metadataN's field f (from a TLVMap) on
// v under mask (nil: exact), and requires the option to be present, as
// flow text does.
func (m *Match) SetTunMetadata(f *Field, v, mask []byte) {
	n, ok := TunMetadataIndex(f)
	if !ok {
		return
	}
	m.Clear(f)
	m.SetBytesMasked(f, v, mask)
	setPresent(m, n)
}
