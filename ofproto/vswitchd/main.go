package vswitchd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/internal/tlsconfig"
	"github.com/govs/govs/internal/unixctl"
	"github.com/govs/govs/ovsdb"
	"github.com/govs/govs/ovsdb/client"
	"github.com/govs/govs/ovsdb/server"
)

// Version is what --version reports and the database records as
// ovs_version.
const Version = daemon.Version

// Main runs "ovs-vswitchd [OPTIONS] [DATABASE]" and returns the exit
// status.
func Main(args []string) int {
	runDir, logDir := daemon.RunDir(), daemon.LogDir()
	defaultSock := filepath.Join(runDir, "db.sock")
	var pidfile, logFile, remote string
	detach := false
	var sslFiles tlsconfig.Files
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(a, "=")
		short, isShort := sslShortOptions[name[:min(2, len(name))]]
		if isShort && !strings.HasPrefix(a, "--") {
			// -p FILE or -pFILE.
			name, value, hasValue = short, a[2:], len(a) > 2
			if !hasValue && i+1 < len(args) {
				i++
				value, hasValue = args[i], true
			}
		}
		switch name {
		case "--private-key", "--certificate", "--ca-cert", "--bootstrap-ca-cert":
			switch {
			case !hasValue && isShort:
				fmt.Fprintf(os.Stderr, "ovs-vswitchd: option requires an argument -- '%c'\n", a[1])
				return 1
			case !hasValue:
				fmt.Fprintf(os.Stderr, "ovs-vswitchd: option '%s' requires an argument\n", name)
				return 1
			}
			setSSLOption(&sslFiles, name, value)
			continue
		}
		switch name {
		case "-h", "--help":
			fmt.Print(daemon.ExpandHelp(helpText))
			return 0
		case "-V", "--version":
			fmt.Printf("ovs-vswitchd (Open vSwitch) %s\n", Version)
			return 0
		case "--detach":
			detach = true
		case "--pidfile":
			pidfile = filepath.Join(runDir, "ovs-vswitchd.pid")
			if hasValue {
				pidfile = daemon.Under(runDir, value)
			}
		case "--log-file":
			logFile = filepath.Join(logDir, "ovs-vswitchd.log")
			if hasValue {
				logFile = daemon.Under(logDir, value)
			}
		case "--no-chdir", "--monitor", "--mlockall", "--overwrite-pidfile", "--disable-system":
			// Accepted for compatibility; govs has nothing to do for them.
		default:
			switch {
			case strings.HasPrefix(a, "-v") || strings.HasPrefix(a, "--verbose"):
				// Log levels are not configurable yet.
			case len(a) > 1 && a[0] == '-' && a[1] != '-':
				fmt.Fprintf(os.Stderr, "ovs-vswitchd: invalid option -- '%c'\n", a[1])
				return 1
			case strings.HasPrefix(a, "-"):
				fmt.Fprintf(os.Stderr, "ovs-vswitchd: unrecognized option '%s'\n", a)
				return 1
			case remote != "":
				fmt.Fprintln(os.Stderr, "ovs-vswitchd: exactly zero or one non-option argument required; use --help for usage")
				return 1
			default:
				remote = a
			}
		}
	}
	if detach && !daemon.Detached() {
		return daemon.Detach("ovs-vswitchd")
	}
	log := daemon.NewLog(nil)
	if logFile != "" {
		l, err := daemon.OpenLog(logFile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ovs-vswitchd: %v\n", err)
			return 1
		}
		log = l
	}
	if pidfile != "" {
		if err := daemon.WritePidfile(pidfile); err != nil {
			fmt.Fprintf(os.Stderr, "ovs-vswitchd: %v\n", err)
			return 1
		}
		defer os.Remove(pidfile)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if remote == "" {
		remote = "unix:" + defaultSock
		if !listening(defaultSock) {
			srv, err := embedDatabase(defaultSock, log)
			if err != nil {
				fmt.Fprintf(os.Stderr, "ovs-vswitchd: %v\n", err)
				return 1
			}
			defer srv.Close()
			if err := initDatabase(ctx, remote); err != nil {
				fmt.Fprintf(os.Stderr, "ovs-vswitchd: initialize database: %v\n", err)
				return 1
			}
		}
	}
	log.Printf("vswitchd", "INFO", "govs ovs-vswitchd (Open vSwitch) %s, database %s", Version, remote)
	sw := New(log, runDir)
	sw.SetDefaultSSL(sslFiles)
	defer sw.Close()
	ctl, err := unixctl.Listen(filepath.Join(runDir, fmt.Sprintf("ovs-vswitchd.%d.ctl", os.Getpid())))
	if err != nil {
		fmt.Fprintf(os.Stderr, "ovs-vswitchd: %v\n", err)
		return 1
	}
	defer ctl.Close()
	sw.registerCommands(ctl, stop)
	daemon.Ready()
	if err := run(ctx, remote, sw); err != nil && !errors.Is(err, context.Canceled) {
		log.Printf("vswitchd", "EMER", "%v", err)
		return 1
	}
	log.Printf("vswitchd", "INFO", "exiting")
	return 0
}

// run keeps a switch attached to the database, reconnecting with back-off
// when the connection drops.
func run(ctx context.Context, remote string, sw *Switch) error {
	log := sw.log
	backoff := 100 * time.Millisecond
	for {
		c, err := client.Dial(ctx, remote)
		if err == nil {
			backoff = 100 * time.Millisecond
			err = sw.Serve(ctx, c)
			c.Close()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		log.Printf("reconnect", "WARN", "%s: %v; retrying in %v", remote, err, backoff)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return ctx.Err()
		}
		backoff = min(2*backoff, 8*time.Second)
	}
}

// listening reports whether something accepts connections on a socket.
func listening(path string) bool {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// embedDatabase serves $OVS_DBDIR/conf.db (created with the Open_vSwitch
// schema if missing) on sock, as a separate ovsdb-server would.
func embedDatabase(sock string, log *daemon.Log) (*server.Server, error) {
	path := filepath.Join(daemon.DBDir(), "conf.db")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := ovsdb.CreateFile(path, ovsdb.VSwitchSchemaText()); err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
	}
	file, db, err := ovsdb.OpenFile(path, func(format string, args ...any) {
		log.Printf("ovsdb_file", "WARN", format, args...)
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	srv := server.New()
	if err := srv.AddDatabase(db, file); err != nil {
		return nil, err
	}
	os.Remove(sock) // a stale socket from a previous run
	if err := srv.AddRemote("punix:" + sock); err != nil {
		srv.Close()
		return nil, err
	}
	log.Printf("vswitchd", "INFO", "serving %s on %s", path, sock)
	return srv, nil
}

// initDatabase gives a new database its Open_vSwitch row, as OVS's
// startup script does with "ovs-vsctl --no-wait init".
func initDatabase(ctx context.Context, remote string) error {
	c, err := client.Dial(ctx, remote)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Transact(ctx, dbName,
		map[string]any{"op": "wait", "table": "Open_vSwitch", "where": []any{}, "columns": []any{"_uuid"},
			"until": "==", "rows": []any{}, "timeout": 0},
		map[string]any{"op": "insert", "table": "Open_vSwitch", "row": map[string]any{}})
	var opErr *client.OpError
	if errors.As(err, &opErr) && opErr.Kind == "timed out" {
		return nil // already initialized
	}
	return err
}
