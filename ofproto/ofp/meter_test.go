package ofp

import (
	"fmt"
	"testing"
	"time"
)

// emptyMeterReply answers a meter statistics request with an empty reply.
func emptyMeterReply(m Message) Message {
	switch m.(type) {
	case *MeterStatsRequest:
		return &MeterStatsReply{}
	case *MeterConfigRequest:
		return &MeterConfigReply{}
	case *MeterFeaturesRequest:
		return &MeterFeaturesReply{}
	}
	return nil
}

func TestMeterGolden(t *testing.T) {
	m1 := Meter{ID: 1, Flags: MeterFlagKbps | MeterFlagBurst | MeterFlagStats, Bands: []MeterBand{
		{Type: MeterBandDrop, Rate: 1000, BurstSize: 10},
		{Type: MeterBandDSCPRemark, Rate: 200, BurstSize: 5, PrecLevel: 1},
	}}
	m2 := Meter{ID: 2, Flags: MeterFlagPktps, Bands: []MeterBand{{Type: MeterBandDrop, Rate: 5}}}
	var cases []goldenCase
	for _, v := range []Version{OF13, OF15} {
		vn := fmt.Sprintf("of1%d", v-1)
		cases = append(cases,
			goldenCase{"metermod-add-" + vn, v, &MeterMod{Command: MeterAdd, Meter: m1}},
			goldenCase{"metermod-modify-" + vn, v, &MeterMod{Command: MeterModify, Meter: m2}},
			goldenCase{"metermod-delete-all-" + vn, v, &MeterMod{Command: MeterDelete, Meter: Meter{ID: MeterAllID}}},
			goldenCase{"meter-config-request-" + vn, v, &MeterConfigRequest{MeterID: MeterAllID}},
			goldenCase{"meter-config-reply-" + vn, v, &MeterConfigReply{Meters: []Meter{m1, m2}}},
			goldenCase{"meter-stats-request-" + vn, v, &MeterStatsRequest{MeterID: 3}},
			goldenCase{"meter-stats-reply-" + vn, v, &MeterStatsReply{Meters: []MeterStats{
				{MeterID: 1, FlowCount: 2, Packets: 10, Bytes: 640, Duration: 2*time.Second + 500000000,
					Bands: []BandCounter{{1, 64}, {2, 128}}},
				{MeterID: 2},
			}}},
			goldenCase{"meter-features-request-" + vn, v, &MeterFeaturesRequest{}},
			goldenCase{"meter-features-reply-" + vn, v, &MeterFeaturesReply{MaxMeters: 200000, BandTypes: 1 << MeterBandDrop,
				Capabilities: uint32(MeterFlagKbps | MeterFlagPktps | MeterFlagBurst | MeterFlagStats), MaxBands: 1, MaxColor: 0}},
		)
	}
	runGolden(t, "meters.golden", cases)
}
