package ofctl

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// groupTypeNames are the group types as ovs-ofctl writes them.
var groupTypeNames = []string{"all", "select", "indirect", "ff"}

// parseGroupID parses a group id as ovs-ofctl does: a number, "all" or
// "any".
func parseGroupID(s string) (uint32, bool) {
	switch s {
	case "all":
		return ofp.GroupAllID, true
	case "any":
		return ofp.GroupAnyID, true
	}
	n, err := strconv.ParseUint(s, 0, 32)
	return uint32(n), err == nil
}

// parseGroup parses a group's text ("group_id=1,type=all,bucket=...")
// for cmd, as ovs-ofctl's group syntax has it: the group's fields, then
// each "bucket=" up to the next one.
func parseGroup(text string, cmd ofp.GroupCommand, names flowtable.PortNamer) (*ofp.GroupMod, error) {
	m := &ofp.GroupMod{Command: cmd, CommandBucketID: ofp.BucketAll}
	g := &m.Group
	head, bucketTexts := text, []string(nil)
	if i := strings.Index(text, "bucket="); i >= 0 {
		head = text[:i]
		for _, b := range strings.Split(text[i+len("bucket="):], "bucket=") {
			bucketTexts = append(bucketTexts, strings.TrimRight(b, ", "))
		}
	}
	haveID, haveType := false, false
	for _, kv := range strings.FieldsFunc(head, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "group_id":
			id, ok := parseGroupID(v)
			if !ok {
				return nil, fatalf("invalid group id %s", v)
			}
			g.ID, haveID = id, true
		case "type":
			t := -1
			for i, n := range groupTypeNames {
				if v == n {
					t = i
				}
			}
			if v == "fast_failover" {
				t = int(ofp.GroupFastFailover)
			}
			if t < 0 {
				return nil, fatalf("invalid group type %s", v)
			}
			g.Type, haveType = ofp.GroupType(t), true
		default:
			return nil, fatalf("unknown keyword %s", k)
		}
	}
	if !haveID {
		if cmd != ofp.GroupDelete {
			return nil, fatalf("must specify a group_id")
		}
		g.ID = ofp.GroupAllID
	}
	if !haveType && cmd != ofp.GroupDelete {
		return nil, fatalf("must specify a type")
	}
	for i, bt := range bucketTexts {
		bk, err := parseBucket(bt, g.Type, uint32(i), names)
		if err != nil {
			return nil, err
		}
		g.Buckets = append(g.Buckets, bk)
	}
	if g.Type == ofp.GroupIndirect && len(g.Buckets) > 1 {
		return nil, fatalf("Indirect groups can have at most one bucket.")
	}
	return m, nil
}

// parseBucket parses one bucket's text: "key:value" settings, then the
// actions ("actions=..." or the first word that is no setting).
func parseBucket(text string, t ofp.GroupType, id uint32, names flowtable.PortNamer) (ofp.Bucket, error) {
	bk := ofp.Bucket{ID: id, WatchPort: flowtable.PortNone, WatchGroup: ofp.GroupAnyID}
	if t == ofp.GroupSelect {
		bk.Weight = 1
	}
	acts := ""
	rest := text
	for rest != "" {
		word, after, _ := strings.Cut(rest, ",")
		k, v, found := strings.Cut(word, ":")
		if strings.HasPrefix(word, "actions=") {
			acts = strings.TrimPrefix(rest, "actions=")
			break
		}
		switch {
		case found && k == "weight":
			n, err := strconv.ParseUint(v, 10, 16)
			if err != nil {
				return bk, fatalf("invalid weight \"%s\"", v)
			}
			bk.Weight = uint16(n)
		case found && k == "watch_port":
			p, err := flowtable.ParsePort(v, names)
			if err != nil {
				return bk, fatalf("%s: watch_port: %v", v, err)
			}
			bk.WatchPort = p
		case found && k == "watch_group":
			n, err := strconv.ParseUint(v, 0, 32)
			if err != nil {
				return bk, fatalf("invalid watch_group id %s", v)
			}
			bk.WatchGroup = uint32(n)
		case found && k == "bucket_id":
			n, err := strconv.ParseUint(v, 0, 32)
			if err != nil {
				return bk, fatalf("invalid bucket_id id %s", v)
			}
			bk.ID = uint32(n)
		default:
			acts = rest
			rest = ""
			continue
		}
		rest = after
	}
	if t == ofp.GroupFastFailover && bk.WatchPort == flowtable.PortNone && bk.WatchGroup == ofp.GroupAnyID {
		return bk, fatalf("fast failover bucket requires watch_port or watch_group")
	}
	a, err := flowtable.ParseActions(acts, names)
	if err != nil {
		return bk, fatalf("%v", err)
	}
	bk.Actions = a
	return bk, nil
}

