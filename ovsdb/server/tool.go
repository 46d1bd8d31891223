package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/ovsdb"
)

var toolOptions = []optionSpec{
	{"more", argNone}, {"verbose", argOptional}, {"log-file", argOptional},
	{"help", argNone}, {"version", argNone},
}

// ToolMain runs "ovsdb-tool [OPTIONS] COMMAND [ARG...]" for the standalone
// commands and returns the process exit status.
func ToolMain(args []string) int {
	opts, operands, err := parseOptions("ovsdb-tool", args, toolOptions)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	more := 0
	for _, o := range opts {
		switch o.name {
		case "help":
			fmt.Print(daemon.ExpandHelp(toolHelp))
			return 0
		case "version":
			fmt.Printf("ovsdb-tool (Open vSwitch) %s\n", Version)
			return 0
		case "more":
			more++
		}
	}
	if len(operands) == 0 {
		fmt.Fprintln(os.Stderr, "ovsdb-tool: missing command name; use --help for help")
		return 1
	}
	if err := runTool(os.Stdout, operands[0], operands[1:], more); err != nil {
		if !errors.Is(err, errExitStatus) {
			fmt.Fprintf(os.Stderr, "ovsdb-tool: %v\n", err)
		}
		return 1
	}
	return 0
}

func defaultSchemaPath() string { return filepath.Join(pkgDataDir(), "vswitch.ovsschema") }

// argOr returns args[i] if present, else def.
func argOr(args []string, i int, def string) string {
	if i < len(args) {
		return args[i]
	}
	return def
}

// readSchemaFile reads a schema file; the default schema path falls back
// to the embedded Open_vSwitch schema when no file is installed there.
func readSchemaFile(path string, isDefault bool) ([]byte, error) {
	text, err := os.ReadFile(path)
	if err != nil && isDefault && errors.Is(err, os.ErrNotExist) {
		return ovsdb.VSwitchSchemaText(), nil
	}
	return text, err
}

func runTool(out io.Writer, command string, args []string, more int) error {
	maxArgs := map[string]int{
		"create": 2, "compact": 2, "db-name": 1, "db-version": 1, "db-cksum": 1,
		"db-is-clustered": 1, "db-is-standalone": 1, "schema-name": 1, "schema-version": 1,
		"schema-cksum": 1, "query": 2, "transact": 2, "show-log": 1,
	}
	limit, ok := maxArgs[command]
	if !ok {
		return fmt.Errorf("unknown command '%s'; use --help for help", command)
	}
	if len(args) > limit {
		return fmt.Errorf("'%s' command takes at most %d arguments", command, limit)
	}
	switch command {
	case "create":
		schemaPath := argOr(args, 1, defaultSchemaPath())
		text, err := readSchemaFile(schemaPath, len(args) < 2)
		if err != nil {
			return err
		}
		return ovsdb.CreateFile(argOr(args, 0, defaultDBPath()), text)
	case "compact":
		return toolCompact(argOr(args, 0, defaultDBPath()), argOr(args, 1, ""))
	case "db-name", "db-version", "db-cksum":
		db, err := ovsdb.ReadFile(argOr(args, 0, defaultDBPath()), nil)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, schemaField(db.Schema, strings.TrimPrefix(command, "db-")))
	case "schema-name", "schema-version", "schema-cksum":
		text, err := readSchemaFile(argOr(args, 0, defaultSchemaPath()), len(args) == 0)
		if err != nil {
			return err
		}
		s, err := ovsdb.ParseSchema(text)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, schemaField(s, strings.TrimPrefix(command, "schema-")))
	case "db-is-clustered", "db-is-standalone":
		if len(args) != 1 {
			return fmt.Errorf("'%s' command requires at least 1 arguments", command)
		}
		if _, err := ovsdb.ReadFile(args[0], nil); err != nil {
			return err
		}
		if command == "db-is-clustered" {
			return errExitStatus
		}
	case "query", "transact":
		if len(args) == 0 {
			return fmt.Errorf("'%s' command requires at least 1 arguments", command)
		}
		path, trns := defaultDBPath(), args[0]
		if len(args) == 2 {
			path, trns = args[0], args[1]
		}
		return toolTransact(out, path, trns, command == "transact")
	case "show-log":
		return showLog(out, argOr(args, 0, defaultDBPath()), more)
	}
	return nil
}

// errExitStatus reports a false answer (exit status 1) without a message.
var errExitStatus = errors.New("")

func schemaField(s *ovsdb.DatabaseSchema, field string) string {
	switch field {
	case "name":
		return s.Name
	case "version":
		return s.Version
	}
	return s.Cksum
}

func toolCompact(path, dst string) error {
	if dst != "" {
		db, err := ovsdb.ReadFile(path, nil)
		if err != nil {
			return err
		}
		return ovsdb.WriteSnapshotFile(dst, db, "compacted by ovsdb-tool "+Version)
	}
	f, db, err := ovsdb.OpenFile(path, nil)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Compact(db)
}

