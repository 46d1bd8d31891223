package connmgr

import (
	"net"
	"strings"
	"testing"

	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// TestModTableWithRealOfctl drives table_mod and the table description
// with the real ovs-ofctl; the expected texts are what it prints against
// OVS 3.1's userspace switch.
func TestModTableWithRealOfctl(t *testing.T) {
	b, target := newManagedBridge(t)
	run := func(want string, args ...string) {
		t.Helper()
		out, code := ofctl(t, append(args[:1:1], append([]string{args[1], target}, args[2:]...)...)...)
		if code != 0 && want == "" || !strings.HasPrefix(out, want) {
			t.Errorf("ovs-ofctl %v: exit %d\n%s\nwant prefix\n%s", args, code, out, want)
		}
	}
	run("", "-OOpenFlow14", "mod-table", "0", "evict")
	run("", "-OOpenFlow14", "mod-table", "1", "vacancy:20,80")
	// ovs-ofctl merges with the current config: its eviction property
	// (OVS decodes it into the eviction setting) leaves eviction alone.
	run("", "-OOpenFlow14", "mod-table", "0", "vacancy:10,70")
	run("", "-OOpenFlow15", "mod-table", "0", "novacancy")
	run("OFPST_TABLE_DESC reply (OF1.4) (xid=0x2):\n"+
		"  table 0:\n   eviction=on eviction_flags=OTHER|IMPORTANCE|LIFETIME\n   vacancy=off\n\n"+
		"  table 1:\n   eviction=off eviction_flags=OTHER|IMPORTANCE|LIFETIME\n   vacancy=on vacancy_down=20% vacancy_up=80% vacancy=100%\n\n"+
		"  table 2:\n   eviction=off eviction_flags=OTHER|IMPORTANCE|LIFETIME\n   vacancy=off\n",
		"-OOpenFlow14", "dump-table-desc")
	out, _ := ofctl(t, "-OOpenFlow14", "dump-table-desc", target)
	if !strings.Contains(out, "  table 253:\n") || strings.Contains(out, "table 254") {
		t.Errorf("table description does not end at table 253:\n%s", out[max(0, len(out)-300):])
	}
	run("", "-OOpenFlow14", "mod-table", "all", "evict")
	if !b.TableConfig(253).Eviction || b.TableConfig(254).Eviction {
		t.Error("mod-table all did not set tables 0–253 only")
	}

}

// TestTableModMessages: OpenFlow 1.1 and 1.2 set the table-miss behaviour
// (real ovs-ofctl cannot send them to govs yet: it first asks for OpenFlow
// 1.1/1.2 table statistics, which govs does not encode); table 254 is
// OVS's hidden table, which a table_mod may not touch.
func TestTableModMessages(t *testing.T) {
	b, target := newManagedBridge(t)
	conn, err := net.Dial("unix", strings.TrimPrefix(target, "unix:"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := handshakeAt(t, conn, ofp.OF12)
	for _, m := range []struct {
		miss ofp.TableMiss
		want ofproto.TableMiss
	}{{ofp.TableMissDrop, ofproto.TableMissDrop}, {ofp.TableMissContinue, ofproto.TableMissContinue},
		{ofp.TableMissController, ofproto.TableMissController}} {
		c.send(&ofp.TableMod{Table: 3, Miss: m.miss, EvictionFlags: ofp.NoEvictionFlags})
		if msgs := c.barrier(); len(msgs) != 0 {
			t.Fatalf("table_mod %s: %v", m.miss, msgs)
		}
		if got := b.TableMissConfig(3); got != m.want {
			t.Errorf("table_mod %s: miss config %d, want %d", m.miss, got, m.want)
		}
	}
	c.send(&ofp.TableMod{Table: ofp.TableAll, Miss: ofp.TableMissDrop, EvictionFlags: ofp.NoEvictionFlags})
	c.send(&ofp.TableMod{Table: 254, Miss: ofp.TableMissDrop, EvictionFlags: ofp.NoEvictionFlags})
	msgs := c.barrier()
	if e, ok := firstError(msgs); !ok || e.Code != ofp.TableModEPerm {
		t.Errorf("table_mod of table 254: %v, want OFPTMFC_EPERM", msgs)
	}
	if b.TableMissConfig(0) != ofproto.TableMissDrop || b.TableMissConfig(253) != ofproto.TableMissDrop ||
		b.TableMissConfig(254) != ofproto.TableMissDefault {
		t.Error("table_mod of every table changed the wrong ones")
	}
}

func firstError(msgs []ofp.Message) (*ofp.ErrorMsg, bool) {
	for _, m := range msgs {
		if e, ok := m.(*ofp.ErrorMsg); ok {
			return e, true
		}
	}
	return nil, false
}
