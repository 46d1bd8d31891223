package flowtable

import (
	"github.com/govs/govs/internal/testutil"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func ip4(s string) uint64 {
	a := netip.MustParseAddr(s).As4()
	return uint64(a[0])<<24 | uint64(a[1])<<16 | uint64(a[2])<<8 | uint64(a[3])
}

func ip6(s string) []byte {
	a := netip.MustParseAddr(s).As16()
	return a[:]
}

// prefix4 returns the mask of an IPv4 /n.
func prefix4(n int) uint64 { return 0xffffffff << (32 - n) & 0xffffffff }

// prefix6 returns the mask of an IPv6 /n.
func prefix6(n int) []byte {
	b := make([]byte, 16)
	for i := range n {
		b[i/8] |= 0x80 >> (i % 8)
	}
	return b
}

// clsField is one field setting for building test matches and keys.
type clsField struct {
	f    *Field
	v    uint64
	mask uint64 // 0 means exact
}

func match(sets ...clsField) *Match {
	m := &Match{}
	for _, s := range sets {
		if s.mask == 0 {
			m.SetExact(s.f, s.v)
		} else {
			m.SetMasked(s.f, s.v, s.mask)
		}
	}
	return m
}

func key(sets ...clsField) *Key {
	k := &Key{}
	for _, s := range sets {
		s.f.Set(k, s.v)
	}
	return k
}

// mask returns a Mask with the given fields, exact or with their masks.
func mask(sets ...clsField) *Mask { return &match(sets...).Mask }

func TestClassifierInsertFindRemove(t *testing.T) {
	c := NewClassifier[string]()
	m1 := match(clsField{f: FieldInPort, v: 1})
	m2 := match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPDst, v: ip4("10.0.0.0"), mask: prefix4(8)})

	if _, ok := c.Insert(m1, 5, "a"); ok {
		t.Fatal("first insert reported a replacement")
	}
	if _, ok := c.Insert(m1, 6, "b"); ok {
		t.Fatal("insert at another priority reported a replacement")
	}
	if old, ok := c.Insert(m1, 5, "c"); !ok || old != "a" {
		t.Fatalf("replace: got (%q, %v), want (a, true)", old, ok)
	}
	c.Insert(m2, 5, "d")
	if c.Len() != 3 {
		t.Fatalf("Len = %d, want 3", c.Len())
	}
	tests := []struct {
		name     string
		m        *Match
		priority int
		want     string
		found    bool
	}{
		{"replaced", m1, 5, "c", true},
		{"other priority", m1, 6, "b", true},
		{"no such priority", m1, 7, "", false},
		{"prefix rule", m2, 5, "d", true},
		{"no such mask", match(clsField{f: FieldInPort, v: 1}, clsField{f: FieldEthType, v: 0x0800}), 5, "", false},
		{"no such value", match(clsField{f: FieldInPort, v: 2}), 5, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found := c.FindExactly(tt.m, tt.priority)
			if got != tt.want || found != tt.found {
				t.Errorf("FindExactly = (%q, %v), want (%q, %v)", got, found, tt.want, tt.found)
			}
		})
	}

	if v, ok := c.Lookup(key(clsField{f: FieldInPort, v: 1}), nil); !ok || v != "b" {
		t.Errorf("Lookup = (%q, %v), want the priority 6 rule b", v, ok)
	}
	if v, ok := c.Remove(m1, 6); !ok || v != "b" {
		t.Fatalf("Remove = (%q, %v), want (b, true)", v, ok)
	}
	if _, ok := c.Remove(m1, 6); ok {
		t.Fatal("second Remove of the same rule succeeded")
	}
	if v, ok := c.Lookup(key(clsField{f: FieldInPort, v: 1}), nil); !ok || v != "c" {
		t.Errorf("Lookup after Remove = (%q, %v), want c", v, ok)
	}
	c.Remove(m1, 5)
	c.Remove(m2, 5)
	if c.Len() != 0 || len(*c.subtables.Load()) != 0 || len(*c.byMask.Load()) != 0 {
		t.Fatalf("emptied classifier holds %d rules, %d subtables", c.Len(), len(*c.subtables.Load()))
	}
	for i := range c.tries {
		if c.tries[i].root.Load() != nil {
			t.Errorf("trie for %s not empty", c.tries[i].field.Name)
		}
	}
}

