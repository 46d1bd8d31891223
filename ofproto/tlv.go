package ofproto

import (
	"errors"
	"fmt"

	"github.com/govs/govs/flowtable"
)

// TLV table errors, as OVS reports them (NXTTMFC_*).
var (
	ErrTLVAlreadyMapped = errors.New("tun_metadata field already mapped")    // NXTTMFC_ALREADY_MAPPED
	ErrTLVDupEntry      = errors.New("option class and type already mapped") // NXTTMFC_DUP_ENTRY
	ErrTLVTableFull     = errors.New("no room for the option in the key")    // NXTTMFC_TABLE_FULL
	ErrTLVBadOptLen     = errors.New("option length not a multiple of 4")    // NXTTMFC_BAD_OPT_LEN
	ErrTLVBadFieldIdx   = errors.New("tun_metadata index out of range")      // NXTTMFC_BAD_FIELD_IDX
	ErrTLVInUse         = errors.New("tun_metadata field in use by flows")   // NXTTMFC_INVALID_TLV_DEL
)

// TLVCommand is what a TLV table mod does.
type TLVCommand uint8

// TLV table commands (NXTTMC_*).
const (
	TLVAdd TLVCommand = iota
	TLVDelete
	TLVClear
)

// emptyTLV is the table a bridge starts with.
var emptyTLV, _ = flowtable.NewTLVMap()

// TLVMap returns the bridge's Geneve option table (never nil). It is
// immutable; a change replaces it.
func (b *Bridge) TLVMap() *flowtable.TLVMap {
	if t := b.tlv.Load(); t != nil {
		return t
	}
	return emptyTLV
}

// TLVTableMod adds or deletes mappings or clears the table, all or
// nothing, with OVS's rules: adding an index or an option (class and
// type) already mapped fails, as does deleting (or clearing) a field that
// flows match on. Deleting an unmapped index is not an error.
//
// govs lays options out in the key in table order, so a delete moves the
// options mapped after the deleted one; those may not be in use either.
func (b *Bridge) TLVTableMod(cmd TLVCommand, mappings []flowtable.TLVMapping) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	old := b.TLVMap()
	cur := old.Mappings()
	var next []flowtable.TLVMapping
	switch cmd {
	case TLVAdd:
		next = cur
		for _, m := range mappings {
			if m.Index < 0 || m.Index >= flowtable.MaxTunMetadata {
				return fmt.Errorf("%w: %d", ErrTLVBadFieldIdx, m.Index)
			}
			if m.Length%4 != 0 || m.Length > 124 || m.Length == 0 {
				return fmt.Errorf("%w: %d", ErrTLVBadOptLen, m.Length)
			}
			space := int(m.Length)
			for _, o := range next {
				if o.Index == m.Index {
					return fmt.Errorf("%w: tun_metadata%d", ErrTLVAlreadyMapped, m.Index)
				}
				if o.Class == m.Class && o.Type == m.Type {
					return fmt.Errorf("%w: class %#x type %#x", ErrTLVDupEntry, m.Class, m.Type)
				}
				space += int(o.Length)
			}
			if space > flowtable.TunMetadataBytes {
				return fmt.Errorf("%w: %d bytes of options, room for %d", ErrTLVTableFull, space, flowtable.TunMetadataBytes)
			}
			next = append(next, m)
		}
	case TLVDelete, TLVClear:
		gone := map[int]bool{}
		for _, m := range mappings {
			gone[m.Index] = true
		}
		moved := false
		for _, o := range cur {
			if cmd == TLVClear || gone[o.Index] {
				moved = true
				if err := b.tunMetadataUnused(old, o.Index); err != nil {
					return err
				}
				continue
			}
			if moved {
				if err := b.tunMetadataUnused(old, o.Index); err != nil {
					return err
				}
			}
			next = append(next, o)
		}
	default:
		return fmt.Errorf("TLV table command %d", cmd)
	}
	t, err := flowtable.NewTLVMap(next...)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrTLVTableFull, err)
	}
	b.tlv.Store(t)
	b.changed()
	return nil
}

// tunMetadataUnused fails with ErrTLVInUse if a flow matches on
// tun_metadataN as t lays it out.
func (b *Bridge) tunMetadataUnused(t *flowtable.TLVMap, n int) error {
	f, ok := t.Field(n)
	if !ok {
		return nil
	}
	for id := range b.tables {
		used := false
		b.tables[id].ForEach(func(r *flowtable.Rule) bool {
			m := r.Flow().Match
			used = !m.IsWildcard(f)
			return !used
		})
		if used {
			return fmt.Errorf("%w: tun_metadata%d", ErrTLVInUse, n)
		}
	}
	return nil
}
