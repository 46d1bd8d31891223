package connmgr

import (
	"github.com/govs/govs/ofproto"
	"github.com/govs/govs/ofproto/ofp"
)

// Table configuration: table_mod and the table description request,
// answered as OVS 3.1 does.

// ovsEvictionFlags are the eviction flags OVS reports for every table:
// it may evict by importance, by remaining lifetime, and otherwise.
const ovsEvictionFlags = ofp.EvictionOther | ofp.EvictionImportance | ofp.EvictionLifetime

// handleTable answers a table_mod or a table description request; it
// reports false for any other message.
func (s *session) handleTable(h ofp.Header, msg ofp.Message, raw []byte) bool {
	switch m := msg.(type) {
	case *ofp.TableMod:
		if code, failed := s.tableMod(m); failed {
			s.sendError(h.Xid, code, raw)
		}
	case *ofp.TableDescRequest:
		if err := s.sendReplies(h.Xid, s.tableDescs()); err != nil {
			s.mgr.log.Printf("rconn", "WARN", "%s<->mgmt: reply: %v", s.mgr.bridge.Name(), err)
		}
	default:
		return false
	}
	return true
}

// tableMod applies a table_mod to one table or, for ofp.TableAll, to every
// table OpenFlow sees. The last table (254) is OVS's hidden internal
// table: changing it is OFPTMFC_EPERM. Settings the message leaves
// unspecified are kept.
func (s *session) tableMod(m *ofp.TableMod) (ofp.ErrorCode, bool) {
	if s.role == ofp.RoleSlave {
		return "OFPBRC_IS_SECONDARY", true
	}
	b := s.mgr.bridge
	ids := []uint8{m.Table}
	switch {
	case m.Table == ofp.TableAll:
		ids = ids[:0]
		for id := range numTables {
			ids = append(ids, uint8(id))
		}
	case int(m.Table) >= numTables:
		return ofp.TableModEPerm, true
	}
	for _, id := range ids {
		switch m.Miss {
		case ofp.TableMissController:
			b.SetTableMiss(id, ofproto.TableMissController)
		case ofp.TableMissContinue:
			b.SetTableMiss(id, ofproto.TableMissContinue)
		case ofp.TableMissDrop:
			b.SetTableMiss(id, ofproto.TableMissDrop)
		}
		b.SetTableConfig(id, func(c *ofproto.TableConfig) {
			// Any other eviction value (what OVS decodes from an
			// eviction property) changes nothing, as in OVS.
			switch m.Eviction {
			case ofp.TableOn:
				c.Eviction = true
			case ofp.TableOff:
				c.Eviction = false
			}
			if m.Vacancy != ofp.TableDefault {
				c.VacancyDown, c.VacancyUp = m.VacancyDown, m.VacancyUp
				c.VacancyEvents = m.Vacancy == ofp.TableOn
			}
		})
	}
	return "", false
}

// tableDescs describes every table OpenFlow sees, with how much of its
// capacity (flow_limit or OVS's default) is free.
func (s *session) tableDescs() *ofp.TableDescReply {
	b := s.mgr.bridge
	r := &ofp.TableDescReply{}
	for id := range numTables {
		c := b.TableConfig(uint8(id))
		d := ofp.TableDesc{Table: uint8(id), Eviction: ofp.TableOff, EvictionFlags: ovsEvictionFlags,
			VacancyEvents: ofp.TableOff, VacancyDown: c.VacancyDown, VacancyUp: c.VacancyUp, Vacancy: b.Vacancy(uint8(id))}
		if c.Eviction {
			d.Eviction = ofp.TableOn
		}
		if c.VacancyEvents {
			d.VacancyEvents = ofp.TableOn
		}
		r.Tables = append(r.Tables, d)
	}
	return r
}
