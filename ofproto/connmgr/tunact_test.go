package connmgr

import "testing"

// TestTunMetadataActionsWithRealOfctl adds flows whose actions name
// tun_metadata (set_field, load, move, learn, push/pop, output_reg) with
// the real ovs-ofctl in OpenFlow 1.0, 1.3 and 1.5, and dumps them back
// in 1.0. (OVS's 1.3+ dumps differ from govs' in reset_counts only.)
// The expected output is what OVS 3.1 (ovs-vswitchd, netdev datapath)
// prints for the same commands, unmapped fields and bits beyond the
// option included.
func TestTunMetadataActionsWithRealOfctl(t *testing.T) {
	_, target := newManagedBridge(t)
	flows := "priority=2 actions=set_field:0x5/0xff->tun_metadata0\n" +
		"priority=3 actions=move:NXM_NX_REG0[0..7]->NXM_NX_TUN_METADATA0[0..7]\n" +
		"priority=5 actions=set_field:0x6->tun_metadata0\n" +
		"priority=6 actions=set_field:0x6/0xff->tun_metadata0,move:NXM_NX_TUN_METADATA0[0..7]->NXM_NX_REG2[0..7]\n" +
		"priority=7 actions=set_field:0x1234567->tun_metadata0\n" +
		"priority=8 actions=learn(table=5,NXM_NX_TUN_METADATA0[0..7],load:NXM_NX_TUN_METADATA0[0..15]->NXM_NX_REG1[0..15],load:NXM_NX_REG1[0..15]->NXM_NX_TUN_METADATA0[0..15],load:0x7->NXM_NX_TUN_METADATA0[0..3])\n" +
		"priority=9 actions=push:NXM_NX_TUN_METADATA0[0..7],pop:NXM_NX_TUN_METADATA0[0..7],output:NXM_NX_TUN_METADATA0[0..15]\n" +
		"priority=10 actions=move:NXM_NX_TUN_METADATA0[0..7]->NXM_NX_TUN_METADATA0[8..15]\n" +
		"actions=set_field:0x5->tun_metadata0"
	runOfctlSteps(t, target, []ofctlStep{
		{[]string{"del-flows"}, 0, ""},
		{[]string{"add-flow", "table=3,actions=set_field:0x5->tun_metadata0"}, 1,
			"OFPT_ERROR (xid=0xa): NXFMFC_INVALID_TLV_FIELD\nNXT_FLOW_MOD (xid=0xa): ADD table:3 actions=set_field:0x5->tun_metadata0"},
		{[]string{"add-tlv-map", "{class=0xffff,type=0,len=4}->tun_metadata0"}, 0, ""},
		{[]string{"add-flow", "actions=set_field:0x5->tun_metadata0"}, 0, ""},
		{[]string{"add-flow", "priority=2,actions=load:0x5->NXM_NX_TUN_METADATA0[0..7]"}, 0, ""},
		{[]string{"add-flow", "priority=3,actions=move:NXM_NX_REG0[0..7]->NXM_NX_TUN_METADATA0[0..7]"}, 0, ""},
		{[]string{"-O", "OpenFlow13", "add-flow", "priority=5,actions=set_field:0x6->tun_metadata0"}, 0, ""},
		{[]string{"-O", "OpenFlow15", "add-flow", "priority=6,actions=set_field:0x6/0xff->tun_metadata0,move:NXM_NX_TUN_METADATA0[0..7]->NXM_NX_REG2[0..7]"}, 0, ""},
		{[]string{"-O", "OpenFlow13", "add-flow", "priority=7,actions=set_field:0x1234567->tun_metadata0"}, 0, ""},
		{[]string{"add-flow", "priority=8,actions=learn(table=5,NXM_NX_TUN_METADATA0[0..7],load:NXM_NX_TUN_METADATA0[0..15]->NXM_NX_REG1[0..15],load:NXM_NX_REG1[0..15]->NXM_NX_TUN_METADATA0[0..15],load:0x7->NXM_NX_TUN_METADATA0[0..3])"}, 0, ""},
		{[]string{"add-flow", "priority=9,actions=push:NXM_NX_TUN_METADATA0[0..7],pop:NXM_NX_TUN_METADATA0[0..7],output:NXM_NX_TUN_METADATA0[0..15]"}, 0, ""},
		{[]string{"-O", "OpenFlow15", "add-flow", "priority=10,actions=move:NXM_NX_TUN_METADATA0[0..7]->NXM_NX_TUN_METADATA0[8..15]"}, 0, ""},
		{[]string{"add-flow", "priority=11,actions=set_field:0x5->tun_metadata1"}, 1,
			"OFPT_ERROR (xid=0x8): NXFMFC_INVALID_TLV_FIELD\nNXT_FLOW_MOD (xid=0x8): ADD priority=11 actions=set_field:0x5->tun_metadata1"},
		// Longer than 64 bytes: OVS echoes the whole request.
		{[]string{"add-flow", "priority=12,ip,nw_src=10.0.0.1,nw_dst=10.0.0.2,tcp,tp_dst=80,actions=set_field:0x5->tun_metadata1,output:1,output:2,output:3"}, 1,
			"OFPT_ERROR (xid=0x8): NXFMFC_INVALID_TLV_FIELD\nNXT_FLOW_MOD (xid=0x8): ADD priority=12,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_dst=80 actions=set_field:0x5->tun_metadata1,output:1,output:2,output:3"},
		{[]string{"dump-flows", "--no-stats", "--sort"}, 0, flows},
		{[]string{"del-flows"}, 0, ""},
		{[]string{"del-tlv-map"}, 0, ""},
	})
}
