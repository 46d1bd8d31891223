// Package ofproto is govs' OpenFlow switch: a [Bridge] holds ports (with
// their VLAN configuration from OVSDB), flow tables 0–254, groups and a
// MAC learning table, accepts flow_mods as [flowtable.Flow] values, and
// translates packets ("xlate") through its tables into datapath actions
// plus the megaflow mask that says which key bits the result depends on.
// The NORMAL action is a VLAN-aware MAC learning switch; [Bridge.Trace]
// explains a translation as `ovs-appctl ofproto/trace` does.
//
// The OpenFlow wire protocol lives in ofproto/ofp; this package needs none
// of it.
package ofproto
