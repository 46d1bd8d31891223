package ofctl

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// The commands that watch a switch or measure it: monitor, snoop,
// queue-stats, ping; and how ovs-ofctl prints the asynchronous messages
// they show (packet-ins, flow removed, port status, flow monitor updates).

func init() {
	for k, v := range map[uint32]string{14: "NXT_FLOW_REMOVED", 30: "NXT_PACKET_IN2",
		21: "NXT_FLOW_MONITOR_CANCEL", 22: "NXT_FLOW_MONITOR_PAUSED", 23: "NXT_FLOW_MONITOR_RESUMED"} {
		nxtNames[k] = v
	}
	statsNames[16] = "OFPST_FLOW_MONITOR"
}

// readWriteCommands are the commands that --read-only refuses, as OVS 3.1
// marks them (the TLV map commands are not among them there either).
var readWriteCommands = map[string]bool{
	"add-flow": true, "add-flows": true, "mod-flows": true, "del-flows": true,
	"add-group": true, "add-groups": true, "mod-group": true, "del-groups": true,
	"add-meter": true, "mod-meter": true, "del-meter": true, "del-meters": true,
	"packet-out": true, "replace-flows": true, "diff-flows": true, "mod-port": true,
}

// monitorMsgName names the flow monitor messages that the generic table
// in msgName cannot: Nicira's and ONF's experimenter statistics and
// messages.
func monitorMsgName(raw []byte) (string, bool) {
	if len(raw) < 16 {
		return "", false
	}
	v, t := ofp.Version(raw[0]), raw[1]
	if v == ofp.OF10 && (t == 16 || t == 17) && len(raw) >= 20 && binary.BigEndian.Uint16(raw[8:]) == 0xffff &&
		binary.BigEndian.Uint32(raw[12:]) == 0x2320 && binary.BigEndian.Uint32(raw[16:]) == 2 {
		if t == 16 {
			return "NXST_FLOW_MONITOR request", true
		}
		return "NXST_FLOW_MONITOR reply", true
	}
	if t == 4 && binary.BigEndian.Uint32(raw[8:]) == 0x4f4e4600 && v == ofp.OF13 {
		switch binary.BigEndian.Uint32(raw[12:]) {
		case 1870:
			return "ONFT_FLOW_MONITOR_CANCEL", true
		case 1871:
			return "ONFT_FLOW_MONITOR_PAUSED", true
		case 1872:
			return "ONFT_FLOW_MONITOR_RESUMED", true
		}
	}
	if v < ofp.OF11 || v > ofp.OF13 || (t != 18 && t != 19) || len(raw) < 24 || binary.BigEndian.Uint16(raw[8:]) != 0xffff {
		return "", false
	}
	dir := " request"
	if t == 19 {
		dir = " reply"
	}
	vendor, sub := binary.BigEndian.Uint32(raw[16:]), binary.BigEndian.Uint32(raw[20:])
	switch {
	case vendor == 0x2320 && sub == 2:
		return "NXST_FLOW_MONITOR" + dir, true
	case vendor == 0x4f4e4600 && sub == 1870:
		return "ONFST_FLOW_MONITOR" + dir, true
	}
	return "", false
}

// removedReason names a flow removed reason as OVS does.
func removedReason(r ofp.FlowRemovedReason) string {
	names := []string{"idle", "hard", "delete", "group_delete", "meter_delete", "eviction"}
	if int(r) < len(names) {
		return names[r]
	}
	return strconv.Itoa(int(r))
}

// portReason names a port status reason as OVS does.
func portReason(r ofp.PortReason) string {
	names := []string{"ADD", "DEL", "MOD"}
	if int(r) < len(names) {
		return names[r]
	}
	return strconv.Itoa(int(r))
}