// packet is a TCP/IPv4 packet key with most fields set, so a megaflow that
// is too wide shows up as stray bits.
func packet(sets ...clsField) *Key {
	k := key(
		clsField{f: FieldInPort, v: 1},
		clsField{f: FieldReg[0], v: 7},
		clsField{f: FieldMetadata, v: 0x1234},
		clsField{f: FieldEthSrc, v: 0x020000000001},
		clsField{f: FieldEthDst, v: 0x020000000002},
		clsField{f: FieldEthType, v: 0x0800},
		clsField{f: FieldIPSrc, v: ip4("172.16.0.1")},
		clsField{f: FieldIPDst, v: ip4("192.168.1.1")},
		clsField{f: FieldNwProto, v: 6},
		clsField{f: FieldNwTTL, v: 64},
		clsField{f: FieldTCPSrc, v: 33333},
		clsField{f: FieldTCPDst, v: 80},
	)
	for _, s := range sets {
		s.f.Set(k, s.v)
	}
	return k
}

func TestClassifierMegaflow(t *testing.T) {
	catchAll := &Match{}
	tcp80 := match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldNwProto, v: 6}, clsField{f: FieldTCPDst, v: 80})
	tests := []struct {
		name   string
		rules  []*Match // priorities len(rules)-1 down to 0; rule i's value is i
		pkt    *Key
		want   int
		wantWC *Mask
	}{
		{
			name:   "in_port hit",
			rules:  []*Match{match(clsField{f: FieldInPort, v: 1}), catchAll},
			pkt:    packet(),
			want:   0,
			wantWC: mask(clsField{f: FieldInPort}),
		},
		{
			name:   "in_port miss",
			rules:  []*Match{match(clsField{f: FieldInPort, v: 1}), catchAll},
			pkt:    packet(clsField{f: FieldInPort, v: 2}),
			want:   1,
			wantWC: mask(clsField{f: FieldInPort}),
		},
		{
			name:   "tcp hit",
			rules:  []*Match{tcp80, catchAll},
			pkt:    packet(),
			want:   0,
			wantWC: mask(clsField{f: FieldEthType}, clsField{f: FieldNwProto}, clsField{f: FieldTCPDst}),
		},
		{
			name:   "tcp rule, udp packet: L4 stays wild",
			rules:  []*Match{tcp80, catchAll},
			pkt:    packet(clsField{f: FieldNwProto, v: 17}),
			want:   1,
			wantWC: mask(clsField{f: FieldEthType}, clsField{f: FieldNwProto}),
		},
		{
			name:   "tcp rule, ipv6 packet: L3 and L4 stay wild",
			rules:  []*Match{tcp80, catchAll},
			pkt:    packet(clsField{f: FieldEthType, v: 0x86dd}),
			want:   1,
			wantWC: mask(clsField{f: FieldEthType}),
		},
		{
			name:   "tcp rule, other port",
			rules:  []*Match{tcp80, catchAll},
			pkt:    packet(clsField{f: FieldTCPDst, v: 22}),
			want:   1,
			wantWC: mask(clsField{f: FieldEthType}, clsField{f: FieldNwProto}, clsField{f: FieldTCPDst}),
		},
		{
			name:   "prefix miss: trie unwildcards one bit, not /32",
			rules:  []*Match{match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPDst, v: ip4("10.0.0.0"), mask: prefix4(8)}), catchAll},
			pkt:    packet(clsField{f: FieldIPDst, v: ip4("192.168.1.1")}),
			want:   1,
			wantWC: mask(clsField{f: FieldEthType}, clsField{f: FieldIPDst, v: 0, mask: prefix4(1)}),
		},
		{
			name:   "prefix miss late in the prefix",
			rules:  []*Match{match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPDst, v: ip4("10.0.0.0"), mask: prefix4(8)}), catchAll},
			pkt:    packet(clsField{f: FieldIPDst, v: ip4("11.0.0.1")}),
			want:   1,
			wantWC: mask(clsField{f: FieldEthType}, clsField{f: FieldIPDst, v: 0, mask: prefix4(8)}),
		},
		{
			name:   "prefix hit",
			rules:  []*Match{match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPDst, v: ip4("10.0.0.0"), mask: prefix4(8)}), catchAll},
			pkt:    packet(clsField{f: FieldIPDst, v: ip4("10.1.2.3")}),
			want:   0,
			wantWC: mask(clsField{f: FieldEthType}, clsField{f: FieldIPDst, v: 0, mask: prefix4(8)}),
		},
		{
			name: "two prefixes, packet between them",
			rules: []*Match{
				match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPSrc, v: ip4("10.1.0.0"), mask: prefix4(16)}),
				match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPSrc, v: ip4("10.2.0.0"), mask: prefix4(16)}),
				catchAll,
			},
			// 10.1/16 and 10.2/16 share 10.0/14; 10.128 leaves it at bit 8.
			pkt:    packet(clsField{f: FieldIPSrc, v: ip4("10.128.0.1")}),
			want:   2,
			wantWC: mask(clsField{f: FieldEthType}, clsField{f: FieldIPSrc, v: 0, mask: prefix4(9)}),
		},
		{
			name: "walk ends at a leaf: the next bit is not examined",
			rules: []*Match{
				match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPDst, v: ip4("10.0.0.0"), mask: prefix4(8)}, clsField{f: FieldNwProto, v: 6}, clsField{f: FieldTCPDst, v: 80}),
				match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPDst, v: ip4("192.168.0.0"), mask: prefix4(16)}),
				catchAll,
			},
			pkt:    packet(clsField{f: FieldIPDst, v: ip4("10.1.2.3")}, clsField{f: FieldTCPDst, v: 22}),
			want:   2,
			wantWC: mask(clsField{f: FieldEthType}, clsField{f: FieldIPDst, v: 0, mask: prefix4(8)}, clsField{f: FieldNwProto}, clsField{f: FieldTCPDst}),
		},
		{
			// The trie walk went past bit 16, so its proof would cost
			// more bits than the /16 subtable's: as in OVS (checked with
			// bench/ovs-classifier), the subtable is probed instead and
			// its whole L3 stage, nw_proto too, unwildcarded.
			name: "trie proof longer than the subtable's prefix gives way",
			rules: []*Match{
				match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPDst, v: ip4("10.0.0.0"), mask: prefix4(16)}, clsField{f: FieldNwProto, v: 17}),
				match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPDst, v: ip4("10.1.2.0"), mask: prefix4(24)}),
				catchAll,
			},
			pkt:    packet(clsField{f: FieldIPDst, v: ip4("10.1.2.3")}),
			want:   1,
			wantWC: mask(clsField{f: FieldEthType}, clsField{f: FieldIPDst, v: 0, mask: prefix4(24)}, clsField{f: FieldNwProto}),
		},
		{
			name:   "metadata stage miss keeps L2 and L3 wild",
			rules:  []*Match{match(clsField{f: FieldReg[0], v: 9}, clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPDst, v: ip4("10.0.0.0"), mask: prefix4(8)}), catchAll},
			pkt:    packet(),
			want:   1,
			wantWC: mask(clsField{f: FieldReg[0]}),
		},
		{
			// in_port is in the mask once the first subtable missed on
			// it, so the second one's miss on in_port adds nothing: its
			// later stages are not probed and dl_type stays wild.
			name: "miss in a stage the mask already has adds nothing",
			rules: []*Match{
				match(clsField{f: FieldInPort, v: 1}),
				match(clsField{f: FieldInPort, v: 3}, clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldNwProto, v: 6}, clsField{f: FieldTCPDst, v: 80}),
				catchAll,
			},
			pkt:    packet(clsField{f: FieldInPort, v: 2}),
			want:   2,
			wantWC: mask(clsField{f: FieldInPort}),
		},
		{
			// The second subtable's metadata and L2 stages are in the mask
			// already and the packet passes them: its L3 and L4 stages
			// are probed as usual.
			name: "past the stages the mask already has",
			rules: []*Match{
				match(clsField{f: FieldInPort, v: 2}, clsField{f: FieldEthType, v: 0x86dd}),
				match(clsField{f: FieldInPort, v: 2}, clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldNwProto, v: 6}, clsField{f: FieldTCPDst, v: 80}),
				catchAll,
			},
			pkt:    packet(clsField{f: FieldInPort, v: 2}, clsField{f: FieldTCPDst, v: 22}),
			want:   2,
			wantWC: mask(clsField{f: FieldInPort}, clsField{f: FieldEthType}, clsField{f: FieldNwProto}, clsField{f: FieldTCPDst}),
		},
		{
			name:   "higher priority hit skips the rest",
			rules:  []*Match{match(clsField{f: FieldInPort, v: 1}), tcp80, catchAll},
			pkt:    packet(),
			want:   0,
			wantWC: mask(clsField{f: FieldInPort}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewClassifier[int]()
			for i, m := range tt.rules {
				c.Insert(m, len(tt.rules)-1-i, i)
			}
			var wc Mask
			got, ok := c.Lookup(tt.pkt, &wc)
			if !ok || got != tt.want {
				t.Errorf("Lookup = (%d, %v), want rule %d", got, ok, tt.want)
			}
			if wc != *tt.wantWC {
				t.Errorf("megaflow mask:\n got %x\nwant %x", wc, *tt.wantWC)
			}
		})
	}
}

