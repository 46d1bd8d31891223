package ofctl

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/govs/govs/ofproto/ofp"
)

// Meter commands: add-meter, mod-meter, del-meter(s), dump-meter(s),
// meter-stats, meter-features, with ovs-ofctl 3.1's syntax
// ("meter=1,kbps,burst,band=type=drop,rate=1000,burst_size=10"), output
// and exit codes.

// meterFields says what a meter command's text may hold.
type meterFields int

const (
	meterFieldID meterFields = 1 << iota
	meterFieldFlags
	meterFieldBands
)

// meterIDNames are the reserved meter ids ovs-ofctl reads and writes by
// name.
var meterIDNames = map[uint32]string{ofp.MeterAllID: "all", ofp.MeterController: "controller", ofp.MeterSlowpath: "slowpath"}

func formatMeterID(id uint32) string {
	if n, ok := meterIDNames[id]; ok {
		return n
	}
	return strconv.FormatUint(uint64(id), 10)
}

// parseMeter parses a meter's text; fields says what the command takes.
func parseMeter(text string, fields meterFields) (*ofp.Meter, error) {
	m := &ofp.Meter{ID: ofp.MeterAllID}
	if fields&meterFieldID != 0 && fields != meterFieldID {
		m.ID = 0
	}
	head, bandText := text, ""
	if fields&meterFieldBands != 0 {
		i := strings.Index(text, "band")
		if i < 0 {
			return nil, fatalf("must specify bands")
		}
		head = text[:i]
		_, bandText, _ = strings.Cut(text[i:], "=")
	}
	for _, kv := range strings.FieldsFunc(head, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		k, v, hasValue := strings.Cut(kv, "=")
		switch {
		case fields&meterFieldFlags != 0 && k == "kbps":
			m.Flags |= ofp.MeterFlagKbps
		case fields&meterFieldFlags != 0 && k == "pktps":
			m.Flags |= ofp.MeterFlagPktps
		case fields&meterFieldFlags != 0 && k == "burst":
			m.Flags |= ofp.MeterFlagBurst
		case fields&meterFieldFlags != 0 && k == "stats":
			m.Flags |= ofp.MeterFlagStats
		case !hasValue:
			return nil, fatalf("field %s missing value", k)
		case k == "meter":
			id, ok := uint32(0), false
			for n, name := range meterIDNames {
				if v == name {
					id, ok = n, true
				}
			}
			if !ok {
				n, err := strconv.ParseUint(v, 0, 32)
				if err != nil || n == 0 || n > ofp.MeterMaxID {
					return nil, fatalf("invalid value for meter")
				}
				id = uint32(n)
			}
			m.ID = id
		default:
			return nil, fatalf("unknown keyword %s", k)
		}
	}
	if fields&meterFieldFlags != 0 && m.Flags == 0 {
		return nil, fatalf("meter must specify either 'kbps' or 'pktps'")
	}
	if fields&meterFieldBands == 0 {
		return m, nil
	}
	var band *ofp.MeterBand
	for _, kv := range strings.FieldsFunc(bandText, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		k, v, hasValue := strings.Cut(kv, "=")
		if !hasValue {
			return nil, fatalf("field %s missing value", k)
		}
		if k == "type" {
			m.Bands = append(m.Bands, ofp.MeterBand{})
			band = &m.Bands[len(m.Bands)-1]
			switch v {
			case "drop":
				band.Type = ofp.MeterBandDrop
			case "dscp_remark":
				band.Type = ofp.MeterBandDSCPRemark
			default:
				return nil, fatalf("field %s unknown value %s", k, v)
			}
			continue
		}
		if band == nil {
			return nil, fatalf("band must start with the 'type' keyword")
		}
		n, err := strconv.ParseUint(v, 0, 32)
		switch {
		case k == "rate" || k == "burst_size" || k == "prec_level":
			if err != nil || (k == "prec_level" && n > 0xff) {
				return nil, fatalf("invalid value for %s", k)
			}
		default:
			return nil, fatalf("unknown keyword %s", k)
		}
		switch k {
		case "rate":
			band.Rate = uint32(n)
		case "burst_size":
			band.BurstSize = uint32(n)
		case "prec_level":
			band.PrecLevel = uint8(n)
		}
	}
	if len(m.Bands) == 0 {
		return nil, fatalf("must specify bands")
	}
	for _, b := range m.Bands {
		switch {
		case b.Rate == 0:
			return nil, fatalf("band must have 'rate'")
		case m.Flags&ofp.MeterFlagBurst != 0 && b.BurstSize == 0:
			return nil, fatalf("band must have 'burst_size' when 'burst' flag is set")
		case m.Flags&ofp.MeterFlagBurst == 0 && b.BurstSize != 0:
			return nil, fatalf("band may have 'burst_size' only when 'burst' flag is set")
		}
	}
	return m, nil
}

// needMeterVersion refuses meter commands when only OpenFlow 1.0–1.2 may
// be spoken, as ovs-ofctl does.
func (c *ctl) needMeterVersion() error {
	if c.allowedVersions()&(1<<ofp.OF13|1<<ofp.OF14|1<<ofp.OF15) == 0 {
		return fatalf("none of the usable flow formats (OXM-OpenFlow13,OXM-OpenFlow14,OXM-OpenFlow15) is among the allowed flow formats (OpenFlow10,NXM)")
	}
	return nil
}

