// Package daemon holds what govs' long-running tools share with OVS's
// daemons: the OVS_RUNDIR/OVS_DBDIR/OVS_LOGDIR directories with OVS's
// defaults, --detach (re-exec in a new session, parent exits once the
// child is ready), --pidfile, and a log in OVS's vlog line format.
package daemon

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func dirFromEnv(env, def string) string {
	if d := os.Getenv(env); d != "" {
		return d
	}
	return def
}

// RunDir is where sockets and pidfiles go ($OVS_RUNDIR).
func RunDir() string { return dirFromEnv("OVS_RUNDIR", "/var/run/openvswitch") }

// DBDir is where conf.db lives: $OVS_DBDIR, else $OVS_SYSCONFDIR/openvswitch
// (/etc/openvswitch). As in OVS, an empty OVS_SYSCONFDIR still counts:
// it gives /openvswitch.
func DBDir() string {
	if d := os.Getenv("OVS_DBDIR"); d != "" {
		return d
	}
	if d, ok := os.LookupEnv("OVS_SYSCONFDIR"); ok {
		return d + "/openvswitch"
	}
	return "/etc/openvswitch"
}

// LogDir is where log files go ($OVS_LOGDIR).
func LogDir() string { return dirFromEnv("OVS_LOGDIR", "/var/log/openvswitch") }

// Under resolves a file name given to an option: relative names are taken
// under dir, as OVS does.
func Under(dir, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}

const detachEnv = "GOVS_DETACH_FD"

// Detached reports whether this process is the child of a Detach.
func Detached() bool { return os.Getenv(detachEnv) != "" }

// Detach re-executes the program in a new session with the same arguments
// and returns the exit status for the parent: 0 once the child called
// Ready, 1 if it exited first.
func Detach(prog string) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: --detach: %v\n", prog, err)
		return 1
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: --detach: %v\n", prog, err)
		return 1
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = append(os.Environ(), detachEnv+"=3")
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: --detach: %v\n", prog, err)
		return 1
	}
	w.Close()
	status, _ := io.ReadAll(r)
	if string(status) != "ready" {
		cmd.Wait()
		return 1
	}
	cmd.Process.Release()
	return 0
}

// Ready tells a waiting Detach parent that startup succeeded and points the
// standard streams at /dev/null. It does nothing when not detached.
func Ready() {
	fdText := os.Getenv(detachEnv)
	if fdText == "" {
		return
	}
	os.Unsetenv(detachEnv)
	fd, err := strconv.Atoi(fdText)
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(fd), "detach-status")
	f.Write([]byte("ready"))
	f.Close()
	if null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0); err == nil {
		syscall.Dup2(int(null.Fd()), 0)
		syscall.Dup2(int(null.Fd()), 1)
		syscall.Dup2(int(null.Fd()), 2)
		null.Close()
	}
}

// pidfiles keeps each written pidfile open: its lock lasts as long as the
// descriptor does.
var pidfiles []*os.File

// WritePidfile writes the process id to path ("PID\n"), atomically, and
// holds a write lock on it for the life of the process: OVS's tools (for
// example ovs-appctl) take an unlocked pidfile for a dead daemon.
func WritePidfile(path string) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("pidfile: %w", err)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		f.Close()
		return fmt.Errorf("pidfile: lock %s: %w", tmp, err)
	}
	if _, err := f.WriteString(strconv.Itoa(os.Getpid()) + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("pidfile: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		f.Close()
		return fmt.Errorf("pidfile: %w", err)
	}
	pidfiles = append(pidfiles, f)
	return nil
}

// Log writes OVS vlog lines: "2026-11-21T09:50:00.123Z|00001|module|INFO|text".
type Log struct {
	mu  sync.Mutex
	w   io.Writer
	seq int
}

// NewLog logs to w (os.Stderr when nil).
func NewLog(w io.Writer) *Log {
	if w == nil {
		w = os.Stderr
	}
	return &Log{w: w}
}

// OpenLog appends to a log file, creating it.
func OpenLog(path string) (*Log, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	return NewLog(f), nil
}

// Printf logs one line for module at level (INFO, WARN, ERR, EMER, DBG).
func (l *Log) Printf(module, level, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	fmt.Fprintf(l.w, "%s|%05d|%s|%s|%s\n", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		l.seq, module, level, fmt.Sprintf(format, args...))
}

// ListenUnix binds a daemon's unix socket as OVS does: mode 0750, a stale
// socket left by a dead process replaced, one still served by a live
// process refused; the socket file goes away when the listener closes.
func ListenUnix(path string) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return nil, fmt.Errorf("%s: socket in use by another server", path)
		}
		os.Remove(path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	if err := os.Chmod(path, 0o750); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}
