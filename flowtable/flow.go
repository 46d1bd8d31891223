package flowtable

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// DefaultPriority is OpenFlow's priority for flows that name none.
const DefaultPriority = 32768

// TableAll in a modify or delete means "every table" (ovs-ofctl's default).
const TableAll = 255

// FlowCommand is what a flow text is parsed for; it decides which keywords
// are allowed, as in ovs-ofctl add-flow, mod-flows and del-flows.
type FlowCommand uint8

// Flow commands.
const (
	FlowAdd FlowCommand = iota
	FlowModify
	FlowModifyStrict
	FlowDelete
	FlowDeleteStrict
)

// FlowFlags are OpenFlow's flow_mod flags.
type FlowFlags uint16

// Flow flags, in the order ovs-ofctl prints them.
const (
	FlagSendFlowRem FlowFlags = 1 << iota
	FlagCheckOverlap
	FlagResetCounts
	FlagNoPacketCounts
	FlagNoByteCounts
)

var flowFlagNames = []struct {
	flag FlowFlags
	name string
}{
	{FlagSendFlowRem, "send_flow_rem"},
	{FlagCheckOverlap, "check_overlap"},
	{FlagResetCounts, "reset_counts"},
	{FlagNoPacketCounts, "no_packet_counts"},
	{FlagNoByteCounts, "no_byte_counts"},
}

// String names the flags as OVS prints a flow_mod's: space-separated, in
// OpenFlow's bit order ("send_flow_rem check_overlap").
func (fl FlowFlags) String() string {
	var names []string
	for _, n := range flowFlagNames {
		if fl&n.flag != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, " ")
}

// Flow is one OpenFlow flow as ovs-ofctl writes it: where it lives, how it
// ranks, what it matches and what it does.
type Flow struct {
	Table       uint8
	Priority    uint16
	Cookie      uint64 // the flow's cookie; in a modify, the new cookie if SetCookie
	SetCookie   bool   // modify: "cookie=V" without a mask replaces the cookie
	CookieMatch uint64 // modify/delete: "cookie=V/M" selects flows whose cookie
	CookieMask  uint64 // has CookieMatch in the bits of CookieMask
	IdleTimeout uint16
	HardTimeout uint16
	Importance  uint16
	Flags       FlowFlags
	OutPort     Port   // delete/modify filter; PortNone means any
	OutGroup    uint32 // delete/modify filter; GroupAny means any
	Match       Match
	Actions     Actions
}

// Reserved group ids: GroupAny in OutGroup means no group filter.
const (
	GroupAll = 0xfffffffc
	GroupAny = 0xffffffff
)

// ParseFlow parses a flow in ovs-ofctl syntax for the given command, as
// `ovs-ofctl -O proto` does: with its error messages, its prerequisite
// checks, and the actions normalized to what proto carries (OpenFlow10 is
// ovs-ofctl's default). names resolves port names.
func ParseFlow(s string, cmd FlowCommand, names PortNamer, proto Protocol) (*Flow, error) {
	f := &Flow{Priority: DefaultPriority, OutPort: PortNone, OutGroup: GroupAny}
	if cmd != FlowAdd {
		f.Table = TableAll
	}
	kw := flowKeywordsOf(cmd)
	matchText, actionText, hasActions := s, "", false
	if kw&kwActions != 0 {
		// A delete takes no actions: there "actions" is just an unknown
		// keyword, as ovs-ofctl reports it.
		matchText, actionText, hasActions = cutActions(s)
		if !hasActions {
			return nil, errors.New("must specify an action")
		}
	}
	usable := protocolsAny // what the flow's keywords can be sent in
	err := forEachKeyValue(matchText, func(key, value string, hasValue bool) error {
		// Protocol shorthands ("eth" too) and flags take no value:
		// ovs-ofctl ignores one given to them.
		if f.Match.SetProtocol(key) {
			return nil
		}
		if kw&kwFlags != 0 {
			if flag, ok := flowFlagByName(key); ok {
				f.Flags |= flag
				usable &= flag.protocols()
				return nil
			}
		}
		switch {
		case key == "no_readonly_table" || key == "allow_hidden_fields":
			return nil
		case hasValue:
			return f.setKeyword(key, value, cmd, kw, names, &usable)
		}
		if ok, err := f.Match.setFieldWithoutValue(key, names); ok {
			return err
		}
		return fmt.Errorf("field %s missing value", key)
	})
	if err != nil {
		return nil, err
	}
	f.Match.DropUnmetPrerequisites()
	f.Match.NormalizeFor(proto)
	for _, fl := range []*Field{FieldTunTOS, FieldTunTTL} {
		if !f.Match.IsWildcard(fl) {
			// No OpenFlow match format carries these; ovs-ofctl fails
			// while checking the flow, with this (odd) message.
			return nil, &ActionCheckError{Code: "OFPBAC_MATCH_INCONSISTENT"}
		}
	}
	if !hasActions {
		if usable&proto.allowed() == 0 {
			return nil, notAllowedError(usable, proto)
		}
		return f, nil
	}
	acts, err := parseFlowActions(actionText, names, &f.Match, proto, usable)
	if err != nil {
		return nil, err
	}
	f.Actions = acts
	return f, nil
}