// groupMods sends group_mods and a barrier, as add-group and the like
// do: the first OFPT_ERROR is printed and fails the command.
func (c *ctl) groupMods(target string, mods []*ofp.GroupMod) error {
	cn, err := c.open(target)
	if err != nil {
		return err
	}
	defer cn.close()
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

// groupTexts parses group texts for cmd after learning the port names.
func (c *ctl) groupTexts(target string, texts []string, file string, cmd ofp.GroupCommand) ([]*ofp.GroupMod, error) {
	if err := c.fetchTables(target); err != nil {
		return nil, err
	}
	ports, err := c.fetchPorts(target)
	if err != nil {
		return nil, err
	}
	var mods []*ofp.GroupMod
	for i, text := range texts {
		if file != "" {
			text = strings.TrimSpace(text)
			if text == "" || strings.HasPrefix(text, "#") {
				continue
			}
		}
		m, err := parseGroup(text, cmd, ports)
		if err != nil {
			if e, ok := err.(*exitError); ok && file != "" {
				return nil, fatalf("%s:%d: %s", file, i+1, e.msg)
			}
			return nil, err
		}
		mods = append(mods, m)
	}
	return mods, nil
}

func groupCommand(cmd ofp.GroupCommand) func(*ctl, []string) error {
	return func(c *ctl, args []string) error {
		text := ""
		if len(args) > 1 {
			text = args[1]
		}
		mods, err := c.groupTexts(args[0], []string{text}, "", cmd)
		if err != nil {
			return err
		}
		return c.groupMods(args[0], mods)
	}
}

func (c *ctl) addGroups(args []string) error {
	var data []byte
	var err error
	if args[1] == "-" {
		data, err = io.ReadAll(c.stdin)
	} else {
		data, err = os.ReadFile(args[1])
	}
	if err != nil {
		return fatalf("%s: open failed (%s)", args[1], strerror(err))
	}
	mods, err := c.groupTexts(args[0], strings.Split(string(data), "\n"), args[1], ofp.GroupAdd)
	if err != nil {
		return err
	}
	return c.groupMods(args[0], mods)
}

func (c *ctl) dumpGroups(args []string) error {
	id := uint32(ofp.GroupAllID)
	if len(args) > 1 {
		if n, ok := parseGroupID(args[1]); ok {
			id = n
		}
	}
	return c.dumpTransaction(args[0], &ofp.GroupDescStatsRequest{GroupID: id})
}

func (c *ctl) dumpGroupStats(args []string) error {
	id := uint32(ofp.GroupAllID)
	if len(args) > 1 {
		mods, err := c.groupTexts(args[0], []string{args[1]}, "", ofp.GroupDelete)
		if err != nil {
			return err
		}
		id = mods[0].Group.ID
	} else if _, err := c.groupTexts(args[0], nil, "", ofp.GroupDelete); err != nil {
		return err
	}
	return c.dumpTransaction(args[0], &ofp.GroupStatsRequest{GroupID: id})
}

func (c *ctl) dumpGroupFeatures(args []string) error {
	return c.dumpTransaction(args[0], &ofp.GroupFeaturesRequest{})
}

// formatGroup writes one group as ovs-ofctl dump-groups does.
func formatGroup(b *strings.Builder, v ofp.Version, g *ofp.Group, names flowtable.PortNamer) {
	t := fmt.Sprint(g.Type)
	if int(g.Type) < len(groupTypeNames) {
		t = groupTypeNames[g.Type]
	}
	fmt.Fprintf(b, "group_id=%d,type=%s", g.ID, t)
	for _, bk := range g.Buckets {
		b.WriteString(",bucket=")
		if v == ofp.OF10 || v >= ofp.OF15 {
			fmt.Fprintf(b, "bucket_id:%d,", bk.ID)
		}
		if g.Type == ofp.GroupSelect && bk.Weight != 1 {
			fmt.Fprintf(b, "weight:%d,", bk.Weight)
		}
		if bk.WatchPort != flowtable.PortNone {
			fmt.Fprintf(b, "watch_port:%s,", flowtable.FormatPort(bk.WatchPort, names))
		}
		if bk.WatchGroup != ofp.GroupAnyID {
			fmt.Fprintf(b, "watch_group:%d,", bk.WatchGroup)
		}
		b.WriteString("actions=" + bk.Actions.Format(names))
	}
}

// formatGroupStats writes one group's statistics as dump-group-stats does.
func formatGroupStats(b *strings.Builder, v ofp.Version, g *ofp.GroupStats) {
	fmt.Fprintf(b, "group_id=%d,", g.GroupID)
	if v == ofp.OF10 || v >= ofp.OF13 {
		fmt.Fprintf(b, "duration=%s,", formatDuration(g.Duration))
	}
	fmt.Fprintf(b, "ref_count=%d,packet_count=%d,byte_count=%d", g.RefCount, g.Packets, g.Bytes)
	for i, bc := range g.Buckets {
		fmt.Fprintf(b, ",bucket%d:packet_count=%d,byte_count=%d", i, bc.Packets, bc.Bytes)
	}
}

// actionBitNames name the action types of group features' bitmaps
// (OpenFlow 1.1+ numbering) as OVS does.
var actionBitNames = map[int]string{
	0: "output", 11: "copy_ttl_out", 12: "copy_ttl_in", 15: "set_mpls_ttl", 16: "dec_mpls_ttl",
	17: "push_vlan", 18: "pop_vlan", 19: "push_mpls", 20: "pop_mpls", 21: "set_queue", 22: "group",
	23: "set_nw_ttl", 24: "dec_ttl", 25: "set_field", 26: "push_pbb", 27: "pop_pbb",
}

// formatGroupFeatures writes a group features reply's body.
func formatGroupFeatures(b *strings.Builder, m *ofp.GroupFeaturesReply) {
	fmt.Fprintf(b, "\n Group table:\n    Types:  0x%x\n    Capabilities:  0x%x\n", m.Types, m.Capabilities)
	typeNames := []string{"all", "select", "indirect", "fast failover"}
	for i, n := range typeNames {
		if m.Types&(1<<i) == 0 {
			continue
		}
		fmt.Fprintf(b, "    %s group:\n       max_groups=%#x\n       actions:", n, m.MaxGroups[i])
		for bit := range 32 {
			if m.Actions[i]&(1<<bit) != 0 {
				if name, ok := actionBitNames[bit]; ok {
					b.WriteString(" " + name)
				}
			}
		}
		b.WriteByte('\n')
	}
}

// groupCommandNames are group_mod commands as ovs-ofctl prints them.
var groupCommandNames = map[ofp.GroupCommand]string{
	ofp.GroupAdd: "ADD", ofp.GroupModify: "MOD", ofp.GroupDelete: "DEL",
	ofp.GroupInsertBucket: "INSERT_BUCKET", ofp.GroupRemoveBucket: "REMOVE_BUCKET",
}
