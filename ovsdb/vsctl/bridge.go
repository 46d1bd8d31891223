package vsctl

import (
	"sort"
	"strconv"
	"strings"

	"github.com/govs/govs/ovsdb"
)

// The bridge commands: init, add-br, del-br, list-br, br-exists, ports,
// bonds and interfaces, as OVS's vsctl implements them over the
// Open_vSwitch, Bridge, Port and Interface tables.

func (ctx *context) ovsRow() (*row, error) {
	rows := ctx.m.rows("Open_vSwitch")
	if len(rows) == 0 {
		return nil, fail("no Open_vSwitch record (use \"ovs-vsctl init\" to initialize database)")
	}
	return rows[0], nil
}

func cmdInit(ctx *context) error {
	if len(ctx.m.rows("Open_vSwitch")) == 0 {
		ctx.m.insert("Open_vSwitch")
	}
	return nil
}

// vsBridge is a bridge as ovs-vsctl sees it: a real Bridge row, or a
// fake (VLAN) bridge, which is a port of its parent with fake_bridge=true
// and the bridge's VLAN as tag.
type vsBridge struct {
	name   string
	br     *row // the real Bridge row (the parent's, for a fake bridge)
	parent *vsBridge
	vlan   int64
	// fakePort is the fake bridge's own port.
	fakePort *row
}

// vsPort is a port and the bridge (real or fake) it belongs to.
type vsPort struct {
	port   *row
	bridge *vsBridge
}

// vsIface is an interface and its port.
type vsIface struct {
	iface *row
	port  *vsPort
}

// cache is the bridge/port/interface view of the database, rebuilt from
// the model whenever a command needs it.
type cache struct {
	bridges map[string]*vsBridge
	ports   map[string]*vsPort
	ifaces  map[string]*vsIface
}

func portVLAN(p *row) (int64, bool) {
	d := p.column("tag")
	if d == nil || d.Len() != 1 {
		return 0, false
	}
	v, ok := d.Keys[0].(int64)
	return v, ok && v >= 0 && v <= 4095
}

func (ctx *context) cache() (*cache, error) {
	ovs, err := ctx.ovsRow()
	if err != nil {
		return nil, err
	}
	c := &cache{bridges: map[string]*vsBridge{}, ports: map[string]*vsPort{}, ifaces: map[string]*vsIface{}}
	var real []*vsBridge
	for _, id := range ovs.refs("bridges") {
		br := ctx.m.get("Bridge", id)
		if br == nil || c.bridges[br.str("name")] != nil {
			continue
		}
		b := &vsBridge{name: br.str("name"), br: br}
		c.bridges[b.name] = b
		real = append(real, b)
	}
	for _, b := range real {
		for _, p := range ctx.portRows(b.br) {
			if !boolColumn(p, "fake_bridge") {
				continue
			}
			if vlan, ok := portVLAN(p); ok && c.bridges[p.str("name")] == nil {
				c.bridges[p.str("name")] = &vsBridge{name: p.str("name"), br: b.br, parent: b, vlan: vlan, fakePort: p}
			}
		}
	}
	for _, b := range real {
		for _, p := range ctx.portRows(b.br) {
			name := p.str("name")
			if c.ports[name] != nil {
				continue
			}
			owner := b
			if fb := c.bridges[name]; fb != nil && fb.fakePort == p {
				owner = fb
			} else if vlan, ok := portVLAN(p); ok {
				for _, fb := range c.bridges {
					if fb.parent == b && fb.vlan == vlan {
						owner = fb
					}
				}
			}
			vp := &vsPort{port: p, bridge: owner}
			c.ports[name] = vp
			for _, iid := range p.refs("interfaces") {
				if i := ctx.m.get("Interface", iid); i != nil && c.ifaces[i.str("name")] == nil {
					c.ifaces[i.str("name")] = &vsIface{iface: i, port: vp}
				}
			}
		}
	}
	return c, nil
}

// portRows returns a Bridge row's ports.
func (ctx *context) portRows(br *row) []*row {
	var ports []*row
	for _, id := range br.refs("ports") {
		if p := ctx.m.get("Port", id); p != nil {
			ports = append(ports, p)
		}
	}
	return ports
}

