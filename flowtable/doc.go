// Package flowtable owns govs' model of flows: the fixed-size flow key
// ([Key]) that every packet is reduced to, the registry of matchable fields
// ([Field]) with their ovs-fields(7) names, matches as (key, mask) pairs,
// OpenFlow actions, the ovs-ofctl text syntax for both, and the classifier
// that finds the highest-priority rule for a key while reporting which key
// bits it examined (the megaflow mask).
//
// The package does no I/O. The datapath parses frames into keys with
// [Key.ParseFrame]; ofproto keeps one [Classifier] per OpenFlow table.
package flowtable