// formatPacketIn writes a packet-in's body as ovs-ofctl prints it: table
// and cookie when set, the lengths and metadata, userdata, then the
// packet.
func formatPacketIn(b *strings.Builder, table uint8, cookie uint64, totalLen int, meta *flowtable.Match, reason uint8,
	bufferID uint32, userdata, data []byte, names flowtable.PortNamer) {
	if table != 0 {
		fmt.Fprintf(b, " table_id=%d", table)
	}
	if cookie != ^uint64(0) {
		fmt.Fprintf(b, " cookie=%#x", cookie)
	}
	fmt.Fprintf(b, " total_len=%d %s (via %s) data_len=%d", totalLen, meta.Format(names), flowtable.ControllerReason(reason).String(), len(data))
	if bufferID == ofp.NoBuffer {
		b.WriteString(" (unbuffered)")
		if totalLen != len(data) {
			b.WriteString(" (***total_len != data_len***)")
		}
	} else {
		fmt.Fprintf(b, " buffer=0x%08x", bufferID)
	}
	b.WriteByte('\n')
	if len(userdata) > 0 {
		b.WriteString(" userdata=")
		for i, c := range userdata {
			if i > 0 {
				b.WriteByte('.')
			}
			fmt.Fprintf(b, "%02x", c)
		}
		b.WriteByte('\n')
	}
	b.WriteString(packetString(data))
	b.WriteByte('\n')
}

// formatFlowUpdate writes one flow monitor update.
func formatFlowUpdate(b *strings.Builder, u *ofp.FlowUpdate, names flowtable.PortNamer) {
	b.WriteString("\n event=")
	switch u.Event {
	case ofp.EventInitial:
		b.WriteString("INITIAL")
	case ofp.EventAdded:
		b.WriteString("ADDED")
	case ofp.EventRemoved:
		fmt.Fprintf(b, "DELETED reason=%s", removedReason(u.Reason))
	case ofp.EventModified:
		b.WriteString("MODIFIED")
	case ofp.EventAbbrev:
		fmt.Fprintf(b, "ABBREV xid=%#x", u.Xid)
		return
	case ofp.EventPaused:
		b.WriteString("PAUSED")
		return
	case ofp.EventResumed:
		b.WriteString("RESUMED")
		return
	}
	f := &u.Flow
	fmt.Fprintf(b, " table=%d", f.Table)
	if f.IdleTimeout != 0 {
		fmt.Fprintf(b, " idle_timeout=%d", f.IdleTimeout)
	}
	if f.HardTimeout != 0 {
		fmt.Fprintf(b, " hard_timeout=%d", f.HardTimeout)
	}
	fmt.Fprintf(b, " cookie=%s ", cHex(f.Cookie))
	b.WriteString(f.Match.Format(names))
	if len(f.Actions) > 0 {
		if !strings.HasSuffix(b.String(), " ") {
			b.WriteByte(' ')
		}
		b.WriteString("actions=" + f.Actions.Format(names))
	}
}

