package ofproto

import (
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govs/govs/datapath"
	"github.com/govs/govs/flowtable"
)

// NumTables is the number of OpenFlow tables a bridge has (0–254).
const NumTables = 255

// TableMiss is what a table does with a packet no flow matches, as
// OpenFlow 1.1's table_mod (and OVS's table config) sets it.
type TableMiss uint8

// Table-miss behaviours. TableMissDefault is OVS's: send to the
// controller when one that wants table misses is connected (an OpenFlow
// 1.0–1.2 controller, see [Bridge.SetMissToController]), else drop.
const (
	TableMissDefault TableMiss = iota
	TableMissController
	TableMissContinue // look up the next table
	TableMissDrop
)

// tableState is what a bridge keeps per table besides the flows.
type tableState struct {
	miss             atomic.Uint32 // a TableMiss
	lookups, matched atomic.Uint64

	// conj holds the table's conjunctive flows (whose actions are only
	// conjunction actions), which a lookup must consider together.
	conjMu sync.Mutex
	conj   map[*flowtable.Rule]struct{}
	nconj  atomic.Int32
}

func (ts *tableState) forget(rules []*flowtable.Rule) {
	if ts.nconj.Load() == 0 || len(rules) == 0 {
		return
	}
	ts.conjMu.Lock()
	for _, r := range rules {
		delete(ts.conj, r)
	}
	ts.nconj.Store(int32(len(ts.conj)))
	ts.conjMu.Unlock()
}

func (ts *tableState) note(r *flowtable.Rule) {
	ts.conjMu.Lock()
	if isConjunctive(r.Flow().Actions) {
		ts.conj[r] = struct{}{}
	} else {
		delete(ts.conj, r)
	}
	ts.nconj.Store(int32(len(ts.conj)))
	ts.conjMu.Unlock()
}

// conjunctive returns the table's conjunctive rules at priority prio.
func (ts *tableState) conjunctive(prio uint16) []*flowtable.Rule {
	ts.conjMu.Lock()
	defer ts.conjMu.Unlock()
	var out []*flowtable.Rule
	for r := range ts.conj {
		if r.Flow().Priority == prio {
			out = append(out, r)
		}
	}
	return out
}

// isConjunctive reports whether actions are a conjunctive flow's: nothing
// but conjunction actions.
func isConjunctive(acts flowtable.Actions) bool {
	for _, a := range acts {
		if _, ok := a.(*flowtable.Conjunction); !ok {
			return false
		}
	}
	return len(acts) > 0
}

// Bridge is one OpenFlow switch. Translations read its ports, groups and
// tables without locks; configuration changes and flow_mods replace or
// update them and bump [Bridge.Generation] so a datapath knows to
// revalidate its megaflows.
type Bridge struct {
	name       string
	mu         sync.Mutex // serializes configuration changes
	ports      atomic.Pointer[portSet]
	groups     atomic.Pointer[map[uint32]*Group]
	meters     meterSet // meter.go
	tables     [NumTables]*flowtable.Table
	tableState [NumTables]tableState
	tableCfg   tableConfigs     // tableconfig.go
	flowTables flowTableConfigs // flowtables.go
	fdb        *MACTable
	gen        atomic.Uint64

	missToController atomic.Bool
	failOpen         atomic.Bool                      // see SetFailOpen
	executor         atomic.Pointer[executorBox]      // see SetPacketExecutor
	tlv              atomic.Pointer[flowtable.TLVMap] // see TLVMap
	instance         [16]byte                         // names this bridge in continuations (continuation.go)
	watcher          atomic.Pointer[flowWatcherBox]   // see SetFlowWatcher

	// commit is held for reading by every translation and for writing
	// while a bundle commits (Atomically), so no packet is switched by a
	// bundle's intermediate state.
	commit sync.RWMutex

	// Now is the bridge's clock (time.Now unless a test sets it before
	// using the bridge).
	Now func() time.Time
}

