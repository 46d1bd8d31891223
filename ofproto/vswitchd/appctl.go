package vswitchd

import (
	"fmt"
	"sort"
	"strings"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/unixctl"
	"github.com/govs/govs/ofproto"
)

// registerCommands adds ovs-vswitchd's ovs-appctl commands: version,
// exit, the fdb/ commands, bridge/dump-flows, ofproto/trace and
// ofproto/list.
func (s *Switch) registerCommands(u *unixctl.Server, exit func()) {
	u.Register("version", "", 0, 0, func([]string) (string, error) {
		return "ovs-vswitchd (Open vSwitch) " + Version + "\n", nil
	})
	u.Register("exit", "[--cleanup]", 0, 1, func([]string) (string, error) {
		exit()
		return "", nil
	})
	u.Register("fdb/show", "bridge", 1, 1, func(args []string) (string, error) {
		b, ok := s.Bridge(args[0])
		if !ok {
			return "", fmt.Errorf("no such bridge")
		}
		return b.FDB().Format(b.Now()), nil
	})
	u.Register("fdb/flush", "[bridge]", 0, 1, func(args []string) (string, error) {
		bridges, err := s.bridgesNamed(args)
		if err != nil {
			return "", err
		}
		for _, b := range bridges {
			b.FDB().FlushPort(flowtable.PortNone)
		}
		return "table successfully flushed\n", nil
	})
	u.Register("fdb/stats-show", "bridge", 1, 1, func(args []string) (string, error) {
		b, ok := s.Bridge(args[0])
		if !ok {
			return "", fmt.Errorf("no such bridge")
		}
		return b.FDB().FormatStats(b.Name()), nil
	})
	u.Register("fdb/stats-clear", "[bridge]", 0, 1, func(args []string) (string, error) {
		bridges, err := s.bridgesNamed(args)
		if err != nil {
			return "", err
		}
		for _, b := range bridges {
			b.FDB().ClearStats()
		}
		return "statistics successfully cleared\n", nil
	})
	u.Register("bridge/dump-flows", "[--offload-stats] bridge", 1, 2, func(args []string) (string, error) {
		b, ok := s.Bridge(args[len(args)-1])
		if !ok {
			return "", fmt.Errorf("Unknown bridge")
		}
		return dumpAllFlows(b), nil
	})
	u.Register("ofproto/trace", "{[dp_name] odp_flow | bridge br_flow}", 2, 2, func(args []string) (string, error) {
		b, ok := s.Bridge(args[0])
		if !ok {
			return "", fmt.Errorf("%s: unknown bridge", args[0])
		}
		// The flow names a packet: every field it gives is the packet's,
		// every other field is zero.
		m, err := flowtable.ParseMatch(args[1], b)
		if err != nil {
			return "", err
		}
		key := m.Key
		return b.Trace(&key), nil
	})
	u.Register("ofproto/list", "", 0, 0, func([]string) (string, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		var names []string
		for name := range s.bridges {
			names = append(names, name)
		}
		sort.Strings(names)
		return strings.Join(names, "\n") + "\n", nil
	})
}

// bridgesNamed returns the bridge named by args[0], or every bridge when
// args is empty, as the fdb/ commands take them.
func (s *Switch) bridgesNamed(args []string) ([]*ofproto.Bridge, error) {
	if len(args) == 1 {
		b, ok := s.Bridge(args[0])
		if !ok {
			return nil, fmt.Errorf("no such bridge")
		}
		return []*ofproto.Bridge{b}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	bridges := make([]*ofproto.Bridge, 0, len(s.bridges))
	for _, b := range s.bridges {
		bridges = append(bridges, b)
	}
	return bridges, nil
}

// dumpAllFlows lists every flow of every table the way
// `ovs-appctl bridge/dump-flows` does: age and counters first, ports by
// number, table by table and (where OVS uses hash order) by priority.
// OVS also lists its hidden table-254 flows; govs has none.
func dumpAllFlows(b *ofproto.Bridge) string {
	var out strings.Builder
	now := b.Now()
	for id := 0; id < 255; id++ {
		t := b.Table(uint8(id))
		if t == nil {
			continue
		}
		var rules []*flowtable.Rule
		t.ForEach(func(r *flowtable.Rule) bool {
			rules = append(rules, r)
			return true
		})
		sort.SliceStable(rules, func(i, j int) bool { return rules[i].Flow().Priority > rules[j].Flow().Priority })
		for _, r := range rules {
			f := r.Flow()
			if id != 0 {
				fmt.Fprintf(&out, "table_id=%d, ", id)
			}
			packets, bytes := r.Stats()
			fmt.Fprintf(&out, "duration=%ds, n_packets=%d, n_bytes=%d, priority=%d,", int(now.Sub(r.Created).Seconds()), packets, bytes, f.Priority)
			if m := f.Match.Format(nil); m != "" {
				out.WriteString(m + ",")
			}
			out.WriteString("actions=" + f.Actions.Format(nil) + "\n")
		}
	}
	return out.String()
}