func TestClassifierPrefixFields(t *testing.T) {
	rule := match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPDst, v: ip4("10.0.0.0"), mask: prefix4(8)})
	tunRule := match(clsField{f: FieldTunDst, v: ip4("10.0.0.0"), mask: prefix4(8)})
	tests := []struct {
		name   string
		opts   []ClassifierOption
		rule   *Match
		pkt    *Key
		wantWC *Mask
	}{
		{
			name:   "no tries: the stage decides, the whole /8 goes in",
			opts:   []ClassifierOption{WithPrefixFields()},
			rule:   rule,
			pkt:    packet(),
			wantWC: mask(clsField{f: FieldEthType}, clsField{f: FieldIPDst, v: 0, mask: prefix4(8)}),
		},
		{
			name:   "tun_dst tracked",
			opts:   []ClassifierOption{WithPrefixFields(FieldTunDst)},
			rule:   tunRule,
			pkt:    packet(clsField{f: FieldTunDst, v: ip4("192.0.2.1")}),
			wantWC: mask(clsField{f: FieldTunDst, v: 0, mask: prefix4(1)}),
		},
		{
			name:   "tun_dst not tracked by default",
			rule:   tunRule,
			pkt:    packet(clsField{f: FieldTunDst, v: ip4("192.0.2.1")}),
			wantWC: mask(clsField{f: FieldTunDst, v: 0, mask: prefix4(8)}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewClassifier[string](tt.opts...)
			c.Insert(tt.rule, 1, "A")
			c.Insert(&Match{}, 0, "B")
			var wc Mask
			if got, _ := c.Lookup(tt.pkt, &wc); got != "B" {
				t.Errorf("Lookup = %q, want B", got)
			}
			if wc != *tt.wantWC {
				t.Errorf("megaflow mask:\n got %x\nwant %x", wc, *tt.wantWC)
			}
		})
	}
}

