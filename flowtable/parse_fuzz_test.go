package flowtable

import "testing"

// FuzzParseFrame feeds arbitrary bytes to ParseFrame: it must not panic,
// must leave the metadata stage alone, and must report offsets that lie in
// the frame and in layer order. Parsing twice gives the same key.
func FuzzParseFrame(f *testing.F) {
	for _, tt := range parseTests(f) {
		f.Add(tt.frame)
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		frame = frame[:len(frame):len(frame)]
		var k Key
		k[wPort] = 0xfeedface
		info := k.ParseFrame(frame)
		if k[wPort] != 0xfeedface {
			t.Fatalf("metadata word changed: %#x", k[wPort])
		}
		checkOffsets(t, len(frame), info)
		if info.VLAN >= 0 && k[wEthSrc]&VLANCFI == 0 {
			t.Fatalf("VLAN at %d but vlan_tci %#x has no VLANCFI", info.VLAN, k[wEthSrc]&0xffff)
		}
		if info.L4 < 0 && k[wL4] != 0 {
			t.Fatalf("no L4 but L4 word %#x", k[wL4])
		}
		again := k
		again.ParseFrame(frame)
		if again != k {
			t.Fatalf("second parse differs: %x vs %x", again, k)
		}
	})
}