// NewBridge returns a bridge named name with its LOCAL port (an internal
// port named after the bridge, trunking every VLAN, down until brought
// up as OVS's is), empty tables except
// OVS's default flow "priority=0 actions=NORMAL" in table 0, no groups and
// an empty MAC table with OVS's default limits.
func NewBridge(name string) *Bridge {
	b := &Bridge{name: name, fdb: NewMACTable(0, 0), Now: time.Now}
	rand.Read(b.instance[:])
	for i := range b.tables {
		b.tables[i] = flowtable.NewTable(uint8(i))
		b.tableState[i].conj = map[*flowtable.Rule]struct{}{}
	}
	b.meters.dp = datapath.NewMeters()
	b.meters.dp.Now = func() time.Time { return b.Now() }
	b.ports.Store(newPortSet(nil))
	b.groups.Store(&map[uint32]*Group{})
	if _, err := b.AddPort(PortConfig{Name: name, OFPort: flowtable.PortLocal, Internal: true}); err != nil {
		panic(err) // cannot fail on an empty bridge
	}
	b.EnsureDefaultFlow()
	return b
}

func (b *Bridge) now() time.Time { return b.Now() }

// Name is the bridge's name.
func (b *Bridge) Name() string { return b.name }

// Generation increases whenever anything a translation depends on changes:
// flows, groups, ports, table config, learned MACs.
func (b *Bridge) Generation() uint64 { return b.gen.Load() }

func (b *Bridge) changed() { b.gen.Add(1) }

// FDB returns the bridge's MAC learning table.
func (b *Bridge) FDB() *MACTable { return b.fdb }

// Table returns table id (0–254).
func (b *Bridge) Table(id uint8) *flowtable.Table { return b.tables[id] }

// TableStats returns how many lookups table id did and how many found a
// flow.
func (b *Bridge) TableStats(id uint8) (lookups, matched uint64) {
	ts := &b.tableState[id]
	return ts.lookups.Load(), ts.matched.Load()
}

// SetTableMiss sets what table id does on a miss.
func (b *Bridge) SetTableMiss(id uint8, m TableMiss) {
	b.tableState[id].miss.Store(uint32(m))
	b.changed()
}

// SetMissToController says whether a connected controller wants table
// misses as packet-ins (OpenFlow 1.0–1.2 controllers do); the connection
// manager sets it. It decides what TableMissDefault does.
func (b *Bridge) SetMissToController(on bool) {
	b.missToController.Store(on)
	b.changed()
}

// AddPort adds a port. The OpenFlow port number is cfg.OFPort, or the
// lowest free one from 1 when that is 0.
func (b *Bridge) AddPort(cfg PortConfig) (*Port, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := b.ports.Load()
	if _, dup := cur.byName[cfg.Name]; dup {
		return nil, fmt.Errorf("add port %s: name in use", cfg.Name)
	}
	if cfg.OFPort == 0 {
		for n := flowtable.Port(1); n < flowtable.PortMax; n++ {
			if _, used := cur.byOF[n]; !used {
				cfg.OFPort = n
				break
			}
		}
	}
	if _, dup := cur.byOF[cfg.OFPort]; dup {
		return nil, fmt.Errorf("add port %s: OpenFlow port %d in use", cfg.Name, cfg.OFPort)
	}
	if cfg.OFPort >= flowtable.PortMax && cfg.OFPort != flowtable.PortLocal {
		return nil, fmt.Errorf("add port %s: OpenFlow port %d is reserved", cfg.Name, cfg.OFPort)
	}
	if cfg.DPPort == 0 {
		cfg.DPPort = uint32(cfg.OFPort)
	}
	if _, dup := cur.byDP[cfg.DPPort]; dup {
		return nil, fmt.Errorf("add port %s: datapath port %d in use", cfg.Name, cfg.DPPort)
	}
	policy, err := cfg.VLAN.resolve()
	if err != nil {
		return nil, fmt.Errorf("add port %s: %w", cfg.Name, err)
	}
	p := &Port{Name: cfg.Name, OFPort: cfg.OFPort, DPPort: cfg.DPPort, VLAN: cfg.VLAN, Internal: cfg.Internal,
		policy: policy, live: new(atomic.Bool), flags: new(atomic.Uint32), stats: new(PortStats)}
	if cfg.Internal {
		p.flags.Store(uint32(PortDown))
	} else {
		p.live.Store(true)
	}
	b.ports.Store(newPortSet(append(slices.Clone(cur.sorted), p)))
	b.changed()
	return p, nil
}

