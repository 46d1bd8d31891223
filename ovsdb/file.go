package ovsdb

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The standalone file format, as ovsdb-server writes it: a sequence of
// records, each
//
//	OVSDB JSON <length> <sha1>\n<json>\n
//
// where <length> counts the JSON text plus its newline and <sha1> is the
// SHA-1 of those bytes in hex. The first record is the schema; each later
// one a transaction: {"table": {"uuid": row-or-diff-or-null}, "_date": ms,
// "_comment": text, "_is_diff": true}.
const recordMagic = "OVSDB JSON "

// File is an open standalone database file that commits are appended to.
// Like ovsdb-server, it holds an fcntl lock on ".NAME.~lock~" beside it.
type File struct {
	path string
	// mu guards f, which compaction replaces while a sync may run.
	mu   sync.Mutex
	f    *os.File
	lock *os.File
	// size is the file's length; snapshotSize its length right after the
	// last compaction (or open).
	size, snapshotSize int64
	// records counts transaction records since the last compaction.
	records int

	// CompactMinSize and CompactMinRecords gate automatic compaction: the
	// file is compacted when it exceeds both and is at least four times
	// its size after the previous compaction.
	CompactMinSize    int64
	CompactMinRecords int
}

// Logf reports notable events (such as a dropped torn record); nil is
// silent.
type Logf func(format string, args ...any)

func lockPath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".~lock~")
}

// lockedPaths holds the database files this process has locked: fcntl
// locks do not exclude the process that holds them.
var lockedPaths = struct {
	sync.Mutex
	paths map[string]bool
}{paths: map[string]bool{}}

func lockFile(path string) (*os.File, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	lockedPaths.Lock()
	defer lockedPaths.Unlock()
	if lockedPaths.paths[abs] {
		return nil, fmt.Errorf("lock %s: already open in this process", path)
	}
	lf, err := os.OpenFile(lockPath(path), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	if err := syscall.FcntlFlock(lf.Fd(), syscall.F_SETLK, &lk); err != nil {
		lf.Close()
		return nil, fmt.Errorf("lock %s: already locked by another process: %w", path, err)
	}
	lockedPaths.paths[abs] = true
	return lf, nil
}

// encodeRecord frames one JSON value as a file record.
func encodeRecord(v any) ([]byte, error) {
	body, err := MarshalJSON(v)
	if err != nil {
		return nil, fmt.Errorf("encode record: %w", err)
	}
	body = append(body, '\n')
	sum := sha1.Sum(body)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s%d %s\n", recordMagic, len(body), hex.EncodeToString(sum[:]))
	b.Write(body)
	return b.Bytes(), nil
}

// CreateFile writes a new database file at path holding only schemaText,
// failing if path exists (like ovsdb-tool create).
func CreateFile(path string, schemaText []byte) error {
	s, err := ParseSchema(schemaText)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	rec, err := encodeRecord(s.JSON())
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.Write(rec); err != nil {
		f.Close()
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("create %s: %w", path, err)
	}
	return f.Close()
}

// recordReader reads the records of a file.
type recordReader struct {
	r      *bufio.Reader
	offset int64
}

// errTorn marks a record that is incomplete or corrupt.
var errTorn = errors.New("torn or corrupt record")

// next returns the next record's JSON, io.EOF at a clean end, or an error
// wrapping errTorn.
func (rr *recordReader) next() (any, error) {
	header, err := rr.r.ReadString('\n')
	if err == io.EOF && header == "" {
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("%w: incomplete header", errTorn)
	}
	fields := strings.Fields(strings.TrimPrefix(header, recordMagic))
	if !strings.HasPrefix(header, recordMagic) || len(fields) != 2 {
		return nil, fmt.Errorf("%w: bad header %q", errTorn, strings.TrimSpace(header))
	}
	n, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil || n < 0 || n > 1<<31 {
		return nil, fmt.Errorf("%w: bad length in header %q", errTorn, strings.TrimSpace(header))
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(rr.r, body); err != nil {
		return nil, fmt.Errorf("%w: record shorter than its %d-byte header says", errTorn, n)
	}
	sum := sha1.Sum(body)
	if hex.EncodeToString(sum[:]) != fields[1] {
		return nil, fmt.Errorf("%w: SHA-1 mismatch", errTorn)
	}
	v, err := decodeJSON(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errTorn, err)
	}
	rr.offset += int64(len(header)) + n
	return v, nil
}

// ReadRecords returns every intact record of the file at path as parsed
// JSON (numbers as json.Number), the schema first.
func ReadRecords(path string) ([]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	rr := &recordReader{r: bufio.NewReaderSize(f, 1<<16)}
	var records []any
	for {
		rec, err := rr.next()
		if err == io.EOF {
			return records, nil
		}
		if err != nil {
			return records, fmt.Errorf("%s: record at offset %d: %w", path, rr.offset, err)
		}
		records = append(records, rec)
	}
}

// ReadFile loads the database in the file at path without locking or
// modifying it. A torn tail is ignored (and reported through logf).
func ReadFile(path string, logf Logf) (*Database, error) {
	db, _, _, err := readFile(path, logf)
	return db, err
}

// readFile returns the database, the length of the file's valid prefix
// and its number of transaction records.
func readFile(path string, logf Logf) (*Database, int64, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	rr := &recordReader{r: bufio.NewReaderSize(f, 1<<16)}
	sj, err := rr.next()
	if err != nil {
		return nil, 0, 0, fmt.Errorf("open %s: reading schema: %w", path, err)
	}
	schema, err := schemaFromJSON(sj)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("open %s: %w", path, err)
	}
	db := NewDatabase(schema)
	records := 0
	for {
		start := rr.offset
		rec, err := rr.next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errTorn) {
			if logf != nil {
				logf("%s: dropping data from offset %d: %v", path, start, err)
			}
			break
		}
		if err := db.replay(rec); err != nil {
			return nil, 0, 0, fmt.Errorf("open %s: record at offset %d: %w", path, start, err)
		}
		records++
	}
	return db, rr.offset, records, nil
}

