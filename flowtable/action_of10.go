package flowtable

import "math/big"

// openFlow10 returns the actions as a switch holds them after receiving
// them in an OpenFlow 1.0+NXM flow_mod: each action encoded the way OVS
// encodes it for OpenFlow 1.0 and decoded again. When the list needs
// OpenFlow 1.1 or later, it is returned unchanged.
func (a Actions) openFlow10() Actions {
	if a.needsOpenFlow11() {
		return a
	}
	out := Actions{}
	for _, act := range a {
		out = append(out, of10Action(act)...)
	}
	return out
}

// needsOpenFlow11 reports whether OVS refuses to send the list with
// OpenFlow 1.0+NXM: push_vlan and meter have no OpenFlow 1.0 encoding, and
// write_metadata followed by goto_table (resubmit in NXM) decodes as an
// unsupported instruction order.
func (a Actions) needsOpenFlow11() bool {
	sawWriteMetadata := false
	for _, act := range a {
		switch act := act.(type) {
		case *PushVLAN, *Meter:
			return true
		case *WriteMetadata:
			sawWriteMetadata = true
		case *GotoTable:
			if sawWriteMetadata {
				return true
			}
		case *Clone:
			if act.Actions.needsOpenFlow11() {
				return true
			}
		case *WriteActions:
			if act.Actions.needsOpenFlow11() {
				return true
			}
		}
	}
	return false
}

// of10Action maps one action through OpenFlow 1.0+NXM.
func of10Action(act Action) Actions {
	switch act := act.(type) {
	case *SetField:
		if act.Load {
			return splitLoad(act)
		}
		return of10SetField(act)
	case *SetIPECN:
		return loadField(FieldNwECN, uint64(act.ECN))
	case *SetIPTTL:
		return loadField(FieldNwTTL, uint64(act.TTL))
	case *GotoTable:
		return Actions{&Resubmit{InPort: PortInPort, Table: act.Table}}
	case *ClearActions, *WriteActions:
		// OpenFlow 1.0 has no instructions; OVS leaves them out.
		return nil
	case *Clone:
		return Actions{&Clone{Actions: act.Actions.openFlow10()}}
	case *CT:
		ct := *act
		ct.Actions = act.Actions.openFlow10()
		return Actions{&ct}
	}
	return Actions{act}
}

// of10SetField encodes set_field as OpenFlow 1.0's own set actions where
// one exists (ignoring any mask, as OVS does) and as NXM loads otherwise.
func of10SetField(sf *SetField) Actions {
	v := new(big.Int).SetBytes(sf.Value).Uint64()
	switch sf.Field {
	case FieldEthSrc:
		return Actions{&SetEthSrc{MAC: [6]byte(sf.Value)}}
	case FieldEthDst:
		return Actions{&SetEthDst{MAC: [6]byte(sf.Value)}}
	case FieldIPSrc:
		return Actions{&SetIPv4Src{Addr: [4]byte(sf.Value)}}
	case FieldIPDst:
		return Actions{&SetIPv4Dst{Addr: [4]byte(sf.Value)}}
	case FieldIPDSCP:
		return Actions{&SetIPTOS{TOS: uint8(v << 2)}}
	case FieldNwTOS:
		return Actions{&SetIPTOS{TOS: uint8(v) &^ 3}}
	case FieldTCPSrc, FieldUDPSrc:
		return Actions{&SetL4Src{Port: uint16(v)}}
	case FieldTCPDst, FieldUDPDst:
		return Actions{&SetL4Dst{Port: uint16(v)}}
	case FieldVLANVID, FieldDlVLAN:
		return Actions{&SetVLANVID{VID: uint16(v) & 0xfff}}
	case FieldVLANPCP, FieldDlVLANPCP:
		return Actions{&SetVLANPCP{PCP: uint8(v)}}
	case FieldVLANTCI:
		if v&VLANCFI == 0 {
			return Actions{&StripVLAN{}}
		}
		return Actions{&SetVLANVID{VID: uint16(v) & 0xfff}, &SetVLANPCP{PCP: uint8(v >> 13)}}
	}
	if sf.Field.NXMName == "" {
		return Actions{sf}
	}
	load := *sf
	load.Load = true
	return splitLoad(&load)
}

// loadField is an NXM load of v into the whole of f.
func loadField(f *Field, v uint64) Actions {
	return Actions{subfieldLoad(Subfield{Field: f, NBits: f.Bits}, new(big.Int).SetUint64(v))}
}

// splitLoad turns a load-style SetField into one SetField per
// NXAST_REG_LOAD it is sent as, since each decodes as its own action.
func splitLoad(sf *SetField) Actions {
	segs := sf.loadSegments()
	if len(segs) == 0 {
		return nil // an empty mask writes nothing and OVS sends no load
	}
	if len(segs) == 1 {
		return Actions{sf}
	}
	out := make(Actions, 0, len(segs))
	value := new(big.Int).SetBytes(sf.Value)
	for _, seg := range segs {
		part := new(big.Int).Rsh(value, uint(seg.Ofs))
		part.And(part, new(big.Int).SetUint64(lowBits(seg.NBits)))
		out = append(out, subfieldLoad(seg, part))
	}
	return out
}
