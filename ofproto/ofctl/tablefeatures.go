package ofctl

import (
	"fmt"
	"strings"

	"github.com/govs/govs/ofproto/ofp"
)

// Table capabilities (OFPTC14_*) shown from OpenFlow 1.4 on.
const (
	tableEviction      = 1 << 2
	tableVacancyEvents = 1 << 3
)

// sameTableFeatures compares what OVS compares to print "ditto" (govs'
// tables carry no instruction, action or match properties).
func sameTableFeatures(a, b *ofp.TableFeatures) bool {
	return a.MetadataMatch == b.MetadataMatch && a.MetadataWrite == b.MetadataWrite &&
		a.Config == b.Config && a.MaxEntries == b.MaxEntries
}

// tableFeaturesPrinter writes tables as ovs-ofctl dump-table-features
// does, folding runs of unnamed tables like their predecessor into
// "tables A...B: ditto".
type tableFeaturesPrinter struct {
	b                     strings.Builder
	v                     ofp.Version
	prev                  *ofp.TableFeatures
	firstDitto, lastDitto int
}

func (p *tableFeaturesPrinter) finishDitto() {
	if p.firstDitto < 0 {
		return
	}
	if p.firstDitto == p.lastDitto {
		fmt.Fprintf(&p.b, "\n  table %d: ditto\n", p.firstDitto)
	} else {
		fmt.Fprintf(&p.b, "\n  tables %d...%d: ditto\n", p.firstDitto, p.lastDitto)
	}
	p.firstDitto = -1
}

func (p *tableFeaturesPrinter) add(t *ofp.TableFeatures) {
	same := p.prev != nil && sameTableFeatures(t, p.prev)
	defer func() { p.prev = t }()
	if same && t.Name == "" {
		if p.firstDitto < 0 {
			p.firstDitto = int(t.Table)
		}
		p.lastDitto = int(t.Table)
		return
	}
	p.finishDitto()
	fmt.Fprintf(&p.b, "\n  table %d", t.Table)
	if t.Name != "" {
		fmt.Fprintf(&p.b, " (\"%s\")", t.Name)
	}
	p.b.WriteByte(':')
	if same {
		p.b.WriteString(" ditto")
		return
	}
	p.b.WriteByte('\n')
	if t.MetadataMatch != 0 || t.MetadataWrite != 0 {
		fmt.Fprintf(&p.b, "    metadata: match=%s write=%s\n", cHex(t.MetadataMatch), cHex(t.MetadataWrite))
	}
	if p.v >= ofp.OF14 {
		fmt.Fprintf(&p.b, "    eviction: %ssupported\n", notIf(t.Config&tableEviction == 0))
		fmt.Fprintf(&p.b, "    vacancy events: %ssupported\n", notIf(t.Config&tableVacancyEvents == 0))
	}
	if t.MaxEntries != 0 {
		fmt.Fprintf(&p.b, "    max_entries=%d\n", t.MaxEntries)
	}
}

func notIf(b bool) string {
	if b {
		return "not "
	}
	return ""
}

// cHex is C's %#x: 0 without a prefix.
func cHex(x uint64) string {
	if x == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", x)
}

func (c *ctl) dumpTableFeatures(args []string) error {
	cn, err := c.open(args[0])
	if err != nil {
		return err
	}
	defer cn.close()
	if cn.v < ofp.OF13 {
		return fatalf("dump-table-features needs OpenFlow 1.3 or later ('-O OpenFlow13')")
	}
	parts, err := cn.dump(&ofp.TableFeaturesRequest{})
	p := &tableFeaturesPrinter{v: cn.v, firstDitto: -1}
	for _, r := range parts {
		m, ok := r.msg.(*ofp.TableFeaturesReply)
		if !ok {
			// An error or something unexpected: print it as it is.
			fmt.Fprint(c.out, c.formatMessage(r))
			continue
		}
		for i := range m.Tables {
			p.add(&m.Tables[i])
		}
	}
	if err != nil {
		return err
	}
	p.finishDitto()
	fmt.Fprintln(c.out, strings.TrimPrefix(p.b.String(), "\n"))
	return nil
}
