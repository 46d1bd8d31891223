package datapath

import "github.com/govs/govs/flowtable"

// DefaultHeadroom is the room NewPacket leaves in front of a frame, enough
// for two VLAN tags and a tunnel header without moving the payload.
const DefaultHeadroom = 64

// Packet is a frame being processed: Buf[Off:Off+Len], with headroom in
// front of it so pushing headers does not copy the payload. Info locates
// the frame's headers (as [flowtable.Key.ParseFrame] returned it, offsets
// relative to the frame start) and is kept current by [Executor] as it
// pushes and pops headers.
type Packet struct {
	Buf      []byte
	Off, Len int
	Info     flowtable.FrameInfo
}

// NewPacket copies frame into a new buffer with DefaultHeadroom in front
// and parses it to fill Info. It allocates; datapaths set Buf, Off, Len and
// Info on packets they own instead.
func NewPacket(frame []byte) *Packet {
	buf := make([]byte, DefaultHeadroom+len(frame))
	copy(buf[DefaultHeadroom:], frame)
	p := &Packet{Buf: buf, Off: DefaultHeadroom, Len: len(frame)}
	var k flowtable.Key
	p.Info = k.ParseFrame(p.Frame())
	return p
}

// Frame returns the packet's bytes; the slice aliases the buffer.
func (p *Packet) Frame() []byte { return p.Buf[p.Off : p.Off+p.Len] }

// grow makes room for n more bytes at offset at of the frame, moving the
// bytes before it into the headroom (or, without headroom, everything into
// a bigger buffer), and shifts Info's offsets past at.
func (p *Packet) grow(at, n int) {
	if p.Off < n {
		nb := make([]byte, DefaultHeadroom+p.Len+n)
		copy(nb[DefaultHeadroom+n:], p.Frame())
		p.Buf, p.Off = nb, DefaultHeadroom+n
	}
	p.Off -= n
	p.Len += n
	f := p.Frame()
	copy(f[:at], f[n:n+at])
	shiftInfo(&p.Info, at, n)
}

// shrink removes n bytes at offset at of the frame by moving the bytes
// before them forward, and shifts Info's offsets past at.
func (p *Packet) shrink(at, n int) {
	f := p.Frame()
	copy(f[n:n+at], f[:at])
	p.Off += n
	p.Len -= n
	shiftInfo(&p.Info, at, -n)
}

// shiftInfo moves every offset of fi at or past at by delta.
func shiftInfo(fi *flowtable.FrameInfo, at, delta int) {
	a, d := int16(at), int16(delta)
	if fi.VLAN >= a {
		fi.VLAN += d
	}
	if fi.MPLS >= a {
		fi.MPLS += d
	}
	if fi.L3 >= a {
		fi.L3 += d
	}
	if fi.L4 >= a {
		fi.L4 += d
	}
	if fi.L7 >= a {
		fi.L7 += d
	}
}
