package flowtable

import (
	"fmt"
	"strings"
)

// ActionCheckError reports actions that do not fit the flow's match, in
// the two parts OVS gives: Warning is what it logs first ("set_field
// ip_src lacks correct prerequisites"; empty when it logs nothing) and
// Error is what ovs-ofctl then exits with.
type ActionCheckError struct {
	Code    string // OpenFlow error name, e.g. OFPBAC_MATCH_INCONSISTENT
	Warning string
}

// Error returns ovs-ofctl's message.
func (e *ActionCheckError) Error() string {
	return "actions are invalid with specified match (" + e.Code + ")"
}

func inconsistent(format string, args ...any) error {
	return &ActionCheckError{Code: "OFPBAC_MATCH_INCONSISTENT", Warning: fmt.Sprintf(format, args...)}
}

// Check verifies the actions against the flow's match m (nil matches
// everything) as ovs-ofctl does before sending a flow: a field that is
// set, read or moved must have its prerequisites pinned down by the match
// or by earlier actions (set_field to ip_src needs ip; push_mpls makes
// set_field to mpls_label valid), ct and nat need IP, resubmit's ct form
// needs ct_state=+trk-inv, and output to ANY is refused.
//
// The OpenFlow 1.0 set actions (mod_nw_src, mod_tp_dst, strip_vlan,
// dec_ttl, ...) pass without such prerequisites, because OVS accepts them
// so when the flow is sent with OpenFlow 1.0; [ParseFlowActions] refuses
// them for OpenFlow 1.5 as OVS does.
//
// Check judges actions as written; ParseActions' result has been through
// OpenFlow 1.0 encoding, where mod_nw_ttl and mod_nw_ecn became loads, and
// loads do need IP in the match.
func (a Actions) Check(m *Match) error {
	_, err := checkActions(a, m)
	return err
}

// checkActions runs the checks and also reports which protocols can carry
// the actions with this match.
func checkActions(a Actions, m *Match) (protocols, error) {
	c := actionChecker{usable: protocolsAny}
	if m != nil {
		c.flow = *m
	}
	if err := c.check(a); err != nil {
		return 0, err
	}
	return c.usable, nil
}

// actionChecker follows the packet through the actions as OVS's check
// does, so that each action is judged against what the flow is by then.
type actionChecker struct {
	flow   Match     // the match, changed as actions change the packet
	usable protocols // protocols that can still carry the actions
}

// onlyOpenFlow10 records an action that OVS lets through only in
// OpenFlow 1.0, which has no way to say that it does not fit the match.
func (c *actionChecker) onlyOpenFlow10(ok bool) {
	if !ok {
		c.usable &= protocolsOpenFlow10
	}
}

func (c *actionChecker) check(acts Actions) error {
	for _, act := range acts {
		if err := c.checkOne(act); err != nil {
			return err
		}
	}
	return nil
}

// nested checks actions that run on a copy of the packet. What they rule
// out for the protocol counts only when they run here and now: an action
// set runs later, on a packet the check cannot follow, so OVS does not
// hold its actions against the protocol.
func (c *actionChecker) nested(acts Actions, runsNow bool) error {
	inner := actionChecker{flow: c.flow, usable: c.usable}
	err := inner.check(acts)
	if runsNow {
		c.usable = inner.usable
	}
	return err
}

func (c *actionChecker) hasVLAN() bool { return c.flow.PrereqsMet(PrereqVLANVID) }

// pushVLAN records that the packet now has a VLAN tag.
func (c *actionChecker) pushVLAN() {
	c.flow.SetMasked(FieldVLANTCI, VLANCFI, VLANCFI)
}

func (c *actionChecker) setEthType(t uint16) { c.flow.SetExact(FieldEthType, uint64(t)) }

func (c *actionChecker) isIP() bool { return c.flow.PrereqsMet(PrereqIPAny) }

