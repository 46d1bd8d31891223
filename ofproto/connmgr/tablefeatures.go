package connmgr

import (
	"sync"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// Instruction types (OFPIT_*) as table features list them.
const (
	instGotoTable     = 1
	instWriteMetadata = 2
	instWriteActions  = 3
	instApplyActions  = 4
	instClearActions  = 5
	instMeter         = 6 // an action from OpenFlow 1.5 on
)

// tableActions are the OpenFlow 1.1+ action types (OFPAT11_*) OVS 3.1
// announces for write_actions and apply_actions, in its order: output,
// then set_mpls_ttl through set_field (15-25), all of which govs' flow
// tables accept.
var tableActions = []uint16{0, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25}

// tableField is one field of the table features lists, in OVS's order.
// nxm picks the NXM header where OVS lists a field's NXM and OXM forms as
// two fields; tunMetadata stands for tun_metadata0 to 63.
type tableField struct {
	f           *flowtable.Field
	nxm         bool
	tunMetadata bool
}

// tableFields are the fields govs matches, in the order OVS 3.1 lists its
// fields (its internal field order).
var tableFields = []tableField{
	{f: flowtable.FieldDPHash}, {f: flowtable.FieldRecircID}, {f: flowtable.FieldPacketType}, {f: flowtable.FieldConjID},
	{f: flowtable.FieldTunID}, {f: flowtable.FieldTunSrc}, {f: flowtable.FieldTunDst},
	{f: flowtable.FieldTunIPv6Src}, {f: flowtable.FieldTunIPv6Dst}, {f: flowtable.FieldTunFlags},
	{f: flowtable.FieldTunGBPID}, {f: flowtable.FieldTunGBPFlags},
	{f: flowtable.FieldTunERSPANIdx}, {f: flowtable.FieldTunERSPANVer}, {f: flowtable.FieldTunERSPANDir}, {f: flowtable.FieldTunERSPANHWID},
	{f: flowtable.FieldTunGTPUFlags}, {f: flowtable.FieldTunGTPUMsgType},
	{tunMetadata: true},
	{f: flowtable.FieldMetadata}, {f: flowtable.FieldInPort, nxm: true}, {f: flowtable.FieldInPort},
	{f: flowtable.FieldActsetOutput}, {f: flowtable.FieldPktMark},
	{f: flowtable.FieldCTState}, {f: flowtable.FieldCTZone}, {f: flowtable.FieldCTMark}, {f: flowtable.FieldCTLabel},
	{f: flowtable.FieldCTNwProto}, {f: flowtable.FieldCTNwSrc}, {f: flowtable.FieldCTNwDst},
	{f: flowtable.FieldCTIPv6Src}, {f: flowtable.FieldCTIPv6Dst}, {f: flowtable.FieldCTTpSrc}, {f: flowtable.FieldCTTpDst},
	// registers: filled in by init
}

// tableFieldsL2Up continue tableFields after the registers.
var tableFieldsL2Up = []tableField{
	{f: flowtable.FieldEthSrc}, {f: flowtable.FieldEthDst}, {f: flowtable.FieldEthType},
	{f: flowtable.FieldVLANTCI}, {f: flowtable.FieldVLANVID}, {f: flowtable.FieldVLANPCP},
	{f: flowtable.FieldMPLSLabel}, {f: flowtable.FieldMPLSTC}, {f: flowtable.FieldMPLSBOS}, {f: flowtable.FieldMPLSTTL},
	{f: flowtable.FieldIPSrc}, {f: flowtable.FieldIPDst},
	{f: flowtable.FieldIPv6Src}, {f: flowtable.FieldIPv6Dst}, {f: flowtable.FieldIPv6Label},
	{f: flowtable.FieldNwProto}, {f: flowtable.FieldIPDSCP, nxm: true}, {f: flowtable.FieldIPDSCP},
	{f: flowtable.FieldNwECN}, {f: flowtable.FieldNwTTL}, {f: flowtable.FieldIPFrag},
	{f: flowtable.FieldARPOp}, {f: flowtable.FieldARPSPA}, {f: flowtable.FieldARPTPA},
	{f: flowtable.FieldARPSHA}, {f: flowtable.FieldARPTHA},
	{f: flowtable.FieldTCPSrc}, {f: flowtable.FieldTCPDst}, {f: flowtable.FieldTCPFlags},
	{f: flowtable.FieldUDPSrc}, {f: flowtable.FieldUDPDst}, {f: flowtable.FieldSCTPSrc}, {f: flowtable.FieldSCTPDst},
	{f: flowtable.FieldICMPType}, {f: flowtable.FieldICMPCode},
	{f: flowtable.FieldICMPv6Type}, {f: flowtable.FieldICMPv6Code},
	{f: flowtable.FieldNDTarget}, {f: flowtable.FieldNDSLL}, {f: flowtable.FieldNDTLL},
	{f: flowtable.FieldNDReserved}, {f: flowtable.FieldNDOptionsType},
	{f: flowtable.FieldNSHFlags}, {f: flowtable.FieldNSHMDType}, {f: flowtable.FieldNSHNP},
	{f: flowtable.FieldNSHSPI}, {f: flowtable.FieldNSHSI},
	{f: flowtable.FieldNSHC[0]}, {f: flowtable.FieldNSHC[1]}, {f: flowtable.FieldNSHC[2]}, {f: flowtable.FieldNSHC[3]},
	{f: flowtable.FieldNSHTTL},
}

func init() {
	for _, regs := range [][]*flowtable.Field{flowtable.FieldReg[:], flowtable.FieldXReg[:], flowtable.FieldXXReg[:]} {
		for _, f := range regs {
			tableFields = append(tableFields, tableField{f: f})
		}
	}
	tableFields = append(tableFields, tableFieldsL2Up...)
}

// tableFieldLists are the match, wildcards and set-field lists of one
// OpenFlow version.
type tableFieldLists struct {
	match, wildcards, setfield []ofp.FieldHeader
}

// fieldListsOf caches each version's lists: they are the same for every
// table and every request.
var (
	fieldListsOnce [ofp.OF15 + 1]sync.Once
	fieldListsOf   [ofp.OF15 + 1]tableFieldLists
)

func fieldLists(v ofp.Version) *tableFieldLists {
	fieldListsOnce[v].Do(func() {
		l := &fieldListsOf[v]
		add := func(exact, masked ofp.FieldHeader, maskable, writable bool) {
			if maskable {
				l.match = append(l.match, masked)
			} else {
				l.match = append(l.match, exact)
			}
			l.wildcards = append(l.wildcards, exact)
			if writable {
				l.setfield = append(l.setfield, exact)
			}
		}
		for _, tf := range tableFields {
			if tf.tunMetadata {
				// Every tun_metadataN may be mapped to an option, then
				// matched with a mask and set.
				for n := range flowtable.MaxTunMetadata {
					add(ofp.TunMetadataHeader(n, false), ofp.TunMetadataHeader(n, true), true, true)
				}
				continue
			}
			exact, ok := ofp.TableFieldHeader(v, tf.f, tf.nxm, false)
			if !ok {
				continue
			}
			masked, _ := ofp.TableFieldHeader(v, tf.f, tf.nxm, true)
			add(exact, masked, tf.f.Maskable, tf.f.Writable)
		}
	})
	return &fieldListsOf[v]
}

// addTableFeatureProps fills in the properties of tables as OVS 3.1
// does: every table takes every instruction (but goto_table in the last),
// may go to any later table, and takes the same actions, set-fields and
// matches for its table-miss flow as for any other.
func addTableFeatureProps(v ofp.Version, tables []ofp.TableFeatures) {
	l := fieldLists(v)
	insts := []uint16{instGotoTable, instWriteMetadata, instWriteActions, instApplyActions, instClearActions}
	if v < ofp.OF15 {
		insts = append(insts, instMeter)
	}
	all := make([]uint8, numTables)
	for id := range all {
		all[id] = uint8(id)
	}
	for i := range tables {
		t := &tables[i]
		props := ofp.TableFeatureProps{
			Instructions:  insts,
			NextTables:    all[min(int(t.Table)+1, numTables):],
			WriteActions:  tableActions,
			ApplyActions:  tableActions,
			WriteSetfield: l.setfield,
			ApplySetfield: l.setfield,
		}
		if int(t.Table) >= numTables-1 {
			props.Instructions = insts[1:] // no later table to go to
		}
		t.Features, t.Miss, t.Match, t.Wildcards = props, props, l.match, l.wildcards
	}
}
