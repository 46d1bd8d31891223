package ofp

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/govs/govs/flowtable"
)

// tunTestMap is the TLV map of the tun_metadata codec tests: a 4-byte
// option as tun_metadata0 and an 8-byte one as tun_metadata5.
func tunTestMap(t testing.TB) *flowtable.TLVMap {
	tlv, err := flowtable.NewTLVMap(tlvTestMappings...)
	if err != nil {
		t.Fatal(err)
	}
	return tlv
}

// tunCase is a message whose match uses tun_metadataN; match returns that
// match from a decoded message of the same kind.
type tunCase struct {
	name  string
	v     Version
	msg   Message
	match func(Message) flowtable.Match
}

// tunCases builds one message of each kind that carries a match, in each
// encoding of it, all matching tun_metadata0 exactly and tun_metadata5
// under a mask.
func tunCases(t testing.TB, tlv *flowtable.TLVMap) []tunCase {
	names := flowtable.Names{TLV: tlv}
	m, err := flowtable.ParseMatch("tun_metadata0=0x5,tun_metadata5=0x1200/0xff00,ip", names)
	if err != nil {
		t.Fatal(err)
	}
	flow := flowtable.Flow{Priority: 7, OutPort: flowtable.PortNone, OutGroup: flowtable.GroupAny, Match: m}
	filter := flowtable.Flow{Table: flowtable.TableAll, OutPort: flowtable.PortNone, OutGroup: flowtable.GroupAny, Match: m}
	fm := func(v Version) Message {
		return &FlowMod{Command: flowtable.FlowAdd, Flow: flow, BufferID: NoBuffer, NXM: v == OF10}
	}
	fmMatch := func(x Message) flowtable.Match { return x.(*FlowMod).Flow.Match }
	fsMatch := func(x Message) flowtable.Match { return x.(*FlowStatsRequest).Filter.Match }
	agMatch := func(x Message) flowtable.Match { return x.(*AggregateStatsRequest).Filter.Match }
	monMatch := func(x Message) flowtable.Match { return x.(*FlowMonitorRequest).Monitors[0].Match }
	mon := &FlowMonitorRequest{Monitors: []FlowMonitor{{ID: 1, Command: MonitorCmdAdd,
		Flags: MonitorInitial | MonitorAdd, OutPort: flowtable.PortNone, OutGroup: flowtable.GroupAny,
		Table: flowtable.TableAll, Match: m}}}
	// Packet-ins and resumes carry pipeline fields only.
	meta, err := flowtable.ParseMatch("in_port=1,tun_metadata0=0x5,tun_metadata5=0x1234", names)
	if err != nil {
		t.Fatal(err)
	}
	pkt := []byte{1, 2, 3, 4}
	cs := []tunCase{
		{"nxt-flow-mod", OF10, fm(OF10), fmMatch},
		{"nxst-flow-request", OF10, &FlowStatsRequest{Filter: filter, NXM: true}, fsMatch},
		{"nxst-aggregate-request", OF10, &AggregateStatsRequest{Filter: filter, NXM: true}, agMatch},
		{"nxst-flow-monitor-request", OF10, mon, monMatch},
		{"nxt-packet-in", OF10, &PacketIn{BufferID: NoBuffer, TotalLen: 4, Match: meta, Data: pkt, NXM: true},
			func(x Message) flowtable.Match { return x.(*PacketIn).Match }},
		{"nxt-flow-removed", OF10, &FlowRemoved{Match: m, Priority: 7, NXM: true},
			func(x Message) flowtable.Match { return x.(*FlowRemoved).Match }},
		{"nxt-packet-in2", OF13, &PacketIn2{Data: pkt, TotalLen: 4, BufferID: NoBuffer, Match: meta},
			func(x Message) flowtable.Match { return x.(*PacketIn2).Match }},
		{"nxt-resume", OF13, &Resume{Data: pkt, TotalLen: 4, BufferID: NoBuffer, Match: meta, Continuation: make([]byte, 8)},
			func(x Message) flowtable.Match { return x.(*Resume).Match }},
		{"onf-flow-monitor-request-of13", OF13, mon, monMatch},
		{"flow-monitor-request-of14", OF14, mon, monMatch},
		{"flow-stats-reply-of13", OF13, &FlowStatsReply{Flows: []FlowStats{{Flow: flow, IdleAge: -1, HardAge: -1}}},
			func(x Message) flowtable.Match { return x.(*FlowStatsReply).Flows[0].Flow.Match }},
		{"flow-stats-reply-of15", OF15, &FlowStatsReply{Flows: []FlowStats{{Flow: flow, IdleAge: -1, HardAge: -1}}},
			func(x Message) flowtable.Match { return x.(*FlowStatsReply).Flows[0].Flow.Match }},
		{"flow-monitor-reply-of14", OF14, &FlowMonitorReply{Updates: []FlowUpdate{{Event: EventAdded, Flow: flow}}},
			func(x Message) flowtable.Match { return x.(*FlowMonitorReply).Updates[0].Flow.Match }},
	}
	// OpenFlow 1.1's standard match has no room for tun_metadata.
	for _, v := range []Version{OF12, OF13, OF14, OF15} {
		name := "-of1" + string(rune('0'+v-OF10))
		cs = append(cs,
			tunCase{"flow-mod" + name, v, fm(v), fmMatch},
			tunCase{"flow-stats-request" + name, v, &FlowStatsRequest{Filter: filter}, fsMatch},
			tunCase{"aggregate-request" + name, v, &AggregateStatsRequest{Filter: filter}, agMatch},
			tunCase{"packet-in" + name, v, &PacketIn{BufferID: NoBuffer, TotalLen: 4, Match: meta, Data: pkt},
				func(x Message) flowtable.Match { return x.(*PacketIn).Match }},
			tunCase{"flow-removed" + name, v, &FlowRemoved{Match: m, Priority: 7},
				func(x Message) flowtable.Match { return x.(*FlowRemoved).Match }})
	}
	return cs
}

