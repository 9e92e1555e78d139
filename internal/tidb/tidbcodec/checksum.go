package tidbcodec

import "github.com/lightstream-io/lightstream/internal/tidb/crc64ecma"

// Checksum is Lightning's KV checksum (TiDB pkg/lightning/verification/
// checksum.go KVChecksum): XOR of crc64-ECMA(key||value) over all pairs,
// pair count and total key+value bytes. TiKV's ADMIN CHECKSUM computes the
// same.
type Checksum struct {
	Sum   uint64
	KVs   uint64
	Bytes uint64
}

// Update adds one KV pair.
func (c *Checksum) Update(key, value []byte) {
	c.Sum ^= crc64ecma.Pair(key, value)
	c.KVs++
	c.Bytes += uint64(len(key) + len(value))
}

// Add merges other into c.
func (c *Checksum) Add(other Checksum) {
	c.Sum ^= other.Sum
	c.KVs += other.KVs
	c.Bytes += other.Bytes
}
