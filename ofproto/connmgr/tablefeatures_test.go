package connmgr

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govs/govs/ofproto/ofp"
)

// tableFeaturesGolden holds OVS 3.1's table features replies: per
// version, the sizes of its reply messages and its entries for tables 0
// and 253 (the tables between differ from table 0 only in their number
// and next tables). gen.sh beside it regenerates the file.
var tableFeaturesGolden = filepath.Join("..", "..", "testdata", "ofctl", "tablefeatures", "ovs.txt")

// tableFeaturesVersions are the versions with table features.
var tableFeaturesVersions = []ofp.Version{ofp.OF13, ofp.OF14, ofp.OF15}

// dumpTableFeatures sends a table features request over conn at version
// v and returns the reply messages as received.
func dumpTableFeatures(t *testing.T, conn net.Conn, v ofp.Version) [][]byte {
	t.Helper()
	r := ofp.NewReader(conn)
	for _, m := range []ofp.Message{&ofp.Hello{Versions: 1 << v}, &ofp.TableFeaturesRequest{}} {
		b, err := ofp.Encode(v, 2, m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	var parts [][]byte
	for {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		raw, err := r.Next()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		_, m, err := ofp.Decode(raw)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		reply, ok := m.(*ofp.TableFeaturesReply)
		if !ok {
			continue // hello, echo
		}
		parts = append(parts, bytes.Clone(raw))
		if !reply.More {
			return parts
		}
	}
}

// TestCaptureOVSTableFeatures writes tableFeaturesGolden from the real
// switch whose management socket GOVS_CAPTURE_TABLE_FEATURES names (see
// gen.sh); without it there is nothing to do.
func TestCaptureOVSTableFeatures(t *testing.T) {
	sock := os.Getenv("GOVS_CAPTURE_TABLE_FEATURES")
	if sock == "" {
		t.Skip("GOVS_CAPTURE_TABLE_FEATURES is not set (testdata/ofctl/tablefeatures/gen.sh sets it)")
	}
	var out bytes.Buffer
	out.WriteString("# OVS 3.1 table features replies (userspace datapath); written by gen.sh.\n")
	for _, v := range tableFeaturesVersions {
		conn, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		parts := dumpTableFeatures(t, conn, v)
		conn.Close()
		var sizes []string
		var entries [][]byte
		for _, p := range parts {
			sizes = append(sizes, strconv.Itoa(len(p)))
			for b := p[16:]; len(b) > 0; b = b[binary.BigEndian.Uint16(b):] {
				entries = append(entries, b[:binary.BigEndian.Uint16(b)])
			}
		}
		fmt.Fprintf(&out, "version %d\nsizes %s\n", v, strings.Join(sizes, " "))
		fmt.Fprintf(&out, "first %x\nlast %x\n", entries[0], entries[len(entries)-1])
	}
	if err := os.WriteFile(tableFeaturesGolden, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ovsTableFeatures is one version's record of tableFeaturesGolden.
type ovsTableFeatures struct {
	sizes       []int
	first, last ofp.TableFeatures
}

func readOVSTableFeatures(t *testing.T) map[ofp.Version]*ovsTableFeatures {
	t.Helper()
	f, err := os.Open(tableFeaturesGolden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs := map[ofp.Version]*ovsTableFeatures{}
	var v ofp.Version
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		kw, rest, _ := strings.Cut(sc.Text(), " ")
		switch kw {
		case "version":
			n, _ := strconv.Atoi(rest)
			v = ofp.Version(n)
			recs[v] = &ovsTableFeatures{}
		case "sizes":
			for _, s := range strings.Fields(rest) {
				n, _ := strconv.Atoi(s)
				recs[v].sizes = append(recs[v].sizes, n)
			}
		case "first", "last":
			entry, err := hex.DecodeString(rest)
			if err != nil {
				t.Fatal(err)
			}
			// Decode the entry as a one-table reply.
			msg := append([]byte{byte(v), 19, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0}, entry...)
			binary.BigEndian.PutUint16(msg[2:], uint16(len(msg)))
			_, m, err := ofp.Decode(msg)
			if err != nil {
				t.Fatalf("%s %s: %v", v, kw, err)
			}
			tf := m.(*ofp.TableFeaturesReply).Tables[0]
			if kw == "first" {
				recs[v].first = tf
			} else {
				recs[v].last = tf
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

// reply rebuilds OVS's whole reply from its record.
func (o *ovsTableFeatures) reply() *ofp.TableFeaturesReply {
	reply := &ofp.TableFeaturesReply{}
	for id := range numTables - 1 {
		t := o.first
		t.Table = uint8(id)
		t.Features.NextTables = o.first.Features.NextTables[id:]
		t.Miss.NextTables = o.first.Miss.NextTables[id:]
		reply.Tables = append(reply.Tables, t)
	}
	return &ofp.TableFeaturesReply{Tables: append(reply.Tables, o.last)}
}

// TestTableFeaturesAsOVS compares govs' table features replies byte for
// byte with OVS 3.1's, and checks
// that OVS's whole reply splits into messages where OVS splits it.
func TestTableFeaturesAsOVS(t *testing.T) {
	_, target := newManagedBridge(t)
	for v, o := range readOVSTableFeatures(t) {
		if o.last.Table != numTables-1 || len(o.first.Features.NextTables) != numTables-1 {
			t.Fatalf("%s: the record is not of tables 0-%d", v, numTables-1)
		}
		want, err := ofp.EncodeReplies(v, 2, o.reply())
		if err != nil {
			t.Fatal(err)
		}
		var sizes []int
		for _, p := range want {
			sizes = append(sizes, len(p))
		}
		if fmt.Sprint(sizes) != fmt.Sprint(o.sizes) {
			t.Errorf("%s: OVS's reply splits into messages of %v bytes, govs' encoder into %v", v, o.sizes, sizes)
		}
		conn, err := net.Dial("unix", strings.TrimPrefix(target, "unix:"))
		if err != nil {
			t.Fatal(err)
		}
		got := dumpTableFeatures(t, conn, v)
		conn.Close()
		if len(got) != len(want) {
			t.Errorf("%s: %d reply messages, want %d", v, len(got), len(want))
			continue
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Errorf("%s: reply message %d differs from OVS's:\n got %x\nwant %x", v, i, got[i][:min(len(got[i]), 400)], want[i][:min(len(want[i]), 400)])
			}
		}
	}
}

// TestTableFeaturesRequestRefused: a request with a body would change the
// tables, which OVS refuses with OFPTFFC_EPERM, and the session goes on.
func TestTableFeaturesRequestRefused(t *testing.T) {
	_, target := newManagedBridge(t)
	conn, err := net.Dial("unix", strings.TrimPrefix(target, "unix:"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := handshakeAt(t, conn, ofp.OF13)
	reply := &ofp.TableFeaturesReply{Tables: []ofp.TableFeatures{{Table: 1, MaxEntries: 10}}}
	addTableFeatureProps(ofp.OF13, reply.Tables)
	b, err := ofp.Encode(ofp.OF13, 7, reply)
	if err != nil {
		t.Fatal(err)
	}
	b[1]-- // the reply's body as a request
	if _, err := conn.Write(b); err != nil {
		t.Fatal(err)
	}
	if e, ok := firstError(c.barrier()); !ok || e.Code != ofp.TableFeaturesEPerm {
		t.Errorf("table features request with a body: %+v, want %s", e, ofp.TableFeaturesEPerm)
	}
}
