package main

import "github.com/govs/govs/ovsdb/server"

func init() {
	tools["ovsdb-server"] = server.ServerMain
	tools["ovsdb-tool"] = server.ToolMain
}
