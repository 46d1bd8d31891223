package daemon

import "strings"

// Version is the Open vSwitch release whose behaviour govs reproduces, as
// the tools' --version prints it.
const Version = "3.1.0"

// PkgDataDir is where OVS's schemas live ($OVS_PKGDATADIR).
func PkgDataDir() string { return dirFromEnv("OVS_PKGDATADIR", "/usr/share/openvswitch") }

// ExpandHelp fills the directories into a --help text recorded from the
// real OVS tool by scripts/gen-help.sh: @RUNDIR@, @DBDIR@, @LOGDIR@ and
// @PKGDATADIR@ become [RunDir], [DBDir], [LogDir] and [PkgDataDir].
func ExpandHelp(text string) string {
	return strings.NewReplacer(
		"@RUNDIR@", RunDir(),
		"@DBDIR@", DBDir(),
		"@LOGDIR@", LogDir(),
		"@PKGDATADIR@", PkgDataDir(),
	).Replace(text)
}
