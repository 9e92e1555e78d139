//go:build !amd64 || purego

package crc64ecma

const canFold = false

func fold128(uint64, []byte, *[4]uint64) (lo, hi uint64) { panic("crc64ecma: no carry-less multiply") }