// formatAsyncMessage writes the messages of this file's commands; it
// reports whether it knew r's message.
func (c *ctl) formatAsyncMessage(b *strings.Builder, r received) bool {
	names := c.portNames()
	switch m := r.msg.(type) {
	case *ofp.PacketIn:
		cookie := m.Cookie
		if r.h.Version == ofp.OF10 && !m.NXM {
			cookie = ^uint64(0) // OpenFlow 1.0's packet-in has none
		}
		formatPacketIn(b, m.Table, cookie, int(m.TotalLen), &m.Match, m.Reason, m.BufferID, nil, m.Data, names)
	case *ofp.PacketIn2:
		formatPacketIn(b, m.Table, m.Cookie, int(m.TotalLen), &m.Match, m.Reason, m.BufferID, m.Userdata, m.Data, names)
	case *ofp.FlowRemoved:
		match := m.Match.Format(names)
		if m.Priority != flowtable.DefaultPriority {
			if match == "" {
				match = fmt.Sprintf("priority=%d", m.Priority)
			} else {
				match = fmt.Sprintf("priority=%d,%s", m.Priority, match)
			}
		}
		fmt.Fprintf(b, " %s reason=%s", match, removedReason(m.Reason))
		if r.h.Version != ofp.OF10 || msgName(r.raw) == "NXT_FLOW_REMOVED" {
			fmt.Fprintf(b, " table_id=%d", m.Table)
		}
		if m.Cookie != 0 {
			fmt.Fprintf(b, " cookie:%#x", m.Cookie)
		}
		fmt.Fprintf(b, " duration%s idle%d", formatDuration(m.Duration), m.IdleTimeout)
		if m.HardTimeout != 0 {
			fmt.Fprintf(b, " hard%d", m.HardTimeout)
		}
		fmt.Fprintf(b, " pkts%d bytes%d\n", m.Packets, m.Bytes)
	case *ofp.PortStatus:
		fmt.Fprintf(b, " %s:", portReason(m.Reason))
		formatPorts(b, r.h.Version, []ofp.PortDesc{m.Desc})
	case *ofp.FlowMonitorReply:
		for i := range m.Updates {
			formatFlowUpdate(b, &m.Updates[i], names)
		}
		b.WriteByte('\n')
	case *ofp.FlowMonitorCancel:
		fmt.Fprintf(b, " id=%d\n", m.ID)
	case *ofp.QueueStatsRequest:
		queue := "ALL"
		if m.Queue != ofp.QueueAll {
			queue = strconv.FormatUint(uint64(m.Queue), 10)
		}
		fmt.Fprintf(b, " port=%s queue=%s\n", flowtable.FormatPort(m.Port, nil), queue)
	case *ofp.QueueStatsReply:
		fmt.Fprintf(b, " %d queues\n", m.Queues)
	case *ofp.Hello:
		b.WriteString("\n version bitmap: ")
		sep := ""
		for v := range 32 {
			if m.Versions&(1<<v) != 0 {
				fmt.Fprintf(b, "%s0x%02x", sep, v)
				sep = ", "
			}
		}
		b.WriteByte('\n')
	case *ofp.EchoRequest:
		fmt.Fprintf(b, " %d bytes of payload\n%s", len(m.Data), hexDump(m.Data))
	case *ofp.EchoReply:
		fmt.Fprintf(b, " %d bytes of payload\n%s", len(m.Data), hexDump(m.Data))
	default:
		return false
	}
	return true
}

// parseWatch parses a monitor's "watch:[SPEC...]" as ovs-ofctl does:
// !initial, !add, !delete, !modify, !actions, !own, table=, out_port=,
// out_group= and match fields. A monitor watches everything, with
// actions and its own changes in full, unless told otherwise.
func parseWatch(spec string, id uint32, ports flowtable.PortMap) (ofp.FlowMonitor, error) {
	fm := ofp.FlowMonitor{ID: id, OutPort: flowtable.PortNone, OutGroup: flowtable.GroupAny, Table: flowtable.TableAll,
		Flags: ofp.MonitorInitial | ofp.MonitorAdd | ofp.MonitorRemoved | ofp.MonitorModify | ofp.MonitorOwn | ofp.MonitorActions}
	off := map[string]ofp.FlowMonitorFlags{"!initial": ofp.MonitorInitial, "!add": ofp.MonitorAdd, "!delete": ofp.MonitorRemoved,
		"!modify": ofp.MonitorModify, "!actions": ofp.MonitorActions, "!abbrev": ofp.MonitorNoAbbrev, "!own": ofp.MonitorOwn}
	rest := spec
	for {
		key, value, ok := nextKeyValue(&rest)
		if !ok {
			break
		}
		if bit, ok := off[key]; ok {
			fm.Flags &^= bit
			continue
		}
		if fm.Match.SetProtocol(key) {
			continue
		}
		switch key {
		case "table":
			n, err := strconv.ParseUint(value, 0, 8)
			if err != nil {
				return fm, fmt.Errorf("unknown table \"%s\"", value)
			}
			fm.Table = uint8(n)
		case "out_port":
			n, _ := strconv.Atoi(value)
			fm.OutPort = flowtable.Port(n)
		case "out_group":
			n, _ := strconv.Atoi(value)
			fm.OutGroup = uint32(n)
		default:
			if value == "" {
				return fm, fmt.Errorf("%s: field %s missing value", spec, key)
			}
			if err := fm.Match.SetFieldText(key, value, ports); err != nil {
				return fm, fmt.Errorf("%s: unknown keyword %s", spec, key)
			}
		}
	}
	return fm, nil
}

