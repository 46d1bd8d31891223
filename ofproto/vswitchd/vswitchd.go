// Package vswitchd is govs' ovs-vswitchd: a plain OVSDB client that makes
// the switch what the Open_vSwitch database says — bridges, their ports
// and the ports' VLAN settings — and writes back what it did (each
// Interface's ofport, and cur_cfg once next_cfg is applied, which is what
// ovs-vsctl waits for). It works against govs' own database server,
// embedded when none is running, or against a real ovsdb-server.
package vswitchd

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/internal/daemon"
	"github.com/govs/govs/internal/tlsconfig"
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/connmgr"
	"github.com/govs/govs/ofproto/dummy"
	"github.com/govs/govs/ofproto/ofp"
	"github.com/govs/govs/ovsdb"
	"github.com/govs/govs/ovsdb/client"
)

const dbName = "Open_vSwitch"

// monitored are the tables and columns the switch follows.
var monitored = map[string][]string{
	"Open_vSwitch": {"bridges", "next_cfg", "cur_cfg", "ovs_version", "db_version", "datapath_types", "iface_types", "ssl"},
	"SSL":          {"private_key", "certificate", "ca_cert", "bootstrap_ca_cert"},
	"Bridge":       {"name", "ports", "datapath_type", "fail_mode", "other_config", "controller", "flow_tables"},
	"Flow_Table":   {"name", "flow_limit", "overflow_policy"},
	"Controller":   {"target", "inactivity_probe", "max_backoff", "is_connected"},
	"Port":         {"name", "interfaces", "tag", "trunks", "vlan_mode"},
	"Interface":    {"name", "type", "ofport", "ofport_request"},
}

// Switch holds the bridges the database describes.
type Switch struct {
	log    *daemon.Log
	runDir string // where each bridge's management socket goes

	mu      sync.Mutex // guards bridges and mgmt: reconcile writes, Bridge reads
	bridges map[string]*ofproto.Bridge
	mgmt    map[string]*connmgr.Manager
	// controlled records which bridges had controllers at the last
	// reconciliation: getting the first one flushes the flows.
	controlled map[string]bool
	// ssl is the SSL row's files, for ssl: and pssl: controllers, or
	// sslDefault, the command line's, without a row.
	ssl, sslDefault tlsconfig.Files

	wakeCh chan struct{} // controller status changed
}

// New returns a switch with no bridges that puts each bridge's OpenFlow
// management socket, <bridge>.mgmt, in runDir.
func New(log *daemon.Log, runDir string) *Switch {
	return &Switch{log: log, runDir: runDir, bridges: map[string]*ofproto.Bridge{},
		mgmt: map[string]*connmgr.Manager{}, controlled: map[string]bool{}, wakeCh: make(chan struct{}, 1)}
}

// wake asks Serve to write status back (a controller came or went).
func (s *Switch) wake() {
	select {
	case s.wakeCh <- struct{}{}:
	default:
	}
}

// Close ends every bridge's OpenFlow connections.
func (s *Switch) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, m := range s.mgmt {
		m.Close()
		delete(s.mgmt, name)
	}
}

// Bridge returns the named bridge, if the database has made it.
func (s *Switch) Bridge(name string) (*ofproto.Bridge, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.bridges[name]
	return b, ok
}

// Serve follows the database over c until ctx ends or the connection
// drops: each change is applied to the bridges and the results written
// back.
func (s *Switch) Serve(ctx context.Context, c *client.Client) error {
	r, err := c.Monitor(ctx, dbName, monitored)
	if err != nil {
		return fmt.Errorf("vswitchd: monitor %s: %w", dbName, err)
	}
	for {
		// Database changes and controller status changes both lead to a
		// reconciliation; it is idempotent.
		select {
		case <-r.Changed():
		case <-s.wakeCh:
		case <-c.Done():
			return c.Err()
		case <-ctx.Done():
			return ctx.Err()
		}
		if ops := s.reconcile(r); len(ops) > 0 {
			if _, err := c.Transact(ctx, dbName, ops...); err != nil {
				s.log.Printf("bridge", "WARN", "could not write status to the database: %v", err)
			}
		}
	}
}

