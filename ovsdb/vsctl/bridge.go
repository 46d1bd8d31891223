package vsctl

import (
	"sort"

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

// bridges returns the bridges of the Open_vSwitch record by name.
func (ctx *context) bridges() (map[string]*row, error) {
	ovs, err := ctx.ovsRow()
	if err != nil {
		return nil, err
	}
	brs := map[string]*row{}
	for _, id := range ovs.refs("bridges") {
		if br := ctx.m.get("Bridge", id); br != nil {
			brs[br.str("name")] = br
		}
	}
	return brs, nil
}

func (ctx *context) bridge(name string, mustExist bool) (*row, error) {
	brs, err := ctx.bridges()
	if err != nil {
		return nil, err
	}
	br := brs[name]
	if br == nil && mustExist {
		return nil, fail("no bridge named %s", name)
	}
	return br, nil
}

// portsOf returns a bridge's ports.
func (ctx *context) portsOf(br *row) []*row {
	var ports []*row
	for _, id := range br.refs("ports") {
		if p := ctx.m.get("Port", id); p != nil {
			ports = append(ports, p)
		}
	}
	sort.Slice(ports, func(i, j int) bool { return ports[i].str("name") < ports[j].str("name") })
	return ports
}

func (ctx *context) ifacesOf(port *row) []*row {
	var ifaces []*row
	for _, id := range port.refs("interfaces") {
		if i := ctx.m.get("Interface", id); i != nil {
			ifaces = append(ifaces, i)
		}
	}
	sort.Slice(ifaces, func(i, j int) bool { return ifaces[i].str("name") < ifaces[j].str("name") })
	return ifaces
}

// findPort finds a port by name on any bridge, with its bridge.
func (ctx *context) findPort(name string) (*row, *row, error) {
	brs, err := ctx.bridges()
	if err != nil {
		return nil, nil, err
	}
	for _, br := range brs {
		for _, p := range ctx.portsOf(br) {
			if p.str("name") == name {
				return p, br, nil
			}
		}
	}
	return nil, nil, nil
}

// findIface finds an interface by name, with its port and bridge.
func (ctx *context) findIface(name string) (*row, *row, *row, error) {
	brs, err := ctx.bridges()
	if err != nil {
		return nil, nil, nil, err
	}
	for _, br := range brs {
		for _, p := range ctx.portsOf(br) {
			for _, i := range ctx.ifacesOf(p) {
				if i.str("name") == name {
					return i, p, br, nil
				}
			}
		}
	}
	return nil, nil, nil, nil
}

func strDatum(s string) ovsdb.Datum { return ovsdb.Datum{Keys: []ovsdb.Atom{s}} }

func cmdAddBr(ctx *context) error {
	name := ctx.cmd.args[0]
	if len(ctx.cmd.args) != 1 {
		return fail("fake bridges (add-br BRIDGE PARENT VLAN) are not supported")
	}
	ovs, err := ctx.ovsRow()
	if err != nil {
		return err
	}
	if br, err := ctx.bridge(name, false); err != nil {
		return err
	} else if br != nil {
		if ctx.cmd.has("may-exist") {
			return nil
		}
		return fail("cannot create a bridge named %s because a bridge named %s already exists", name, name)
	}
	if p, br, err := ctx.findPort(name); err != nil {
		return err
	} else if p != nil {
		return fail("cannot create a bridge named %s because a port named %s already exists on bridge %s", name, name, br.str("name"))
	}
	iface := ctx.m.insert("Interface")
	iface.set("name", strDatum(name))
	iface.set("type", strDatum("internal"))
	port := ctx.m.insert("Port")
	port.set("name", strDatum(name))
	port.addRef("interfaces", iface.uuid)
	br := ctx.m.insert("Bridge")
	br.set("name", strDatum(name))
	br.addRef("ports", port.uuid)
	ovs.addRef("bridges", br.uuid)
	return nil
}

func (ctx *context) deletePort(br, port *row) {
	for _, i := range ctx.ifacesOf(port) {
		ctx.m.remove(i)
	}
	br.removeRef("ports", port.uuid)
	ctx.m.remove(port)
}

func cmdDelBr(ctx *context) error {
	br, err := ctx.bridge(ctx.cmd.args[0], !ctx.cmd.has("if-exists"))
	if err != nil || br == nil {
		return err
	}
	for _, p := range ctx.portsOf(br) {
		ctx.deletePort(br, p)
	}
	ovs, _ := ctx.ovsRow()
	ovs.removeRef("bridges", br.uuid)
	ctx.m.remove(br)
	return nil
}

func cmdListBr(ctx *context) error {
	brs, err := ctx.bridges()
	if err != nil {
		return err
	}
	names := make([]string, 0, len(brs))
	for name := range brs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, n := range names {
		ctx.printf("%s\n", n)
	}
	return nil
}

func cmdBrExists(ctx *context) error {
	br, err := ctx.bridge(ctx.cmd.args[0], false)
	if err != nil {
		return err
	}
	if br == nil {
		return &exitError{status: 2}
	}
	return nil
}

func cmdBrToVlan(ctx *context) error {
	if _, err := ctx.bridge(ctx.cmd.args[0], true); err != nil {
		return err
	}
	ctx.printf("0\n")
	return nil
}

func cmdBrToParent(ctx *context) error {
	br, err := ctx.bridge(ctx.cmd.args[0], true)
	if err != nil {
		return err
	}
	ctx.printf("%s\n", br.str("name"))
	return nil
}

func cmdListPorts(ctx *context) error {
	br, err := ctx.bridge(ctx.cmd.args[0], true)
	if err != nil {
		return err
	}
	for _, p := range ctx.portsOf(br) {
		if p.str("name") != br.str("name") {
			ctx.printf("%s\n", p.str("name"))
		}
	}
	return nil
}

func cmdListIfaces(ctx *context) error {
	br, err := ctx.bridge(ctx.cmd.args[0], true)
	if err != nil {
		return err
	}
	var names []string
	for _, p := range ctx.portsOf(br) {
		for _, i := range ctx.ifacesOf(p) {
			if i.str("name") != br.str("name") {
				names = append(names, i.str("name"))
			}
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
	br, err := ctx.bridge(brName, true)
	if err != nil {
		return err
	}
	if p, pbr, err := ctx.findPort(portName); err != nil {
		return err
	} else if p != nil {
		if ctx.cmd.has("may-exist") {
			if pbr != br {
				return fail("\"--may-exist add-port %s %s\" but %s is actually attached to bridge %s", brName, portName, portName, pbr.str("name"))
			}
			return nil
		}
		return fail("cannot create a port named %s because a port named %s already exists on bridge %s", portName, portName, pbr.str("name"))
	}
	for _, name := range ifaceNames {
		if i, _, ibr, err := ctx.findIface(name); err != nil {
			return err
		} else if i != nil {
			return fail("cannot create an interface named %s because an interface named %s already exists on bridge %s", name, name, ibr.str("name"))
		}
	}
	port := ctx.m.insert("Port")
	port.set("name", strDatum(portName))
	for _, name := range ifaceNames {
		iface := ctx.m.insert("Interface")
		iface.set("name", strDatum(name))
		port.addRef("interfaces", iface.uuid)
	}
	for _, s := range settings {
		if err := ctx.setColumn(port, s); err != nil {
			return err
		}
	}
	br.addRef("ports", port.uuid)
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
		if len(settings) > 0 || containsAny(arg, "=") {
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

func containsAny(s, chars string) bool {
	for _, c := range chars {
		for _, d := range s {
			if c == d {
				return true
			}
		}
	}
	return false
}

func cmdDelPort(ctx *context) error {
	a := ctx.cmd.args
	target := a[len(a)-1]
	port, br, err := ctx.findPort(target)
	if err != nil {
		return err
	}
	if port == nil && ctx.cmd.has("with-iface") {
		var iface *row
		iface, port, br, err = ctx.findIface(target)
		if err != nil {
			return err
		}
		_ = iface
	}
	if port == nil {
		if ctx.cmd.has("if-exists") {
			return nil
		}
		if ctx.cmd.has("with-iface") {
			return fail("no port or interface named %s", target)
		}
		return fail("no port named %s", target)
	}
	if len(a) == 2 {
		want, err := ctx.bridge(a[0], true)
		if err != nil {
			return err
		}
		if want != br {
			return fail("bridge %s does not have a port %s", a[0], target)
		}
	}
	ctx.deletePort(br, port)
	return nil
}

func cmdPortToBr(ctx *context) error {
	port, br, err := ctx.findPort(ctx.cmd.args[0])
	if err != nil {
		return err
	}
	if port == nil {
		return fail("no port named %s", ctx.cmd.args[0])
	}
	ctx.printf("%s\n", br.str("name"))
	return nil
}

func cmdIfaceToBr(ctx *context) error {
	iface, _, br, err := ctx.findIface(ctx.cmd.args[0])
	if err != nil {
		return err
	}
	if iface == nil {
		return fail("no interface named %s", ctx.cmd.args[0])
	}
	ctx.printf("%s\n", br.str("name"))
	return nil
}

func cmdBrSetExternalID(ctx *context) error {
	br, err := ctx.bridge(ctx.cmd.args[0], true)
	if err != nil {
		return err
	}
	d := *br.column("external_ids")
	key := ctx.cmd.args[1]
	if len(ctx.cmd.args) == 3 {
		d = d.WithPair(key, ctx.cmd.args[2])
	} else {
		keys := ovsdb.Datum{Keys: []ovsdb.Atom{key}}
		d = d.Subtract(&keys)
	}
	br.set("external_ids", d)
	return nil
}

func cmdBrGetExternalID(ctx *context) error {
	br, err := ctx.bridge(ctx.cmd.args[0], true)
	if err != nil {
		return err
	}
	d := br.column("external_ids")
	if len(ctx.cmd.args) == 2 {
		if v, ok := d.Lookup(ctx.cmd.args[1]); ok {
			ctx.printf("%s\n", v)
		}
		return nil
	}
	for i, k := range d.Keys {
		ctx.printf("%s=%s\n", k, d.Values[i])
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
	br, err := ctx.bridge(ctx.cmd.args[0], true)
	if err != nil {
		return err
	}
	for _, t := range ctx.targets(br, "controller", "Controller") {
		ctx.printf("%s\n", t)
	}
	return nil
}

func cmdSetController(ctx *context) error {
	br, err := ctx.bridge(ctx.cmd.args[0], true)
	if err != nil {
		return err
	}
	ctx.replaceTargets(br, "controller", "Controller", ctx.cmd.args[1:])
	return nil
}

func cmdDelController(ctx *context) error {
	br, err := ctx.bridge(ctx.cmd.args[0], true)
	if err != nil {
		return err
	}
	ctx.replaceTargets(br, "controller", "Controller", nil)
	return nil
}

func cmdGetFailMode(ctx *context) error {
	br, err := ctx.bridge(ctx.cmd.args[0], true)
	if err != nil {
		return err
	}
	if m := br.str("fail_mode"); m != "" {
		ctx.printf("%s\n", m)
	}
	return nil
}

func cmdSetFailMode(ctx *context) error {
	br, err := ctx.bridge(ctx.cmd.args[0], true)
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
	br, err := ctx.bridge(ctx.cmd.args[0], true)
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
