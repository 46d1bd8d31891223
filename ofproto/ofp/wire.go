package ofp

import (
	"encoding/binary"
	"fmt"

	"github.com/govs/govs/flowtable"
)

// enc appends a message in version v to b.
type enc struct {
	v   Version
	b   []byte
	tlv *flowtable.TLVMap // lays out tun_metadataN in matches (EncodeTLV)
}

func (e *enc) u8(x uint8)     { e.b = append(e.b, x) }
func (e *enc) u16(x uint16)   { e.b = binary.BigEndian.AppendUint16(e.b, x) }
func (e *enc) u32(x uint32)   { e.b = binary.BigEndian.AppendUint32(e.b, x) }
func (e *enc) u64(x uint64)   { e.b = binary.BigEndian.AppendUint64(e.b, x) }
func (e *enc) bytes(p []byte) { e.b = append(e.b, p...) }
func (e *enc) zeros(n int) {
	for range n {
		e.b = append(e.b, 0)
	}
}

// pad8 zero-pads from offset start to a multiple of 8 bytes.
func (e *enc) pad8(start int) { e.zeros(padLen(len(e.b) - start)) }

// padLen is how many bytes round n up to a multiple of 8.
func padLen(n int) int { return (8 - n%8) % 8 }

// put16 stores x at offset off (a length filled in later).
func (e *enc) put16(off int, x uint16) { binary.BigEndian.PutUint16(e.b[off:], x) }

// header starts a message of type t; Encode fills in length and xid.
func (e *enc) header(t uint8) {
	e.u8(uint8(e.v))
	e.u8(t)
	e.zeros(6)
}

// nxHeader starts a Nicira extension message of the given subtype.
func (e *enc) nxHeader(subtype uint32) {
	e.header(tVendor)
	e.u32(vendorNicira)
	e.u32(subtype)
}

// lenAt fills in a 16-bit length at off covering from start to the end.
func (e *enc) lenAt(off, start int) error {
	n := len(e.b) - start
	if n > 0xffff {
		return fmt.Errorf("encode: %d bytes do not fit a 16-bit length", n)
	}
	e.put16(off, uint16(n))
	return nil
}

// dec reads a message part; a read past the end sets err to an *Error
// with code short and returns zeros, so callers check err once at the end.
type dec struct {
	v     Version
	b     []byte
	short ErrorCode // the error code of a truncated part
	what  string    // what is being read, for the error text
	err   error
}

func newDec(v Version, b []byte, short ErrorCode, what string) *dec {
	return &dec{v: v, b: b, short: short, what: what}
}

func (d *dec) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.err = errorf(d.short, "%s: need %d bytes, have %d", d.what, n, len(d.b))
		d.b = nil
		return nil
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}

func (d *dec) u8() uint8 {
	if p := d.take(1); p != nil {
		return p[0]
	}
	return 0
}

func (d *dec) u16() uint16 {
	if p := d.take(2); p != nil {
		return binary.BigEndian.Uint16(p)
	}
	return 0
}

func (d *dec) u32() uint32 {
	if p := d.take(4); p != nil {
		return binary.BigEndian.Uint32(p)
	}
	return 0
}

func (d *dec) u64() uint64 {
	if p := d.take(8); p != nil {
		return binary.BigEndian.Uint64(p)
	}
	return 0
}

func (d *dec) skip(n int) { d.take(n) }

// rest returns the unread bytes.
func (d *dec) rest() []byte {
	p := d.b
	d.b = nil
	return p
}

// fail records err unless an error is already recorded.
func (d *dec) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func clone(p []byte) []byte {
	if len(p) == 0 {
		return nil
	}
	return append([]byte(nil), p...)
}
