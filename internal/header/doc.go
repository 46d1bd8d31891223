// Package header gives typed views of wire headers over []byte: Ethernet,
// VLAN tags, LLC/SNAP, MPLS, ARP, IPv4, IPv6 and its extension headers, and
// the transport headers govs looks into (TCP, UDP, SCTP, ICMP, ICMPv6 and
// Neighbor Discovery).
//
// A view is a slice that starts at its header. Each view's IsValid (or its
// documented minimum size) is checked once by the caller; the accessors
// after that do not check again beyond Go's own bounds checks, so a view
// that was not validated can panic. Values are returned as they appear on
// the wire, big-endian, in host integers.
//
// The package imports nothing of govs: the parser, the datapath's header
// rewrites and the tunnel code all build on it.
package header