func TestClassifierPrefixFieldsRejected(t *testing.T) {
	tests := []struct {
		name   string
		fields []*Field
	}{
		{"too many", []*Field{FieldIPSrc, FieldIPDst, FieldIPv6Src, FieldIPv6Dst, FieldTunDst}},
		{"odd width", []*Field{FieldIPFrag}},
		{"nil", []*Field{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("NewClassifier accepted the fields")
				}
			}()
			NewClassifier[int](WithPrefixFields(tt.fields...))
		})
	}
}

func TestClassifierMegaflowIPv6Prefix(t *testing.T) {
	// ovs-vswitchd tracks IPv6 prefixes only when a flow table's
	// prefixes column names them.
	c := NewClassifier[string](WithPrefixFields(FieldIPv6Dst))
	m := &Match{}
	m.SetExact(FieldEthType, 0x86dd)
	m.SetBytesMasked(FieldIPv6Dst, ip6("2001:db8::"), prefix6(32))
	c.Insert(m, 10, "A")
	c.Insert(&Match{}, 0, "B")

	tests := []struct {
		name string
		dst  string
		want string
		plen int // of ipv6_dst in the megaflow
	}{
		{"first bit differs", "fe80::1", "B", 1},
		{"differs in the last bit of the prefix", "2001:db9::1", "B", 32},
		{"hit", "2001:db8::42", "A", 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := packet(clsField{f: FieldEthType, v: 0x86dd})
			FieldIPv6Dst.SetBytes(k, ip6(tt.dst))
			var wc Mask
			if got, _ := c.Lookup(k, &wc); got != tt.want {
				t.Errorf("Lookup = %q, want %q", got, tt.want)
			}
			want := Match{}
			want.SetExact(FieldEthType, 0)
			want.SetBytesMasked(FieldIPv6Dst, make([]byte, 16), prefix6(tt.plen))
			if wc != want.Mask {
				t.Errorf("megaflow mask:\n got %x\nwant %x", wc, want.Mask)
			}
		})
	}
}

func TestClassifierForEachSubsumed(t *testing.T) {
	c := NewClassifier[string]()
	c.Insert(match(clsField{f: FieldInPort, v: 1}), 1, "port1")
	c.Insert(match(clsField{f: FieldInPort, v: 1}, clsField{f: FieldEthType, v: 0x0800}), 2, "port1 ip")
	c.Insert(match(clsField{f: FieldInPort, v: 1}, clsField{f: FieldEthType, v: 0x0800}), 3, "port1 ip again")
	c.Insert(match(clsField{f: FieldInPort, v: 2}, clsField{f: FieldEthType, v: 0x0800}), 2, "port2 ip")
	c.Insert(match(clsField{f: FieldEthType, v: 0x0800}), 2, "ip")
	c.Insert(&Match{}, 0, "all")

	tests := []struct {
		name string
		m    *Match
		want []string
	}{
		{"everything", &Match{}, []string{"port1", "port1 ip", "port1 ip again", "port2 ip", "ip", "all"}},
		{"in_port=1", match(clsField{f: FieldInPort, v: 1}), []string{"port1", "port1 ip", "port1 ip again"}},
		{"ip", match(clsField{f: FieldEthType, v: 0x0800}), []string{"port1 ip", "port1 ip again", "port2 ip", "ip"}},
		{"in_port=2,ip", match(clsField{f: FieldInPort, v: 2}, clsField{f: FieldEthType, v: 0x0800}), []string{"port2 ip"}},
		{"in_port=3", match(clsField{f: FieldInPort, v: 3}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]bool{}
			c.ForEachSubsumed(tt.m, func(rm *Match, priority int, v string) bool {
				if got[v] {
					t.Errorf("%q visited twice", v)
				}
				got[v] = true
				if clsField, ok := c.FindExactly(rm, priority); !ok || clsField != v {
					t.Errorf("visited match of %q does not find it back", v)
				}
				return true
			})
			if len(got) != len(tt.want) {
				t.Errorf("visited %v, want %v", got, tt.want)
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("%q not visited", w)
				}
			}
		})
	}

	t.Run("remove while iterating", func(t *testing.T) {
		c.ForEachSubsumed(match(clsField{f: FieldEthType, v: 0x0800}), func(rm *Match, priority int, _ string) bool {
			if _, ok := c.Remove(rm, priority); !ok {
				t.Errorf("Remove of a visited rule failed")
			}
			return true
		})
		if c.Len() != 2 {
			t.Errorf("Len = %d after removing the 4 ip rules of 6", c.Len())
		}
	})

	t.Run("stop", func(t *testing.T) {
		n := 0
		c.ForEach(func(*Match, int, string) bool { n++; return false })
		if n != 1 {
			t.Errorf("ForEach went on for %d rules after fn returned false", n)
		}
	})
}

