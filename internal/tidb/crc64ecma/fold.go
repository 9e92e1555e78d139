package crc64ecma

import "encoding/binary"

// Folding: the CRC of a message M (register 0 before it) is M(x)*x^64 mod
// P, so it depends only on M mod P, and a 128-bit block A followed by 128
// more bits B is worth A*x^128 + B. Writing A = H*x^64 + L (H the block's
// first eight bytes, L the next eight), A*x^128 = H*x^192 + L*x^128, which
// mod P is H*(x^192 mod P) + L*(x^128 mod P): two 64x64-bit carry-less
// products, each under 128 bits. foldBlocks keeps one such 128-bit
// remainder over all of p's blocks and hands it to the table code as the
// 16 bytes it stands for.
//
// Bit order: the CRC is reflected (a byte's least significant bit comes
// first), so a little-endian 64-bit word holds coefficient x^(63-i) in bit
// i, and a carry-less product of two such words holds x^(126-m) in bit m:
// read back as a reflected 128-bit value it is x times the product. The
// keys are therefore x^191 and x^127 mod P, reflected.

// foldMin is the shortest input worth folding: below it the table code
// alone is as fast as a call into assembly plus a 16-byte table step.
const foldMin = 32

// poly is ECMA-182's polynomial without its x^64 term, most significant
// coefficient first (hash/crc64.ECMA is its reflection).
const poly = 0x42F0E1EBA9EA3693

// foldKeys holds, in the order the assembly loads them, the keys that move
// a block 16 bytes ahead (x^191 mod P for its first eight bytes, x^127 mod
// P for its last eight: D = 128 bits gives x^(D+63) and x^(D-1)) and those
// that move it 32 bytes ahead (D = 256), reflected.
var foldKeys = [4]uint64{
	reflect64(xPowModP(191)), reflect64(xPowModP(127)),
	reflect64(xPowModP(319)), reflect64(xPowModP(255)),
}

// xPowModP returns x^n mod P, most significant coefficient first.
func xPowModP(n int) uint64 {
	r := uint64(1) // x^0
	for range n {
		carry := r >> 63
		r <<= 1
		if carry != 0 {
			r ^= poly
		}
	}
	return r
}

func reflect64(v uint64) uint64 {
	var r uint64
	for range 64 {
		r = r<<1 | v&1
		v >>= 1
	}
	return r
}

// foldBlocks adds p (at least 32 bytes, a multiple of 16) to the raw CRC
// register crc. Only called where canFold.
func foldBlocks(crc uint64, p []byte) uint64 {
	lo, hi := fold128(crc, p, &foldKeys)
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], lo)
	binary.LittleEndian.PutUint64(b[8:], hi)
	return updateTable(0, b[:])
}
