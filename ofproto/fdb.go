package ofproto

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/govs/govs/flowtable"
)

// OVS's defaults for other_config:mac-aging-time and mac-table-size, and
// the range it forces a configured size into.
const (
	DefaultMACAgingTime = 300 * time.Second
	DefaultMACTableSize = 8192
	MinMACTableSize     = 10
	MaxMACTableSize     = 1000000
)

// MACStats counts what happened to a MACTable's entries since it was made
// or its statistics were last cleared, as `ovs-appctl fdb/stats-show`
// reports them.
type MACStats struct {
	Learned uint64 // new entries
	Expired uint64 // entries that aged out
	Evicted uint64 // entries removed to make room
	Moved   uint64 // entries that moved to another port
}

// MACEntry is one learned address: frames to MAC in VLAN go to Port.
type MACEntry struct {
	MAC     [6]byte
	VLAN    uint16
	Port    flowtable.Port
	Updated time.Time // when last learned or refreshed
}

type macKey struct {
	mac  uint64 // 48 bits
	vlan uint16
}

type macNode struct {
	MACEntry
	prev, next *macNode // least recently updated first
}

// MACTable is a bridge's forwarding database: (MAC, VLAN) → port, with
// aging and a size limit that evicts the least recently updated entry, as
// OVS's mac-learning does. It is safe for concurrent use.
type MACTable struct {
	mu      sync.Mutex
	entries map[macKey]*macNode
	lru     macNode // sentinel: lru.next is the oldest entry
	maxAge  time.Duration
	maxSize int
	stats   MACStats
}

// NewMACTable returns an empty table with the given aging time and size
// limit (zero selects OVS's defaults).
func NewMACTable(maxAge time.Duration, maxSize int) *MACTable {
	t := &MACTable{entries: map[macKey]*macNode{}}
	t.lru.prev, t.lru.next = &t.lru, &t.lru
	t.SetLimits(maxAge, maxSize)
	return t
}

// SetLimits changes the aging time and size limit (zero: OVS's defaults;
// a size outside MinMACTableSize..MaxMACTableSize is forced into that
// range). Excess entries go at the next Learn or Expire.
func (t *MACTable) SetLimits(maxAge time.Duration, maxSize int) {
	if maxAge <= 0 {
		maxAge = DefaultMACAgingTime
	}
	if maxSize <= 0 {
		maxSize = DefaultMACTableSize
	}
	maxSize = min(max(maxSize, MinMACTableSize), MaxMACTableSize)
	t.mu.Lock()
	t.maxAge, t.maxSize = maxAge, maxSize
	t.mu.Unlock()
}

func macU64(m [6]byte) uint64 {
	return uint64(m[0])<<40 | uint64(m[1])<<32 | uint64(m[2])<<24 | uint64(m[3])<<16 | uint64(m[4])<<8 | uint64(m[5])
}