// monitor is ovs-ofctl monitor SWITCH [MISS-LEN] [invalid_ttl]
// [watch:[SPEC...]]: it configures the connection as asked, sets flow
// monitors (printing their initial replies to stdout), asks for
// NXT_PACKET_IN2 and then prints every message the switch sends to
// stderr until the connection ends.
func (c *ctl) monitor(args []string) error {
	target := args[0]
	cn, err := c.open(target)
	if err != nil {
		return err
	}
	defer cn.close()
	configured := false
	var monitorID uint32
	for _, arg := range args[1:] {
		switch {
		case arg != "" && arg[0] >= '0' && arg[0] <= '9':
			n, _ := strconv.Atoi(arg)
			if err := c.setConfig(cn, func(cfg *ofp.SwitchConfig) { cfg.MissSendLen = uint16(n) }); err != nil {
				return err
			}
			configured = true
		case arg == "invalid_ttl":
			if err := c.setConfig(cn, func(cfg *ofp.SwitchConfig) { cfg.Flags |= 0x4 }); err != nil {
				return err
			}
			configured = true
		case strings.HasPrefix(arg, "watch:"):
			if err := c.fetchTables(target); err != nil {
				return err
			}
			ports, err := c.fetchPorts(target)
			if err != nil {
				return err
			}
			fm, err := parseWatch(arg[len("watch:"):], monitorID, ports)
			if err != nil {
				return fatalf("%s", err)
			}
			monitorID++
			parts, err := cn.dump(&ofp.FlowMonitorRequest{Monitors: []ofp.FlowMonitor{fm}})
			c.print(c.out, parts)
			if err != nil {
				return err
			}
		default:
			return fatalf("%s: unsupported \"monitor\" argument", arg)
		}
	}
	if configured {
		if _, err := cn.transact(&ofp.GetConfigRequest{}); err != nil {
			return err
		}
	}
	// Ask for NXT_PACKET_IN2; a switch that refuses keeps its format.
	if err := cn.send(c.nextXid(), &ofp.SetPacketInFormat{Format: ofp.PacketInNX2}); err != nil {
		return err
	}
	if _, err := cn.barrier(); err != nil {
		return err
	}
	return c.printAll(cn, c.errOut)
}

// setConfig changes the switch configuration of cn's connection as
// ovs-ofctl does: fetch it, change it, set it, then a barrier.
func (c *ctl) setConfig(cn *conn, change func(*ofp.SwitchConfig)) error {
	r, err := cn.transact(&ofp.GetConfigRequest{})
	if err != nil {
		return err
	}
	reply, ok := r.msg.(*ofp.GetConfigReply)
	if !ok {
		return fatalf("%s: bad reply to get_config", cn.target)
	}
	cfg := ofp.SwitchConfig(*reply)
	change(&cfg)
	set := ofp.SetConfig(cfg)
	return c.setupMessage(cn, &set)
}

// printAll prints every message the connection brings to w until it
// ends, answering echo requests on the way.
func (c *ctl) printAll(cn *conn, w io.Writer) error {
	for {
		r, err := cn.recv()
		if err != nil {
			return err
		}
		io.WriteString(w, c.formatMessage(r))
	}
}

