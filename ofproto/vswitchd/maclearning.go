package vswitchd

import (
	"strconv"
	"time"

	"github.com/govs/govs/ofproto"
)

// configureMACLearning applies a bridge's other_config:mac-aging-time
// (seconds) and other_config:mac-table-size; a missing or malformed value
// means OVS's default, as in ovs-vswitchd.
func configureMACLearning(b *ofproto.Bridge, otherConfig map[string]string) {
	var age time.Duration
	if secs, err := strconv.Atoi(otherConfig["mac-aging-time"]); err == nil && secs > 0 {
		age = time.Duration(secs) * time.Second
	}
	size, err := strconv.Atoi(otherConfig["mac-table-size"])
	if err != nil || size <= 0 {
		size = 0
	}
	b.FDB().SetLimits(age, size)
}
