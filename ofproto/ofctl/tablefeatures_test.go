package ofctl

// dump-table-features scenarios, run by TestAgainstRealOvsOfctl.
func init() {
	scenarios["dump-table-features"] = []step{
		{args: "dump-table-features br0"},
		{args: "-O OpenFlow13 dump-table-features br0"},
		{args: "-O OpenFlow14 dump-table-features br0"},
		{args: "-O OpenFlow15 dump-table-features br0"},
		{args: "-O OpenFlow12 dump-table-features br0"},
		{args: "-O OpenFlow13 dump-table-features nobr"},
		{args: "-O OpenFlow13 dump-table-features br0 x"},
	}
}