// snoop is ovs-ofctl snoop SWITCH: it connects to the bridge's snoop
// socket ($OVS_RUNDIR/SWITCH.snoop), which mirrors the bridge's
// controller connections, and prints what passes.
func (c *ctl) snoop(args []string) error {
	path := filepath.Join(rundir(), args[0]+".snoop")
	nc, err := net.DialTimeout("unix", path, connectTimeout)
	if err != nil {
		if errors.Is(err, syscall.ENOENT) {
			return fatalf("%s: failed to open socket (%s)", path, strerror(err))
		}
		return fatalf("%s: failed to connect to socket (%s)", path, strerror(err))
	}
	cn, err := c.handshake("unix:"+path, nc)
	if err != nil {
		return err
	}
	defer cn.close()
	for {
		raw, err := cn.r.Next()
		if err != nil {
			return cn.receiveError(err)
		}
		raw = append([]byte(nil), raw...)
		h, msg, _ := ofp.Decode(raw)
		io.WriteString(c.errOut, c.formatMessage(received{raw: raw, h: h, msg: msg}))
	}
}

// queueStats is ovs-ofctl queue-stats SWITCH [PORT [QUEUE]].
func (c *ctl) queueStats(args []string) error {
	target := args[0]
	cn, err := c.open(target)
	if err != nil {
		return err
	}
	defer cn.close()
	req := &ofp.QueueStatsRequest{Port: flowtable.PortNone, Queue: ofp.QueueAll}
	if len(args) > 1 && args[1] != "" && !strings.EqualFold(args[1], "all") {
		if req.Port, err = c.portArg(target, args); err != nil {
			return err
		}
	}
	if len(args) > 2 && args[2] != "" && !strings.EqualFold(args[2], "all") {
		n, _ := strconv.Atoi(args[2])
		req.Queue = uint32(n)
	}
	parts, err := cn.dump(req)
	c.print(c.out, parts)
	return err
}

// pingCount is how many echo requests ovs-ofctl ping sends.
const pingCount = 10

// ping is ovs-ofctl ping SWITCH [N]: ten echo requests carrying N (64)
// random bytes, each reply's size, xid and round trip printed.
func (c *ctl) ping(args []string) error {
	payload := 64
	if len(args) > 1 {
		payload, _ = strconv.Atoi(args[1])
	}
	if max := ofp.MaxMessageLen - ofp.HeaderLen; payload < 0 || payload > max {
		return fatalf("payload must be between 0 and %d bytes", max)
	}
	cn, err := c.open(args[0])
	if err != nil {
		return err
	}
	defer cn.close()
	for range pingCount {
		data := make([]byte, payload)
		rand.Read(data)
		xid := c.nextXid()
		start := time.Now()
		if err := cn.send(xid, &ofp.EchoRequest{Data: data}); err != nil {
			return err
		}
		r, err := cn.recvXid(xid)
		if err != nil {
			return err
		}
		elapsed := time.Since(start)
		reply, ok := r.msg.(*ofp.EchoReply)
		if !ok || string(reply.Data) != string(data) {
			fmt.Fprintf(c.out, "Reply does not match request.  Request:\n")
			req, _ := ofp.Encode(cn.v, xid, &ofp.EchoRequest{Data: data})
			h, _ := ofp.ParseHeader(req)
			io.WriteString(c.out, c.formatMessage(received{raw: req, h: h, msg: &ofp.EchoRequest{Data: data}}))
			fmt.Fprintf(c.out, "Reply:\n")
			io.WriteString(c.out, c.formatMessage(r))
		}
		fmt.Fprintf(c.out, "%d bytes from %s: xid=%08x time=%.1f ms\n", len(r.raw)-ofp.HeaderLen, args[0], r.h.Xid,
			float64(elapsed.Microseconds())/1000)
	}
	return nil
}

// checkReadOnly refuses a command that changes the switch under
// --read-only.
func (c *ctl) checkReadOnly(name string) error {
	if c.readOnly && readWriteCommands[name] {
		return fatalf("'%s' command does not work in read only mode", name)
	}
	return nil
}