func (c *actionChecker) checkOne(act Action) error {
	f := &c.flow
	switch act := act.(type) {
	case *Output:
		return checkOutPort(act.Port)
	case *OutputTrunc:
		return checkOutPort(act.Port)
	case *Enqueue:
		if act.Port >= PortMax && act.Port != PortInPort && act.Port != PortLocal {
			return &ActionCheckError{Code: "OFPBAC_BAD_OUT_PORT"}
		}
	case *OutputReg:
		return checkSrc(act.Src, f)
	case *SetVLANVID, *SetVLANPCP:
		if !c.hasVLAN() {
			c.pushVLAN()
		}
	case *StripVLAN:
		c.onlyOpenFlow10(c.hasVLAN())
		f.SetExact(FieldVLANTCI, 0)
	case *PushVLAN:
		c.usable &= protocolsOpenFlow11Up
		c.pushVLAN()
	case *SetIPv4Src, *SetIPv4Dst:
		c.onlyOpenFlow10(f.PrereqsMet(PrereqIPv4))
	case *SetIPTOS, *SetIPECN, *SetIPTTL, *DecTTL:
		c.onlyOpenFlow10(c.isIP())
	case *SetL4Src, *SetL4Dst:
		c.onlyOpenFlow10(f.PrereqsMet(PrereqTCP) || f.PrereqsMet(PrereqUDP) || f.PrereqsMet(PrereqSCTP))
	case *SetField:
		// Setting vlan_vid also needs a tag to set it in, though
		// matching on it does not.
		vlanless := act.Field == FieldVLANVID && !c.hasVLAN()
		if !f.PrereqsMet(act.Field.Prereq) || vlanless {
			return inconsistent("set_field %s lacks correct prerequisites", act.Field.Name)
		}
		if !act.Field.Writable {
			// Only load can name one; the switch refuses it.
			return &ActionCheckError{Code: "OFPBAC_BAD_SET_ARGUMENT"}
		}
		if act.Field.Bits <= 64 {
			mask := toU64(act.Mask)
			f.SetMasked(act.Field, toU64(act.Value)|act.Field.Get(&f.Key)&^mask, act.Field.Get(&f.Mask)|mask)
		}
	case *Move:
		if err := checkSrc(act.Src, f); err != nil {
			return err
		}
		return checkDst(act.Dst, f)
	case *StackPush:
		return checkSrc(act.Src, f)
	case *StackPop:
		return checkDst(act.Dst, f)
	case *Multipath:
		return checkDst(act.Dst, f)
	case *Bundle:
		if act.Dst != nil {
			if err := checkDst(*act.Dst, f); err != nil {
				return err
			}
		}
		// A member is a port one packet goes out of (NONE stands for
		// none), as OVS checks them.
		for _, port := range act.Members {
			if port != PortNone && checkOutPort(port) != nil || port == PortController {
				return &ActionCheckError{Code: "OFPBAC_BAD_OUT_PORT"}
			}
		}
	case *CheckPktLarger:
		return checkDst(act.Dst, f)
	case *Resubmit:
		if act.CT && !ctTrackedValid(f) {
			return &ActionCheckError{Code: "OFPBAC_MATCH_INCONSISTENT"}
		}
	case *Meter:
		c.usable &= protocolsOpenFlow13Up
		if act.ID == 0 || act.ID > MaxMeterID {
			return &ActionCheckError{Code: "OFPMMFC_INVALID_METER"}
		}
	case *DecMPLSTTL, *SetMPLSLabel, *SetMPLSTC, *SetMPLSTTL:
		c.onlyOpenFlow10(f.PrereqsMet(PrereqMPLS))
	case *PushMPLS:
		c.setEthType(act.EthType)
	case *PopMPLS:
		c.onlyOpenFlow10(f.PrereqsMet(PrereqMPLS))
		c.setEthType(act.EthType)
	case *FinTimeout:
		c.onlyOpenFlow10(f.PrereqsMet(PrereqTCP))
	case *Learn:
		return checkLearn(act, f)
	case *CT:
		return checkCT(act, f)
	case *Clone:
		return c.nested(act.Actions, true)
	case *WriteActions:
		return c.nested(act.Actions, false)
	}
	return nil
}

// checkOutPort refuses output to ANY and to the numbers between the
// physical ports and the reserved ones, as OVS does.
func checkOutPort(p Port) error {
	if p == PortNone || p >= PortMax && p <= PortUnset {
		return &ActionCheckError{Code: "OFPBAC_BAD_OUT_PORT"}
	}
	return nil
}

func checkSrc(sf Subfield, m *Match) error {
	if !m.PrereqsMet(sf.Field.Prereq) {
		return inconsistent("source field %s lacks correct prerequisites", sf.Field.Name)
	}
	return nil
}

