package vsctl

import "github.com/govs/govs/ovsdb"

// cmdEmerReset resets the configuration to a basic state as OVS's
// emer-reset does: bridges keep only their ports (and other_config:hwaddr),
// ports lose other_config, interfaces lose ingress policing, and
// controllers, managers, mirrors, NetFlow, sFlow, IPFIX and SSL go.
func cmdEmerReset(ctx *context) error {
	ovs, err := ctx.ovsRow()
	if err != nil {
		return err
	}
	empty := func(r *row, column string) {
		c, _ := r.table.Column(column)
		d := ovsdb.Datum{}
		if c.Type.Value != nil {
			d.Values = []ovsdb.Atom{}
		}
		r.set(column, d)
	}
	for _, br := range ctx.m.rows("Bridge") {
		for _, col := range []string{"controller", "fail_mode", "mirrors", "netflow", "sflow", "ipfix", "flood_vlans"} {
			empty(br, col)
		}
		hwaddr, ok := br.column("other_config").Lookup("hwaddr")
		empty(br, "other_config")
		if ok {
			br.set("other_config", br.column("other_config").WithPair("hwaddr", hwaddr))
		}
	}
	for _, p := range ctx.m.rows("Port") {
		empty(p, "other_config")
	}
	zero := ovsdb.Datum{Keys: []ovsdb.Atom{int64(0)}}
	for _, i := range ctx.m.rows("Interface") {
		i.set("ingress_policing_rate", zero)
		i.set("ingress_policing_burst", zero)
	}
	for _, table := range []string{"Mirror", "Controller", "Manager", "NetFlow", "sFlow", "IPFIX", "SSL"} {
		for _, r := range ctx.m.rows(table) {
			ctx.m.remove(r)
		}
	}
	empty(ovs, "manager_options")
	empty(ovs, "ssl")
	return nil
}