// replay applies one transaction record.
func (db *Database) replay(rec any) error {
	obj, ok := rec.(map[string]any)
	if !ok {
		return fmt.Errorf("transaction record is not an object")
	}
	isDiff, _ := obj["_is_diff"].(bool)
	var changes []RowChange
	for tname, tj := range obj {
		if strings.HasPrefix(tname, "_") {
			continue
		}
		tbl := db.Tables[tname]
		if tbl == nil {
			return fmt.Errorf("unknown table %s", tname)
		}
		rows, ok := tj.(map[string]any)
		if !ok {
			return fmt.Errorf("table %s: rows must be an object", tname)
		}
		for uuidText, rj := range rows {
			id, err := ParseUUID(uuidText)
			if err != nil {
				return fmt.Errorf("table %s: %w", tname, err)
			}
			old := tbl.Rows[id]
			if rj == nil {
				if old != nil {
					changes = append(changes, RowChange{Table: tbl.Schema, UUID: id, Old: old})
				}
				continue
			}
			nr, err := replayRow(tbl.Schema, id, old, rj, isDiff)
			if err != nil {
				return fmt.Errorf("table %s row %s: %w", tname, id, err)
			}
			changes = append(changes, RowChange{Table: tbl.Schema, UUID: id, Old: old, New: nr})
		}
	}
	db.apply(changes)
	return nil
}

func replayRow(ts *TableSchema, id UUID, old *Row, rj any, isDiff bool) (*Row, error) {
	cols, ok := rj.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("row must be an object or null")
	}
	var nr *Row
	if old == nil {
		nr = newRow(ts, id)
	} else {
		nr = &Row{UUID: id, Fields: append([]Datum(nil), old.Fields...)}
	}
	nr.Version = NewUUID()
	for name, vj := range cols {
		c, pos := ts.Column(name)
		if c == nil {
			return nil, fmt.Errorf("unknown column %s", name)
		}
		if old != nil && isDiff {
			d, err := parseDatumElems(vj, &c.Type, nil)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", name, err)
			}
			nr.Fields[pos] = applyDiff(&old.Fields[pos], &d, &c.Type)
			continue
		}
		d, err := parseDatumJSON(vj, &c.Type, nil)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", name, err)
		}
		nr.Fields[pos] = d
	}
	return nr, nil
}

