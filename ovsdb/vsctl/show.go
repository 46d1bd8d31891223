package vsctl

import (
	"strings"

	"github.com/govs/govs/ovsdb"
)

// showColumns lists, per table, the columns "show" prints (when not
// empty) and the reference columns it descends into, as OVS's show does.
var showColumns = map[string][]string{
	"Open_vSwitch": {"manager_options", "bridges", "ovs_version"},
	"Bridge":       {"controller", "fail_mode", "datapath_type", "ports"},
	"Port":         {"tag", "trunks", "interfaces"},
	"Interface":    {"type", "options", "error"},
	"Controller":   {"is_connected"},
	"Manager":      {"is_connected"},
}

// showName is the column that names a row in "show".
var showName = map[string]string{
	"Bridge": "name", "Port": "name", "Interface": "name", "Controller": "target", "Manager": "target",
}

func cmdShow(ctx *context) error {
	for _, ovs := range ctx.m.rows("Open_vSwitch") {
		ctx.showRow(ovs, 0, map[ovsdb.UUID]bool{})
	}
	return nil
}

func (ctx *context) showRow(r *row, level int, seen map[ovsdb.UUID]bool) {
	indent := strings.Repeat("    ", level)
	seen[r.uuid] = true
	if col, ok := showName[r.table.Name]; ok {
		c, _ := r.table.Column(col)
		ctx.printf("%s%s %s\n", indent, r.table.Name, r.column(col).Format(&c.Type))
	} else {
		ctx.printf("%s%s\n", indent, r.uuid)
	}
	for _, name := range showColumns[r.table.Name] {
		c, _ := r.table.Column(name)
		d := r.column(name)
		if ref := c.Type.Key.RefTable; ref != "" {
			if _, known := showColumns[ref]; known {
				var children []*row
				for _, id := range d.Keys {
					if child := ctx.m.get(ref, id.(ovsdb.UUID)); child != nil && !seen[child.uuid] {
						children = append(children, child)
					}
				}
				sortRows(children)
				for _, child := range children {
					ctx.showRow(child, level+1, seen)
				}
				continue
			}
		}
		if d.IsDefault(&c.Type) {
			continue
		}
		ctx.printf("%s    %s: %s\n", indent, name, d.Format(&c.Type))
	}
}

func sortRows(rows []*row) {
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rowLess(rows[j], rows[j-1]); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

func rowLess(a, b *row) bool {
	na, nb := a.name(), b.name()
	if na != nb {
		return na < nb
	}
	return a.str("target") < b.str("target")
}