func TestClassifierOverlaps(t *testing.T) {
	c := NewClassifier[string]()
	c.Insert(match(clsField{f: FieldInPort, v: 1}, clsField{f: FieldEthType, v: 0x0800}), 5, "a")
	c.Insert(match(clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldIPDst, v: ip4("10.0.0.0"), mask: prefix4(8)}), 7, "b")
	tests := []struct {
		name     string
		m        *Match
		priority int
		want     bool
	}{
		{"same port, more specific", match(clsField{f: FieldInPort, v: 1}, clsField{f: FieldEthType, v: 0x0800}, clsField{f: FieldNwProto, v: 6}), 5, true},
		{"wider", match(clsField{f: FieldEthType, v: 0x0800}), 5, true},
		{"other priority", match(clsField{f: FieldInPort, v: 1}), 6, false},
		{"other port", match(clsField{f: FieldInPort, v: 2}), 5, false},
		{"other ethertype", match(clsField{f: FieldEthType, v: 0x86dd}), 5, false},
		{"inside the prefix", match(clsField{f: FieldIPDst, v: ip4("10.1.1.1")}), 7, true},
		{"outside the prefix", match(clsField{f: FieldIPDst, v: ip4("11.1.1.1")}), 7, false},
		{"prefix covering it", match(clsField{f: FieldIPDst, v: 0, mask: prefix4(1)}), 7, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Overlaps(tt.m, tt.priority); got != tt.want {
				t.Errorf("Overlaps = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClassifierLookupDoesNotAllocate(t *testing.T) {
	rng := testutil.Rand(t)
	c, keys := benchClassifier(rng, 1000, 20, false)
	var wc Mask
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		wc = Mask{}
		c.Lookup(&keys[i%len(keys)], &wc)
		c.Lookup(&keys[i%len(keys)], nil)
		i++
	})
	if allocs != 0 {
		t.Errorf("Lookup allocates %v times per call", allocs)
	}
}

// testRule is a rule of the brute-force reference classifier.
type testRule struct {
	m        Match
	priority int
}

// linearLookup is the reference: a scan for the highest-priority match.
func linearLookup(rules map[testRule]int, k *Key) (priority int, found bool) {
	for r := range rules {
		if r.m.Matches(k) && (!found || r.priority > priority) {
			priority, found = r.priority, true
		}
	}
	return priority, found
}

// ruleGen makes random rules and keys over small value pools, so that keys
// hit rules and rules overlap and share prefixes.
type ruleGen struct {
	rng *rand.Rand
}

var (
	genPorts = []uint64{1, 2, 3}
	genTypes = []uint64{0x0800, 0x86dd, 0x0806}
	genProto = []uint64{6, 17, 1}
	genTp    = []uint64{22, 80, 443}
	genIPv4  = []uint64{0x0a000000, 0x0a010000, 0x0a010100, 0x0a800000, 0xc0a80101, 0xc0a80000, 0x7f000001}
	genIPv6  = [][]byte{ip6("2001:db8::"), ip6("2001:db8:1::"), ip6("fe80::1"), ip6("2001:db9::"), ip6("::1")}
)

func (g *ruleGen) pick(vals []uint64) uint64 { return vals[g.rng.IntN(len(vals))] }

func (g *ruleGen) match() Match {
	var m Match
	for _, f := range []*Field{FieldInPort, FieldReg[0], FieldEthType, FieldNwProto, FieldTCPDst} {
		if g.rng.IntN(3) != 0 {
			continue
		}
		var v uint64
		switch f {
		case FieldInPort, FieldReg[0]:
			v = g.pick(genPorts)
		case FieldEthType:
			v = g.pick(genTypes)
		case FieldNwProto:
			v = g.pick(genProto)
		default:
			v = g.pick(genTp)
		}
		m.SetExact(f, v)
	}
	for _, f := range []*Field{FieldIPSrc, FieldIPDst} {
		if g.rng.IntN(3) == 0 {
			m.SetMasked(f, g.pick(genIPv4), prefix4(1+g.rng.IntN(32)))
		}
	}
	if g.rng.IntN(5) == 0 {
		m.SetMasked(FieldIPDst, g.pick(genIPv4), 0xff00ff00) // not a prefix: no trie
	}
	if g.rng.IntN(4) == 0 {
		m.SetBytesMasked(FieldIPv6Dst, genIPv6[g.rng.IntN(len(genIPv6))], prefix6(1+g.rng.IntN(128)))
	}
	return m
}

func (g *ruleGen) key() Key {
	var k Key
	FieldInPort.Set(&k, g.pick(genPorts))
	FieldReg[0].Set(&k, g.pick(genPorts))
	FieldEthType.Set(&k, g.pick(genTypes))
	FieldNwProto.Set(&k, g.pick(genProto))
	FieldTCPDst.Set(&k, g.pick(genTp))
	// Addresses near the pool's, differing in a few low or high bits.
	for _, f := range []*Field{FieldIPSrc, FieldIPDst} {
		f.Set(&k, g.pick(genIPv4)^1<<g.rng.IntN(32)*uint64(g.rng.IntN(2)))
	}
	a := genIPv6[g.rng.IntN(len(genIPv6))]
	b := append([]byte(nil), a...)
	if g.rng.IntN(2) == 0 {
		i := g.rng.IntN(128)
		b[i/8] ^= 0x80 >> (i % 8)
	}
	FieldIPv6Dst.SetBytes(&k, b)
	return k
}

// roundClassifier returns the classifier for round i of a randomized
// test: of every four, one tracks no prefixes, one only ipv6_dst, and the
// others use the default tries.
func roundClassifier(i int) *Classifier[int] {
	switch i % 4 {
	case 1:
		return NewClassifier[int](WithPrefixFields())
	case 2:
		return NewClassifier[int](WithPrefixFields(FieldIPv6Dst))
	}
	return NewClassifier[int]()
}

// TestClassifierRandom checks Lookup against a linear scan over random
// rule sets, through inserts and removes, and checks the megaflow promise:
// keys that agree with k on wc get the same rule.
func TestClassifierRandom(t *testing.T) {
	rng := testutil.Rand(t)
	g := &ruleGen{rng: rng}
	for round := range 20 {
		c := roundClassifier(round)
		ref := map[testRule]int{}
		nRules := 1 + rng.IntN(200)
		for id := range nRules {
			r := testRule{m: g.match(), priority: rng.IntN(20)}
			_, replaced := c.Insert(&r.m, r.priority, id)
			if _, had := ref[r]; had != replaced {
				t.Fatalf("round %d: Insert reported replaced=%v, reference %v", round, replaced, had)
			}
			ref[r] = id
		}
		check := func(phase string) {
			t.Helper()
			if c.Len() != len(ref) {
				t.Fatalf("round %d %s: Len = %d, want %d", round, phase, c.Len(), len(ref))
			}
			for range 300 {
				k := g.key()
				checkLookup(t, c, ref, &k, rng, g)
			}
			for range 30 {
				m := g.match()
				checkLoose(t, c, ref, &m, rng.IntN(20))
			}
			for r, id := range ref {
				if got, ok := c.FindExactly(&r.m, r.priority); !ok || got != id {
					t.Fatalf("round %d %s: FindExactly(%+v) = (%d, %v), want %d", round, phase, r, got, ok, id)
				}
			}
		}
		check("after inserts")
		for r, id := range ref {
			if rng.IntN(2) == 0 {
				continue
			}
			if got, ok := c.Remove(&r.m, r.priority); !ok || got != id {
				t.Fatalf("round %d: Remove = (%d, %v), want (%d, true)", round, got, ok, id)
			}
			delete(ref, r)
		}
		check("after removes")
	}
}

// checkLookup compares one lookup with the reference and probes its
// megaflow mask with keys that agree with k on it.
func checkLookup(t *testing.T, c *Classifier[int], ref map[testRule]int, k *Key, rng *rand.Rand, g *ruleGen) {
	t.Helper()
	var wc Mask
	id, found := c.Lookup(k, &wc)
	wantPri, wantFound := linearLookup(ref, k)
	if found != wantFound {
		t.Fatalf("Lookup(%x) found=%v, linear scan %v", *k, found, wantFound)
	}
	if found {
		var got *testRule
		for r, rid := range ref {
			if rid == id {
				got = &r
			}
		}
		if got == nil || !got.m.Matches(k) || got.priority != wantPri {
			t.Fatalf("Lookup(%x) = rule %d (%+v), linear scan has priority %d", *k, id, got, wantPri)
		}
	}
	if nilID, nilFound := c.Lookup(k, nil); nilFound != found || found && nilID != id {
		t.Fatalf("Lookup(%x, nil) = (%d, %v), with wc (%d, %v)", *k, nilID, nilFound, id, found)
	}
	for i := range 8 {
		// Half the probes randomize everything outside wc, half take it
		// from another plausible packet.
		var other Key
		if i%2 == 0 {
			for w := range other {
				other[w] = rng.Uint64()
			}
		} else {
			other = g.key()
		}
		var k2 Key
		for w := range k2 {
			k2[w] = k[w]&wc[w] | other[w]&^wc[w]
		}
		id2, found2 := c.Lookup(&k2, nil)
		if found2 != found || found && id2 != id {
			t.Fatalf("key %x agrees with %x on megaflow mask %x but gets (%d, %v), not (%d, %v)",
				k2, *k, wc, id2, found2, id, found)
		}
	}
}

// checkLoose compares ForEachSubsumed and Overlaps for m with the reference.
func checkLoose(t *testing.T, c *Classifier[int], ref map[testRule]int, m *Match, priority int) {
	t.Helper()
	want := map[int]bool{}
	wantOverlap := false
	for r, id := range ref {
		subsumed, overlap := true, r.priority == priority
		for w := range m.Mask {
			if m.Mask[w]&^r.m.Mask[w] != 0 || (r.m.Key[w]^m.Key[w])&m.Mask[w] != 0 {
				subsumed = false
			}
			if (r.m.Key[w]^m.Key[w])&r.m.Mask[w]&m.Mask[w] != 0 {
				overlap = false
			}
		}
		if subsumed {
			want[id] = true
		}
		wantOverlap = wantOverlap || overlap
	}
	got := map[int]bool{}
	c.ForEachSubsumed(m, func(rm *Match, p int, id int) bool {
		if r := (testRule{m: *rm, priority: p}); ref[r] != id {
			t.Fatalf("ForEachSubsumed passed rule %d with match %+v, priority %d: not that rule's", id, *rm, p)
		}
		got[id] = true
		return true
	})
	if len(got) != len(want) {
		t.Fatalf("ForEachSubsumed(%+v) visited %d rules, want %d", *m, len(got), len(want))
	}
	for id := range want {
		if !got[id] {
			t.Fatalf("ForEachSubsumed(%+v) missed rule %d", *m, id)
		}
	}
	if o := c.Overlaps(m, priority); o != wantOverlap {
		t.Fatalf("Overlaps(%+v, %d) = %v, want %v", *m, priority, o, wantOverlap)
	}
}

// TestClassifierConcurrent runs lookups while a writer churns rules. Stable
// rules are never touched, so a lookup for their keys must always see them;
// with -race it also checks that readers and the writer share memory only
// through atomics.
func TestClassifierConcurrent(t *testing.T) {
	rng := testutil.Rand(t)
	c := NewClassifier[int]()
	// Stable rules: high priority, one per in_port 1..8.
	for p := range 8 {
		c.Insert(match(clsField{f: FieldInPort, v: uint64(p + 1)}, clsField{f: FieldEthType, v: 0x0800}), 1000, p)
	}
	stop := make(chan struct{})
	var lookups atomic.Int64
	var wg sync.WaitGroup
	for r := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := (i + r) % 8
				k := packet(clsField{f: FieldInPort, v: uint64(p + 1)}, clsField{f: FieldIPDst, v: uint64(i)})
				var wc Mask
				if v, ok := c.Lookup(k, &wc); !ok || v != p {
					t.Errorf("Lookup for in_port %d = (%d, %v) during churn", p+1, v, ok)
					return
				}
				if v, ok := c.FindExactly(match(clsField{f: FieldInPort, v: uint64(p + 1)}, clsField{f: FieldEthType, v: 0x0800}), 1000); !ok || v != p {
					t.Errorf("FindExactly of a stable rule failed during churn")
					return
				}
				lookups.Add(1)
			}
		}()
	}
	// An iterating reader: the stable rules must show up in every walk.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			p := i % 8
			stable := match(clsField{f: FieldInPort, v: uint64(p + 1)}, clsField{f: FieldEthType, v: 0x0800})
			seen := false
			c.ForEachSubsumed(match(clsField{f: FieldInPort, v: uint64(p + 1)}), func(_ *Match, priority int, v int) bool {
				seen = seen || priority == 1000 && v == p
				return true
			})
			if !seen || !c.Overlaps(stable, 1000) {
				t.Errorf("stable rule for in_port %d missing from iteration during churn", p+1)
				return
			}
		}
	}()
	// Churn: rules at lower and higher priorities, on the stable rules'
	// ports and mask too, so the subtables the readers use, the tries and
	// the indexes keep changing under them.
	var live []testRule
	deadline := time.Now().Add(300 * time.Millisecond)
	for n := 0; time.Now().Before(deadline) || n < 2000; n++ {
		if len(live) > 0 && rng.IntN(2) == 0 {
			i := rng.IntN(len(live))
			if _, ok := c.Remove(&live[i].m, live[i].priority); !ok {
				t.Fatalf("Remove of a live churn rule failed")
			}
			live[i] = live[len(live)-1]
			live = live[:len(live)-1]
			continue
		}
		// Below the stable rules anything goes, even their ports and
		// their mask; above them a rule must miss the readers' packets,
		// which all have tcp_dst=80.
		r := testRule{priority: rng.IntN(1000)}
		r.m.SetExact(FieldInPort, uint64(1+rng.IntN(58)))
		if rng.IntN(2) == 0 {
			r.m.SetExact(FieldEthType, 0x0800)
		}
		if rng.IntN(2) == 0 {
			r.m.SetMasked(FieldIPDst, rng.Uint64(), prefix4(1+rng.IntN(32)))
		}
		if rng.IntN(2) == 0 {
			r.priority = 1001 + rng.IntN(1000)
			r.m.SetExact(FieldTCPDst, uint64(81+rng.IntN(100)))
		}
		if _, replaced := c.Insert(&r.m, r.priority, -1); !replaced {
			live = append(live, r)
		}
		if rng.IntN(4) == 0 {
			c.ForEach(func(*Match, int, int) bool { return true })
		}
	}
	close(stop)
	wg.Wait()
	if lookups.Load() == 0 {
		t.Fatal("readers made no lookups")
	}
	t.Logf("%d lookups during churn", lookups.Load())
}

