package ofctl

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// fteKey identifies a flow across sources, as ovs-ofctl's flow table
// entries do: its table, priority and match.
type fteKey struct {
	table    uint8
	priority uint16
	match    string
}

// fteSet holds each flow's two versions (one per source; nil if absent).
type fteSet map[fteKey]*[2]*flowtable.Flow

func (s fteSet) insert(f *flowtable.Flow, idx int) {
	k := fteKey{f.Table, f.Priority, f.Match.Format(nil)}
	e := s[k]
	if e == nil {
		e = new([2]*flowtable.Flow)
		s[k] = e
	}
	e[idx] = f // a later duplicate replaces the earlier one
}

// sorted returns the keys in the order ovs-ofctl walks them: table by
// table, higher priorities first.
func (s fteSet) sorted() []fteKey {
	keys := make([]fteKey, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.table != b.table {
			return a.table < b.table
		}
		if a.priority != b.priority {
			return a.priority > b.priority
		}
		return a.match < b.match
	})
	return keys
}

// versionsEqual compares what replace-flows and diff-flows compare: the
// cookie, timeouts, importance, table and actions (flags are not).
func versionsEqual(a, b *flowtable.Flow) bool {
	return a.Cookie == b.Cookie && a.IdleTimeout == b.IdleTimeout && a.HardTimeout == b.HardTimeout &&
		a.Importance == b.Importance && a.Table == b.Table && a.Actions.Format(nil) == b.Actions.Format(nil)
}

// formatVersion writes a flow as diff-flows prints it.
func formatVersion(f *flowtable.Flow, names flowtable.PortNamer) string {
	var b strings.Builder
	if f.Table != 0 {
		fmt.Fprintf(&b, "table=%d ", f.Table)
	}
	var parts []string
	if f.Priority != flowtable.DefaultPriority {
		parts = append(parts, fmt.Sprintf("priority=%d", f.Priority))
	}
	if m := f.Match.Format(names); m != "" {
		parts = append(parts, m)
	}
	b.WriteString(strings.Join(parts, ","))
	if f.Cookie != 0 {
		fmt.Fprintf(&b, " cookie=%#x", f.Cookie)
	}
	if f.IdleTimeout != 0 {
		fmt.Fprintf(&b, " idle_timeout=%d", f.IdleTimeout)
	}
	if f.HardTimeout != 0 {
		fmt.Fprintf(&b, " hard_timeout=%d", f.HardTimeout)
	}
	if f.Importance != 0 {
		fmt.Fprintf(&b, " importance=%d", f.Importance)
	}
	fmt.Fprintf(&b, " actions=%s\n", f.Actions.Format(names))
	return b.String()
}

// readFlowFile parses a file of flows ("-" for stdin) into set as version
// idx. Text after "#" is a comment; blank lines are skipped.
func (c *ctl) readFlowFile(name string, set fteSet, idx int, names flowtable.PortNamer) error {
	var r io.Reader = c.stdin
	if name != "-" {
		data, err := os.ReadFile(name)
		if err != nil {
			return fatalf("%s: open (%s)", name, strerror(err))
		}
		r = bytes.NewReader(data)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f, err := flowtable.ParseFlow(line, flowtable.FlowAdd, names, c.parseProtocol())
		if err != nil {
			return fatalf("%s:%d: %v", name, n, err)
		}
		if f.Table == flowtable.TableAll {
			f.Table = 0
		}
		set.insert(f, idx)
	}
	return nil
}

// readSwitchFlows dumps every flow of the switch on cn into set.
func (c *ctl) readSwitchFlows(cn *conn, nxm bool, set fteSet, idx int) error {
	filter := flowtable.Flow{Table: flowtable.TableAll, OutPort: flowtable.PortNone, OutGroup: flowtable.GroupAny}
	parts, err := cn.dump(&ofp.FlowStatsRequest{Filter: filter, NXM: nxm})
	if err != nil {
		return err
	}
	for _, r := range parts {
		m, ok := r.msg.(*ofp.FlowStatsReply)
		if !ok {
			continue
		}
		for i := range m.Flows {
			f := m.Flows[i].Flow
			set.insert(&f, idx)
		}
	}
	return nil
}

