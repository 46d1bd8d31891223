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

// parseProtocol is the flowtable protocol flows are parsed for: that of
// the highest version allowed.
func (c *ctl) parseProtocol() flowtable.Protocol {
	allowed := c.allowedVersions()
	if allowed&^(1<<ofp.OF10) != 0 {
		return flowtable.OpenFlow15
	}
	return flowtable.OpenFlow10
}

func (c *ctl) addFlow(args []string) error {
	return c.flowMods(args[0], []string{args[1]}, "", flowtable.FlowAdd)
}

func (c *ctl) modFlows(args []string) error {
	cmd := flowtable.FlowModify
	if c.strict {
		cmd = flowtable.FlowModifyStrict
	}
	return c.flowMods(args[0], []string{args[1]}, "", cmd)
}

func (c *ctl) delFlows(args []string) error {
	cmd := flowtable.FlowDelete
	if c.strict {
		cmd = flowtable.FlowDeleteStrict
	}
	text := ""
	if len(args) > 1 {
		text = args[1]
	}
	return c.flowMods(args[0], []string{text}, "", cmd)
}

// addFlows reads flows from a file ("-" for stdin), one a line; blank
// lines and lines starting with # are skipped.
func (c *ctl) addFlows(args []string) error {
	var r io.Reader = c.stdin
	if args[1] != "-" {
		data, err := os.ReadFile(args[1])
		if err != nil {
			return fatalf("%s: open failed (%s)", args[1], strerror(err))
		}
		r = bytes.NewReader(data)
	}
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return fatalf("%s: read failed (%s)", args[1], strerror(err))
	}
	return c.flowMods(args[0], lines, args[1], flowtable.FlowAdd)
}

