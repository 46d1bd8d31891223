package ofctl

// TLV table scenarios, run by TestAgainstRealOvsOfctl.
func init() {
	scenarios["tlv-map"] = []step{
		{args: "dump-tlv-map br0"},
		{args: "add-tlv-map|br0|{class=0xffff,type=0,len=4}->tun_metadata0"},
		{args: "add-tlv-map|br0|{class=0xffff,type=1,len=8}->tun_metadata1,{class=0x10,type=0x80,len=12}->tun_metadata2"},
		{args: "dump-tlv-map br0"},
		{args: "-O OpenFlow13 dump-tlv-map br0"},
		{args: "add-tlv-map|br0|{class=0xffff,type=0,len=4}->tun_metadata0"},
		{args: "add-tlv-map|br0|{class=0xffff,type=9,len=4}->tun_metadata5,{class=0xffff,type=10,len=4}->tun_metadata5"},
		{args: "add-tlv-map|br0|{class=1,type=2,len=5}->tun_metadata7"},
		{args: "add-tlv-map|br0|{class=1,type=2,len=4}->tun_metadata70"},
		{args: "add-tlv-map|br0|{class=1,type=2,len=4}->tun_metadata"},
		{args: "add-tlv-map|br0|{class=1, type=2,len=4}->tun_metadata3"},
		{args: "add-tlv-map|br0|{class= -1,type=011,len=+4}->tun_metadata3,"},
		{args: "add-tlv-map|br0|"},
		{args: "add-tlv-map br0"},
		{args: "-O|OpenFlow13|del-tlv-map|br0|{class=0xffff,type=1,len=8}->tun_metadata1"},
		{args: "del-tlv-map|br0|{class=0xffff,type=1,len=8}->tun_metadata1"},
		{args: "dump-tlv-map br0"},
		{args: "del-tlv-map br0"},
		{args: "-O OpenFlow13 del-tlv-map br0"},
		{args: "dump-tlv-map br0"},
		{args: "del-tlv-map|br0|foo"},
		{args: "dump-tlv-map br0 x"},
	}
}
