package server

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/ovsdb"
)

// Version is the OVS release whose behaviour govs' OVSDB tools reproduce.
const Version = daemon.Version

var serverOptions = []optionSpec{
	{"remote", argRequired}, {"unixctl", argRequired}, {"run", argRequired},
	{"pidfile", argOptional}, {"overwrite-pidfile", argNone}, {"detach", argNone},
	{"no-chdir", argNone}, {"monitor", argNone}, {"user", argRequired},
	{"log-file", argOptional}, {"verbose", argOptional}, {"syslog-method", argRequired},
	{"syslog-target", argRequired}, {"private-key", argRequired}, {"certificate", argRequired},
	{"ca-cert", argRequired}, {"bootstrap-ca-cert", argRequired}, {"peer-ca-cert", argRequired},
	{"ssl-protocols", argRequired}, {"ssl-ciphers", argRequired},
	{"disable-file-column-diff", argNone}, {"help", argNone}, {"version", argNone},
}

// ServerMain runs "ovsdb-server [OPTIONS] [DATABASE...]" with OVS's
// options and returns the process exit status.
func ServerMain(args []string) int {
	opts, dbPaths, err := parseOptions("ovsdb-server", args, serverOptions)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cfg := serverConfig{
		pidfile: "", unixctl: "", logFile: "",
	}
	for _, o := range opts {
		switch o.name {
		case "help":
			fmt.Print(daemon.ExpandHelp(serverHelp))
			return 0
		case "version":
			fmt.Printf("ovsdb-server (Open vSwitch) %s\n", Version)
			return 0
		case "remote":
			cfg.remotes = append(cfg.remotes, o.value)
		case "unixctl":
			cfg.unixctl = absUnder(runDir(), o.value)
		case "pidfile":
			cfg.pidfile = filepath.Join(runDir(), "ovsdb-server.pid")
			if o.hasValue {
				cfg.pidfile = absUnder(runDir(), o.value)
			}
		case "detach":
			cfg.detach = true
		case "log-file":
			cfg.logFile = filepath.Join(logDir(), "ovsdb-server.log")
			if o.hasValue {
				cfg.logFile = absUnder(logDir(), o.value)
			}
		case "private-key":
			cfg.tls.PrivateKey = o.value
		case "certificate":
			cfg.tls.Certificate = o.value
		case "ca-cert":
			cfg.tls.CACert = o.value
		case "run":
			fmt.Fprintln(os.Stderr, "ovsdb-server: --run is not supported")
			return 1
		}
	}
	if len(dbPaths) == 0 {
		dbPaths = []string{defaultDBPath()}
	}
	cfg.dbPaths = dbPaths
	if len(cfg.remotes) == 0 {
		cfg.remotes = []string{"punix:" + filepath.Join(runDir(), "db.sock")}
	}
	if cfg.detach && !daemon.Detached() {
		return daemon.Detach("ovsdb-server")
	}
	return runServer(cfg)
}

type serverConfig struct {
	dbPaths []string
	remotes []string
	pidfile string
	unixctl string
	logFile string
	detach  bool
	tls     TLSFiles
}

func runServer(cfg serverConfig) int {
	log := newVlog("ovsdb_server")
	fail := func(format string, args ...any) int {
		msg := fmt.Sprintf(format, args...)
		fmt.Fprintf(os.Stderr, "ovsdb-server: %s\n", msg)
		log.logf("ovsdb_server", "EMER", "%s", msg)
		return 1
	}
	if cfg.logFile != "" {
		if err := log.open(cfg.logFile); err != nil {
			return fail("%v", err)
		}
		defer log.close()
	}
	s := New()
	s.Logf = log.serverLogf
	s.SetTLSFiles(cfg.tls)
	var files []*ovsdb.File
	defer func() {
		s.Close()
		for _, f := range files {
			f.Close()
		}
	}()
	for _, path := range cfg.dbPaths {
		f, db, err := ovsdb.OpenFile(path, func(format string, args ...any) {
			log.logf("ovsdb_log", "WARN", format, args...)
		})
		if err != nil {
			return fail("%v", err)
		}
		files = append(files, f)
		if err := s.AddDatabase(db, f); err != nil {
			return fail("%v", err)
		}
	}
	for _, r := range cfg.remotes {
		if err := s.addConfiguredRemote(r); err != nil {
			return fail("%v", err)
		}
	}
	if cfg.pidfile != "" {
		if err := daemon.WritePidfile(cfg.pidfile); err != nil {
			return fail("%v", err)
		}
		defer os.Remove(cfg.pidfile)
	}
	if cfg.unixctl == "" {
		cfg.unixctl = filepath.Join(runDir(), fmt.Sprintf("ovsdb-server.%d.ctl", os.Getpid()))
	}
	exit := make(chan struct{}, 1)
	ctl, err := startUnixctl(cfg.unixctl, s, log, files, exit)
	if err != nil {
		return fail("%v", err)
	}
	defer ctl.Close()
	daemon.Ready()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	select {
	case sig := <-sigs:
		log.logf("fatal_signal", "WARN", "terminating with signal %d (%s)", sig.(syscall.Signal), signalName(sig))
	case <-exit:
	}
	return 0
}

