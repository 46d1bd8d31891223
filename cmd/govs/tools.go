package main

import (
	"github.com/govs/govs/internal/unixctl"
	"github.com/govs/govs/ofproto/ofctl"
	"github.com/govs/govs/ofproto/vswitchd"
	"github.com/govs/govs/ovsdb/server"
	"github.com/govs/govs/ovsdb/vsctl"
)

func init() {
	tools["ovsdb-server"] = server.ServerMain
	tools["ovsdb-tool"] = server.ToolMain
	tools["ovs-vsctl"] = vsctl.Main
	tools["ovs-vswitchd"] = vswitchd.Main
	tools["ovs-ofctl"] = ofctl.Main
	tools["ovs-appctl"] = unixctl.AppctlMain
}
