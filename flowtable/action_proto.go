package flowtable

import (
	"errors"
	"math/big"
)

// Protocol is the OpenFlow flavour a flow is sent to a switch in. What
// the switch then holds, and dump-flows prints, is the actions as OVS
// encodes them for that protocol and decodes them again, so the same text
// comes back differently: mod_dl_src:X in OpenFlow 1.0 is
// set_field:X->eth_src in OpenFlow 1.5.
type Protocol uint8

// Protocols with their ovs-ofctl -O names.
const (
	OpenFlow10 Protocol = iota // OpenFlow10 with Nicira extensions: ovs-ofctl's default
	OpenFlow15                 // OpenFlow15
)

func (p Protocol) allowed() protocols {
	if p == OpenFlow15 {
		return protoOXM15
	}
	return protocolsOpenFlow10
}

// ParseFlowActions parses the actions of a flow whose match is m (nil
// for none) as `ovs-ofctl -O p add-flow` does: it checks them against m
// (see [Actions.Check]), refuses what p cannot carry with ovs-ofctl's
// message, and returns them normalized for p, as dump-flows prints them
// back in p.
func ParseFlowActions(s string, names PortNamer, m *Match, p Protocol) (Actions, error) {
	return parseFlowActions(s, names, m, p, protocolsAny)
}

// parseFlowActions is ParseFlowActions for a flow whose other parts can
// be sent only in flowUsable.
func parseFlowActions(s string, names PortNamer, m *Match, p Protocol, flowUsable protocols) (Actions, error) {
	acts, err := parseActionText(s, names)
	if err != nil {
		return nil, err
	}
	usable, err := checkActions(acts, m)
	if err != nil {
		return nil, err
	}
	usable &= flowUsable
	if usable&p.allowed() == 0 {
		if usable == 0 {
			return nil, &ActionCheckError{Code: "OFPBAC_MATCH_INCONSISTENT"}
		}
		return nil, notAllowedError(usable, p)
	}
	if p == OpenFlow15 {
		return acts.openFlow15(m), nil
	}
	if acts.needsOpenFlow11() {
		// OVS sends these (write_metadata before goto_table) and the
		// switch refuses them.
		return nil, errors.New("OFPBAC_UNSUPPORTED_ORDER: write_metadata before goto_table cannot be sent in OpenFlow 1.0")
	}
	return acts.openFlow10(), nil
}