func meterModCommand(cmd ofp.MeterCommand) func(*ctl, []string) error {
	return func(c *ctl, args []string) error {
		if err := c.needMeterVersion(); err != nil {
			return err
		}
		fields := meterFieldID | meterFieldFlags | meterFieldBands
		if cmd == ofp.MeterDelete {
			fields = meterFieldID
		}
		text := ""
		if len(args) > 1 {
			text = args[1]
		}
		m, err := parseMeter(text, fields)
		if err != nil {
			return err
		}
		cn, err := c.open(args[0])
		if err != nil {
			return err
		}
		defer cn.close()
		if err := cn.send(c.nextXid(), &ofp.MeterMod{Command: cmd, Meter: *m}); err != nil {
			return err
		}
		errs, err := cn.barrier()
		if len(errs) > 0 {
			io.WriteString(c.errOut, c.formatMessage(errs[0]))
			return &silentExit{status: 1}
		}
		return err
	}
}

func meterRequestCommand(stats bool) func(*ctl, []string) error {
	return func(c *ctl, args []string) error {
		if err := c.needMeterVersion(); err != nil {
			return err
		}
		text := ""
		if len(args) > 1 {
			text = args[1]
		}
		m, err := parseMeter(text, meterFieldID)
		if err != nil {
			return err
		}
		if stats {
			return c.dumpTransaction(args[0], &ofp.MeterStatsRequest{MeterID: m.ID})
		}
		return c.dumpTransaction(args[0], &ofp.MeterConfigRequest{MeterID: m.ID})
	}
}

func (c *ctl) meterFeatures(args []string) error {
	if err := c.needMeterVersion(); err != nil {
		return err
	}
	return c.dumpTransaction(args[0], &ofp.MeterFeaturesRequest{})
}

var meterCommandNames = map[ofp.MeterCommand]string{ofp.MeterAdd: "ADD", ofp.MeterModify: "MOD", ofp.MeterDelete: "DEL"}

// formatMeter writes a meter's configuration as ovs-ofctl does.
func formatMeter(b *strings.Builder, m *ofp.Meter) {
	fmt.Fprintf(b, "meter=%s", formatMeterID(m.ID))
	for _, f := range []struct {
		flag ofp.MeterFlags
		name string
	}{{ofp.MeterFlagKbps, "kbps"}, {ofp.MeterFlagPktps, "pktps"}, {ofp.MeterFlagBurst, "burst"}, {ofp.MeterFlagStats, "stats"}} {
		if m.Flags&f.flag != 0 {
			b.WriteString(" " + f.name)
		}
	}
	b.WriteString(" bands=\n")
	for i, band := range m.Bands {
		switch band.Type {
		case ofp.MeterBandDrop:
			b.WriteString("type=drop")
		case ofp.MeterBandDSCPRemark:
			b.WriteString("type=dscp_remark")
		default:
			fmt.Fprintf(b, "type=%d", band.Type)
		}
		fmt.Fprintf(b, " rate=%d", band.Rate)
		if m.Flags&ofp.MeterFlagBurst != 0 {
			fmt.Fprintf(b, " burst_size=%d", band.BurstSize)
		}
		if band.Type == ofp.MeterBandDSCPRemark {
			fmt.Fprintf(b, " prec_level=%d", band.PrecLevel)
		}
		if i < len(m.Bands)-1 {
			b.WriteByte('\n')
		}
	}
}

// formatMeterMessage writes the meter messages' bodies; it reports false
// for other messages.
func formatMeterMessage(b *strings.Builder, msg ofp.Message) bool {
	switch m := msg.(type) {
	case *ofp.MeterMod:
		fmt.Fprintf(b, " %s ", meterCommandNames[m.Command])
		formatMeter(b, &m.Meter)
		b.WriteByte('\n')
	case *ofp.MeterConfigRequest:
		fmt.Fprintf(b, " meter=%s\n", formatMeterID(m.MeterID))
	case *ofp.MeterStatsRequest:
		fmt.Fprintf(b, " meter=%s\n", formatMeterID(m.MeterID))
	case *ofp.MeterConfigReply:
		b.WriteByte('\n')
		for i := range m.Meters {
			if i > 0 {
				b.WriteByte('\n')
			}
			formatMeter(b, &m.Meters[i])
			b.WriteByte('\n')
		}
	case *ofp.MeterStatsReply:
		b.WriteByte('\n')
		for i, s := range m.Meters {
			if i > 0 {
				b.WriteByte('\n')
			}
			fmt.Fprintf(b, "meter:%s flow_count:%d packet_in_count:%d byte_in_count:%d duration:%s bands:\n",
				formatMeterID(s.MeterID), s.FlowCount, s.Packets, s.Bytes, formatDuration(s.Duration))
			for j, bc := range s.Bands {
				fmt.Fprintf(b, "%d: packet_count:%d byte_count:%d\n", j, bc.Packets, bc.Bytes)
			}
		}
	case *ofp.MeterFeaturesReply:
		fmt.Fprintf(b, "\nmax_meter:%d max_bands:%d max_color:%d\n", m.MaxMeters, m.MaxBands, m.MaxColor)
		var types, caps []string
		if m.BandTypes&(1<<ofp.MeterBandDrop) != 0 {
			types = append(types, "drop")
		}
		if m.BandTypes&(1<<ofp.MeterBandDSCPRemark) != 0 {
			types = append(types, "dscp_remark")
		}
		for bit, name := range []string{"kbps", "pktps", "burst", "stats"} {
			if m.Capabilities&(1<<bit) != 0 {
				caps = append(caps, name)
			}
		}
		fmt.Fprintf(b, "band_types: %s\ncapabilities: %s\n", strings.Join(types, " "), strings.Join(caps, " "))
	default:
		return false
	}
	return true
}
