// Package ovsdb owns govs' configuration store: the OVSDB data model
// (atoms, sets, maps), schema loading and validation, the in-memory
// database with RFC 7047 transactions (references, garbage collection,
// constraints, indexes), and durable storage in OVSDB's standalone file
// format.
//
// The JSON-RPC server that exposes a [Database] lives in ovsdb/server; the
// wire framing in ovsdb/jsonrpc.
package ovsdb
