#!/bin/sh
# gen-help.sh records the --help text of each installed Open vSwitch tool
# into the file its govs package embeds. The directories the texts name are
# recorded as @RUNDIR@, @DBDIR@, @LOGDIR@ and @PKGDATADIR@, which
# daemon.ExpandHelp fills in at run time. Needs Debian's openvswitch 3.1
# packages (scripts/install-deps.sh).
set -eu
cd "$(dirname "$0")/.."
PATH=$PATH:/usr/sbin
export OVS_RUNDIR=@RUNDIR@ OVS_DBDIR=@DBDIR@ OVS_LOGDIR=@LOGDIR@ OVS_PKGDATADIR=@PKGDATADIR@
unset OVS_SYSCONFDIR

want="ovs-vsctl (Open vSwitch) 3.1."
case "$(ovs-vsctl --version | head -n 1)" in
"$want"*) ;;
*)
	echo "gen-help.sh: need Open vSwitch 3.1, have: $(ovs-vsctl --version | head -n 1)" >&2
	exit 1
	;;
esac

# gen TOOL FILE writes TOOL's --help into FILE.
gen() {
	"$1" --help >"$2.tmp"
	mv "$2.tmp" "$2"
	echo "$2"
}

gen ovs-vsctl ovsdb/vsctl/help.txt
gen ovs-ofctl ofproto/ofctl/help.txt
gen ovs-appctl internal/unixctl/appctl_help.txt
gen ovsdb-server ovsdb/server/server_help.txt
gen ovsdb-tool ovsdb/server/tool_help.txt
gen ovs-vswitchd ofproto/vswitchd/help.txt
