package flowtable

import "fmt"

// ActionCheckError reports actions that do not fit the flow's match, in
// the two parts OVS gives: Warning is what it logs first ("set_field
// ip_src lacks correct prerequisites"; empty when it logs nothing) and
// Error is what ovs-ofctl then exits with.
type ActionCheckError struct {
	Code    string // OpenFlow error name, e.g. OFPBAC_MATCH_INCONSISTENT
	Warning string
}

func (e *ActionCheckError) Error() string {
	return "actions are invalid with specified match (" + e.Code + ")"
}

func inconsistent(format string, args ...any) error {
	return &ActionCheckError{Code: "OFPBAC_MATCH_INCONSISTENT", Warning: fmt.Sprintf(format, args...)}
}

// Check verifies the actions against the flow's match m (nil matches
// everything) as OVS does for OpenFlow 1.0 flows: a field that is set,
// read or moved must have its prerequisites pinned down by the match
// (set_field to ip_src needs ip), ct and nat need IP, resubmit's ct form
// needs ct_state=+trk-inv, and output to ANY is refused. OVS lets the
// OpenFlow 1.0 set actions (mod_nw_src, mod_tp_dst, ...) through without
// such checks when the flow is sent with OpenFlow 1.0, so Check does too.
//
// Like ovs-ofctl, Check judges actions as written, before OpenFlow 1.0
// encoding; [ParseActionsFor] runs it at that point. On ParseActions'
// result it is stricter than OVS in one way: mod_nw_ttl and mod_nw_ecn
// have become loads there, and a load needs IP in the match.
func (a Actions) Check(m *Match) error {
	if m == nil {
		m = &Match{}
	}
	for _, act := range a {
		if err := checkAction(act, m); err != nil {
			return err
		}
	}
	return nil
}

func checkAction(act Action, m *Match) error {
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
		return checkSrc(act.Src, m)
	case *SetField:
		// Setting vlan_vid also needs a tag to set it in, though
		// matching on it does not.
		vlanless := act.Field == FieldVLANVID && !prereqOK(PrereqVLANVID, m)
		if !prereqOK(act.Field.Prereq, m) || vlanless {
			return inconsistent("set_field %s lacks correct prerequisites", act.Field.Name)
		}
	case *Move:
		if err := checkSrc(act.Src, m); err != nil {
			return err
		}
		return checkDst(act.Dst, m)
	case *StackPush:
		return checkSrc(act.Src, m)
	case *StackPop:
		return checkDst(act.Dst, m)
	case *Multipath:
		return checkDst(act.Dst, m)
	case *Bundle:
		if act.Dst != nil {
			return checkDst(*act.Dst, m)
		}
	case *CheckPktLarger:
		return checkDst(act.Dst, m)
	case *Resubmit:
		if act.CT && !ctTrackedValid(m) {
			return &ActionCheckError{Code: "OFPBAC_MATCH_INCONSISTENT"}
		}
	case *Learn:
		return checkLearn(act, m)
	case *CT:
		return checkCT(act, m)
	case *Clone:
		return act.Actions.Check(m)
	case *WriteActions:
		return act.Actions.Check(m)
	}
	return nil
}

// checkOutPort refuses ANY (alias NONE) and UNSET, which name no port.
func checkOutPort(p Port) error {
	if p == PortNone || p == PortUnset {
		return &ActionCheckError{Code: "OFPBAC_BAD_OUT_PORT"}
	}
	return nil
}

func checkSrc(sf Subfield, m *Match) error {
	if !prereqOK(sf.Field.Prereq, m) {
		return inconsistent("source field %s lacks correct prerequisites", sf.Field.Name)
	}
	return nil
}

func checkDst(sf Subfield, m *Match) error {
	if !prereqOK(sf.Field.Prereq, m) {
		return inconsistent("destination field %s lacks correct prerequisites", sf.Field.Name)
	}
	if !sf.Field.Writable {
		return inconsistent("destination field %s is not writable", sf.Field.Name)
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
	ethType := FieldEthType.Get(&m.Key)
	if ethType != ethTypeIPv4 && ethType != ethTypeIPv6 {
		return &ActionCheckError{Code: "OFPBAC_MATCH_INCONSISTENT"}
	}
	if ct.ZoneSrc.Field != nil {
		if err := checkSrc(ct.ZoneSrc, m); err != nil {
			return err
		}
	}
	for _, act := range ct.Actions {
		if nat, ok := act.(*NAT); ok && nat.MinAddr.IsValid() && nat.MinAddr.Is4() != (ethType == ethTypeIPv4) {
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

// Ethernet types that prerequisites test.
const (
	ethTypeIPv4      = 0x0800
	ethTypeARP       = 0x0806
	ethTypeRARP      = 0x8035
	ethTypeIPv6      = 0x86dd
	ethTypeMPLS      = 0x8847
	ethTypeMPLSMulti = 0x8848
)

// prereqOK reports whether the match pins down prerequisite p. Key bits
// outside the mask are zero, so testing values is enough.
func prereqOK(p Prereq, m *Match) bool {
	ethType := FieldEthType.Get(&m.Key)
	isIPv4, isIPv6 := ethType == ethTypeIPv4, ethType == ethTypeIPv6
	ipProto := func(proto uint64) bool { return (isIPv4 || isIPv6) && FieldNwProto.Get(&m.Key) == proto }
	icmp6Type := func(types ...uint64) bool {
		if !isIPv6 || FieldNwProto.Get(&m.Key) != 58 || FieldICMPv6Code.Get(&m.Key) != 0 {
			return false
		}
		t := FieldICMPv6Type.Get(&m.Key)
		for _, want := range types {
			if t == want {
				return true
			}
		}
		return false
	}
	switch p {
	case PrereqNone:
		return true
	case PrereqVLANVID:
		return FieldVLANTCI.Get(&m.Key)&VLANCFI != 0
	case PrereqARP:
		return ethType == ethTypeARP || ethType == ethTypeRARP
	case PrereqIPv4:
		return isIPv4
	case PrereqIPv6:
		return isIPv6
	case PrereqIPAny:
		return isIPv4 || isIPv6
	case PrereqMPLS:
		return ethType == ethTypeMPLS || ethType == ethTypeMPLSMulti
	case PrereqTCP:
		return ipProto(6)
	case PrereqUDP:
		return ipProto(17)
	case PrereqSCTP:
		return ipProto(132)
	case PrereqICMPv4:
		return isIPv4 && FieldNwProto.Get(&m.Key) == 1
	case PrereqICMPv6:
		return ipProto(58) && isIPv6
	case PrereqND:
		return icmp6Type(135, 136)
	case PrereqNDSolicit:
		return icmp6Type(135)
	case PrereqNDAdvert:
		return icmp6Type(136)
	case PrereqCT:
		return FieldCTState.Get(&m.Key)&0x20 != 0
	}
	return false
}
