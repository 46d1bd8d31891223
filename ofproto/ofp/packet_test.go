package ofp

import (
	"bytes"
	"encoding/hex"
	"os/exec"
	"testing"

	"github.com/govs/govs/internal/testutil"

	"github.com/govs/govs/flowtable"
)

func TestPacketGolden(t *testing.T) {
	frame := []byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xaa, 0, 0, 0, 0, 1, 0x08, 0x06,
		0, 1, 8, 0, 6, 4, 0, 1, 0xaa, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
	}
	var md flowtable.Match
	md.SetExact(flowtable.FieldInPort, 1)
	md.SetExact(flowtable.FieldReg[0], 5)
	md.SetExact(flowtable.FieldTunID, 0x42)
	md12 := md
	md12.SetMasked(flowtable.FieldTunID, 0, 0)
	var in1 flowtable.Match
	in1.SetExact(flowtable.FieldInPort, 3)
	acts, err := flowtable.ParseFlowActions("output:2,mod_vlan_vid:5,CONTROLLER:128", capturePorts, nil, flowtable.OpenFlow10)
	if err != nil {
		t.Fatal(err)
	}
	acts15, err := flowtable.ParseFlowActions("set_field:5->reg0,output:2", capturePorts, nil, flowtable.OpenFlow15)
	if err != nil {
		t.Fatal(err)
	}
	cases := []goldenCase{
		{"packet-in-of10", OF10, &PacketIn{BufferID: NoBuffer, TotalLen: uint16(len(frame)), Reason: 0, Match: in1, Data: frame}},
		{"packet-in-of10-action", OF10, &PacketIn{BufferID: 7, TotalLen: 100, Reason: 1, Match: in1, Data: frame[:14]}},
		{"packet-in-nxm", OF10, &PacketIn{BufferID: NoBuffer, TotalLen: uint16(len(frame)), Reason: 1, Table: 3, Cookie: 0xabc, Match: md, Data: frame, NXM: true}},
		{"packet-in-of12", OF12, &PacketIn{BufferID: NoBuffer, TotalLen: uint16(len(frame)), Reason: 0, Table: 0, Match: md12, Data: frame}},
		{"packet-in-of13", OF13, &PacketIn{BufferID: NoBuffer, TotalLen: uint16(len(frame)), Reason: 1, Table: 2, Cookie: 0x1234, Match: md, Data: frame}},
		{"packet-in-of14", OF14, &PacketIn{BufferID: NoBuffer, TotalLen: uint16(len(frame)), Reason: 0, Table: 0, Cookie: ^uint64(0), Match: in1, Data: frame}},
		{"packet-out-of10", OF10, &PacketOut{BufferID: NoBuffer, InPort: flowtable.PortController, Actions: acts, Data: frame}},
		{"packet-out-of10-buffer", OF10, &PacketOut{BufferID: 5, InPort: 1, Actions: acts[:1]}},
		{"packet-out-of13", OF13, &PacketOut{BufferID: NoBuffer, InPort: flowtable.PortLocal, Actions: acts15, Data: frame}},
		{"packet-out-of14-drop", OF14, &PacketOut{BufferID: NoBuffer, InPort: 4, Data: frame}},
	}
	runGolden(t, "packet.golden", cases)
}

// TestPacketOutCaptured decodes what ovs-ofctl packet-out sends, checks
// the actions against ParseFlowActions, and encodes it back byte for byte.
func TestPacketOutCaptured(t *testing.T) {
	ofctl := testutil.RequireCommand(t, "ovs-ofctl")
	const pkt = "ffffffffffffaa00000000010806000108000604000" + "1aa00000000010a0000010000000000000a000002"
	for _, c := range []struct {
		opts    []string
		v       Version
		proto   flowtable.Protocol
		inPort  flowtable.Port
		args    string
		actions string
	}{
		{nil, OF10, flowtable.OpenFlow10, 1, "in_port=1 packet=" + pkt + " actions=output:2,mod_vlan_vid:5", "output:2,mod_vlan_vid:5"},
		{nil, OF10, flowtable.OpenFlow10, flowtable.PortController, "in_port=CONTROLLER packet=" + pkt + " actions=NORMAL", "NORMAL"},
		{[]string{"-O", "OpenFlow13"}, OF13, flowtable.OpenFlow15, flowtable.PortLocal, "in_port=LOCAL packet=" + pkt + " actions=set_field:5->reg0,output:2", "set_field:5->reg0,output:2"},
		{[]string{"-O", "OpenFlow14"}, OF14, flowtable.OpenFlow15, 4, "in_port=4 packet=" + pkt + " actions=drop", ""},
	} {
		s, target := newFakeSwitch(t)
		args := append(append([]string{}, c.opts...), "packet-out", target, c.args)
		if out, err := exec.Command(ofctl, args...).CombinedOutput(); err != nil {
			t.Fatalf("ovs-ofctl %v: %v\n%s", args, err, out)
		}
		var raw []byte
		for len(s.got) > 0 {
			raw = <-s.got
		}
		h, m, err := Decode(raw)
		if err != nil {
			t.Fatalf("%s: Decode %x: %v", c.args, raw, err)
		}
		po, ok := m.(*PacketOut)
		if !ok || h.Version != c.v {
			t.Fatalf("%s: decoded %T in %s", c.args, m, h.Version)
		}
		want, err := flowtable.ParseFlowActions(c.actions, capturePorts, nil, c.proto)
		if err != nil {
			t.Fatal(err)
		}
		if po.InPort != c.inPort || po.BufferID != NoBuffer || hex.EncodeToString(po.Data) != pkt ||
			po.Actions.Format(nil) != want.Format(nil) {
			t.Errorf("%s: decoded in_port=%d buffer=%#x actions=%s data=%x", c.args, po.InPort, po.BufferID, po.Actions.Format(nil), po.Data)
		}
		again, err := Encode(h.Version, h.Xid, po)
		if err != nil || !bytes.Equal(again, raw) {
			t.Errorf("%s: Encode\n got %x (%v)\nwant %x", c.args, again, err, raw)
		}
	}
}
