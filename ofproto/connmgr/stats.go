package connmgr

import (
	"sort"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/ofproto/ofp"
)

// flowStats lists the flows a request's filter selects, by table and then
// by descending priority so dumps read in a stable order.
func (s *session) flowStats(filter *flowtable.Flow) []ofp.FlowStats {
	b := s.mgr.bridge
	now := time.Now()
	var out []ofp.FlowStats
	for id := 0; id < numTables; id++ {
		if filter.Table != flowtable.TableAll && int(filter.Table) != id {
			continue
		}
		rules := b.Table(uint8(id)).Select(filter, false)
		sort.Slice(rules, func(i, j int) bool {
			pi, pj := rules[i].Flow().Priority, rules[j].Flow().Priority
			if pi != pj {
				return pi > pj
			}
			return rules[i].Created.Before(rules[j].Created)
		})
		for _, r := range rules {
			packets, bytes := r.Stats()
			out = append(out, ofp.FlowStats{
				Flow: *r.Flow(),
				// OVS keeps time in milliseconds, and ovs-ofctl prints
				// the duration as precisely as it is sent.
				Duration: now.Sub(r.Created).Truncate(time.Millisecond),
				IdleAge:  int(now.Sub(r.LastUsed()) / time.Second),
				HardAge:  int(now.Sub(r.Created) / time.Second),
				Packets:  packets,
				Bytes:    bytes,
			})
		}
	}
	return out
}

// numTables is how many flow tables a bridge has (0–253 usable, as OVS
// reports 254).
const numTables = 254

// stats answers a statistics request; it reports false for a request it
// does not know.
func (s *session) stats(h ofp.Header, msg ofp.Message) (ofp.Message, bool) {
	b := s.mgr.bridge
	switch m := msg.(type) {
	case *ofp.FlowStatsRequest:
		return &ofp.FlowStatsReply{Flows: s.flowStats(&m.Filter), NXM: m.NXM}, true
	case *ofp.AggregateStatsRequest:
		reply := &ofp.AggregateStatsReply{NXM: m.NXM}
		for _, f := range s.flowStats(&m.Filter) {
			reply.Packets += f.Packets
			reply.Bytes += f.Bytes
			reply.Flows++
		}
		return reply, true
	case *ofp.DescStatsRequest:
		return &ofp.DescStatsReply{Manufacturer: "Nicira, Inc.", Hardware: "Open vSwitch",
			Software: daemon.Version, SerialNum: "None", Datapath: "None"}, true
	case *ofp.TableStatsRequest:
		reply := &ofp.TableStatsReply{}
		for id := 0; id < numTables; id++ {
			lookups, matched := b.TableStats(uint8(id))
			t := tableFeatures(s.v, uint8(id))
			t.Name, t.MaxEntries = b.FlowTable(uint8(id)).Name, b.MaxEntries(uint8(id))
			t.Active, t.Lookups, t.Matched = uint32(b.Table(uint8(id)).Len()), lookups, matched
			reply.Tables = append(reply.Tables, t)
		}
		return reply, true
	case *ofp.TableFeaturesRequest:
		reply := &ofp.TableFeaturesReply{}
		for id := 0; id < numTables; id++ {
			reply.Tables = append(reply.Tables, ofp.TableFeatures{Table: uint8(id), Name: b.FlowTable(uint8(id)).Name,
				MetadataMatch: ^uint64(0), MetadataWrite: ^uint64(0), MaxEntries: b.MaxEntries(uint8(id))})
		}
		addTableFeatureProps(s.v, reply.Tables)
		return reply, true
	case *ofp.PortDescStatsRequest:
		reply := &ofp.PortDescStatsReply{}
		for _, p := range s.portDescs() {
			if m.Port == flowtable.PortNone || m.Port == 0 || m.Port == p.Port {
				reply.Ports = append(reply.Ports, p)
			}
		}
		return reply, true
	case *ofp.PortStatsRequest:
		reply := &ofp.PortStatsReply{}
		for _, p := range b.Ports() {
			if m.Port != flowtable.PortNone && m.Port != p.OFPort {
				continue
			}
			st := p.Stats()
			reply.Ports = append(reply.Ports, ofp.PortStats{Port: p.OFPort,
				RxPackets: st.RxPackets.Load(), TxPackets: st.TxPackets.Load(),
				RxBytes: st.RxBytes.Load(), TxBytes: st.TxBytes.Load()})
		}
		return reply, true
	}
	return nil, false
}

// tableFeatures is what table statistics say about a table besides its
// counters, with OVS 3.1's values. OpenFlow 1.1 and 1.2 describe the
// table's features there: the fields matched and wildcarded (bitmaps of
// OFPFMF11_* or OXM field numbers), every instruction but meter (the last
// table has no goto_table), the version's actions and, in 1.2, the fields
// set_field sets and the metadata bits matched and written.
func tableFeatures(v ofp.Version, id uint8) ofp.TableStats {
	t := ofp.TableStats{Table: id, MaxEntries: 1000000}
	instructions := uint32(1<<1 | 1<<2 | 1<<3 | 1<<4 | 1<<5) // goto_table … clear_actions
	if int(id) == numTables-1 {
		instructions &^= 1 << 1
	}
	switch v {
	case ofp.OF10:
		t.Wildcards = 0x3fffff
	case ofp.OF11:
		t.Match, t.Wildcards = 0xfbff, 0xfbff
		t.Instructions = instructions
		t.WriteActions, t.ApplyActions = groupActionsOnlyOF11, groupActionsOnlyOF11
	case ofp.OF12:
		t.Match, t.Wildcards = 0x0000101ffffffffd, 0x0000101ffffffffd
		t.WriteActions, t.ApplyActions = groupActionsOF11, groupActionsOF11
		t.WriteSetFields, t.ApplySetFields = 0x0000000ffffffbdd, 0x0000000ffffffbdd
		t.MetadataMatch, t.MetadataWrite = ^uint64(0), ^uint64(0)
		t.Instructions = instructions
	}
	return t
}

// portDescs describes the bridge's ports.
func (s *session) portDescs() []ofp.PortDesc {
	var ports []ofp.PortDesc
	for _, p := range s.mgr.bridge.Ports() {
		ports = append(ports, s.mgr.portDesc(p.OFPort, p.Name))
	}
	return ports
}

// sendReplies sends a statistics reply, split into parts as OVS does when
// it outgrows one message.
func (s *session) sendReplies(xid uint32, m ofp.Message) error {
	return s.sendParts(s.v, xid, m)
}

// sendParts encodes m in version v with the bridge's TLV map, in as many
// messages as it takes, and writes them.
func (s *session) sendParts(v ofp.Version, xid uint32, m ofp.Message) error {
	parts, err := ofp.EncodeRepliesTLV(v, xid, m, s.mgr.bridge.TLVMap())
	if err != nil {
		return err
	}
	for _, p := range parts {
		if err := s.write(p); err != nil {
			return err
		}
	}
	return nil
}