// OpenFile opens the database file at path for reading and appending,
// locking it. A torn last record is dropped (the file is truncated to its
// valid prefix) and reported through logf.
func OpenFile(path string, logf Logf) (*File, *Database, error) {
	lock, err := lockFile(path)
	if err != nil {
		return nil, nil, err
	}
	db, valid, records, err := readFile(path, logf)
	if err != nil {
		unlockFile(path, lock)
		return nil, nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		unlockFile(path, lock)
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	if st, err := f.Stat(); err == nil && st.Size() != valid {
		if err := f.Truncate(valid); err != nil {
			f.Close()
			unlockFile(path, lock)
			return nil, nil, fmt.Errorf("open %s: truncate torn tail: %w", path, err)
		}
		if logf != nil {
			logf("%s: truncated to %d bytes", path, valid)
		}
	}
	if _, err := f.Seek(valid, io.SeekStart); err != nil {
		f.Close()
		unlockFile(path, lock)
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &File{
		path: path, f: f, lock: lock, size: valid, snapshotSize: valid, records: records,
		CompactMinSize: 10 << 20, CompactMinRecords: 100,
	}, db, nil
}

// Path returns the file's name.
func (f *File) Path() string { return f.path }

// commitRecord returns the record for c, or nil if c changes nothing that
// is stored (ephemeral columns are not).
func commitRecord(c *Commit) map[string]any {
	rec := map[string]any{}
	for _, ch := range c.Changes {
		var rj any
		switch {
		case ch.New == nil:
			rj = nil
		case ch.Old == nil:
			rj = storedColumns(ch.Table, ch.New)
		default:
			diff := map[string]any{}
			for i, col := range ch.Table.Columns {
				if col.Ephemeral || ch.Old.Fields[i].Equal(&ch.New.Fields[i]) {
					continue
				}
				d := DiffDatum(&ch.Old.Fields[i], &ch.New.Fields[i], &col.Type)
				diff[col.Name] = d.JSON(&col.Type)
			}
			if len(diff) == 0 {
				continue
			}
			rj = diff
		}
		tj, _ := rec[ch.Table.Name].(map[string]any)
		if tj == nil {
			tj = map[string]any{}
			rec[ch.Table.Name] = tj
		}
		tj[ch.UUID.String()] = rj
	}
	if len(rec) == 0 {
		return nil
	}
	rec["_date"] = c.Date.UnixMilli()
	rec["_is_diff"] = true
	if c.Comment != "" {
		rec["_comment"] = c.Comment
	}
	return rec
}

// storedColumns returns the non-default, non-ephemeral columns of r.
func storedColumns(ts *TableSchema, r *Row) map[string]any {
	cols := map[string]any{}
	for i, col := range ts.Columns {
		if !col.Ephemeral && !r.Fields[i].IsDefault(&col.Type) {
			cols[col.Name] = r.Fields[i].JSON(&col.Type)
		}
	}
	return cols
}

// Write appends the record for c without syncing; call [File.Sync] before
// acknowledging it.
func (f *File) Write(c *Commit) error {
	rj := commitRecord(c)
	if rj == nil {
		return nil
	}
	rec, err := encodeRecord(rj)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.f.Write(rec); err != nil {
		// Drop any partial write so that the file stays well-formed.
		f.f.Truncate(f.size)
		f.f.Seek(f.size, io.SeekStart)
		return fmt.Errorf("append record: %w", err)
	}
	f.size += int64(len(rec))
	f.records++
	return nil
}

// Sync makes every written record durable. It may run concurrently with
// Write, Compact and Close.
func (f *File) Sync() error {
	f.mu.Lock()
	fd := f.f
	f.mu.Unlock()
	// Like ovsdb-server, sync data (and the size) but not timestamps. If
	// compaction replaced fd meanwhile, the new file was synced whole.
	rc, err := fd.SyscallConn()
	if err == nil {
		ctlErr := rc.Control(func(raw uintptr) { err = syscall.Fdatasync(int(raw)) })
		if ctlErr != nil {
			err = ctlErr
		}
	}
	if err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("sync %s: %w", f.path, err)
	}
	return nil
}

// ShouldCompact reports whether the file has grown enough since the last
// compaction to be rewritten.
func (f *File) ShouldCompact() bool {
	return f.records >= f.CompactMinRecords && f.size >= f.CompactMinSize && f.size >= 4*f.snapshotSize
}

// snapshotRecord returns one record holding every row of db, as
// "ovsdb-tool compact" writes it.
func snapshotRecord(db *Database, comment string) map[string]any {
	rec := map[string]any{"_date": time.Now().UnixMilli(), "_comment": comment}
	for name, tbl := range db.Tables {
		if len(tbl.Rows) == 0 {
			continue
		}
		rows := make(map[string]any, len(tbl.Rows))
		for id, r := range tbl.Rows {
			rows[id.String()] = storedColumns(tbl.Schema, r)
		}
		rec[name] = rows
	}
	return rec
}

// Compact atomically replaces the file with the schema and one snapshot of
// db: it writes a temporary file beside it, syncs it, renames it over the
// original and syncs the directory.
func (f *File) Compact(db *Database) error {
	tmp := filepath.Join(filepath.Dir(f.path), "."+filepath.Base(f.path)+".tmp~")
	nf, size, err := writeSnapshot(tmp, db, "compacted by govs")
	if err != nil {
		return fmt.Errorf("compact %s: %w", f.path, err)
	}
	if err := os.Rename(tmp, f.path); err != nil {
		nf.Close()
		os.Remove(tmp)
		return fmt.Errorf("compact %s: %w", f.path, err)
	}
	if dir, err := os.Open(filepath.Dir(f.path)); err == nil {
		dir.Sync()
		dir.Close()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.f.Close()
	f.f, f.size, f.snapshotSize, f.records = nf, size, size, 0
	return nil
}

// WriteSnapshotFile writes a new database file at path holding db's schema
// and one snapshot record of its rows, as "ovsdb-tool compact DB DST" does.
func WriteSnapshotFile(path string, db *Database, comment string) error {
	f, _, err := writeSnapshot(path, db, comment)
	if err != nil {
		return fmt.Errorf("write snapshot %s: %w", path, err)
	}
	return f.Close()
}

// writeSnapshot writes and syncs a schema+snapshot file at path, returning
// it open at its end.
func writeSnapshot(path string, db *Database, comment string) (*os.File, int64, error) {
	nf, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return nil, 0, err
	}
	fail := func(err error) (*os.File, int64, error) {
		nf.Close()
		os.Remove(path)
		return nil, 0, err
	}
	var size int64
	records := []map[string]any{db.Schema.JSON()}
	if snap := snapshotRecord(db, comment); len(snap) > 2 {
		records = append(records, snap)
	}
	for _, r := range records {
		rec, err := encodeRecord(r)
		if err != nil {
			return fail(err)
		}
		if _, err := nf.Write(rec); err != nil {
			return fail(err)
		}
		size += int64(len(rec))
	}
	if err := nf.Sync(); err != nil {
		return fail(err)
	}
	return nf, size, nil
}

// Close releases the file and its lock.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	err := f.f.Close()
	unlockFile(f.path, f.lock)
	return err
}

func unlockFile(path string, lock *os.File) {
	lock.Close()
	if abs, err := filepath.Abs(path); err == nil {
		lockedPaths.Lock()
		delete(lockedPaths.paths, abs)
		lockedPaths.Unlock()
	}
}