// RemovePort removes the named port and forgets the addresses learned on
// it. Flows that name it stay, as in OVS.
func (b *Bridge) RemovePort(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := b.ports.Load()
	p, ok := cur.byName[name]
	if !ok {
		return fmt.Errorf("remove port %s: no such port", name)
	}
	if p.OFPort == flowtable.PortLocal {
		return fmt.Errorf("remove port %s: the bridge's own port cannot be removed", name)
	}
	b.ports.Store(newPortSet(slices.DeleteFunc(slices.Clone(cur.sorted), func(q *Port) bool { return q == p })))
	b.fdb.FlushPort(p.OFPort)
	b.changed()
	return nil
}

// SetPortVLAN changes a port's VLAN configuration; addresses learned on
// the port are forgotten since they may belong to other VLANs now.
func (b *Bridge) SetPortVLAN(name string, vlan VLANConfig) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := b.ports.Load()
	p, ok := cur.byName[name]
	if !ok {
		return fmt.Errorf("set VLAN of port %s: no such port", name)
	}
	policy, err := vlan.resolve()
	if err != nil {
		return fmt.Errorf("set VLAN of port %s: %w", name, err)
	}
	np := *p
	np.VLAN, np.policy = vlan, policy
	ports := slices.Clone(cur.sorted)
	ports[slices.Index(ports, p)] = &np
	b.ports.Store(newPortSet(ports))
	b.fdb.FlushPort(p.OFPort)
	b.changed()
	return nil
}

// SetPortLive records a port's link state, which fast_failover groups
// watch.
func (b *Bridge) SetPortLive(name string, live bool) error {
	p, ok := b.Port(name)
	if !ok {
		return fmt.Errorf("set liveness of port %s: no such port", name)
	}
	if p.live.Swap(live) != live {
		b.changed()
	}
	return nil
}

// Port returns the named port.
func (b *Bridge) Port(name string) (*Port, bool) {
	p, ok := b.ports.Load().byName[name]
	return p, ok
}

// PortByNumber returns the port with OpenFlow number n.
func (b *Bridge) PortByNumber(n flowtable.Port) (*Port, bool) {
	p, ok := b.ports.Load().byOF[n]
	return p, ok
}

// PortByDP returns the port with datapath number n.
func (b *Bridge) PortByDP(n uint32) (*Port, bool) {
	p, ok := b.ports.Load().byDP[n]
	return p, ok
}

// Ports returns the ports in OpenFlow port number order.
func (b *Bridge) Ports() []*Port { return slices.Clone(b.ports.Load().sorted) }

// PortByName implements [flowtable.PortNamer].
func (b *Bridge) PortByName(name string) (flowtable.Port, bool) {
	p, ok := b.Port(name)
	if !ok {
		return 0, false
	}
	return p.OFPort, true
}

// PortName implements [flowtable.PortNamer].
func (b *Bridge) PortName(n flowtable.Port) (string, bool) {
	p, ok := b.PortByNumber(n)
	if !ok {
		return "", false
	}
	return p.Name, true
}

// ErrBadOutGroup refuses a flow that uses a group the bridge lacks.
var ErrBadOutGroup = &flowtable.FlowModError{Code: "OFPBAC_BAD_OUT_GROUP"}