// TestPriorityBag checks the bag's highest priority against the live
// priorities through adds and removes, including runs that remove the highest
// priorities one after another and runs that empty the bag.
func TestPriorityBag(t *testing.T) {
	rng := testutil.Rand(t)
	for round := range 50 {
		var b priorityBag
		var live []int
		for range 2000 {
			if len(live) > 0 && (rng.IntN(2) == 0 || len(live) > 300) {
				j := rng.IntN(len(live))
				if round%2 == 1 {
					// Remove the highest: the heap's top, again and again.
					j = slices.Index(live, slices.Max(live))
				}
				p := live[j]
				live = slices.Delete(live, j, j+1)
				b.remove(p)
			} else {
				p := rng.IntN(50)
				live = append(live, p)
				b.add(p)
			}
			if len(live) == 0 {
				if len(b.heap) != 0 || b.pending != 0 {
					t.Fatalf("empty bag holds %d priorities, %d of them removed", len(b.heap), b.pending)
				}
				continue
			}
			if got, want := b.max(), slices.Max(live); got != want {
				t.Fatalf("max = %d, want %d", got, want)
			}
			if 2*b.pending > len(b.heap) {
				t.Fatalf("%d of the heap's %d priorities are removed ones", b.pending, len(b.heap))
			}
		}
	}
}

