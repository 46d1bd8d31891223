// Package datapath owns what happens to a packet after the flow tables have
// been consulted: datapath actions as Go values ([Action]: output, VLAN push
// and pop, masked header rewrites, upcalls to userspace, recirculation,
// truncation, clone), their text as `ovs-appctl dpctl/dump-flows` prints it,
// and [Executor], which applies an action list to a frame in place.
//
// ofproto's translation (xlate) is the only producer of these actions; a
// datapath (the PMD loop, or a test double) is their consumer. Ports here
// are datapath port numbers: plain uint32s that the bridge maps to and
// from OpenFlow ports.
//
// Executing actions never allocates in the common case: a frame that goes
// out once is handed to the [Sink] as is, and rewrites are done in place
// with incremental checksum updates.
package datapath