// checkDst checks a field an action writes: its prerequisites first, as
// OVS does, then whether it may be written at all.
func checkDst(sf Subfield, m *Match) error {
	if !m.PrereqsMet(sf.Field.Prereq) {
		return inconsistent("destination field %s lacks correct prerequisites", sf.Field.Name)
	}
	if !sf.Field.Writable {
		return &ActionCheckError{Code: "OFPBAC_BAD_SET_ARGUMENT",
			Warning: fmt.Sprintf("destination field %s is not writable", sf.Field.Name)}
	}
	return nil
}

// checkLearn checks sources against the flow's match and the learned
// flow's fields against what its own earlier immediate matches pin down.
func checkLearn(l *Learn, m *Match) error {
	if l.ResultDst != nil {
		if err := checkDst(*l.ResultDst, m); err != nil {
			return err
		}
	}
	for i, s := range l.Specs {
		if s.Src.Field != nil {
			if err := checkSrc(s.Src, m); err != nil {
				return err
			}
		}
		learned := learnedMatch(l.Specs, i)
		switch s.Kind {
		case LearnMatch:
			if err := checkSrc(s.Dst, learned); err != nil {
				return err
			}
		case LearnLoad:
			if err := checkDst(s.Dst, learned); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkCT: conntrack works on IP packets only; nat's addresses must be of
// the flow's IP version.
func checkCT(ct *CT, m *Match) error {
	if !m.PrereqsMet(PrereqIPAny) {
		return &ActionCheckError{Code: "OFPBAC_MATCH_INCONSISTENT"}
	}
	if ct.ZoneSrc.Field != nil {
		if err := checkSrc(ct.ZoneSrc, m); err != nil {
			return err
		}
	}
	// A helper needs its protocol: FTP runs over TCP, TFTP over UDP.
	if ct.Alg == ALGFTP && !m.PrereqsMet(PrereqTCP) || ct.Alg == ALGTFTP && !m.PrereqsMet(PrereqUDP) {
		return &ActionCheckError{Code: "OFPBAC_MATCH_INCONSISTENT"}
	}
	for _, act := range ct.Actions {
		if nat, ok := act.(*NAT); ok && nat.MinAddr.IsValid() && nat.MinAddr.Is4() != m.PrereqsMet(PrereqIPv4) {
			return &ActionCheckError{Code: "OFPBAC_MATCH_INCONSISTENT"}
		}
	}
	return nil
}

// ctTrackedValid reports whether m requires ct_state +trk and -inv.
func ctTrackedValid(m *Match) bool {
	const trk, inv = 0x20, 0x10
	state, mask := FieldCTState.Get(&m.Key), FieldCTState.Get(&m.Mask)
	return mask&trk != 0 && state&trk != 0 && mask&inv != 0 && state&inv == 0
}

// protocols is a set of the OpenFlow flavours ovs-ofctl can send a flow
// in, as OVS's "usable protocols".
type protocols uint8

const (
	protoOpenFlow10 protocols = 1 << iota // OpenFlow 1.0 without extensions
	protoNXM                              // OpenFlow 1.0 with Nicira extensions
	protoOpenFlow11
	protoOXM12
	protoOXM13
	protoOXM14
	protoOXM15

	protocolsOXM          = protoOXM12 | protoOXM13 | protoOXM14 | protoOXM15
	protocolsOpenFlow10   = protoOpenFlow10 | protoNXM
	protocolsOpenFlow11Up = protoOpenFlow11 | protocolsOXM
	protocolsOpenFlow13Up = protoOXM13 | protoOXM14 | protoOXM15
	protocolsAny          = protocolsOpenFlow10 | protocolsOpenFlow11Up
)

// String names the set as OVS does in its messages.
func (p protocols) String() string {
	if p == protocolsAny {
		return "any"
	}
	var names []string
	add := func(bits protocols, name string) {
		if p&bits == bits {
			names = append(names, name)
			p &^= bits
		}
	}
	add(protoOpenFlow10, "OpenFlow10")
	add(protoNXM, "NXM")
	add(protocolsOXM, "OXM")
	add(protoOpenFlow11, "OpenFlow11")
	add(protoOXM12, "OXM-OpenFlow12")
	add(protoOXM13, "OXM-OpenFlow13")
	add(protoOXM14, "OXM-OpenFlow14")
	add(protoOXM15, "OXM-OpenFlow15")
	return strings.Join(names, ",")
}
