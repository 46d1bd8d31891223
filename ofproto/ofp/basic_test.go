package ofp

import (
	"testing"

	"github.com/govs/govs/flowtable"
)

func TestBasicGolden(t *testing.T) {
	ports := []PortDesc{
		{Port: 1, HWAddr: [6]byte{0xaa, 0, 0, 0, 0, 1}, Name: "veth11", Curr: 0x802, CurrSpeed: 10000000, MaxSpeed: 0},
		{Port: flowtable.PortLocal, HWAddr: [6]byte{0xaa, 0, 0, 0, 0, 0xfe}, Name: "br0", Config: 1, State: 1},
	}
	cases := []goldenCase{
		{"hello-of10", OF10, &Hello{Versions: 1 << OF10}},
		{"hello-of13-only", OF13, &Hello{Versions: 1 << OF13}},
		{"hello-of10-to-15", OF15, &Hello{Versions: 0x7e}},
		{"hello-of10-of13", OF13, &Hello{Versions: 1<<OF10 | 1<<OF13}},
		{"echo-request-of10", OF10, &EchoRequest{Data: []byte("ping")}},
		{"echo-reply-of13", OF13, &EchoReply{}},
		{"features-request-of13", OF13, &FeaturesRequest{}},
		{"features-reply-of10", OF10, &FeaturesReply{DatapathID: 0x1234, NBuffers: 0, NTables: 254, Capabilities: 0xc7, Actions: 0xfff, Ports: ports}},
		{"features-reply-of12", OF12, &FeaturesReply{DatapathID: 0x1234, NTables: 254, Capabilities: 0xc7, Ports: ports}},
		{"features-reply-of13", OF13, &FeaturesReply{DatapathID: 0x1234, NTables: 254, Capabilities: 0x4f}},
		{"get-config-request-of10", OF10, &GetConfigRequest{}},
		{"get-config-reply-of13", OF13, &GetConfigReply{Flags: 0, MissSendLen: 128}},
		{"set-config-of10", OF10, &SetConfig{Flags: 1, MissSendLen: 0xffff}},
		{"barrier-request-of10", OF10, &BarrierRequest{}},
		{"barrier-reply-of10", OF10, &BarrierReply{}},
		{"barrier-request-of13", OF13, &BarrierRequest{}},
		{"barrier-reply-of15", OF15, &BarrierReply{}},
		{"set-flow-format-nxm", OF10, &SetFlowFormat{Format: FlowFormatNXM}},
		{"set-flow-format-of10", OF10, &SetFlowFormat{Format: FlowFormatOpenFlow10}},
		{"flow-mod-table-id", OF10, &FlowModTableID{Enable: true}},
		{"set-packet-in-format-nxm", OF10, &SetPacketInFormat{Format: PacketInNXM}},
		{"set-packet-in-format-nx2", OF13, &SetPacketInFormat{Format: PacketInNX2}},
		{"role-request-of10", OF10, &RoleRequest{Role: RoleMaster}},
		{"role-reply-of10", OF10, &RoleReply{Role: RoleSlave}},
		{"role-request-of13", OF13, &RoleRequest{Role: RoleMaster, GenerationID: 7}},
		{"role-reply-of14", OF14, &RoleReply{Role: RoleEqual, GenerationID: 1}},
		{"port-status-of10", OF10, &PortStatus{Reason: PortAdded, Desc: ports[0]}},
		{"port-status-of13", OF13, &PortStatus{Reason: PortModified, Desc: ports[1]}},
		{"port-status-of15", OF15, &PortStatus{Reason: PortDeleted, Desc: ports[0]}},
		{"error-of10-bad-len", OF10, &ErrorMsg{Code: BadRequestBadLen, Data: []byte{1, 2, 0, 8, 0, 0, 0, 1}}},
		{"error-of10-vendor-bad-field", OF10, &ErrorMsg{Code: BadMatchBadField, Data: []byte{1, 2, 0, 8, 0, 0, 0, 1}}},
		{"error-of13-bad-prereq", OF13, &ErrorMsg{Code: BadMatchBadPrereq, Data: []byte{4, 2, 0, 8, 0, 0, 0, 1}}},
		{"error-of13-experimenter", OF13, &ErrorMsg{Code: BadActionMustBeZero, Data: []byte{4, 2, 0, 8, 0, 0, 0, 1}}},
		{"error-of13-onf", OF13, &ErrorMsg{Code: "OFPBAC_BAD_SET_MASK", Data: []byte{4, 2, 0, 8, 0, 0, 0, 1}}},
		{"error-of10-overlap", OF10, &ErrorMsg{Code: FlowModOverlap}},
		{"error-of13-overlap", OF13, &ErrorMsg{Code: FlowModOverlap}},
	}
	runGolden(t, "basic.golden", cases)
}
