package ofctl

import (
	"net"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/testutil"
	"github.com/govs/govs/ofproto/ofp"
)

// groupSwitch is a test-local switch that keeps groups as the switch
// will: it applies group_mods, answers group descriptions, statistics
// and features, and enough else (features, ports, tables, barriers) for
// ovs-ofctl. govs' own switch does not handle groups yet.
type groupSwitch struct {
	mu     sync.Mutex
	groups map[uint32]ofp.Group
}

// startGroupSwitch serves "br0" in a fresh rundir, which it returns.
func startGroupSwitch(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ln, err := net.Listen("unix", filepath.Join(dir, "br0.mgmt"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &groupSwitch{groups: map[uint32]ofp.Group{}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return dir
}

var groupSwitchPorts = []ofp.PortDesc{{Port: 1, Name: "veth11"}, {Port: 2, Name: "veth22"}, {Port: flowtable.PortLocal, Name: "br0"}}

func (s *groupSwitch) serve(c net.Conn) {
	defer c.Close()
	r := ofp.NewReader(c)
	for {
		raw, err := r.Next()
		if err != nil {
			return
		}
		h, m, err := ofp.Decode(raw)
		var reply ofp.Message
		if err != nil {
			reply = ofp.NewErrorMsg(err, raw)
		} else {
			reply = s.answer(h.Version, m, raw)
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

func (s *groupSwitch) answer(v ofp.Version, m ofp.Message, raw []byte) ofp.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch m := m.(type) {
	case *ofp.Hello:
		return &ofp.Hello{Versions: m.Versions}
	case *ofp.FeaturesRequest:
		return &ofp.FeaturesReply{DatapathID: 1, NTables: 254, Ports: groupSwitchPorts}
	case *ofp.PortDescStatsRequest:
		return &ofp.PortDescStatsReply{Ports: groupSwitchPorts}
	case *ofp.TableStatsRequest:
		return &ofp.TableStatsReply{Tables: []ofp.TableStats{{Table: 0, MaxEntries: 1000000, Wildcards: 0x3fffff}}}
	case *ofp.TableFeaturesRequest:
		return &ofp.TableFeaturesReply{Tables: []ofp.TableFeatures{{Table: 0, MaxEntries: 1000000}}}
	case *ofp.BarrierRequest:
		return &ofp.BarrierReply{}
	case *ofp.EchoRequest:
		return &ofp.EchoReply{Data: m.Data}
	case *ofp.GroupMod:
		g := m.Group
		_, exists := s.groups[g.ID]
		switch m.Command {
		case ofp.GroupAdd:
			if exists {
				return ofp.NewErrorMsg(&ofp.Error{Code: ofp.GroupModGroupExists}, raw)
			}
			s.groups[g.ID] = g
		case ofp.GroupModify:
			if !exists {
				return ofp.NewErrorMsg(&ofp.Error{Code: ofp.GroupModUnknownGroup}, raw)
			}
			s.groups[g.ID] = g
		case ofp.GroupDelete:
			for id := range s.groups {
				if g.ID == ofp.GroupAllID || g.ID == id {
					delete(s.groups, id)
				}
			}
		}
	case *ofp.GroupDescStatsRequest:
		r := &ofp.GroupDescStatsReply{}
		for _, id := range s.ids(m.GroupID) {
			r.Groups = append(r.Groups, s.groups[id])
		}
		return r
	case *ofp.GroupStatsRequest:
		r := &ofp.GroupStatsReply{}
		for _, id := range s.ids(m.GroupID) {
			st := ofp.GroupStats{GroupID: id, Packets: uint64(id) * 3, Bytes: uint64(id) * 192}
			for range s.groups[id].Buckets {
				st.Buckets = append(st.Buckets, ofp.BucketCounter{Packets: 1, Bytes: 64})
			}
			r.Groups = append(r.Groups, st)
		}
		return r
	case *ofp.GroupFeaturesRequest:
		return &ofp.GroupFeaturesReply{Types: 0xf, Capabilities: 0x7,
			MaxGroups: [4]uint32{0xffffff00, 0xffffff00, 0xffffff00, 0xffffff00},
			Actions:   [4]uint32{1, 1, 1, 1}}
	}
	return nil
}

// ids returns the groups id selects, sorted.
func (s *groupSwitch) ids(id uint32) []uint32 {
	var out []uint32
	for g := range s.groups {
		if id == ofp.GroupAllID || id == g {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

var groupScenarios = map[string][]step{
	"of13": {
		{args: "-O|OpenFlow13|add-group|br0|group_id=1,type=all,bucket=output:1,bucket=output:2"},
		{args: "-O|OpenFlow13|add-group|br0|group_id=2,type=select,bucket=weight:100,watch_port:1,actions=output:1,bucket=weight:50,actions=output:veth22"},
		{args: "-O|OpenFlow13|add-group|br0|group_id=3,type=ff,bucket=watch_port:1,watch_group:5,actions=output:1"},
		{args: "-O|OpenFlow13|add-group|br0|group_id=4,type=indirect,bucket=actions=group:1"},
		{args: "-O|OpenFlow13|add-group|br0|group_id=1,type=all,bucket=output:1"},
		{args: "-O OpenFlow13 dump-groups br0"},
		{args: "-O OpenFlow13 dump-groups br0 2"},
		{args: "-O OpenFlow13 dump-group-stats br0"},
		{args: "-O|OpenFlow13|dump-group-stats|br0|group_id=2"},
		{args: "-O OpenFlow13 dump-group-features br0"},
		{args: "-O|OpenFlow13|mod-group|br0|group_id=1,type=indirect,bucket=output:2"},
		{args: "-O|OpenFlow13|mod-group|br0|group_id=9,type=indirect,bucket=output:2"},
		{args: "-O OpenFlow13 dump-groups br0"},
		{args: "-O|OpenFlow13|del-groups|br0|group_id=3"},
		{args: "-O OpenFlow13 dump-groups br0"},
		{args: "-O OpenFlow13 del-groups br0"},
		{args: "-O OpenFlow13 dump-groups br0"},
	},
	"of10-nx": {
		{args: "add-group|br0|group_id=1,type=all,bucket=output:1,bucket=output:2"},
		{args: "add-group|br0|group_id=2,type=select,bucket=output:1"},
		{args: "dump-groups br0"},
		{args: "dump-group-stats br0"},
		{args: "dump-group-features br0"},
		{args: "del-groups br0"},
		{args: "dump-groups br0"},
	},
	"of15": {
		{args: "-O|OpenFlow15|add-group|br0|group_id=3,type=ff,bucket=bucket_id:7,watch_port:1,watch_group:5,actions=output:1"},
		{args: "-O|OpenFlow15|add-group|br0|group_id=4,type=select,bucket=output:1,bucket=output:2"},
		{args: "-O OpenFlow15 dump-groups br0"},
		{args: "-O OpenFlow15 dump-groups br0 4"},
		{args: "-O OpenFlow15 dump-group-stats br0"},
	},
	"add-groups": {
		{args: "-O OpenFlow13 add-groups br0 -", stdin: "group_id=1,type=all,bucket=output:1\n# c\n\ngroup_id=2,type=indirect,bucket=output:2\n"},
		{args: "-O OpenFlow13 add-groups br0 -", stdin: "group_id=5,type=bogus\n"},
		{args: "-O OpenFlow13 dump-groups br0"},
	},
	"errors": {
		{args: "-O|OpenFlow13|add-group|br0|group_id=1,type=foo,bucket=output:1"},
		{args: "-O|OpenFlow13|add-group|br0|type=all,bucket=output:1"},
		{args: "-O|OpenFlow13|add-group|br0|group_id=1,bucket=output:1"},
		{args: "-O|OpenFlow13|add-group|br0|group_id=1,type=all,bucket=weight:x,output:1"},
		{args: "-O|OpenFlow13|add-group|br0|group_id=1,type=all,foo=2"},
		{args: "-O|OpenFlow13|add-group|br0|group_id=1,type=indirect,bucket=output:1,bucket=output:2"},
		{args: "-O|OpenFlow13|add-group|br0|group_id=2,type=ff,bucket=output:1"},
		{args: "-O OpenFlow13 add-group br0"},
	},
}

func TestGroupsAgainstRealOvsOfctl(t *testing.T) {
	real := testutil.RequireCommand(t, "ovs-ofctl")
	for name, steps := range groupScenarios {
		t.Run(name, func(t *testing.T) {
			realDir, ourDir := startGroupSwitch(t), startGroupSwitch(t)
			for _, s := range steps {
				want := runReal(t, real, realDir, s.stdin, s.argv()).masked()
				got := runOurs(t, ourDir, s.stdin, s.argv()).masked()
				if got != want {
					t.Errorf("ovs-ofctl %s:\n got: status %d\nstdout:\n%s\nstderr:\n%s\nwant: status %d\nstdout:\n%s\nstderr:\n%s",
						s.args, got.status, got.stdout, got.stderr, want.status, want.stdout, want.stderr)
				}
			}
		})
	}
}
