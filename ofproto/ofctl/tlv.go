package ofctl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/govs/govs/flowtable"
	"github.com/govs/govs/ofproto/ofp"
)

// scanInt reads an integer at the start of s as C's scanf %i does
// (leading white space, a sign, then decimal, 0x hex or 0 octal) and
// truncates it to bits; it returns the rest of s.
func scanInt(s string, bits uint) (uint64, string, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base, digits := 10, "0123456789"
	switch {
	case i+2 < len(s)+0 && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && i+2 < len(s) && strings.IndexByte("0123456789abcdefABCDEF", s[i+2]) >= 0:
		base, digits = 16, "0123456789abcdefABCDEF"
		i += 2
	case i < len(s) && s[i] == '0':
		base, digits = 8, "01234567"
	}
	start := i
	for i < len(s) && strings.IndexByte(digits, s[i]) >= 0 {
		i++
	}
	if i == start {
		return 0, s, false
	}
	v, err := strconv.ParseUint(s[start:i], base, 64)
	if err != nil || v > 1<<63 || (!neg && v == 1<<63) {
		return 0, s, false // strtoimax's ERANGE
	}
	if neg {
		v = -v
	}
	return v & (1<<bits - 1), s[i:], true
}

// parseTLVMappings parses "{class=C,type=T,len=L}->tun_metadataN" mappings
// separated by commas, as ovs-ofctl's add-tlv-map and del-tlv-map do.
func parseTLVMappings(s string) ([]flowtable.TLVMapping, error) {
	var ms []flowtable.TLVMapping
	bad := fatalf("invalid tlv mapping")
	for s != "" {
		s = strings.TrimPrefix(s, ",")
		var vals [4]uint64
		for i, lit := range []string{"{class=", ",type=", ",len=", "}->tun_metadata"} {
			if !strings.HasPrefix(s, lit) {
				return nil, bad
			}
			var ok bool
			if vals[i], s, ok = scanInt(s[len(lit):], []uint{16, 8, 8, 16}[i]); !ok {
				return nil, bad
			}
		}
		ms = append(ms, flowtable.TLVMapping{Class: uint16(vals[0]), Type: uint8(vals[1]), Length: uint8(vals[2]), Index: int(vals[3])})
	}
	return ms, nil
}

// tlvMod sends a TLV table mod: add-tlv-map, del-tlv-map (a clear without
// mappings).
func (c *ctl) tlvMod(args []string, cmd ofp.TLVTableCommand) error {
	text := ""
	if len(args) > 1 {
		text = args[1]
	} else if cmd == ofp.TLVTableDelete {
		cmd = ofp.TLVTableClear
	}
	ms, err := parseTLVMappings(text)
	if err != nil {
		return err
	}
	cn, err := c.open(args[0])
	if err != nil {
		return err
	}
	defer cn.close()
	// The message is usable with NXM or OXM: OpenFlow 1.0 switches to NXM
	// first, as ovs-ofctl does for such flow_mods.
	if cn.v == ofp.OF10 {
		if err := c.setupMessage(cn, &ofp.SetFlowFormat{Format: ofp.FlowFormatNXM}); err != nil {
			return err
		}
	}
	return c.setupMessage(cn, &ofp.TLVTableMod{Command: cmd, Mappings: ms})
}

func (c *ctl) addTLVMap(args []string) error { return c.tlvMod(args, ofp.TLVTableAdd) }
func (c *ctl) delTLVMap(args []string) error { return c.tlvMod(args, ofp.TLVTableDelete) }

func (c *ctl) dumpTLVMap(args []string) error {
	return c.dumpTransaction(args[0], &ofp.TLVTableRequest{})
}

// tlvDecodeWarning is the warning OVS logs when it fails to decode a TLV
// table mod's mappings (as ovs-ofctl does printing one sent back in an
// error), or "" when the mappings are valid.
func tlvDecodeWarning(raw []byte) string {
	if len(raw) < 24 {
		return ""
	}
	for b := raw[24:]; len(b) >= 8; b = b[8:] {
		length, index := b[3], int(b[4])<<8|int(b[5])
		if length%4 != 0 || length > 124 {
			return fmt.Sprintf("tlv table option length (%d) is not a valid option size", length)
		}
		if index >= flowtable.MaxTunMetadata {
			return fmt.Sprintf("tlv table field index (%d) is too large (max %d)", index, flowtable.MaxTunMetadata-1)
		}
	}
	return ""
}

// warn formats a warning as OVS logs it to the console.
func (c *ctl) warn(module, msg string) string { return c.logLine(module, "WARN", msg) }
