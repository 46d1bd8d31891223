package daemon

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestDirs(t *testing.T) {
	t.Setenv("OVS_RUNDIR", "")
	if got := RunDir(); got != "/var/run/openvswitch" {
		t.Errorf("default RunDir %q", got)
	}
	t.Setenv("OVS_RUNDIR", "/tmp/x")
	if got := RunDir(); got != "/tmp/x" {
		t.Errorf("RunDir with OVS_RUNDIR %q", got)
	}
	if got := Under("/tmp/x", "a.pid"); got != "/tmp/x/a.pid" {
		t.Errorf("Under relative %q", got)
	}
	if got := Under("/tmp/x", "/abs/a.pid"); got != "/abs/a.pid" {
		t.Errorf("Under absolute %q", got)
	}
}

func TestPidfileAndLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.pid")
	if err := WritePidfile(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != strconv.Itoa(os.Getpid())+"\n" {
		t.Errorf("pidfile holds %q", b)
	}
	var buf bytes.Buffer
	l := NewLog(&buf)
	l.Printf("bridge", "INFO", "bridge %s: added", "br0")
	line := strings.TrimSpace(buf.String())
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\|00001\|bridge\|INFO\|bridge br0: added$`).MatchString(line) {
		t.Errorf("log line %q", line)
	}
}
