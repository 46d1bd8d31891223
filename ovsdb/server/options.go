package server

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/govs/govs/internal/daemon"
)

// optionSpec describes one long option: whether it takes an argument
// (required, optional with "=", or none).
type optionSpec struct {
	name string
	arg  int // argNone, argRequired or argOptional
}

const (
	argNone = iota
	argRequired
	argOptional
)

// parsedOption is one option occurrence.
type parsedOption struct {
	name, value string
	hasValue    bool
}

// parseOptions splits args getopt_long-style into options and operands:
// "--name=value", "--name value" (for required arguments), "--" ends
// options, and a unique prefix of a long option is accepted.
func parseOptions(prog string, args []string, specs []optionSpec) ([]parsedOption, []string, error) {
	var opts []parsedOption
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			operands = append(operands, a)
			continue
		}
		if strings.HasPrefix(a, "-v") && !strings.HasPrefix(a, "--") {
			opts = append(opts, parsedOption{name: "verbose", value: a[2:], hasValue: len(a) > 2})
			continue
		}
		if a == "-h" {
			opts = append(opts, parsedOption{name: "help"})
			continue
		}
		if a == "-V" {
			opts = append(opts, parsedOption{name: "version"})
			continue
		}
		if a == "-m" {
			opts = append(opts, parsedOption{name: "more"})
			continue
		}
		if a == "-mm" {
			opts = append(opts, parsedOption{name: "more"}, parsedOption{name: "more"})
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "--") {
			return nil, nil, fmt.Errorf("%s: invalid option -- '%s'", prog, strings.TrimPrefix(a, "-"))
		}
		spec, err := findOption(prog, name, specs)
		if err != nil {
			return nil, nil, err
		}
		switch spec.arg {
		case argNone:
			if hasValue {
				return nil, nil, fmt.Errorf("%s: option '--%s' doesn't allow an argument", prog, spec.name)
			}
		case argRequired:
			if !hasValue {
				if i+1 >= len(args) {
					return nil, nil, fmt.Errorf("%s: option '--%s' requires an argument", prog, spec.name)
				}
				i++
				value, hasValue = args[i], true
			}
		}
		opts = append(opts, parsedOption{name: spec.name, value: value, hasValue: hasValue})
	}
	return opts, operands, nil
}

func findOption(prog, name string, specs []optionSpec) (optionSpec, error) {
	var matches []optionSpec
	for _, s := range specs {
		if s.name == name {
			return s, nil
		}
		if strings.HasPrefix(s.name, name) {
			matches = append(matches, s)
		}
	}
	if len(matches) == 1 {
		return matches[0], nil
	}
	if len(matches) > 1 {
		return optionSpec{}, fmt.Errorf("%s: option '--%s' is ambiguous", prog, name)
	}
	return optionSpec{}, fmt.Errorf("%s: unrecognized option '--%s'", prog, name)
}

func runDir() string     { return daemon.RunDir() }
func dbDir() string      { return daemon.DBDir() }
func logDir() string     { return daemon.LogDir() }
func pkgDataDir() string { return daemon.PkgDataDir() }

// defaultDBPath is where ovsdb-server and ovsdb-tool look for conf.db.
func defaultDBPath() string { return filepath.Join(dbDir(), "conf.db") }

// absUnder makes a relative path absolute against dir, as OVS does for
// socket and pid file names.
func absUnder(dir, path string) string { return daemon.Under(dir, path) }
