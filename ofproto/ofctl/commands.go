package ofctl

import (
	"fmt"
	"io"
	"strings"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// print writes each received message to w as ovs-ofctl prints replies.
func (c *ctl) print(w io.Writer, parts []received) {
	for _, r := range parts {
		io.WriteString(w, c.formatMessage(r))
	}
}

// dumpTransaction opens target, sends a statistics or other request and
// prints the replies to stdout (OFPT_ERROR replies too: ovs-ofctl's dump
// commands succeed even then).
func (c *ctl) dumpTransaction(target string, m ofp.Message) error {
	cn, err := c.open(target)
	if err != nil {
		return err
	}
	defer cn.close()
	parts, err := cn.dump(m)
	c.print(c.out, parts)
	return err
}

func (c *ctl) show(args []string) error {
	cn, err := c.open(args[0])
	if err != nil {
		return err
	}
	parts, err := cn.dump(&ofp.FeaturesRequest{})
	c.print(c.out, parts)
	if err != nil {
		cn.close()
		return err
	}
	if cn.v >= ofp.OF13 {
		parts, err := cn.dump(&ofp.PortDescStatsRequest{Port: flowtable.PortNone})
		c.print(c.out, parts)
		if err != nil {
			cn.close()
			return err
		}
	}
	cn.close()
	return c.dumpTransaction(args[0], &ofp.GetConfigRequest{})
}

func (c *ctl) dumpDesc(args []string) error {
	return c.dumpTransaction(args[0], &ofp.DescStatsRequest{})
}

func (c *ctl) probe(args []string) error {
	cn, err := c.open(args[0])
	if err != nil {
		return err
	}
	defer cn.close()
	if err := cn.send(0, &ofp.EchoRequest{}); err != nil {
		return err
	}
	r, err := cn.recvXid(0)
	if err != nil {
		return err
	}
	if _, ok := r.msg.(*ofp.EchoReply); !ok {
		return fatalf("reply does not match request")
	}
	return nil
}

// portArg resolves dump-ports' and dump-ports-desc's optional port: a
// number or reserved name, else a name looked up on a connection of its
// own (as ovs-ofctl does, after opening the main one).
func (c *ctl) portArg(target string, args []string) (flowtable.Port, error) {
	if len(args) < 2 {
		return flowtable.PortNone, nil
	}
	if p, err := flowtable.ParsePort(args[1], nil); err == nil {
		return p, nil
	}
	ports, err := c.fetchPorts(target)
	if err != nil {
		return 0, err
	}
	if p, ok := ports[args[1]]; ok {
		return p, nil
	}
	return 0, fatalf("%s: unknown port `%s'", target, args[1])
}

func (c *ctl) dumpPorts(args []string) error {
	cn, err := c.open(args[0])
	if err != nil {
		return err
	}
	defer cn.close()
	port, err := c.portArg(args[0], args)
	if err != nil {
		return err
	}
	if c.showNames() {
		if _, err := c.fetchPorts(args[0]); err != nil {
			return err
		}
	}
	parts, err := cn.dump(&ofp.PortStatsRequest{Port: port})
	c.print(c.out, parts)
	return err
}

func (c *ctl) dumpPortsDesc(args []string) error {
	cn, err := c.open(args[0])
	if err != nil {
		return err
	}
	defer cn.close()
	port, err := c.portArg(args[0], args)
	if err != nil {
		return err
	}
	parts, err := cn.dump(&ofp.PortDescStatsRequest{Port: port})
	c.print(c.out, parts)
	return err
}

// fetchPorts learns the switch's port names on a connection of its own:
// from the features reply, or from a port description dump in OpenFlow
// 1.3 and later. The result is kept for printing.
func (c *ctl) fetchPorts(target string) (flowtable.PortMap, error) {
	if c.ports != nil {
		return c.ports, nil
	}
	cn, err := c.open(target)
	if err != nil {
		return nil, err
	}
	defer cn.close()
	var req ofp.Message = &ofp.FeaturesRequest{}
	if cn.v >= ofp.OF13 {
		req = &ofp.PortDescStatsRequest{Port: flowtable.PortNone}
	}
	parts, err := cn.dump(req)
	if err != nil {
		return nil, err
	}
	ports := flowtable.PortMap{}
	for _, r := range parts {
		var descs []ofp.PortDesc
		switch m := r.msg.(type) {
		case *ofp.FeaturesReply:
			descs = m.Ports
		case *ofp.PortDescStatsReply:
			descs = m.Ports
		}
		for _, d := range descs {
			ports[d.Name] = d.Port
		}
	}
	c.ports = ports
	return ports, nil
}

// fetchTables asks for the switch's tables on a connection of its own,
// as ovs-ofctl does to learn table names before parsing flows and table
// settings.
func (c *ctl) fetchTables(target string) error {
	if c.tablesFetched {
		return nil
	}
	cn, err := c.open(target)
	if err != nil {
		return err
	}
	defer cn.close()
	var req ofp.Message = &ofp.TableStatsRequest{}
	if cn.v >= ofp.OF13 {
		req = &ofp.TableFeaturesRequest{}
	}
	parts, err := cn.dump(req)
	c.tablesFetched = true
	c.tableNames = map[uint8]string{}
	for _, r := range parts {
		switch m := r.msg.(type) {
		case *ofp.TableFeaturesReply:
			for _, t := range m.Tables {
				if t.Name != "" {
					c.tableNames[t.Table] = t.Name
				}
			}
		case *ofp.TableStatsReply:
			for _, t := range m.Tables {
				if t.Name != "" {
					c.tableNames[t.Table] = t.Name
				}
			}
		}
	}
	return err
}

// portNames is the port namer for printing: the fetched ports when names
// are shown, else none.
func (c *ctl) portNames() flowtable.PortNamer {
	if !c.showNames() || c.ports == nil {
		return nil
	}
	return c.ports
}

func (c *ctl) dumpTables(args []string) error {
	cn, err := c.open(args[0])
	if err != nil {
		return err
	}
	defer cn.close()
	parts, err := cn.dump(&ofp.TableStatsRequest{})
	for _, r := range parts {
		m, ok := r.msg.(*ofp.TableStatsReply)
		if !ok {
			io.WriteString(c.out, c.formatMessage(r))
			continue
		}
		io.WriteString(c.out, header(r.raw, r.h)+"\n"+formatTables(r.h.Version, m.Tables))
	}
	return err
}

// formatTables writes table statistics as ovs-ofctl dump-tables does:
// a table identical to the one before is "ditto", runs of them merged
// into one line; blocks are separated by blank lines.
func formatTables(v ofp.Version, tables []ofp.TableStats) string {
	var blocks []string
	var prevStats, prevFeatures, prevMatching string
	runFrom, runTo := -1, -1
	// Ditto lines in a row are not separated by blank lines.
	lastDitto := false
	ditto := func(line string) {
		if lastDitto {
			blocks[len(blocks)-1] += line
		} else {
			blocks = append(blocks, line)
		}
		lastDitto = true
	}
	closeRun := func() {
		switch {
		case runFrom < 0:
		case runFrom == runTo:
			ditto(fmt.Sprintf("  table %d: ditto\n", runFrom))
		default:
			ditto(fmt.Sprintf("  tables %d...%d: ditto\n", runFrom, runTo))
		}
		runFrom = -1
	}
	for i, t := range tables {
		stats := fmt.Sprintf("    active=%d, lookup=%d, matched=%d\n", t.Active, t.Lookups, t.Matched)
		features, matching := "", ""
		if v == ofp.OF10 {
			matching = "    matching:\n" + formatWildcards(uint32(t.Wildcards))
			features = fmt.Sprintf("    max_entries=%d\n", t.MaxEntries) + matching
		}
		if i > 0 && stats == prevStats && features == prevFeatures {
			if t.Name != "" {
				// A named table is a ditto of its own.
				closeRun()
				ditto(fmt.Sprintf("  table %d (\"%s\"): ditto\n", t.Table, t.Name))
				continue
			}
			if runFrom < 0 {
				runFrom = int(t.Table)
			}
			runTo = int(t.Table)
			continue
		}
		closeRun()
		block := fmt.Sprintf("  table %d", t.Table)
		if t.Name != "" {
			block += fmt.Sprintf(" (\"%s\")", t.Name)
		}
		block += ":\n" + stats
		switch {
		case i > 0 && features != "" && features == prevFeatures:
			block += "    (same features)\n"
		case i > 0 && matching != "" && matching == prevMatching:
			// Another capacity (a flow_limit) but the same fields.
			block += fmt.Sprintf("    max_entries=%d\n    (same matching)\n", t.MaxEntries)
		default:
			block += features
		}
		blocks = append(blocks, block)
		lastDitto = false
		prevStats, prevFeatures, prevMatching = stats, features, matching
	}
	closeRun()
	return strings.Join(blocks, "\n")
}

// wildcardFields are OpenFlow 1.0's wildcard bits with the fields they
// cover, in the order OVS lists them.
var wildcardFields = []struct {
	bits uint32
	name string
}{
	{1 << 0, "in_port"}, {1 << 2, "eth_src"}, {1 << 3, "eth_dst"}, {1 << 4, "eth_type"},
	{1 << 1, "vlan_vid"}, {1 << 20, "vlan_pcp"}, {0x3f << 8, "ip_src"}, {0x3f << 14, "ip_dst"},
	{1 << 5, "nw_proto"}, {1 << 21, "nw_tos"}, {1 << 6, "tcp_src"}, {1 << 7, "tcp_dst"},
}

// formatWildcards writes the "matching:" lines of an OpenFlow 1.0 table.
func formatWildcards(wc uint32) string {
	var wild, exact []string
	for _, f := range wildcardFields {
		if wc&f.bits == f.bits {
			wild = append(wild, f.name)
		} else {
			exact = append(exact, f.name)
		}
	}
	var b strings.Builder
	if len(wild) > 0 {
		b.WriteString("      exact match or wildcard: " + groupFieldNames(wild) + "\n")
	}
	if len(exact) > 0 {
		b.WriteString("      must exact match: " + groupFieldNames(exact) + "\n")
	}
	return b.String()
}

// groupFieldNames writes field names, merging neighbours with the same
// prefix: "eth_{src,dst,type}".
func groupFieldNames(names []string) string {
	var out []string
	for i := 0; i < len(names); {
		prefix, _, _ := strings.Cut(names[i], "_")
		j := i + 1
		for j < len(names) && strings.HasPrefix(names[j], prefix+"_") {
			j++
		}
		if j-i == 1 {
			out = append(out, names[i])
		} else {
			var suffixes []string
			for _, n := range names[i:j] {
				suffixes = append(suffixes, strings.TrimPrefix(n, prefix+"_"))
			}
			out = append(out, prefix+"_{"+strings.Join(suffixes, ",")+"}")
		}
		i = j
	}
	return strings.Join(out, " ")
}