// applyFlowMod carries out a flow_mod for [Bridge.FlowModBy].
func (b *Bridge) applyFlowMod(f *flowtable.Flow, cmd flowtable.FlowCommand) (flowtable.FlowModResult, error) {
	if cmd == flowtable.FlowAdd || cmd == flowtable.FlowModify || cmd == flowtable.FlowModifyStrict {
		if f.Table == flowtable.TableAll && cmd == flowtable.FlowAdd {
			// An add to "all tables" goes to table 0, as in OVS
			// (ovs-ofctl sends that once it enabled table ids).
			inTable0 := *f
			inTable0.Table = 0
			f = &inTable0
		}
		if err := b.checkGroups(f.Actions); err != nil {
			return flowtable.FlowModResult{}, err
		}
		if err := b.checkMeters(f.Actions); err != nil {
			return flowtable.FlowModResult{}, err
		}
	}
	now := b.now()
	var res flowtable.FlowModResult
	isModify := cmd == flowtable.FlowModify || cmd == flowtable.FlowModifyStrict
	if isModify && f.Table == flowtable.TableAll {
		// A modify of every table adds (to table 0) only if it changed
		// nothing anywhere, as in OVS.
		for _, t := range b.tables {
			rules := t.ModifyExisting(f, cmd == flowtable.FlowModifyStrict)
			for _, r := range rules {
				b.tableState[t.ID()].note(r)
			}
			res.Modified = append(res.Modified, rules...)
		}
		if len(res.Modified) == 0 && f.CookieMask == 0 {
			inTable0 := *f
			inTable0.Table = 0
			return b.applyFlowMod(&inTable0, flowtable.FlowAdd)
		}
		b.changed()
		return res, nil
	}
	for _, t := range b.tables {
		if f.Table != flowtable.TableAll && t.ID() != f.Table {
			continue
		}
		r, err := b.applyLimited(t, f, cmd, now)
		if err != nil {
			return res, fmt.Errorf("table %d: %w", t.ID(), err)
		}
		ts := &b.tableState[t.ID()]
		if r.Added != nil {
			ts.note(r.Added)
			res.Added = r.Added
		}
		if r.Replaced != nil {
			ts.forget([]*flowtable.Rule{r.Replaced})
			res.Replaced = r.Replaced
		}
		for _, m := range r.Modified {
			ts.note(m)
		}
		ts.forget(r.Deleted)
		res.Modified = append(res.Modified, r.Modified...)
		res.Deleted = append(res.Deleted, r.Deleted...)
	}
	b.changed()
	return res, nil
}

// checkGroups refuses actions that use a group the bridge lacks.
func (b *Bridge) checkGroups(acts flowtable.Actions) error {
	groups := *b.groups.Load()
	for _, a := range acts {
		var id uint32
		var nested flowtable.Actions
		switch a := a.(type) {
		case *flowtable.Group:
			id = a.ID
		case *flowtable.WriteActions:
			nested = a.Actions
		case *flowtable.Clone:
			nested = a.Actions
		default:
			continue
		}
		if nested != nil {
			if err := b.checkGroups(nested); err != nil {
				return err
			}
			continue
		}
		if _, ok := groups[id]; !ok {
			return fmt.Errorf("group %d: %w", id, ErrBadOutGroup)
		}
	}
	return nil
}

// Expire removes flows whose idle or hard timeout has passed and MAC
// entries that aged out, as of now. It returns the removed flows (for
// flow-removed messages).
func (b *Bridge) Expire(now time.Time) []*flowtable.Rule {
	var gone []*flowtable.Rule
	for _, t := range b.tables {
		if t.Len() == 0 {
			continue
		}
		exp := t.Expire(now)
		b.tableState[t.ID()].forget(exp)
		gone = append(gone, exp...)
	}
	if len(gone) > 0 || b.fdb.Expire(now) > 0 {
		b.changed()
	}
	return gone
}