// flowMods parses flow texts for cmd and sends them as flow_mods followed
// by a barrier. file names the source of texts ("" for the command line),
// whose blank and comment lines are skipped. The first OFPT_ERROR is
// printed to stderr and fails the command.
func (c *ctl) flowMods(target string, texts []string, file string, cmd flowtable.FlowCommand) error {
	if err := c.fetchTables(target); err != nil {
		return err
	}
	ports, err := c.fetchPorts(target)
	if err != nil {
		return err
	}
	proto := c.parseProtocol()
	var flows []*flowtable.Flow
	for i, text := range texts {
		if file != "" {
			text = strings.TrimSpace(text)
			if text == "" || strings.HasPrefix(text, "#") {
				continue
			}
		}
		f, err := flowtable.ParseFlow(text, cmd, ports, proto)
		if err != nil {
			if file != "" {
				return fatalf("%s:%d: %v", file, i+1, err)
			}
			return fatalf("%v", err)
		}
		flows = append(flows, f)
	}
	cn, err := c.open(target)
	if err != nil {
		return err
	}
	defer cn.close()
	if c.bundle {
		return c.bundleFlowMods(cn, target, cmd, flows)
	}
	nxm := false
	if cn.v == ofp.OF10 {
		needNXM, needTID := c.flowFormat == "nxm", false
		for _, f := range flows {
			if !ofp.FitsMatch10(&f.Match) || f.CookieMask != 0 {
				needNXM = true
			}
			if f.Table != 0 && f.Table != flowtable.TableAll {
				needTID = true
			}
		}
		if needNXM && c.flowFormat == "openflow10" {
			return fatalf("none of the usable flow formats (NXM,OXM) is among the allowed flow formats (OpenFlow10)")
		}
		if needNXM {
			if err := c.setupMessage(cn, &ofp.SetFlowFormat{Format: ofp.FlowFormatNXM}); err != nil {
				return err
			}
			nxm = true
		}
		if needTID {
			if err := c.setupMessage(cn, &ofp.FlowModTableID{Enable: true}); err != nil {
				return err
			}
		}
	}
	for _, f := range flows {
		if f.CookieMask != 0 {
			if cn.v == ofp.OF10 {
				// NXM carries the filter in the match; the cookie field
				// is the new cookie, all ones for "leave it".
				if !f.SetCookie {
					f.Cookie = ^uint64(0)
				}
			} else {
				// The wire carries the cookie to match with its mask.
				f.Cookie = f.CookieMatch
			}
		}
		if err := cn.send(c.nextXid(), &ofp.FlowMod{Command: cmd, Flow: *f, BufferID: ofp.NoBuffer, NXM: nxm}); err != nil {
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

// setupMessage sends a message that has no reply and a barrier after it,
// failing on an OFPT_ERROR.
func (c *ctl) setupMessage(cn *conn, m ofp.Message) error {
	if err := cn.send(c.nextXid(), m); err != nil {
		return err
	}
	errs, err := cn.barrier()
	if len(errs) > 0 {
		io.WriteString(c.errOut, c.formatMessage(errs[0]))
		return &silentExit{status: 1}
	}
	return err
}

// flowFilter parses dump-flows' and dump-aggregate's optional filter.
func (c *ctl) flowFilter(target string, args []string) (*flowtable.Flow, error) {
	text := ""
	if len(args) > 1 {
		text = args[1]
	}
	var ports flowtable.PortNamer
	if text != "" {
		p, err := c.fetchPorts(target)
		if err != nil {
			return nil, err
		}
		if err := c.fetchTables(target); err != nil {
			return nil, err
		}
		ports = p
	}
	// A filter takes the keywords of a delete (actions are unknown).
	f, err := flowtable.ParseFlow(text, flowtable.FlowDelete, ports, c.parseProtocol())
	if err != nil {
		return nil, fatalf("%v", err)
	}
	return f, nil
}

// openForDump connects for a flow dump and, in OpenFlow 1.0, selects NXM
// unless -F openflow10 asks for ofp_match; it reports whether NXM is on.
func (c *ctl) openForDump(target string) (*conn, bool, error) {
	cn, err := c.open(target)
	if err != nil {
		return nil, false, err
	}
	if cn.v != ofp.OF10 || c.flowFormat == "openflow10" {
		return cn, false, nil
	}
	if err := c.setupMessage(cn, &ofp.SetFlowFormat{Format: ofp.FlowFormatNXM}); err != nil {
		cn.close()
		return nil, false, err
	}
	return cn, true, nil
}

func (c *ctl) dumpAggregate(args []string) error {
	f, err := c.flowFilter(args[0], args)
	if err != nil {
		return err
	}
	cn, nxm, err := c.openForDump(args[0])
	if err != nil {
		return err
	}
	defer cn.close()
	parts, err := cn.dump(&ofp.AggregateStatsRequest{Filter: *f, NXM: nxm})
	c.print(c.out, parts)
	return err
}

func (c *ctl) dumpFlows(args []string) error {
	f, err := c.flowFilter(args[0], args)
	if err != nil {
		return err
	}
	cn, nxm, err := c.openForDump(args[0])
	if err != nil {
		return err
	}
	defer cn.close()
	parts, err := cn.dump(&ofp.FlowStatsRequest{Filter: *f, NXM: nxm})
	if !c.noStats && !c.sortSet && !c.showNames() {
		// The plain dump prints the replies as they come.
		c.print(c.out, parts)
		return err
	}
	var flows []ofp.FlowStats
	for _, r := range parts {
		if m, ok := r.msg.(*ofp.FlowStatsReply); ok {
			flows = append(flows, m.Flows...)
		} else {
			io.WriteString(c.out, c.formatMessage(r))
		}
	}
	if err != nil {
		return err
	}
	if c.sortSet {
		c.sortFlows(flows)
	}
	if c.showNames() && len(flows) > 0 {
		if err := c.fetchTables(args[0]); err != nil {
			return err
		}
		if _, err := c.fetchPorts(args[0]); err != nil {
			return err
		}
	}
	for i := range flows {
		fmt.Fprintln(c.out, c.formatFlowStats(&flows[i], cn.v, !c.noStats, false))
	}
	return nil
}

// knownSortField reports whether --sort/--rsort may name field.
func knownSortField(name string) bool {
	_, ok := flowtable.FieldByName(name)
	return ok
}

// sortFlows orders flows by the --sort/--rsort key: priority, or a field's
// value with flows that match on the field first (ascending order).
func (c *ctl) sortFlows(flows []ofp.FlowStats) {
	less := func(a, b *ofp.FlowStats) int { return int(a.Flow.Priority) - int(b.Flow.Priority) }
	if c.sortKey != "priority" {
		field, _ := flowtable.FieldByName(c.sortKey)
		value := func(fs *ofp.FlowStats) ([]byte, bool) {
			if fs.Flow.Match.IsWildcard(field) {
				return nil, false
			}
			v := make([]byte, field.Bytes())
			field.GetBytes(&fs.Flow.Match.Key, v)
			return v, true
		}
		less = func(a, b *ofp.FlowStats) int {
			va, oka := value(a)
			vb, okb := value(b)
			switch {
			case oka != okb && oka:
				return -1
			case oka != okb:
				return 1
			}
			if d := bytes.Compare(va, vb); d != 0 {
				return d
			}
			// Ties go by descending priority whichever the direction.
			if c.rsort {
				return int(a.Flow.Priority) - int(b.Flow.Priority)
			}
			return int(b.Flow.Priority) - int(a.Flow.Priority)
		}
	}
	sort.SliceStable(flows, func(i, j int) bool {
		d := less(&flows[i], &flows[j])
		if c.rsort {
			return d > 0
		}
		return d < 0
	})
}
