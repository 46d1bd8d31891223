package ofctl

import (
	"encoding/hex"
	"net"
	"path/filepath"
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

// captureSwitch answers what ovs-ofctl mod-port needs and records the
// port_mods it receives (answering each with an error, as the bytes are
// what is compared).
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
		case *ofp.PortMod:
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