// isFileSource reports whether diff-flows reads source as a file rather
// than connecting to it: a path starting with / or ., or an existing file
// whose name has no colon.
func isFileSource(source string) bool {
	if strings.HasPrefix(source, "/") || strings.HasPrefix(source, ".") {
		return true
	}
	if strings.Contains(source, ":") {
		return false
	}
	_, err := os.Stat(source)
	return err == nil
}

func (c *ctl) readFlowSource(source string, set fteSet, idx int) error {
	if isFileSource(source) {
		return c.readFlowFile(source, set, idx, nil)
	}
	cn, nxm, err := c.openForDump(source)
	if err != nil {
		return err
	}
	defer cn.close()
	return c.readSwitchFlows(cn, nxm, set, idx)
}

// diffFlows prints the flows that differ between two sources (files or
// switches): "-" lines for the first's version, "+" for the second's. It
// exits with status 2 when there are differences.
func (c *ctl) diffFlows(args []string) error {
	set := fteSet{}
	for i := range 2 {
		if err := c.readFlowSource(args[i], set, i); err != nil {
			return err
		}
	}
	differ := false
	for _, k := range set.sorted() {
		v := set[k]
		var a, b string
		if v[0] != nil {
			a = formatVersion(v[0], nil)
		}
		if v[1] != nil {
			b = formatVersion(v[1], nil)
		}
		if v[0] != nil && v[1] != nil && versionsEqual(v[0], v[1]) {
			continue
		}
		if a != "" {
			fmt.Fprintf(c.out, "-%s", a)
		}
		if b != "" {
			fmt.Fprintf(c.out, "+%s", b)
		}
		differ = true
	}
	if differ {
		return &silentExit{status: 2}
	}
	return nil
}

// replaceFlows makes the switch's flows those of a file: it deletes
// (strictly) the flows the file lacks, then adds the file's flows that
// the switch lacks or has in another version.
func (c *ctl) replaceFlows(args []string) error {
	target := args[0]
	if err := c.fetchTables(target); err != nil {
		return err
	}
	ports, err := c.fetchPorts(target)
	if err != nil {
		return err
	}
	set := fteSet{}
	if err := c.readFlowFile(args[1], set, 0, ports); err != nil {
		return err
	}
	cn, nxm, err := c.openForDump(target)
	if err != nil {
		return err
	}
	defer cn.close()
	if err := c.readSwitchFlows(cn, nxm, set, 1); err != nil {
		return err
	}
	keys := set.sorted()
	var mods []*ofp.FlowMod
	for _, k := range keys {
		if v := set[k]; v[1] != nil && v[0] == nil {
			f := *v[1]
			f.OutPort, f.OutGroup = flowtable.PortNone, flowtable.GroupAny
			f.Actions = nil
			if cn.v == ofp.OF10 {
				f.Table = flowtable.TableAll // no table id without NXT_FLOW_MOD_TABLE_ID
			}
			mods = append(mods, &ofp.FlowMod{Command: flowtable.FlowDeleteStrict, Flow: f, BufferID: ofp.NoBuffer, NXM: nxm})
		}
	}
	for _, k := range keys {
		if v := set[k]; v[0] != nil && (v[1] == nil || !versionsEqual(v[0], v[1])) {
			mods = append(mods, &ofp.FlowMod{Command: flowtable.FlowAdd, Flow: *v[0], BufferID: ofp.NoBuffer, NXM: nxm})
		}
	}
	if cn.v == ofp.OF10 {
		// The flow dump formats (NXM, then OpenFlow 1.0) cannot carry
		// a table id in flow_mods: ovs-ofctl gives up.
		tables, needNXM := false, false
		for _, e := range set {
			if f := e[0]; f != nil {
				tables = tables || f.Table != 0
				needNXM = needNXM || !ofp.FitsMatch10(&f.Match)
			}
		}
		if tables {
			usable := "OXM,OpenFlow10+table_id,NXM+table_id,OpenFlow11"
			if needNXM {
				usable = "OXM,NXM+table_id"
			}
			return fatalf("switch does not support any of the usable flow formats (%s)", usable)
		}
	}
	for _, m := range mods {
		if err := cn.send(c.nextXid(), m); err != nil {
			return err
		}
	}
	errs, err := cn.barrier()
	if len(errs) > 0 {
		io.WriteString(c.errOut, c.formatMessage(errs[0]))
		return &silentExit{status: 1}
	}
	return err
}