// cutActions splits a flow where ovs-ofctl does: the match ends at the
// first "action", and the actions start after the next '=' ("actionsx=1"
// and "actions =1" are actions too); ok is false without both.
func cutActions(s string) (match, actions string, ok bool) {
	i := strings.Index(s, "action")
	if i < 0 {
		return s, "", false
	}
	j := strings.IndexByte(s[i+1:], '=')
	if j < 0 {
		return s[:i], "", false
	}
	return s[:i], s[i+1+j+1:], true
}

// flowKeywords are the sets of keywords beyond match fields that a flow
// text may hold, which depend on its command as in ovs-ofctl.
type flowKeywords uint8

const (
	kwActions flowKeywords = 1 << iota
	kwOutPort              // out_port, out_group
	kwPriority
	kwTimeouts // idle_timeout, hard_timeout
	kwImportance
	kwFlags // send_flow_rem, check_overlap, reset_counts, no_packet_counts, no_byte_counts
)

// keywordNeeds maps the keywords that not every command allows to the set
// that holds them.
var keywordNeeds = map[string]flowKeywords{
	"out_port": kwOutPort, "out_group": kwOutPort, "priority": kwPriority,
	"idle_timeout": kwTimeouts, "hard_timeout": kwTimeouts, "importance": kwImportance,
}

// flowKeywordsOf returns the keywords cmd allows: a delete selects flows
// (out_port, and priority if strict), an add or modify writes them
// (actions, timeouts, priority, flags, and importance for an add).
func flowKeywordsOf(cmd FlowCommand) flowKeywords {
	switch cmd {
	case FlowAdd:
		return kwActions | kwTimeouts | kwPriority | kwFlags | kwImportance
	case FlowModify, FlowModifyStrict:
		return kwActions | kwTimeouts | kwPriority | kwFlags
	case FlowDeleteStrict:
		return kwOutPort | kwPriority
	}
	return kwOutPort
}

// flowFlagByName returns the flag a keyword names.
func flowFlagByName(name string) (FlowFlags, bool) {
	for _, n := range flowFlagNames {
		if n.name == name {
			return n.flag, true
		}
	}
	return 0, false
}

// protocols returns what can carry the flags: reset_counts came with
// OpenFlow 1.2, the counting flags with 1.3.
func (fl FlowFlags) protocols() protocols {
	switch {
	case fl&(FlagNoPacketCounts|FlagNoByteCounts) != 0:
		return protocolsOpenFlow13Up
	case fl&FlagResetCounts != 0:
		return protocolsOXM
	}
	return protocolsAny
}

// notAllowedError is ovs-ofctl's refusal of a flow whose features usable
// holds none of the protocols proto allows.
func notAllowedError(usable protocols, proto Protocol) error {
	return fmt.Errorf("none of the usable flow formats (%s) is among the allowed flow formats (%s)",
		usable, proto.allowed())
}

