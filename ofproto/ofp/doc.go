// Package ofp is govs' OpenFlow wire codec: it turns OpenFlow messages
// (OpenFlow 1.0 through 1.5 with the Nicira extensions that ovs-ofctl and
// ovn-controller use) into Go values and back, byte for byte as Open
// vSwitch 3.1 encodes them. Both the switch (ofproto) and govs' ovs-ofctl
// use it.
//
// ofp owns the wire formats only: headers and version negotiation
// ([Hello]), the message types ([Message]), matches as NXM/OXM TLVs and as
// OpenFlow 1.0's ofp_match, actions and instructions, and the OpenFlow
// error (type, code) pairs as OVS names them ([ErrorCode]). Flows, matches
// and actions are flowtable's types; ofp converts them, it does not
// interpret them.
//
// Decoding never panics and never allocates more than the input's size
// suggests: every failure is an [*Error] carrying the OpenFlow error the
// switch sends back, and the connection stays usable, since [Reader]
// frames messages by their headers before decoding them.
package ofp