// TestSubtableHashSpreadsHighBits: rule groups that differ only in the
// top bits of several words get distinct hashes. A plain sum of words
// times odd salts would not do: a difference in the top bit of two words
// cancels out (2^63·s1 + 2^63·s2 is 0 modulo 2^64), and 65 536 groups of
// /8 prefixes on ipv6_src and ipv6_dst fall into 256 hashes.
func TestSubtableHashSpreadsHighBits(t *testing.T) {
	var mask Match
	mask.SetBytesMasked(FieldIPv6Src, make([]byte, 16), prefix6(8))
	mask.SetBytesMasked(FieldIPv6Dst, make([]byte, 16), prefix6(8))
	st := newSubtable[int](&mask.Mask, nil)
	hashes := map[uint64]bool{}
	for src := range 256 {
		for dst := range 256 {
			var k Key
			a, b := make([]byte, 16), make([]byte, 16)
			a[0], b[0] = byte(src), byte(dst)
			FieldIPv6Src.SetBytes(&k, a)
			FieldIPv6Dst.SetBytes(&k, b)
			var mk matchKey
			st.reduce(&k, &mk)
			hashes[mk.hash()] = true
		}
	}
	if len(hashes) < 65_530 {
		t.Errorf("65 536 rule groups got %d distinct hashes", len(hashes))
	}
}
