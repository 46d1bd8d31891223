package ofctl

// dump-table-features scenarios, run by TestAgainstRealOvsOfctl. The
// OpenFlow 1.3+ dumps of br0 are left out: the switch now announces its
// instructions, actions and fields, which the real ovs-ofctl prints
// (connmgr's TestProtocolsWithRealOfctl compares that with OVS) and govs'
// ovs-ofctl does not print yet.
func init() {
	scenarios["dump-table-features"] = []step{
		{args: "dump-table-features br0"},
		{args: "-O OpenFlow12 dump-table-features br0"},
		{args: "-O OpenFlow13 dump-table-features nobr"},
		{args: "-O OpenFlow13 dump-table-features br0 x"},
	}
}
