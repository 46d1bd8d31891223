package vsctl

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/govs/govs/ovsdb"
)

// errTimeout is reported when --timeout expires, with the status OVS's
// SIGALRM exit gives.
var errTimeout = &exitError{status: 142, msg: "timeout expired"}

// attempt runs the commands once against a fresh copy of the database. It
// returns done=false when the transaction must be retried because the
// database changed underneath it.
func attempt(out io.Writer, o *options, cmds []*command, comment string, deadline time.Time) (bool, error) {
	timeout := 10 * time.Second
	if !deadline.IsZero() {
		timeout = time.Until(deadline)
	}
	c, err := dial(o.db, o.ssl, timeout)
	for err != nil && o.retry {
		// --retry: keep trying until the server appears (or --timeout).
		if !deadline.IsZero() && time.Now().After(deadline) {
			return true, errTimeout
		}
		time.Sleep(100 * time.Millisecond)
		c, err = dial(o.db, o.ssl, timeout)
	}
	if err != nil {
		if !deadline.IsZero() && time.Now().After(deadline) {
			return true, errTimeout
		}
		return true, fail("%v", err)
	}
	defer c.close()
	if !deadline.IsZero() {
		c.c.SetDeadline(deadline)
	}
	m, err := load(c, "Open_vSwitch")
	if err != nil {
		return true, timeoutOr(err, deadline)
	}
	ctx := &context{m: m, o: o}
	for _, cmd := range cmds {
		ctx.cmd = cmd
		if err := commandTable[cmd.name].run(ctx); err != nil {
			if errors.Is(err, errRetry) {
				return false, nil
			}
			return true, err
		}
	}
	if err := ctx.checkSymbols(); err != nil {
		return true, err
	}
	ops := m.operations()
	var newCfgIndex int
	if len(ops) > 0 && !o.dryRun {
		ovs := m.rows("Open_vSwitch")
		if !o.noWait && len(ovs) == 1 {
			where := []any{[]any{"_uuid", "==", []any{"uuid", ovs[0].uuid.String()}}}
			ops = append(ops,
				map[string]any{"op": "mutate", "table": "Open_vSwitch", "where": where,
					"mutations": []any{[]any{"next_cfg", "+=", 1}}},
				map[string]any{"op": "select", "table": "Open_vSwitch", "where": where, "columns": []string{"next_cfg"}})
			newCfgIndex = len(ops)
		}
		ops = append(ops, map[string]any{"op": "comment", "comment": comment})
		res, err := c.call("transact", append([]any{"Open_vSwitch"}, ops...)...)
		if err != nil {
			return true, timeoutOr(err, deadline)
		}
		results, _ := res.([]any)
		for _, r := range results {
			obj, _ := r.(map[string]any)
			if obj["error"] == nil {
				continue
			}
			if obj["error"] == ovsdb.ErrTimedOut {
				// A verification failed: someone changed what we read.
				return false, nil
			}
			return true, fail("transaction error: %s", jsonText(obj))
		}
		if newCfgIndex > 0 {
			if err := waitForReload(c, results[newCfgIndex-1], ovs[0].uuid, deadline); err != nil {
				return true, err
			}
		}
	}
	for _, cmd := range cmds {
		text := cmd.out.String()
		if o.oneline {
			text = strings.ReplaceAll(strings.TrimSuffix(text, "\n"), "\n", "\\n") + "\n"
		}
		io.WriteString(out, text)
	}
	return true, nil
}

func timeoutOr(err error, deadline time.Time) error {
	if !deadline.IsZero() && time.Now().After(deadline) {
		return errTimeout
	}
	return fail("%v", err)
}

// waitForReload polls until ovs-vswitchd reports cur_cfg at least the new
// next_cfg, as ovs-vsctl does without --no-wait.
func waitForReload(c *conn, selectResult any, ovs ovsdb.UUID, deadline time.Time) error {
	obj, _ := selectResult.(map[string]any)
	rows, _ := obj["rows"].([]any)
	if len(rows) != 1 {
		return nil
	}
	next, err := ovsdb.DatumFromJSON(rows[0].(map[string]any)["next_cfg"], &ovsdb.ColumnType{Key: ovsdb.BaseType{Type: ovsdb.TypeInteger}, Min: 1, Max: 1})
	if err != nil {
		return fail("%v", err)
	}
	where := []any{[]any{"_uuid", "==", []any{"uuid", ovs.String()}}}
	for {
		res, err := c.call("transact", "Open_vSwitch",
			map[string]any{"op": "select", "table": "Open_vSwitch", "where": where, "columns": []string{"cur_cfg"}})
		if err != nil {
			return timeoutOr(err, deadline)
		}
		results, _ := res.([]any)
		if len(results) == 1 {
			obj, _ := results[0].(map[string]any)
			rows, _ := obj["rows"].([]any)
			if len(rows) == 1 {
				cur, _ := rows[0].(map[string]any)["cur_cfg"].(interface{ Int64() (int64, error) })
				if cur != nil {
					if n, _ := cur.Int64(); n >= next.Keys[0].(int64) {
						return nil
					}
				}
			}
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			return errTimeout
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// errRetry asks for the whole invocation to run again on fresh data (used
// by wait-until).
var errRetry = errors.New("retry")

// context is what commands work on.
type context struct {
	m   *model
	o   *options
	cmd *command
}

func (ctx *context) printf(format string, args ...any) {
	fmt.Fprintf(&ctx.cmd.out, format, args...)
}