// setKeyword sets what "key=value" says, for a flow text of cmd, which
// allows the keywords kw; it narrows usable to the protocols that can
// carry it.
func (f *Flow) setKeyword(key, value string, cmd FlowCommand, kw flowKeywords, names PortNamer, usable *protocols) error {
	if need, ok := keywordNeeds[key]; ok && kw&need == 0 {
		return fmt.Errorf("unknown keyword %s", key)
	}
	switch key {
	case "table":
		n, ok := parsePortNumber(value)
		if !ok || n > 254 && !(n == TableAll && cmd != FlowAdd) {
			return fmt.Errorf("unknown table \"%s\"", value)
		}
		f.Table = uint8(n)
	case "priority":
		n, err := parseUint(value, 16)
		if err != nil {
			return fmt.Errorf("invalid priority \"%s\"", value)
		}
		f.Priority = uint16(n)
	case "idle_timeout", "hard_timeout", "importance":
		n, err := parseUint(value, 16)
		if err != nil {
			return fmt.Errorf("invalid %s \"%s\"", key, value)
		}
		switch key {
		case "idle_timeout":
			f.IdleTimeout = uint16(n)
		case "hard_timeout":
			f.HardTimeout = uint16(n)
		default:
			f.Importance = uint16(n)
		}
	case "cookie":
		// With a mask the cookie selects flows; without one it is the
		// cookie to give them, as in ovs-ofctl.
		v, m, masked := strings.Cut(value, "/")
		c, err := parseUint(v, 64)
		if err != nil {
			return err
		}
		if !masked {
			if cmd == FlowDelete || cmd == FlowDeleteStrict {
				return fmt.Errorf("cannot set cookie (to match on a cookie, specify a mask, e.g. cookie=%s/-1)", v)
			}
			f.Cookie, f.SetCookie = c, cmd != FlowAdd
			return nil
		}
		if cmd == FlowAdd {
			return errors.New("flow additions cannot use a cookie mask")
		}
		mask, err := parseUint(m, 64) // -1 is all ones
		if err != nil {
			return err
		}
		f.CookieMatch, f.CookieMask = c&mask, mask
	case "out_port":
		p, err := ParsePort(value, names)
		if err != nil {
			return fmt.Errorf("%s is not a valid OpenFlow port", value)
		}
		f.OutPort = p
	case "out_group":
		g, ok := parseOutGroup(value)
		if !ok {
			return fmt.Errorf("%s is not a valid OpenFlow group", value)
		}
		f.OutGroup = g
		*usable &= protocolsOpenFlow11Up
	case "duration", "n_packets", "n_bytes", "idle_age", "hard_age":
		// Statistics from dump-flows output; ovs-ofctl ignores them.
	default:
		return f.Match.SetFieldText(key, value, names)
	}
	return nil
}

// parseOutGroup reads out_group's group id as ovs-ofctl does: "any" or
// "all" in any case, or all of s as a decimal number from 0 to 2^32-1.
// (A group_mod's group_id has a reader of its own, in ofctl, as in OVS.)
func parseOutGroup(s string) (uint32, bool) {
	switch {
	case strings.EqualFold(s, "any"):
		return GroupAny, true
	case strings.EqualFold(s, "all"):
		return GroupAll, true
	}
	v, n, overflow := strtoll(s, 10)
	if n == 0 || n != len(s) || overflow || v < 0 || v > math.MaxUint32 {
		return 0, false
	}
	return uint32(v), true
}

// Format writes the flow as ovs-ofctl dump-flows --no-stats prints it
// (without the leading space) when the flow was dumped with proto, e.g.
// "cookie=0x5, table=1, priority=10,tcp,tp_dst=80 actions=output:2".
// OpenFlow 1.0's flow statistics carry no flags and no importance.
func (f *Flow) Format(names PortNamer, proto Protocol) string {
	var b strings.Builder
	if f.Cookie != 0 {
		fmt.Fprintf(&b, "cookie=%#x, ", f.Cookie)
	}
	if f.Table != 0 {
		fmt.Fprintf(&b, "table=%d, ", f.Table)
	}
	if f.IdleTimeout != 0 {
		fmt.Fprintf(&b, "idle_timeout=%d, ", f.IdleTimeout)
	}
	if f.HardTimeout != 0 {
		fmt.Fprintf(&b, "hard_timeout=%d, ", f.HardTimeout)
	}
	for _, fl := range flowFlagNames {
		if f.Flags&fl.flag != 0 && proto != OpenFlow10 {
			b.WriteString(fl.name)
			b.WriteByte(' ')
		}
	}
	if f.Importance != 0 && proto != OpenFlow10 {
		fmt.Fprintf(&b, "importance=%d, ", f.Importance)
	}
	match := f.Match.Format(names)
	if f.Priority != DefaultPriority {
		fmt.Fprintf(&b, "priority=%d", f.Priority)
		if match != "" {
			b.WriteByte(',')
		}
	}
	b.WriteString(match)
	if match != "" || f.Priority != DefaultPriority {
		b.WriteByte(' ')
	}
	b.WriteString("actions=")
	b.WriteString(f.Actions.Format(names))
	return b.String()
}