// reconcile makes the bridges match the replica and returns the operations
// that write the outcome back.
func (s *Switch) reconcile(r *client.Replica) []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	roots := r.Rows("Open_vSwitch")
	bridgeRows, portRows, ifaceRows := r.Rows("Bridge"), r.Rows("Port"), r.Rows("Interface")
	controllerRows := r.Rows("Controller")
	var ops []any
	wanted := map[string]bool{}
	var rootID ovsdb.UUID
	var root client.Row
	for id, row := range roots {
		rootID, root = id, row
	}
	s.ssl = sslFiles(root, r.Rows("SSL"), s.sslDefault)
	for _, bid := range root.UUIDs("bridges") {
		brow, ok := bridgeRows[bid]
		if !ok {
			continue
		}
		name := brow.Str("name")
		wanted[name] = true
		b, ok := s.bridges[name]
		if !ok {
			b = ofproto.NewBridge(name)
			s.bridges[name] = b
			s.log.Printf("bridge", "INFO", "bridge %s: added", name)
			sock := filepath.Join(s.runDir, name+".mgmt")
			m, err := connmgr.Listen(b, sock, s.log, s.wake)
			if err != nil {
				s.log.Printf("bridge", "ERR", "bridge %s: %v", name, err)
			} else {
				// Until the datapath issue gives bridges real ports, an
				// in-memory datapath executes packet-outs and carries
				// controller upcalls, as OVS's dummy datapath does.
				dummy.New(b).SetUpcallHandler(m.PacketIn)
				s.mgmt[name] = m
				s.log.Printf("bridge", "INFO", "bridge %s: using datapath ID %016x; listening on %s", name, connmgr.DatapathID(name), sock)
			}
		}
		ops = append(ops, s.reconcilePorts(b, brow, portRows, ifaceRows)...)
		ops = append(ops, s.reconcileControllers(b, brow, controllerRows)...)
		configureMACLearning(b, brow.Map("other_config"))
		s.configureFlowTables(b, brow, r.Rows("Flow_Table"))
	}
	for name := range s.bridges {
		if !wanted[name] {
			if m := s.mgmt[name]; m != nil {
				m.Close()
				delete(s.mgmt, name)
			}
			delete(s.bridges, name)
			delete(s.controlled, name)
			s.log.Printf("bridge", "INFO", "bridge %s: deleted", name)
		}
	}
	if root != nil {
		status := map[string]any{}
		next, _ := root.Int("next_cfg")
		if cur, _ := root.Int("cur_cfg"); cur != next {
			status["cur_cfg"] = next
		}
		if root.Str("ovs_version") != Version {
			status["ovs_version"] = Version
		}
		if root.Str("db_version") != r.SchemaVersion() {
			status["db_version"] = r.SchemaVersion()
		}
		if len(root["datapath_types"].Keys) != len(datapathTypes) {
			status["datapath_types"] = stringSet(datapathTypes)
		}
		if len(root["iface_types"].Keys) != len(ifaceTypes) {
			status["iface_types"] = stringSet(ifaceTypes)
		}
		if len(status) > 0 {
			ops = append(ops, map[string]any{
				"op": "update", "table": "Open_vSwitch",
				"where": []any{[]any{"_uuid", "==", []any{"uuid", rootID.String()}}},
				"row":   status,
			})
		}
	}
	return ops
}

// What this switch offers, as it reports in the Open_vSwitch table.
var (
	datapathTypes = []string{"netdev"}
	ifaceTypes    = []string{"internal", "system"}
)

func stringSet(ss []string) []any {
	elems := make([]any, len(ss))
	for i, s := range ss {
		elems[i] = s
	}
	return []any{"set", elems}
}

// reconcilePorts adds, updates and removes a bridge's ports and returns the
// operations that record each interface's OpenFlow port number.
func (s *Switch) reconcilePorts(b *ofproto.Bridge, brow client.Row, ports, ifaces map[ovsdb.UUID]client.Row) []any {
	type want struct {
		iface  ovsdb.UUID
		row    client.Row
		config ofproto.PortConfig
	}
	var wants []want
	for _, pid := range brow.UUIDs("ports") {
		prow, ok := ports[pid]
		if !ok {
			continue
		}
		vlan, err := vlanConfig(prow)
		if err != nil {
			s.log.Printf("bridge", "WARN", "port %s: %v", prow.Str("name"), err)
		}
		for _, iid := range prow.UUIDs("interfaces") {
			irow, ok := ifaces[iid]
			if !ok {
				continue
			}
			cfg := ofproto.PortConfig{Name: irow.Str("name"), VLAN: vlan, Internal: irow.Str("type") == "internal"}
			if req, ok := irow.Int("ofport_request"); ok && req > 0 && req < int64(flowtable.PortMax) {
				cfg.OFPort = flowtable.Port(req)
			}
			wants = append(wants, want{iid, irow, cfg})
		}
	}
	// Ports with a requested number first, then by name, so numbering is
	// stable from run to run.
	sort.SliceStable(wants, func(i, j int) bool {
		if (wants[i].config.OFPort != 0) != (wants[j].config.OFPort != 0) {
			return wants[i].config.OFPort != 0
		}
		return wants[i].config.Name < wants[j].config.Name
	})
	present := map[string]bool{}
	var ops []any
	for _, w := range wants {
		name := w.config.Name
		present[name] = true
		port, exists := b.Port(name)
		if exists && w.config.OFPort != 0 && port.OFPort != w.config.OFPort {
			b.RemovePort(name) // renumbered by a new ofport_request
			exists = false
		}
		if !exists {
			if name == b.Name() {
				// The bridge's own internal interface is the LOCAL port,
				// which NewBridge made.
				port, exists = b.PortByNumber(flowtable.PortLocal)
			}
		}
		if !exists {
			var err error
			if port, err = b.AddPort(w.config); err != nil {
				s.log.Printf("bridge", "WARN", "bridge %s: could not add port %s: %v", b.Name(), name, err)
				ops = append(ops, setOFPort(w.iface, -1))
				continue
			}
			s.log.Printf("bridge", "INFO", "bridge %s: added interface %s on port %d", b.Name(), name, port.OFPort)
			if m := s.mgmt[b.Name()]; m != nil {
				m.PortStatus(ofp.PortAdded, port.OFPort, name)
			}
		} else if !sameVLAN(port.VLAN, w.config.VLAN) && port.OFPort != flowtable.PortLocal {
			if err := b.SetPortVLAN(name, w.config.VLAN); err != nil {
				s.log.Printf("bridge", "WARN", "port %s: %v", name, err)
			}
		}
		if cur, ok := w.row.Int("ofport"); !ok || cur != int64(port.OFPort) {
			ops = append(ops, setOFPort(w.iface, int64(port.OFPort)))
		}
	}
	for _, p := range b.Ports() {
		if !present[p.Name] && p.OFPort != flowtable.PortLocal {
			b.RemovePort(p.Name)
			s.log.Printf("bridge", "INFO", "bridge %s: deleted interface %s on port %d", b.Name(), p.Name, p.OFPort)
			if m := s.mgmt[b.Name()]; m != nil {
				m.PortStatus(ofp.PortDeleted, p.OFPort, p.Name)
			}
		}
	}
	return ops
}

