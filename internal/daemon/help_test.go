package daemon

import (
	"os"
	"testing"
)

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

func TestDBDir(t *testing.T) {
	t.Setenv("OVS_DBDIR", "")
	t.Setenv("OVS_SYSCONFDIR", "/s")
	if got := DBDir(); got != "/s/openvswitch" {
		t.Errorf("DBDir with OVS_SYSCONFDIR=/s: %q", got)
	}
	t.Setenv("OVS_SYSCONFDIR", "") // set but empty, which OVS honours
	if got := DBDir(); got != "/openvswitch" {
		t.Errorf("DBDir with empty OVS_SYSCONFDIR: %q", got)
	}
	os.Unsetenv("OVS_SYSCONFDIR") // t.Setenv restores it after the test
	if got := DBDir(); got != "/etc/openvswitch" {
		t.Errorf("default DBDir: %q", got)
	}
	t.Setenv("OVS_DBDIR", "/d")
	if got := DBDir(); got != "/d" {
		t.Errorf("DBDir with OVS_DBDIR: %q", got)
	}
}
