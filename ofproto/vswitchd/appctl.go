package vswitchd

import (
	"fmt"
	"sort"
	"strings"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/unixctl"
)

// registerCommands adds ovs-vswitchd's ovs-appctl commands: version,
// exit, fdb/show and ofproto/trace.
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
