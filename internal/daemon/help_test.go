package daemon

import "testing"

func TestExpandHelp(t *testing.T) {
	t.Setenv("OVS_RUNDIR", "/r")
	t.Setenv("OVS_DBDIR", "/d")
	t.Setenv("OVS_LOGDIR", "/l")
	t.Setenv("OVS_PKGDATADIR", "")
	got := ExpandHelp("@RUNDIR@/db.sock @DBDIR@/conf.db @LOGDIR@/x.log @PKGDATADIR@/vswitch.ovsschema @\n")
	want := "/r/db.sock /d/conf.db /l/x.log /usr/share/openvswitch/vswitch.ovsschema @\n"
	if got != want {
		t.Errorf("ExpandHelp = %q, want %q", got, want)
	}
}
