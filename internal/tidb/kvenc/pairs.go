package kvenc

import "github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"

// Pairs is a reusable batch of KV pairs kept in one byte arena, so that
// encoding a row costs no allocation once the arena has grown. Keys and
// values returned by Key and Value alias the arena: they are valid until
// the next Reset.
type Pairs struct {
	buf []byte
	// ends holds, per pair, the end of its key then the end of its value.
	ends []int
}

// Len returns the number of pairs.
func (p *Pairs) Len() int { return len(p.ends) / 2 }

// Key returns the key of pair i.
func (p *Pairs) Key(i int) []byte {
	start := 0
	if i > 0 {
		start = p.ends[2*i-1]
	}
	return p.buf[start:p.ends[2*i]:p.ends[2*i]]
}

// Value returns the value of pair i.
func (p *Pairs) Value(i int) []byte {
	return p.buf[p.ends[2*i]:p.ends[2*i+1]:p.ends[2*i+1]]
}

// Size returns the total bytes of all keys and values.
func (p *Pairs) Size() int { return len(p.buf) }

// Reset empties the batch, keeping its memory.
func (p *Pairs) Reset() {
	p.buf = p.buf[:0]
	p.ends = p.ends[:0]
}

// Checksum adds every pair to c (Lightning's local KV checksum).
func (p *Pairs) Checksum(c *tidbcodec.Checksum) {
	for i := 0; i < p.Len(); i++ {
		c.Update(p.Key(i), p.Value(i))
	}
}

// Add appends a copy of one pair.
func (p *Pairs) Add(key, value []byte) {
	p.buf = append(p.buf, key...)
	p.endKey()
	p.buf = append(p.buf, value...)
	p.endValue()
}

func (p *Pairs) endKey()   { p.ends = append(p.ends, len(p.buf)) }
func (p *Pairs) endValue() { p.ends = append(p.ends, len(p.buf)) }

// truncate drops everything after n pairs (used to undo a failed row).
func (p *Pairs) truncate(n int) {
	if n*2 >= len(p.ends) {
		return
	}
	end := 0
	if n > 0 {
		end = p.ends[2*n-1]
	}
	p.buf = p.buf[:end]
	p.ends = p.ends[:2*n]
}
