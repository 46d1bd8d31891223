package server

import (
	"errors"
	"strings"

	"github.com/govs/govs/internal/unixctl"
	"github.com/govs/govs/ovsdb"
)

// startUnixctl opens the control socket that ovs-appctl talks to, with
// ovsdb-server's commands.
func startUnixctl(path string, s *Server, log *vlog, files []*ovsdb.File, exit chan<- struct{}) (*unixctl.Server, error) {
	u, err := unixctl.Listen(path)
	if err != nil {
		return nil, err
	}
	u.Register("exit", "", 0, 0, func([]string) (string, error) {
		select {
		case exit <- struct{}{}:
		default:
		}
		return "", nil
	})
	u.Register("version", "", 0, 0, func([]string) (string, error) {
		return "ovsdb-server (Open vSwitch) " + Version + "\n", nil
	})
	u.Register("vlog/reopen", "", 0, 0, func([]string) (string, error) { return "", log.reopen() })
	u.Register("ovsdb-server/compact", "[DB]...", 0, 100, func(args []string) (string, error) {
		for _, f := range files {
			var err error
			s.Do(func() {
				for _, d := range s.dbs {
					if d.file == f && (len(args) == 0 || contains(args, d.name)) {
						err = f.Compact(d.db)
					}
				}
			})
			if err != nil {
				return "", err
			}
		}
		return "", nil
	})
	u.Register("ovsdb-server/add-remote", "REMOTE", 1, 1, func(args []string) (string, error) {
		return "", s.addConfiguredRemote(args[0])
	})
	u.Register("ovsdb-server/remove-remote", "REMOTE", 1, 1, func(args []string) (string, error) {
		if !s.RemoveRemote(args[0]) {
			return "", errors.New("no such remote")
		}
		return "", nil
	})
	u.Register("ovsdb-server/list-remotes", "", 0, 0, func([]string) (string, error) {
		return strings.Join(s.Remotes(), "\n") + "\n", nil
	})
	u.Register("ovsdb-server/list-dbs", "", 0, 0, func([]string) (string, error) {
		var names []string
		s.Do(func() { names = s.databaseNames() })
		return strings.Join(names, "\n") + "\n", nil
	})
	return u, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