func signalName(sig os.Signal) string {
	name := sig.String()
	if len(name) > 0 {
		name = strings.ToUpper(name[:1]) + name[1:]
	}
	return name
}

// addConfiguredRemote adds a remote from the command line; db:DB,TABLE,COLUMN
// remotes are read from the database now and after every commit.
func (s *Server) addConfiguredRemote(name string) error {
	if !strings.HasPrefix(name, "db:") {
		return s.AddRemote(name)
	}
	spec, err := parseDBColumn(name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.dbRemotes = append(s.dbRemotes, spec)
	s.mu.Unlock()
	s.reconcileDBRemotes()
	return nil
}

// dbColumn names a column that holds remotes: db:DB,TABLE,COLUMN.
type dbColumn struct{ db, table, column string }

func parseDBColumn(name string) (dbColumn, error) {
	parts := strings.Split(strings.TrimPrefix(name, "db:"), ",")
	if len(parts) != 3 {
		return dbColumn{}, fmt.Errorf("%s: expected db:DB,TABLE,COLUMN", name)
	}
	return dbColumn{parts[0], parts[1], parts[2]}, nil
}

// dbRemoteTargets reads the remotes named by spec: strings in the column
// itself, or the "target" of rows it references (as Manager rows). s.mu is
// held.
func (s *Server) dbRemoteTargets(spec dbColumn) []string {
	d := s.dbs[spec.db]
	if d == nil {
		return nil
	}
	tbl := d.db.Tables[spec.table]
	if tbl == nil {
		return nil
	}
	col, pos := tbl.Schema.Column(spec.column)
	if col == nil {
		return nil
	}
	var targets []string
	for _, r := range tbl.Rows {
		for _, a := range r.Fields[pos].Keys {
			switch v := a.(type) {
			case string:
				targets = append(targets, v)
			case ovsdb.UUID:
				ref := d.db.Tables[col.Type.Key.RefTable]
				if ref == nil || ref.Rows[v] == nil {
					continue
				}
				if tc, tpos := ref.Schema.Column("target"); tc != nil {
					for _, t := range ref.Rows[v].Fields[tpos].Keys {
						if s, ok := t.(string); ok {
							targets = append(targets, s)
						}
					}
				}
			}
		}
	}
	return targets
}

// reconcileDBRemotes starts and stops remotes to match the db: remotes'
// columns.
func (s *Server) reconcileDBRemotes() {
	s.mu.Lock()
	want := map[string]bool{}
	for _, spec := range s.dbRemotes {
		for _, t := range s.dbRemoteTargets(spec) {
			want[t] = true
		}
	}
	s.mu.Unlock()
	s.remotesMu.Lock()
	var stale []string
	for name := range s.fromDB {
		if !want[name] {
			stale = append(stale, name)
		}
	}
	s.remotesMu.Unlock()
	for _, name := range stale {
		s.RemoveRemote(name)
		s.remotesMu.Lock()
		delete(s.fromDB, name)
		s.remotesMu.Unlock()
	}
	for name := range want {
		s.remotesMu.Lock()
		have := s.remotes[name] != nil
		s.remotesMu.Unlock()
		if have {
			continue
		}
		if err := s.AddRemote(name); err != nil {
			s.logf("ERR|%v", err)
			continue
		}
		s.remotesMu.Lock()
		s.fromDB[name] = true
		s.remotesMu.Unlock()
	}
}

// scheduleRemoteReconcile rereads db: remotes after a commit, off the
// commit path. s.mu is held.
func (s *Server) scheduleRemoteReconcile() {
	if len(s.dbRemotes) == 0 || s.reconcilePending {
		return
	}
	s.reconcilePending = true
	time.AfterFunc(10*time.Millisecond, func() {
		s.mu.Lock()
		s.reconcilePending = false
		s.mu.Unlock()
		s.reconcileDBRemotes()
	})
}