func macBytes(v uint64) [6]byte {
	return [6]byte{byte(v >> 40), byte(v >> 32), byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
}

func (t *MACTable) unlink(n *macNode) {
	n.prev.next, n.next.prev = n.next, n.prev
}

func (t *MACTable) pushNewest(n *macNode) {
	n.prev, n.next = t.lru.prev, &t.lru
	t.lru.prev.next = n
	t.lru.prev = n
}

// Learn records that mac in vlan was seen on port at now. It reports
// whether forwarding changed (a new entry or a move to another port);
// a refresh of an existing entry does not count.
func (t *MACTable) Learn(mac [6]byte, vlan uint16, port flowtable.Port, now time.Time) bool {
	k := macKey{macU64(mac), vlan}
	t.mu.Lock()
	defer t.mu.Unlock()
	if n, ok := t.entries[k]; ok {
		moved := n.Port != port
		if moved {
			t.stats.Moved++
		}
		n.Port, n.Updated = port, now
		t.unlink(n)
		t.pushNewest(n)
		return moved
	}
	for len(t.entries) >= t.maxSize {
		t.remove(t.lru.next)
		t.stats.Evicted++
	}
	t.stats.Learned++
	n := &macNode{MACEntry: MACEntry{MAC: mac, VLAN: vlan, Port: port, Updated: now}}
	t.entries[k] = n
	t.pushNewest(n)
	return true
}

func (t *MACTable) remove(n *macNode) {
	t.unlink(n)
	delete(t.entries, macKey{macU64(n.MAC), n.VLAN})
}

// Lookup returns the port learned for mac in vlan, ignoring an entry older
// than the aging time at now.
func (t *MACTable) Lookup(mac [6]byte, vlan uint16, now time.Time) (flowtable.Port, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok := t.entries[macKey{macU64(mac), vlan}]
	if !ok || now.Sub(n.Updated) >= t.maxAge {
		return 0, false
	}
	return n.Port, true
}

// Expire removes entries older than the aging time, and entries beyond the
// size limit, and returns how many went.
func (t *MACTable) Expire(now time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for e := t.lru.next; e != &t.lru; {
		next := e.next
		if now.Sub(e.Updated) >= t.maxAge {
			t.remove(e)
			t.stats.Expired++
			n++
		} else if len(t.entries) > t.maxSize {
			t.remove(e)
			t.stats.Evicted++
			n++
		}
		e = next
	}
	return n
}

// FlushPort forgets every address learned on port (the port went away or
// changed VLANs); port PortNone forgets everything.
func (t *MACTable) FlushPort(port flowtable.Port) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for e := t.lru.next; e != &t.lru; {
		next := e.next
		if port == flowtable.PortNone || e.Port == port {
			t.remove(e)
			n++
		}
		e = next
	}
	return n
}

// Stats returns the entry counters.
func (t *MACTable) Stats() MACStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

// ClearStats zeroes the entry counters.
func (t *MACTable) ClearStats() {
	t.mu.Lock()
	t.stats = MACStats{}
	t.mu.Unlock()
}

// FormatStats writes the statistics as `ovs-appctl fdb/stats-show` does
// for bridge.
func (t *MACTable) FormatStats(bridge string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "Statistics for bridge \"%s\":\n", bridge)
	fmt.Fprintf(&b, "  Current/maximum MAC entries in the table: %d/%d\n", len(t.entries), t.maxSize)
	// govs learns no static entries (fdb/add), so that line is always 0.
	fmt.Fprintf(&b, "  Current static MAC entries in the table : 0\n")
	fmt.Fprintf(&b, "  Total number of learned MAC entries     : %d\n", t.stats.Learned)
	fmt.Fprintf(&b, "  Total number of expired MAC entries     : %d\n", t.stats.Expired)
	fmt.Fprintf(&b, "  Total number of evicted MAC entries     : %d\n", t.stats.Evicted)
	fmt.Fprintf(&b, "  Total number of port moved MAC entries  : %d\n", t.stats.Moved)
	return b.String()
}

// Entries returns the entries, least recently updated first.
func (t *MACTable) Entries() []MACEntry {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]MACEntry, 0, len(t.entries))
	for e := t.lru.next; e != &t.lru; e = e.next {
		out = append(out, e.MACEntry)
	}
	return out
}

// Format writes the table as `ovs-appctl fdb/show` does: a header, then
// one line per entry with the port number (LOCAL for the bridge port), the
// VLAN, the address and its age in seconds.
func (t *MACTable) Format(now time.Time) string {
	var b strings.Builder
	b.WriteString(" port  VLAN  MAC                Age\n")
	for _, e := range t.Entries() {
		port := fmt.Sprint(int(e.Port))
		if e.Port == flowtable.PortLocal {
			port = "LOCAL"
		}
		m := e.MAC
		fmt.Fprintf(&b, "%5s  %4d  %02x:%02x:%02x:%02x:%02x:%02x  %3d\n",
			port, e.VLAN, m[0], m[1], m[2], m[3], m[4], m[5], int(now.Sub(e.Updated)/time.Second))
	}
	return b.String()
}