// TestTunMetadataCodec round-trips every kind of message that carries a
// match with tun_metadata through EncodeTLV and DecodeTLV: the match
// comes back whole, re-encoding gives the same bytes, and decoding
// without the map refuses the field as OVS does.
func TestTunMetadataCodec(t *testing.T) {
	tlv := tunTestMap(t)
	for _, c := range tunCases(t, tlv) {
		t.Run(c.name, func(t *testing.T) {
			b, err := EncodeTLV(c.v, 9, c.msg, tlv)
			if err != nil {
				t.Fatal(err)
			}
			// NXM_NX_TUN_METADATA0 = 5 and tun_metadata5 (masked or not).
			if !bytes.Contains(b, []byte{0x00, 0x01, 0x50, 0x04, 0, 0, 0, 5}) ||
				!bytes.Contains(b, []byte{0x00, 0x01, 0x5b, 0x10}) && !bytes.Contains(b, []byte{0x00, 0x01, 0x5a, 0x08}) {
				t.Fatalf("no tun_metadata TLVs in %x", b)
			}
			_, got, err := DecodeTLV(b, tlv)
			if err != nil {
				t.Fatalf("DecodeTLV %x: %v", b, err)
			}
			if want := c.match(c.msg); !reflect.DeepEqual(c.match(got), want) {
				t.Fatalf("match:\n got %v\nwant %v", c.match(got), want)
			}
			again, err := EncodeTLV(c.v, 9, got, tlv)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, b) {
				t.Fatalf("re-encoded:\n%x\nwant\n%x", again, b)
			}
			for _, dec := range []func([]byte) (Header, Message, error){
				Decode,
				func(b []byte) (Header, Message, error) { return DecodeTLV(b, nil) },
			} {
				_, _, err = dec(b)
				var oe *Error
				if !errors.As(err, &oe) || oe.Code != FlowModInvalidTLVFld {
					t.Fatalf("without the map: %v, want %s", err, FlowModInvalidTLVFld)
				}
			}
		})
	}
}

// TestTunMetadataBundled checks flow_mods added to bundles (ONF in 1.3,
// OFPT_BUNDLE_ADD_MESSAGE in 1.4+): the inner message decodes with the
// map as it would alone.
func TestTunMetadataBundled(t *testing.T) {
	tlv := tunTestMap(t)
	m, err := flowtable.ParseMatch("tun_metadata0=0xa0b0c0d,tun_metadata5=0x1/0x1", flowtable.Names{TLV: tlv})
	if err != nil {
		t.Fatal(err)
	}
	fm := &FlowMod{Command: flowtable.FlowAdd, BufferID: NoBuffer,
		Flow: flowtable.Flow{Priority: 9, OutPort: flowtable.PortNone, OutGroup: flowtable.GroupAny, Match: m}}
	for _, v := range []Version{OF13, OF14, OF15} {
		t.Run(v.String(), func(t *testing.T) {
			inner, err := EncodeTLV(v, 3, fm, tlv)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Encode(v, 3, &BundleAdd{BundleID: 1, Flags: BundleAtomic, Msg: inner})
			if err != nil {
				t.Fatal(err)
			}
			_, msg, err := DecodeTLV(b, tlv)
			if err != nil {
				t.Fatal(err)
			}
			_, got, err := DecodeTLV(msg.(*BundleAdd).Msg, tlv)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.(*FlowMod).Flow.Match, m) {
				t.Fatalf("match %v, want %v", got.(*FlowMod).Flow.Match, m)
			}
		})
	}
}

