package flowtable

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchTemplate is a mask shape of the kind OpenFlow pipelines use.
type benchTemplate struct {
	inPort, ethDst, reg0, metadata bool
	srcPlen, dstPlen               int // 0: not matched
	l4                             int // 0: none, 1: nw_proto, 2: nw_proto and tp_dst
}

// benchTemplates returns n distinct mask shapes.
func benchTemplates(rng *rand.Rand, n int) []benchTemplate {
	plens := []int{0, 8, 16, 24, 32}
	seen := map[benchTemplate]bool{}
	var out []benchTemplate
	for len(out) < n {
		t := benchTemplate{
			inPort:   rng.IntN(2) == 0,
			ethDst:   rng.IntN(4) == 0,
			reg0:     rng.IntN(3) == 0,
			metadata: rng.IntN(3) == 0,
			srcPlen:  plens[rng.IntN(len(plens))],
			dstPlen:  plens[rng.IntN(len(plens))],
			l4:       rng.IntN(3),
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// benchRule returns a random rule of template t and a key that it matches
// (fields it does not match are random too).
func benchRule(rng *rand.Rand, t benchTemplate) (Match, Key) {
	var k Key
	FieldInPort.Set(&k, 1+rng.Uint64N(1000))
	FieldEthDst.Set(&k, rng.Uint64())
	FieldReg[0].Set(&k, rng.Uint64N(64))
	FieldMetadata.Set(&k, rng.Uint64N(64))
	FieldEthType.Set(&k, 0x0800)
	FieldIPSrc.Set(&k, rng.Uint64())
	FieldIPDst.Set(&k, rng.Uint64())
	FieldNwProto.Set(&k, []uint64{6, 17}[rng.IntN(2)])
	FieldTCPSrc.Set(&k, rng.Uint64())
	FieldTCPDst.Set(&k, rng.Uint64N(1024))

	var m Match
	exact := func(on bool, f *Field) {
		if on {
			m.SetExact(f, f.Get(&k))
		}
	}
	exact(t.inPort, FieldInPort)
	exact(t.ethDst, FieldEthDst)
	exact(t.reg0, FieldReg[0])
	exact(t.metadata, FieldMetadata)
	exact(t.srcPlen > 0 || t.dstPlen > 0 || t.l4 > 0, FieldEthType)
	if t.srcPlen > 0 {
		m.SetMasked(FieldIPSrc, FieldIPSrc.Get(&k), prefix4(t.srcPlen))
	}
	if t.dstPlen > 0 {
		m.SetMasked(FieldIPDst, FieldIPDst.Get(&k), prefix4(t.dstPlen))
	}
	exact(t.l4 > 0, FieldNwProto)
	exact(t.l4 > 1, FieldTCPDst)
	return m, k
}

// benchClassifier builds a classifier of nRules random rules spread over
// nMasks mask shapes and returns it with one matching key per rule.
//
// With prioByMask, each mask shape has its own band of priorities, as in
// pipelines where priority follows the kind of match (OVN's logical flows,
// longest-prefix routes); lookups then stop early. Otherwise priorities are
// random, every subtable holds high priorities and every lookup has to
// probe every subtable: the worst case.
func benchClassifier(rng *rand.Rand, nRules, nMasks int, prioByMask bool) (*Classifier[int], []Key) {
	c := NewClassifier[int]()
	rules, keys := benchRules(rng, nRules, nMasks, prioByMask)
	for i := range rules {
		c.Insert(&rules[i].match, rules[i].priority, i)
	}
	return c, keys
}

// benchRuleSpec is a rule of [benchRules].
type benchRuleSpec struct {
	match    Match
	priority int
}

// benchRules returns the rules [benchClassifier] inserts, with one
// matching key per rule.
func benchRules(rng *rand.Rand, nRules, nMasks int, prioByMask bool) ([]benchRuleSpec, []Key) {
	templates := benchTemplates(rng, nMasks)
	rules := make([]benchRuleSpec, nRules)
	keys := make([]Key, nRules)
	for i := range nRules {
		t := i % nMasks
		rules[i].match, keys[i] = benchRule(rng, templates[t])
		rules[i].priority = rng.IntN(1000)
		if prioByMask {
			rules[i].priority = 10*(nMasks-t) + rng.IntN(3)
		}
	}
	return rules, keys
}

// benchPacketWords are the key words a bench key sets (see [benchRule]).
var benchPacketWords = [...]int{wPort, wMetadata, wXReg0, wEthDst, wIPv4, wIPMisc, wL4}

// benchPacket holds a bench key's words compactly, as a packet holds its
// headers.
type benchPacket [len(benchPacketWords)]uint64

// unpack writes the packet's key into k, as a parser does.
func (p *benchPacket) unpack(k *Key) {
	*k = Key{}
	for i, w := range benchPacketWords {
		k[w] = p[i]
	}
}

// packBenchKeys returns keys as packets.
func packBenchKeys(b *testing.B, keys []Key) []benchPacket {
	packets := make([]benchPacket, len(keys))
	for i := range keys {
		for j, w := range benchPacketWords {
			packets[i][j] = keys[i][w]
		}
		var k Key
		packets[i].unpack(&k)
		if k != keys[i] {
			b.Fatalf("bench key %d sets words outside benchPacketWords", i)
		}
	}
	return packets
}

func BenchmarkClassifierLookup(b *testing.B) {
	for _, nRules := range []int{1, 100, 10_000, 100_000} {
		for _, nMasks := range []int{1, 20, 100} {
			if nMasks > nRules {
				continue
			}
			for _, prio := range []string{"mask", "random"} {
				b.Run(fmt.Sprintf("rules=%d/masks=%d/prio=%s", nRules, nMasks, prio), func(b *testing.B) {
					rng := rand.New(rand.NewPCG(1, 2))
					c, keys := benchClassifier(rng, nRules, nMasks, prio == "mask")
					if got := len(*c.subtables.Load()); got != nMasks {
						b.Fatalf("built %d subtables, want %d", got, nMasks)
					}
					// Visit rules in a random order so caches see realistic
					// misses. A datapath hands the classifier the key its
					// parser has just written into a buffer that stays in
					// cache, so each lookup clears one key and writes the
					// packet's words into it (counted), as the parser does,
					// rather than copying a whole key, mostly zeros, from
					// memory.
					order := rng.Perm(len(keys))
					packets := packBenchKeys(b, keys)
					b.Run("wc", func(b *testing.B) {
						b.ReportAllocs()
						var k Key
						for i := 0; i < b.N; i++ {
							var wc Mask
							packets[order[i%len(order)]].unpack(&k)
							if _, ok := c.Lookup(&k, &wc); !ok {
								b.Fatal("lookup of a rule's own key missed")
							}
						}
					})
					b.Run("nowc", func(b *testing.B) {
						b.ReportAllocs()
						var k Key
						for i := 0; i < b.N; i++ {
							packets[order[i%len(order)]].unpack(&k)
							if _, ok := c.Lookup(&k, nil); !ok {
								b.Fatal("lookup of a rule's own key missed")
							}
						}
					})
				})
			}
		}
	}
}

// benchMatch holds a bench rule's match compactly: its key and mask words
// at benchPacketWords, as a flow_mod holds its fields.
type benchMatch struct {
	key, mask benchPacket
}

// unpack writes the match into m, as a flow_mod decoder does.
func (bm *benchMatch) unpack(m *Match) {
	*m = Match{}
	for i, w := range benchPacketWords {
		m.Key[w], m.Mask[w] = bm.key[i], bm.mask[i]
	}
}

// benchChurnRules returns n distinct random rules over 20 masks with
// random priorities, compact, for the insert and remove benchmarks.
func benchChurnRules(b *testing.B, n int) ([]benchMatch, []int) {
	rng := rand.New(rand.NewPCG(1, 2))
	templates := benchTemplates(rng, 20)
	matches := make([]benchMatch, n)
	prios := make([]int, n)
	type rule struct {
		m        benchMatch
		priority int
	}
	seen := make(map[rule]bool, n)
	for i := range matches {
		for {
			m, _ := benchRule(rng, templates[i%len(templates)])
			for j, w := range benchPacketWords {
				matches[i].key[j], matches[i].mask[j] = m.Key[w], m.Mask[w]
			}
			var back Match
			matches[i].unpack(&back)
			if back != m {
				b.Fatalf("bench rule %d matches words outside benchPacketWords", i)
			}
			prios[i] = rng.IntN(1000)
			if r := (rule{matches[i], prios[i]}); !seen[r] {
				seen[r] = true
				break
			}
		}
	}
	return matches, prios
}

// BenchmarkClassifierInsert inserts rules into a classifier over 20 masks,
// starting afresh every 100 000 rules. As in a flow_mod's handling, each
// insert's match is first written into a buffer that stays in cache
// (counted) rather than read from a large array of whole matches, which
// no switch has.
func BenchmarkClassifierInsert(b *testing.B) {
	const cycle = 100_000
	matches, prios := benchChurnRules(b, cycle)
	b.ReportAllocs()
	b.ResetTimer()
	c := NewClassifier[int]()
	var m Match
	for i := 0; i < b.N; i++ {
		j := i % cycle
		if j == 0 && i > 0 {
			b.StopTimer()
			c = NewClassifier[int]()
			b.StartTimer()
		}
		matches[j].unpack(&m)
		c.Insert(&m, prios[j], i)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inserts/s")
}

// BenchmarkClassifierRemove removes rules from a classifier of 100 000
// rules over 20 masks, refilling it when it is empty. Matches reach
// Remove as in BenchmarkClassifierInsert.
func BenchmarkClassifierRemove(b *testing.B) {
	const cycle = 100_000
	matches, prios := benchChurnRules(b, cycle)
	var m Match
	fill := func() *Classifier[int] {
		c := NewClassifier[int]()
		for i := range matches {
			matches[i].unpack(&m)
			c.Insert(&m, prios[i], i)
		}
		return c
	}
	c := fill()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % cycle
		if j == 0 && i > 0 {
			b.StopTimer()
			c = fill()
			b.StartTimer()
		}
		matches[j].unpack(&m)
		if _, ok := c.Remove(&m, prios[j]); !ok {
			b.Fatal("remove of an inserted rule found nothing")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "removes/s")
}

// BenchmarkClassifierLookupDuringChurn looks up keys of 10 000 rules over
// 20 masks, with megaflow masks, while another goroutine keeps inserting
// and removing rules: lookups never wait for the writer, they only share
// the CPUs and caches with it. (Allocations are not reported: the
// writer's would be counted.)
func BenchmarkClassifierLookupDuringChurn(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	c, keys := benchClassifier(rng, 10_000, 20, true)
	templates := benchTemplates(rng, 20)
	churn := make([]Match, 1000)
	for i := range churn {
		churn[i], _ = benchRule(rng, templates[i%len(templates)])
	}
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		writes := 0
		for {
			for i := range churn {
				select {
				case <-stop:
					done <- writes
					return
				default:
				}
				c.Insert(&churn[i], 5, -1)
				c.Remove(&churn[(i+500)%len(churn)], 5)
				writes += 2
			}
		}
	}()
	order := rng.Perm(len(keys))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var wc Mask
		if _, ok := c.Lookup(&keys[order[i%len(order)]], &wc); !ok {
			b.Fatal("lookup of a rule's own key missed")
		}
	}
	b.StopTimer()
	close(stop)
	b.ReportMetric(float64(<-done)/b.Elapsed().Seconds(), "writes/s")
}
