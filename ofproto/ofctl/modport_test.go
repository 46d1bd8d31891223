package ofctl

import (
	"encoding/hex"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/ofproto/ofp"
)

// mod-port scenarios against the govs switch, run by
// TestAgainstRealOvsOfctl.
func init() {
	scenarios["mod-port"] = []step{
		{args: "mod-port br0 veth11 down"},
		{args: "mod-port br0 2 no-flood"},
		{args: "-O OpenFlow13 mod-port br0 LOCAL up"},
		{args: "mod-port br0 LOCAL up"},
		{args: "-O OpenFlow13 mod-port br0 2 up"},
		{args: "-O OpenFlow13 mod-port br0 br0 up"},
		{args: "mod-port br0 65534 no-receive"},
		{args: "-O OpenFlow14 mod-port br0 veth22 nopacket-in"},
		{args: "mod-port br0 veth11 frob"},
		{args: "mod-port br0 veth99 down"},
		{args: "mod-port br0 7 down"},
		{args: "mod-port br0 veth11"},
	}
}

// captureSwitch answers what ovs-ofctl mod-port and packet-out need and
// records the port_mods, packet-outs and TLV table mods it receives (the
// bytes are what is compared).
type captureSwitch struct {
	mu  sync.Mutex
	got []string
}

func startCaptureSwitch(t *testing.T) (string, *captureSwitch) {
	t.Helper()
	dir := t.TempDir()
	ln, err := net.Listen("unix", filepath.Join(dir, "br0.mgmt"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &captureSwitch{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return dir, s
}

var capturePorts = []ofp.PortDesc{{Port: 1, Name: "veth11", HWAddr: [6]byte{0xaa, 0x55, 0xaa, 0x55, 0, 1}}, {Port: 2, Name: "veth22", HWAddr: [6]byte{0xaa, 0x55, 0xaa, 0x55, 0, 2}}}

func (s *captureSwitch) serve(c net.Conn) {
	defer c.Close()
	r := ofp.NewReader(c)
	for {
		raw, err := r.Next()
		if err != nil {
			return
		}
		h, m, err := ofp.Decode(raw)
		var reply ofp.Message
		switch m := m.(type) {
		case *ofp.Hello:
			reply = &ofp.Hello{Versions: m.Versions}
		case *ofp.FeaturesRequest:
			reply = &ofp.FeaturesReply{DatapathID: 1, NTables: 254, Ports: capturePorts}
		case *ofp.PortDescStatsRequest:
			reply = &ofp.PortDescStatsReply{Ports: capturePorts}
		case *ofp.BarrierRequest:
			reply = &ofp.BarrierReply{}
		case *ofp.TableStatsRequest:
			reply = &ofp.TableStatsReply{Tables: []ofp.TableStats{{Table: 0, MaxEntries: 1000000, Wildcards: 0x3fffff}}}
		case *ofp.TableFeaturesRequest:
			reply = &ofp.TableFeaturesReply{Tables: []ofp.TableFeatures{{Table: 0, MaxEntries: 1000000}}}
		case *ofp.PortMod, *ofp.PacketOut, *ofp.TLVTableMod:
			s.mu.Lock()
			s.got = append(s.got, hex.EncodeToString(raw))
			s.mu.Unlock()
		default:
			if err != nil {
				reply = ofp.NewErrorMsg(err, raw)
			}
		}
		if reply == nil {
			continue
		}
		out, err := ofp.EncodeReplies(h.Version, h.Xid, reply)
		if err != nil {
			return
		}
		for _, b := range out {
			c.Write(b)
		}
	}
}

func (s *captureSwitch) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := s.got
	s.got = nil
	return got
}

// TestModPortRequestBytes compares the port_mods ours sends with the real
// ovs-ofctl's, in every version.
func TestModPortRequestBytes(t *testing.T) {
	real := testutil.RequireCommand(t, "ovs-ofctl")
	realDir, realSw := startCaptureSwitch(t)
	ourDir, ourSw := startCaptureSwitch(t)
	for _, proto := range []string{"OpenFlow10", "OpenFlow11", "OpenFlow12", "OpenFlow13", "OpenFlow14", "OpenFlow15"} {
		for _, cmd := range []string{"up", "down", "stp", "no-stp", "receive", "no-receive", "receive-stp", "noreceive-stp", "flood", "No-Flood", "forward", "no-forward", "packet-in", "no-packet-in"} {
			args := []string{"-O", proto, "mod-port", "br0", "veth22", cmd}
			want := runReal(t, real, realDir, "", args)
			got := runOurs(t, ourDir, "", args)
			if got != want {
				t.Errorf("%v: got %+v, want %+v", args, got, want)
			}
			if w, g := realSw.take(), ourSw.take(); len(w) != 1 || len(g) != 1 || w[0] != g[0] {
				t.Errorf("%v: sent %v, ovs-ofctl sent %v", args, g, w)
			}
		}
	}
}

// TestPacketOutRequestBytes compares the packet-outs ours sends with the
// real ovs-ofctl's.
func TestPacketOutRequestBytes(t *testing.T) {
	real := testutil.RequireCommand(t, "ovs-ofctl")
	realDir, realSw := startCaptureSwitch(t)
	ourDir, ourSw := startCaptureSwitch(t)
	const pkt = "000000000002000000000001080045000014000100004001f7e6c0a80001c0a80002"
	for _, proto := range []string{"OpenFlow10", "OpenFlow13", "OpenFlow14"} {
		for _, args := range [][]string{
			{"packet-out", "br0", "in_port=1 packet=" + pkt + " actions=output:2"},
			{"packet-out", "br0", "packet=" + pkt + " actions=output:veth22,NORMAL,mod_dl_src:00:00:00:00:00:05,output:1"},
			{"packet-out", "br0", "in_port=LOCAL,packet=" + pkt},
			{"packet-out", "br0", "veth11", "output:2,CONTROLLER", pkt, pkt + "00"},
			{"packet-out", "br0", "in_port=none packet=" + pkt + " actions=resubmit(,1)"},
			{"add-tlv-map", "br0", "{class=0xffff,type=0,len=4}->tun_metadata0,{class=1,type=2,len=8}->tun_metadata1"},
			{"del-tlv-map", "br0"},
		} {
			args = append([]string{"-O", proto}, args...)
			want := runReal(t, real, realDir, "", args)
			got := runOurs(t, ourDir, "", args)
			if got != want {
				t.Errorf("%v: got %+v, want %+v", args, got, want)
			}
			if w, g := realSw.take(), ourSw.take(); strings.Join(w, " ") != strings.Join(g, " ") {
				t.Errorf("%v: sent %v, ovs-ofctl sent %v", args, g, w)
			}
		}
	}
}