// openFlow10 returns the actions as a switch holds them after receiving
// them in an OpenFlow 1.0+NXM flow_mod: each action encoded the way OVS
// encodes it for OpenFlow 1.0 and decoded again.
func (a Actions) openFlow10() Actions {
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
		if act.Load && act.Field.Experimenter() {
			// NXAST_REG_LOAD cannot name the field: the load goes as
			// NXAST_REG_LOAD2, a masked set_field.
			sf := *act
			sf.Load = false
			return Actions{&sf}
		}
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
	case *StripVLAN:
		return Actions{&StripVLAN{}}
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
	if _, variable := TunMetadataIndex(sf.Field); sf.Field.NXMName == "" || variable || sf.Field.Experimenter() {
		// Variable-length fields, and experimenter OXMs that
		// NXAST_REG_LOAD cannot name, travel as NXAST_REG_LOAD2, which
		// decodes as set_field again.
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

// openFlow15 returns the actions as a switch holds them after receiving
// them in an OpenFlow 1.5 flow_mod for a flow matching m: OpenFlow 1.0 set
// actions and NXM loads become set_field, mod_vlan_vid pushes a tag first
// when the packet has none, enqueue becomes set_queue, output, pop_queue.
func (a Actions) openFlow15(m *Match) Actions {
	n := of15Normalizer{proto: -1}
	if m != nil {
		n.vlan = m.PrereqsMet(PrereqVLANVID)
		for _, p := range []Prereq{PrereqTCP, PrereqUDP, PrereqSCTP} {
			if m.PrereqsMet(p) {
				n.proto = int(FieldNwProto.Get(&m.Key))
			}
		}
	}
	return n.actions(a)
}

// of15Normalizer tracks what the OpenFlow 1.5 encoding depends on.
type of15Normalizer struct {
	vlan  bool // the packet has a VLAN tag at this point
	proto int  // the flow's L4 protocol, -1 if the match does not say
}

func (n *of15Normalizer) actions(a Actions) Actions {
	out := Actions{}
	for _, act := range a {
		out = append(out, n.action(act)...)
	}
	return out
}

// setFieldBytes is set_field of a big-endian value to the whole of f.
func setFieldBytes(f *Field, v []byte) *SetField {
	return &SetField{Field: f, Value: append([]byte(nil), v...), Mask: onesMask(f)}
}

// setFieldTo is set_field of v to the whole of f.
func setFieldTo(f *Field, v uint64) *SetField {
	return &SetField{Field: f, Value: bigEndian(v, f.Bytes()), Mask: onesMask(f)}
}

func (n *of15Normalizer) action(act Action) Actions {
	switch act := act.(type) {
	case *SetField:
		sf := *act
		sf.Load = false
		if sf.Field == FieldVLANTCI {
			n.vlan = toU64(sf.Value)&VLANCFI != 0
		}
		return Actions{&sf}
	case *SetEthSrc:
		return Actions{setFieldBytes(FieldEthSrc, act.MAC[:])}
	case *SetEthDst:
		return Actions{setFieldBytes(FieldEthDst, act.MAC[:])}
	case *SetIPv4Src:
		return Actions{setFieldBytes(FieldIPSrc, act.Addr[:])}
	case *SetIPv4Dst:
		return Actions{setFieldBytes(FieldIPDst, act.Addr[:])}
	case *SetIPTOS:
		return Actions{setFieldTo(FieldIPDSCP, uint64(act.TOS>>2))}
	case *SetIPECN:
		return Actions{setFieldTo(FieldNwECN, uint64(act.ECN))}
	case *SetL4Src, *SetL4Dst:
		return n.l4Port(act)
	case *SetVLANVID:
		return n.pushIfUntagged(setFieldTo(FieldVLANVID, uint64(act.VID)|VLANCFI))
	case *SetVLANPCP:
		return n.pushIfUntagged(setFieldTo(FieldVLANPCP, uint64(act.PCP)))
	case *PushVLAN:
		n.vlan = true
	case *StripVLAN:
		n.vlan = false
		return Actions{&StripVLAN{Pop: true}}
	case *SetTunnel:
		return Actions{setFieldTo(FieldTunID, act.ID)}
	case *Enqueue:
		return Actions{&SetQueue{ID: act.Queue}, &Output{Port: act.Port}, &PopQueue{}}
	case *SetMPLSLabel:
		return Actions{setFieldTo(FieldMPLSLabel, uint64(act.Label))}
	case *SetMPLSTC:
		return Actions{setFieldTo(FieldMPLSTC, uint64(act.TC))}
	case *WriteActions:
		if len(act.Actions) == 0 {
			return nil // OVS leaves an empty write_actions out
		}
		inner := *n
		return Actions{&WriteActions{Actions: inner.actions(act.Actions)}}
	case *Clone:
		inner := *n
		return Actions{&Clone{Actions: inner.actions(act.Actions)}}
	case *CT:
		ct := *act
		inner := *n
		ct.Actions = inner.actions(act.Actions)
		return Actions{&ct}
	}
	return Actions{act}
}

// pushIfUntagged puts a push_vlan before sf when the packet has no tag, as
// mod_vlan_vid and mod_vlan_pcp do.
func (n *of15Normalizer) pushIfUntagged(sf *SetField) Actions {
	if n.vlan {
		return Actions{sf}
	}
	n.vlan = true
	return Actions{&PushVLAN{EthType: EthTypeVLAN}, sf}
}

// l4Port turns mod_tp_src/dst into set_field of the flow's L4 protocol's
// port field; without one OpenFlow 1.5 cannot carry it and it stays.
func (n *of15Normalizer) l4Port(act Action) Actions {
	var src, dst *Field
	switch n.proto {
	case IPProtoTCP:
		src, dst = FieldTCPSrc, FieldTCPDst
	case IPProtoUDP:
		src, dst = FieldUDPSrc, FieldUDPDst
	case IPProtoSCTP:
		src, dst = FieldSCTPSrc, FieldSCTPDst
	default:
		return Actions{act}
	}
	if a, ok := act.(*SetL4Src); ok {
		return Actions{setFieldTo(src, uint64(a.Port))}
	}
	return Actions{setFieldTo(dst, uint64(act.(*SetL4Dst).Port))}
}
