package ofctl

// packet-out scenarios, run by TestAgainstRealOvsOfctl.
func init() {
	const pkt = "000000000002000000000001080045000014000100004001f7e6c0a80001c0a80002"
	const tcp = "00000000000200000000000181000005" + "86dd6000000000140640" + "20010db8000000000000000000000001" + "20010db8000000000000000000000002" + "04d2005000000001000000005012ffff12340000"
	const udp = "0000000000020000000000010800" + "450000200001000040110000c0a80001c0a80002" + "0035003500080abc" + "61626364"
	const arp = "ffffffffffff0000000000010806" + "0001080006040001000000000001c0a80001000000000000c0a80002"
	scenarios["packet-out"] = []step{
		{args: "packet-out|br0|in_port=1 packet=" + tcp + " actions=output:2"},
		{args: "packet-out|br0|in_port=1 packet=" + udp + " actions=output:2"},
		{args: "packet-out|br0|in_port=1 packet=" + arp + " actions=output:2"},
		{args: "packet-out|br0|in_port=1 packet=" + pkt + "0800abcd00010001 actions=output:2"},
		{args: "packet-out|br0|in_port=1 packet=" + pkt + " actions=output:2"},
		{args: "packet-out|br0|in_port=veth11,packet=" + pkt + ",actions=drop"},
		{args: "packet-out|br0|packet=" + pkt + " actions=output:veth22,NORMAL"},
		{args: "packet-out|br0|in_port=1 packet=" + pkt},
		{args: "packet-out|br0|in_port=1 actions=drop"},
		{args: "packet-out|br0|in_port=1 packet=0000 actions=drop"},
		{args: "packet-out|br0|in_port=1 packet=" + pkt + "x actions=drop"},
		{args: "packet-out|br0|in_port=foo packet=" + pkt + " actions=drop"},
		{args: "packet-out|br0|in_port=LOCAL packet=" + pkt + " actions=drop"},
		{args: "packet-out|br0|in_port= packet=" + pkt + " actions=drop"},
		{args: "packet-out|br0|in_port=1 frob=1 packet=" + pkt + " actions=drop"},
		{args: "packet-out|br0|in_port=1 packet=" + pkt + " actions=frob"},
		{args: "packet-out|br0|1|output:2|" + pkt + "|" + pkt},
		{args: "packet-out|br0|veth11|drop"},
		{args: "packet-out|br0|foo|drop|" + pkt},
		{args: "packet-out|br0|1|frob|" + pkt},
		{args: "packet-out|br0|1|drop|00"},
		{args: "-O|OpenFlow13|packet-out|br0|1|output:2|" + pkt},
		{args: "-O|OpenFlow13|packet-out|br0|in_port=CONTROLLER packet=" + pkt + " actions=output:2"},
		{args: "packet-out br0"},
		{args: "dump-ports br0"},
	}
}