// bridge finds a bridge (real or fake) by name.
func (ctx *context) bridge(name string, mustExist bool) (*vsBridge, *cache, error) {
	c, err := ctx.cache()
	if err != nil {
		return nil, nil, err
	}
	b := c.bridges[name]
	if b == nil && mustExist {
		return nil, nil, fail("no bridge named %s", name)
	}
	return b, c, nil
}

// bridgeRow returns the Bridge row of a bridge, the parent's for a fake
// bridge.
func (ctx *context) bridgeRow(name string) (*row, error) {
	b, _, err := ctx.bridge(name, true)
	if err != nil {
		return nil, err
	}
	return b.br, nil
}

// portsOf returns the names of a bridge's ports, sorted, without the
// bridge's own port.
func (c *cache) portsOf(b *vsBridge) []string {
	var names []string
	for name, p := range c.ports {
		if p.bridge == b && name != b.name {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func (ctx *context) ifacesOf(port *row) []*row {
	var ifaces []*row
	for _, id := range port.refs("interfaces") {
		if i := ctx.m.get("Interface", id); i != nil {
			ifaces = append(ifaces, i)
		}
	}
	return ifaces
}

func strDatum(s string) ovsdb.Datum { return ovsdb.Datum{Keys: []ovsdb.Atom{s}} }

func cmdAddBr(ctx *context) error {
	a := ctx.cmd.args
	name := a[0]
	if len(a) == 2 {
		return fail("'add-br' command takes exactly 1 or 3 arguments")
	}
	ovs, err := ctx.ovsRow()
	if err != nil {
		return err
	}
	existing, c, err := ctx.bridge(name, false)
	if err != nil {
		return err
	}
	var parent *vsBridge
	var vlan int64
	if len(a) == 3 {
		if vlan, err = strconv.ParseInt(a[2], 10, 64); err != nil || vlan < 0 || vlan > 4095 {
			return fail("add-br: vlan must be between 0 and 4095")
		}
		if parent = c.bridges[a[1]]; parent == nil {
			return fail("parent bridge %s does not exist", a[1])
		}
		if parent.parent != nil {
			return fail("cannot create bridge with fake bridge as parent")
		}
	}
	if existing != nil {
		if !ctx.cmd.has("may-exist") {
			return fail("cannot create a bridge named %s because a bridge named %s already exists", name, name)
		}
		switch {
		case parent == nil && existing.parent != nil:
			return fail("\"--may-exist add-br %s\" but %s is a VLAN bridge for VLAN %d", name, name, existing.vlan)
		case parent != nil && existing.parent == nil:
			return fail("\"--may-exist add-br %s %s %d\" but %s is not a VLAN bridge", name, a[1], vlan, name)
		case parent != nil && existing.parent != parent:
			return fail("\"--may-exist add-br %s %s %d\" but %s has the wrong parent %s",
				name, a[1], vlan, name, existing.parent.name)
		case parent != nil && existing.vlan != vlan:
			return fail("\"--may-exist add-br %s %s %d\" but %s is a VLAN bridge for the wrong VLAN %d",
				name, a[1], vlan, name, existing.vlan)
		}
		return nil
	}
	if p := c.ports[name]; p != nil {
		return fail("cannot create a bridge named %s because a port named %s already exists on bridge %s", name, name, p.bridge.name)
	}
	if i := c.ifaces[name]; i != nil {
		return fail("cannot create a bridge named %s because an interface named %s already exists on bridge %s", name, name, i.port.bridge.name)
	}
	iface := ctx.m.insert("Interface")
	iface.set("name", strDatum(name))
	iface.set("type", strDatum("internal"))
	port := ctx.m.insert("Port")
	port.set("name", strDatum(name))
	port.addRef("interfaces", iface.uuid)
	if parent != nil {
		port.set("fake_bridge", ovsdb.Datum{Keys: []ovsdb.Atom{true}})
		port.set("tag", ovsdb.Datum{Keys: []ovsdb.Atom{vlan}})
		parent.br.addRef("ports", port.uuid)
		return nil
	}
	br := ctx.m.insert("Bridge")
	br.set("name", strDatum(name))
	br.addRef("ports", port.uuid)
	ovs.addRef("bridges", br.uuid)
	return nil
}

// deletePort removes a port, its interfaces and its bridge's reference.
func (ctx *context) deletePort(p *vsPort) {
	for _, i := range ctx.ifacesOf(p.port) {
		ctx.m.remove(i)
	}
	p.bridge.br.removeRef("ports", p.port.uuid)
	ctx.m.remove(p.port)
}

func cmdDelBr(ctx *context) error {
	b, c, err := ctx.bridge(ctx.cmd.args[0], !ctx.cmd.has("if-exists"))
	if err != nil || b == nil {
		return err
	}
	for _, p := range c.ports {
		if p.bridge == b || (b.parent == nil && p.bridge.br == b.br) {
			ctx.deletePort(p)
		}
	}
	if b.parent == nil {
		ovs, _ := ctx.ovsRow()
		ovs.removeRef("bridges", b.br.uuid)
		ctx.m.remove(b.br)
	}
	return nil
}

func cmdListBr(ctx *context) error {
	c, err := ctx.cache()
	if err != nil {
		return err
	}
	var names []string
	for name, b := range c.bridges {
		if (ctx.cmd.has("real") && b.parent != nil) || (ctx.cmd.has("fake") && b.parent == nil) {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	for _, n := range names {
		ctx.printf("%s\n", n)
	}
	return nil
}

func cmdBrExists(ctx *context) error {
	b, _, err := ctx.bridge(ctx.cmd.args[0], false)
	if err != nil {
		return err
	}
	if b == nil {
		return &exitError{status: 2}
	}
	return nil
}

func cmdBrToVlan(ctx *context) error {
	b, _, err := ctx.bridge(ctx.cmd.args[0], true)
	if err != nil {
		return err
	}
	ctx.printf("%d\n", b.vlan)
	return nil
}

func cmdBrToParent(ctx *context) error {
	b, _, err := ctx.bridge(ctx.cmd.args[0], true)
	if err != nil {
		return err
	}
	if b.parent != nil {
		b = b.parent
	}
	ctx.printf("%s\n", b.name)
	return nil
}

func cmdListPorts(ctx *context) error {
	b, c, err := ctx.bridge(ctx.cmd.args[0], true)
	if err != nil {
		return err
	}
	for _, name := range c.portsOf(b) {
		ctx.printf("%s\n", name)
	}
	return nil
}

func cmdListIfaces(ctx *context) error {
	b, c, err := ctx.bridge(ctx.cmd.args[0], true)
	if err != nil {
		return err
	}
	var names []string
	for name, i := range c.ifaces {
		if i.port.bridge == b && name != b.name {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		ctx.printf("%s\n", n)
	}
	return nil
}

// addPort implements add-port and add-bond.
func (ctx *context) addPort(brName, portName string, ifaceNames []string, settings []string) error {
	b, c, err := ctx.bridge(brName, true)
	if err != nil {
		return err
	}
	if p := c.ports[portName]; p != nil {
		if !ctx.cmd.has("may-exist") {
			return fail("cannot create a port named %s because a port named %s already exists on bridge %s", portName, portName, p.bridge.name)
		}
		if p.bridge != b {
			return fail("\"--may-exist add-port %s %s\" but %s is actually attached to bridge %s", brName, portName, portName, p.bridge.name)
		}
		return nil
	}
	for _, name := range ifaceNames {
		if i := c.ifaces[name]; i != nil {
			return fail("cannot create an interface named %s because an interface named %s already exists on bridge %s", name, name, i.port.bridge.name)
		}
	}
	port := ctx.m.insert("Port")
	port.set("name", strDatum(portName))
	for _, name := range ifaceNames {
		iface := ctx.m.insert("Interface")
		iface.set("name", strDatum(name))
		port.addRef("interfaces", iface.uuid)
	}
	if b.parent != nil {
		port.set("tag", ovsdb.Datum{Keys: []ovsdb.Atom{b.vlan}})
	}
	for _, s := range settings {
		if err := ctx.setColumn(port, s); err != nil {
			return err
		}
	}
	b.br.addRef("ports", port.uuid)
	return nil
}

func cmdAddPort(ctx *context) error {
	a := ctx.cmd.args
	return ctx.addPort(a[0], a[1], []string{a[1]}, a[2:])
}

func cmdAddBond(ctx *context) error {
	a := ctx.cmd.args
	var ifaces, settings []string
	for _, arg := range a[2:] {
		if len(settings) > 0 || strings.Contains(arg, "=") {
			settings = append(settings, arg)
		} else {
			ifaces = append(ifaces, arg)
		}
	}
	if len(ifaces) < 2 {
		return fail("add-bond requires at least 2 interfaces, but only %d were specified", len(ifaces))
	}
	return ctx.addPort(a[0], a[1], ifaces, settings)
}

func cmdDelPort(ctx *context) error {
	a := ctx.cmd.args
	target := a[len(a)-1]
	c, err := ctx.cache()
	if err != nil {
		return err
	}
	p := c.ports[target]
	if p == nil && ctx.cmd.has("with-iface") {
		if i := c.ifaces[target]; i != nil {
			p = i.port
		}
	}
	if p == nil {
		if ctx.cmd.has("if-exists") {
			return nil
		}
		if ctx.cmd.has("with-iface") {
			return fail("no port or interface named %s", target)
		}
		return fail("no port named %s", target)
	}
	if len(a) == 2 {
		b := c.bridges[a[0]]
		if b == nil {
			return fail("no bridge named %s", a[0])
		}
		if p.bridge != b {
			if p.bridge.parent == b {
				return fail("bridge %s does not have a port %s (although its child bridge %s does)", a[0], target, p.bridge.name)
			}
			return fail("bridge %s does not have a port %s", a[0], target)
		}
	}
	ctx.deletePort(p)
	return nil
}

func cmdPortToBr(ctx *context) error {
	c, err := ctx.cache()
	if err != nil {
		return err
	}
	p := c.ports[ctx.cmd.args[0]]
	if p == nil {
		return fail("no port named %s", ctx.cmd.args[0])
	}
	ctx.printf("%s\n", p.bridge.name)
	return nil
}

func cmdIfaceToBr(ctx *context) error {
	c, err := ctx.cache()
	if err != nil {
		return err
	}
	i := c.ifaces[ctx.cmd.args[0]]
	if i == nil {
		return fail("no interface named %s", ctx.cmd.args[0])
	}
	ctx.printf("%s\n", i.port.bridge.name)
	return nil
}

// externalIDs returns where a bridge's external IDs live: the Bridge row,
// or for a fake bridge its port's external_ids under "fake-bridge-" keys.
func (ctx *context) externalIDs(name string) (*row, string, error) {
	b, _, err := ctx.bridge(name, true)
	if err != nil {
		return nil, "", err
	}
	if b.parent != nil {
		return b.fakePort, "fake-bridge-", nil
	}
	return b.br, "", nil
}

func cmdBrSetExternalID(ctx *context) error {
	r, prefix, err := ctx.externalIDs(ctx.cmd.args[0])
	if err != nil {
		return err
	}
	d := *r.column("external_ids")
	key := prefix + ctx.cmd.args[1]
	if len(ctx.cmd.args) == 3 {
		d = d.WithPair(key, ctx.cmd.args[2])
	} else {
		keys := ovsdb.Datum{Keys: []ovsdb.Atom{key}}
		d = d.Subtract(&keys)
	}
	r.set("external_ids", d)
	return nil
}

func cmdBrGetExternalID(ctx *context) error {
	r, prefix, err := ctx.externalIDs(ctx.cmd.args[0])
	if err != nil {
		return err
	}
	d := r.column("external_ids")
	if len(ctx.cmd.args) == 2 {
		if v, ok := d.Lookup(prefix + ctx.cmd.args[1]); ok {
			ctx.printf("%s\n", v)
		}
		return nil
	}
	for i, k := range d.Keys {
		if key := k.(string); strings.HasPrefix(key, prefix) {
			ctx.printf("%s=%s\n", strings.TrimPrefix(key, prefix), d.Values[i])
		}
	}
	return nil
}

// Controllers, fail mode, managers and SSL.

func (ctx *context) targets(owner *row, column, table string) []string {
	var out []string
	for _, id := range owner.refs(column) {
		if r := ctx.m.get(table, id); r != nil {
			out = append(out, r.str("target"))
		}
	}
	sort.Strings(out)
	return out
}

func (ctx *context) replaceTargets(owner *row, column, table string, targets []string) {
	for _, id := range owner.refs(column) {
		if r := ctx.m.get(table, id); r != nil {
			ctx.m.remove(r)
		}
	}
	owner.set(column, ovsdb.Datum{})
	for _, t := range targets {
		r := ctx.m.insert(table)
		r.set("target", strDatum(t))
		owner.addRef(column, r.uuid)
	}
}

func cmdGetController(ctx *context) error {
	br, err := ctx.bridgeRow(ctx.cmd.args[0])
	if err != nil {
		return err
	}
	for _, t := range ctx.targets(br, "controller", "Controller") {
		ctx.printf("%s\n", t)
	}
	return nil
}

func cmdSetController(ctx *context) error {
	br, err := ctx.bridgeRow(ctx.cmd.args[0])
	if err != nil {
		return err
	}
	ctx.replaceTargets(br, "controller", "Controller", ctx.cmd.args[1:])
	return nil
}

func cmdDelController(ctx *context) error {
	br, err := ctx.bridgeRow(ctx.cmd.args[0])
	if err != nil {
		return err
	}
	ctx.replaceTargets(br, "controller", "Controller", nil)
	return nil
}

func cmdGetFailMode(ctx *context) error {
	br, err := ctx.bridgeRow(ctx.cmd.args[0])
	if err != nil {
		return err
	}
	if m := br.str("fail_mode"); m != "" {
		ctx.printf("%s\n", m)
	}
	return nil
}

func cmdSetFailMode(ctx *context) error {
	br, err := ctx.bridgeRow(ctx.cmd.args[0])
	if err != nil {
		return err
	}
	mode := ctx.cmd.args[1]
	if mode != "standalone" && mode != "secure" {
		return fail("fail-mode must be \"standalone\" or \"secure\"")
	}
	br.set("fail_mode", strDatum(mode))
	return nil
}

func cmdDelFailMode(ctx *context) error {
	br, err := ctx.bridgeRow(ctx.cmd.args[0])
	if err != nil {
		return err
	}
	br.set("fail_mode", ovsdb.Datum{})
	return nil
}

func cmdGetManager(ctx *context) error {
	ovs, err := ctx.ovsRow()
	if err != nil {
		return err
	}
	for _, t := range ctx.targets(ovs, "manager_options", "Manager") {
		ctx.printf("%s\n", t)
	}
	return nil
}

func cmdSetManager(ctx *context) error {
	ovs, err := ctx.ovsRow()
	if err != nil {
		return err
	}
	ctx.replaceTargets(ovs, "manager_options", "Manager", ctx.cmd.args)
	return nil
}

func cmdDelManager(ctx *context) error {
	ovs, err := ctx.ovsRow()
	if err != nil {
		return err
	}
	ctx.replaceTargets(ovs, "manager_options", "Manager", nil)
	return nil
}

func cmdGetSSL(ctx *context) error {
	ovs, err := ctx.ovsRow()
	if err != nil {
		return err
	}
	for _, id := range ovs.refs("ssl") {
		if r := ctx.m.get("SSL", id); r != nil {
			ctx.printf("Private key: %s\nCertificate: %s\nCA Certificate: %s\nBootstrap: %v\n",
				r.str("private_key"), r.str("certificate"), r.str("ca_cert"), boolColumn(r, "bootstrap_ca_cert"))
		}
	}
	return nil
}

func boolColumn(r *row, name string) bool {
	if d := r.column(name); d != nil && d.Len() == 1 {
		b, _ := d.Keys[0].(bool)
		return b
	}
	return false
}

func cmdSetSSL(ctx *context) error {
	ovs, err := ctx.ovsRow()
	if err != nil {
		return err
	}
	for _, id := range ovs.refs("ssl") {
		if r := ctx.m.get("SSL", id); r != nil {
			ctx.m.remove(r)
		}
	}
	r := ctx.m.insert("SSL")
	r.set("private_key", strDatum(ctx.cmd.args[0]))
	r.set("certificate", strDatum(ctx.cmd.args[1]))
	r.set("ca_cert", strDatum(ctx.cmd.args[2]))
	if ctx.cmd.has("bootstrap") {
		r.set("bootstrap_ca_cert", ovsdb.Datum{Keys: []ovsdb.Atom{true}})
	}
	ovs.set("ssl", ovsdb.Datum{Keys: []ovsdb.Atom{r.uuid}})
	return nil
}

func cmdDelSSL(ctx *context) error {
	ovs, err := ctx.ovsRow()
	if err != nil {
		return err
	}
	for _, id := range ovs.refs("ssl") {
		if r := ctx.m.get("SSL", id); r != nil {
			ctx.m.remove(r)
		}
	}
	ovs.set("ssl", ovsdb.Datum{})
	return nil
}