// reconcileControllers applies a bridge's controllers and fail mode as
// ovs-vswitchd does: the first controller flushes the flow tables; a
// bridge with none in standalone mode keeps "priority=0 actions=NORMAL".
// (Whether table misses go to controllers is connmgr's decision: it
// depends on the versions the connected controllers speak.) It returns
// the operations that record which controllers are connected.
func (s *Switch) reconcileControllers(b *ofproto.Bridge, brow client.Row, rows map[ovsdb.UUID]client.Row) []any {
	var cfgs []connmgr.ControllerConfig
	var ids []ovsdb.UUID
	for _, id := range brow.UUIDs("controller") {
		row, ok := rows[id]
		if !ok {
			continue
		}
		cfg := connmgr.ControllerConfig{Target: row.Str("target")}
		if usesSSL(cfg.Target) {
			cfg.SSL = s.ssl
		}
		if ms, ok := row.Int("inactivity_probe"); ok {
			cfg.InactivityProbe = time.Duration(ms) * time.Millisecond
		}
		if ms, ok := row.Int("max_backoff"); ok {
			cfg.MaxBackoff = time.Duration(ms) * time.Millisecond
		}
		cfgs = append(cfgs, cfg)
		ids = append(ids, id)
	}
	name := b.Name()
	has := len(cfgs) > 0
	standalone := brow.Str("fail_mode") != "secure"
	if has && !s.controlled[name] {
		b.FlushFlows()
	}
	s.controlled[name] = has
	if !has && standalone {
		b.EnsureDefaultFlow()
	}
	m := s.mgmt[name]
	if m == nil {
		return nil
	}
	m.SetControllers(cfgs, standalone)
	connected := m.ControllerConnected()
	var ops []any
	for i, id := range ids {
		want := connected[cfgs[i].Target]
		cur := rows[id]["is_connected"]
		if len(cur.Keys) == 1 && cur.Keys[0] == want {
			continue
		}
		ops = append(ops, map[string]any{
			"op": "update", "table": "Controller",
			"where": []any{[]any{"_uuid", "==", []any{"uuid", id.String()}}},
			"row":   map[string]any{"is_connected": want},
		})
	}
	return ops
}

func setOFPort(iface ovsdb.UUID, n int64) map[string]any {
	return map[string]any{
		"op": "update", "table": "Interface",
		"where": []any{[]any{"_uuid", "==", []any{"uuid", iface.String()}}},
		"row":   map[string]any{"ofport": n},
	}
}

// vlanConfig reads a Port row's tag, trunks and vlan_mode.
func vlanConfig(prow client.Row) (ofproto.VLANConfig, error) {
	var v ofproto.VLANConfig
	if tag, ok := prow.Int("tag"); ok {
		v.Tag, v.HasTag = uint16(tag), true
	}
	for _, t := range prow.Ints("trunks") {
		v.Trunks = append(v.Trunks, uint16(t))
	}
	mode, err := ofproto.ParseVLANMode(prow.Str("vlan_mode"))
	if err != nil {
		return v, err
	}
	v.Mode = mode
	return v, nil
}

func sameVLAN(a, b ofproto.VLANConfig) bool {
	if a.Mode != b.Mode || a.HasTag != b.HasTag || a.Tag != b.Tag || len(a.Trunks) != len(b.Trunks) {
		return false
	}
	for i := range a.Trunks {
		if a.Trunks[i] != b.Trunks[i] {
			return false
		}
	}
	return true
}