func toolTransact(out io.Writer, path, trns string, write bool) error {
	j, err := ovsdb.ParseJSON([]byte(trns))
	if err != nil {
		return fmt.Errorf("parse transaction: %w", err)
	}
	params, ok := j.([]any)
	if !ok || len(params) == 0 {
		return errors.New("transaction must be an array whose first element names the database")
	}
	var db *ovsdb.Database
	var f *ovsdb.File
	if write {
		f, db, err = ovsdb.OpenFile(path, nil)
		if err != nil {
			return err
		}
		defer f.Close()
	} else if db, err = ovsdb.ReadFile(path, nil); err != nil {
		return err
	}
	if name, _ := params[0].(string); name != db.Schema.Name {
		return fmt.Errorf("transaction refers to database %s but %s holds %s", jsonText(params[0]), path, db.Schema.Name)
	}
	res := db.Transact(params[1:], nil)
	if res.Commit != nil && write {
		if err := f.Write(res.Commit); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
	}
	text, err := ovsdb.MarshalJSON(res.Results)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, string(text))
	return nil
}

// showLog prints a database file's records as "ovsdb-tool show-log" does:
// one line per record, and with -m the rows each changes (-mm: and their
// column values).
func showLog(out io.Writer, path string, more int) error {
	records, err := ovsdb.ReadRecords(path)
	if err != nil {
		return err
	}
	st := &logState{names: map[string]string{}, seen: map[string]bool{}}
	if len(records) > 0 {
		text, _ := ovsdb.MarshalJSON(records[0])
		if st.schema, err = ovsdb.ParseSchema(text); err != nil {
			return err
		}
	}
	for i, rec := range records {
		obj, _ := rec.(map[string]any)
		if i == 0 {
			fmt.Fprintf(out, "record 0: %s schema, version=%s, cksum=%s\n\n",
				jsonText(obj["name"]), jsonText(obj["version"]), jsonText(obj["cksum"]))
			continue
		}
		fmt.Fprintf(out, "record %d:", i)
		if ms, err := jsonNumber(obj["_date"]); err == nil {
			t := time.UnixMilli(ms)
			fmt.Fprintf(out, " %s.%03d", t.Format("2006-01-02 15:04:05"), ms%1000)
		}
		if c, ok := obj["_comment"].(string); ok {
			fmt.Fprintf(out, " %s", jsonText(c))
		}
		fmt.Fprintln(out)
		if more == 0 {
			continue
		}
		isDiff, _ := obj["_is_diff"].(bool)
		for _, table := range sortedKeys(obj) {
			if strings.HasPrefix(table, "_") {
				continue
			}
			rows, _ := obj[table].(map[string]any)
			for _, id := range sortedKeys(rows) {
				printLogRow(out, table, id, rows[id], isDiff, more, st)
			}
		}
		fmt.Fprintln(out)
	}
	return nil
}

func printLogRow(out io.Writer, table, id string, rj any, isDiff bool, more int, st *logState) {
	cols, _ := rj.(map[string]any)
	if name, ok := cols["name"].(string); ok {
		st.names[id] = name
	}
	short := id
	if len(short) > 8 {
		short = short[:8]
	}
	name, named := st.names[id]
	suffix := ":"
	if isDiff {
		suffix = " diff:"
	}
	switch {
	case !st.seen[id] && rj != nil:
		st.seen[id] = true
		if named {
			fmt.Fprintf(out, "  table %s insert row %s (%s):\n", table, jsonText(name), short)
		} else {
			fmt.Fprintf(out, "  table %s insert row %s:\n", table, short)
		}
	case named:
		fmt.Fprintf(out, "  table %s row %s (%s)%s\n", table, jsonText(name), short, suffix)
	default:
		fmt.Fprintf(out, "  table %s row %s (%s)%s\n", table, short, short, suffix)
	}
	if rj == nil {
		fmt.Fprintln(out, "    delete row")
		delete(st.seen, id)
		return
	}
	if more < 2 {
		return
	}
	for _, col := range sortedKeys(cols) {
		text := jsonText(cols[col])
		if ts := st.schema.Tables[table]; ts != nil {
			if c, _ := ts.Column(col); c != nil {
				if formatted, err := ovsdb.FormatValue(cols[col], &c.Type); err == nil {
					text = formatted
				}
			}
		}
		fmt.Fprintf(out, "    %s=%s\n", col, text)
	}
}

// logState remembers, across show-log records, which rows exist and their
// names.
type logState struct {
	schema *ovsdb.DatabaseSchema
	names  map[string]string
	seen   map[string]bool
}

func jsonNumber(v any) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, errors.New("not a number")
	}
	return n.Int64()
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