// TestTunMetadataDecodeErrors checks the refusals of malformed
// tun_metadata TLVs in an NXT_FLOW_MOD.
func TestTunMetadataDecodeErrors(t *testing.T) {
	tlv := tunTestMap(t)
	fm := &FlowMod{Command: flowtable.FlowAdd, BufferID: NoBuffer, NXM: true,
		Flow: flowtable.Flow{OutPort: flowtable.PortNone, OutGroup: flowtable.GroupAny}}
	base, err := Encode(OF10, 1, fm)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		tlvs []byte
		code ErrorCode
	}{
		{"unmapped", []byte{0x00, 0x01, 0x52, 0x04, 0, 0, 0, 1}, FlowModInvalidTLVFld},
		{"too long", []byte{0x00, 0x01, 0x50, 0x08, 0, 0, 0, 1, 0, 0, 0, 1}, BadMatchBadValue},
		{"odd mask", []byte{0x00, 0x01, 0x51, 0x03, 1, 2, 3}, BadMatchBadLen},
		{"twice", []byte{0x00, 0x01, 0x50, 0x04, 0, 0, 0, 1, 0x00, 0x01, 0x50, 0x04, 0, 0, 0, 2}, BadMatchDupField},
		{"empty", []byte{0x00, 0x01, 0x50, 0x00}, BadMatchBadLen},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := DecodeTLV(withNXMatch(base, c.tlvs), tlv)
			var oe *Error
			if !errors.As(err, &oe) || oe.Code != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}
	// A value shorter than its option, as ovs-ofctl sends it, is
	// right-aligned.
	_, msg, err := DecodeTLV(withNXMatch(base, []byte{0x00, 0x01, 0x5a, 0x02, 0x12, 0x34}), tlv)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := flowtable.ParseMatch("tun_metadata5=0x1234", flowtable.Names{TLV: tlv})
	if got := msg.(*FlowMod).Flow.Match; !reflect.DeepEqual(got, want) {
		t.Fatalf("short value: %v, want %v", got, want)
	}
}

// withNXMatch returns an NXT_FLOW_MOD with no match and no actions
// (base) with tlvs as its match.
func withNXMatch(base, tlvs []byte) []byte {
	b := append([]byte(nil), base...)
	b[40], b[41] = byte(len(tlvs)>>8), byte(len(tlvs))
	b = append(b, tlvs...)
	b = append(b, make([]byte, padLen(len(tlvs)))...)
	b[2], b[3] = byte(len(b)>>8), byte(len(b))
	return b
}

// TestTunMetadataPacketOut checks an OpenFlow 1.5 packet-out whose match
// has tun_metadata, as ovs-ofctl sends it (the value in as few bytes as
// it needs): mapped or not, the packet-out is taken, as OVS takes it.
func TestTunMetadataPacketOut(t *testing.T) {
	tlv := tunTestMap(t)
	for _, c := range []struct {
		name string
		tlv  *flowtable.TLVMap
		hdr  byte // the TLV header's third byte: the field
	}{
		{"mapped", tlv, 0x50},
		{"unmapped", tlv, 0x52},
		{"no map", nil, 0x50},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := []byte{
				0x06, 0x0d, 0x00, 0x2c, 0, 0, 0, 6, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,
				0x00, 0x01, 0x00, 0x11, 0x80, 0x00, 0x00, 0x04, 0xff, 0xff, 0xff, 0xfe,
				0x00, 0x01, c.hdr, 0x01, 0x05, 0, 0, 0, 0, 0, 0, 0,
				1, 2, 3, 4,
			}
			_, m, err := DecodeTLV(b, c.tlv)
			if err != nil {
				t.Fatal(err)
			}
			po := m.(*PacketOut)
			if po.InPort != flowtable.PortLocal || !bytes.Equal(po.Data, []byte{1, 2, 3, 4}) {
				t.Fatalf("got %+v", po)
			}
		})
	}
}
