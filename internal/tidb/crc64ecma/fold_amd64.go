//go:build !purego

package crc64ecma

import "golang.org/x/sys/cpu"

// canFold reports a CPU with PCLMULQDQ (every x86-64 since 2010 but
// emulators that hide it).
var canFold = cpu.X86.HasPCLMULQDQ

// fold128 folds p (a non-empty multiple of 16 bytes) into one 128-bit
// remainder, the register crc added to its first eight bytes, and returns
// its two little-endian halves (fold_amd64.s).
//
//go:noescape
func fold128(crc uint64, p []byte, keys *[4]uint64) (lo, hi uint64)
