package server

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// vlog writes log lines in OVS's default log file format:
//
//	2026-01-02T03:04:05.678Z|00001|module|LEVEL|message
type vlog struct {
	mu     sync.Mutex
	w      io.Writer
	file   *os.File
	path   string
	seq    int
	module string
}

func newVlog(module string) *vlog { return &vlog{module: module} }

// open starts logging to path (appending), as --log-file does.
func (v *vlog) open(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("open log file %s: %w", path, err)
	}
	v.mu.Lock()
	old := v.file
	v.file, v.w, v.path = f, f, path
	v.mu.Unlock()
	if old != nil {
		old.Close()
	}
	v.logf("vlog", "INFO", "opened log file %s", path)
	return nil
}

// reopen reopens the log file, for log rotation (vlog/reopen).
func (v *vlog) reopen() error {
	v.mu.Lock()
	path := v.path
	v.mu.Unlock()
	if path == "" {
		return nil
	}
	return v.open(path)
}

func (v *vlog) logf(module, level, format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.w == nil {
		return
	}
	v.seq++
	ts := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	fmt.Fprintf(v.w, "%s|%05d|%s|%s|%s\n", ts, v.seq, module, level, fmt.Sprintf(format, args...))
}

// serverLogf adapts Server.Logf, whose messages start with "LEVEL|".
func (v *vlog) serverLogf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	level, text, ok := strings.Cut(msg, "|")
	if !ok {
		level, text = "INFO", msg
	}
	v.logf(v.module, level, "%s", text)
}

func (v *vlog) close() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.file != nil {
		v.file.Close()
		v.file, v.w = nil, nil
	}
}
