package crc64ecma

import (
	"hash/crc64"
	"math/rand/v2"
	"testing"
)

var std = crc64.MakeTable(crc64.ECMA)

func TestUpdateMatchesHashCRC64(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 4096)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for n := 0; n <= 300; n++ {
		for _, off := range []int{0, 1, 3, 7} {
			p := buf[off : off+n]
			for _, seed := range []uint64{0, 1, 0xdeadbeefcafef00d} {
				if got, want := Update(seed, p), crc64.Update(seed, std, p); got != want {
					t.Fatalf("len %d offset %d seed %x: got %x, want %x", n, off, seed, got, want)
				}
			}
		}
	}
	if got, want := Update(0, buf), crc64.Checksum(buf, std); got != want {
		t.Fatalf("4096 bytes: got %x, want %x", got, want)
	}
	// The check value of CRC-64/XZ (the reflected ECMA-182 CRC Go computes).
	if got := Update(0, []byte("123456789")); got != 0x995dc9bbdf1939fa {
		t.Fatalf("check value: got %x, want 995dc9bbdf1939fa", got)
	}
}

func TestPairIsKeyThenValue(t *testing.T) {
	key, value := []byte("t\x80\x00\x00\x00\x00\x00\x00\x01_r\x80\x00\x00\x00\x00\x00\x00\x02"), []byte("a value of some length, over eight")
	want := crc64.Checksum(append(append([]byte{}, key...), value...), std)
	if got := Pair(key, value); got != want {
		t.Fatalf("Pair: got %x, want %x", got, want)
	}
}

func FuzzUpdate(f *testing.F) {
	f.Add(uint64(0), []byte("123456789"))
	f.Add(uint64(42), make([]byte, 65))
	f.Fuzz(func(t *testing.T, seed uint64, p []byte) {
		if got, want := Update(seed, p), crc64.Update(seed, std, p); got != want {
			t.Fatalf("seed %x, %d bytes: got %x, want %x", seed, len(p), got, want)
		}
	})
}

func benchmarkPair(b *testing.B, keyLen, valueLen int, f func(k, v []byte) uint64) {
	key, value := make([]byte, keyLen), make([]byte, valueLen)
	b.SetBytes(int64(keyLen + valueLen))
	var sink uint64
	for b.Loop() {
		sink ^= f(key, value)
	}
	_ = sink
}

func stdPair(k, v []byte) uint64 { return crc64.Update(crc64.Update(0, std, k), std, v) }

// The sysbench-like table's pairs: a 19-byte record key with a ~190-byte
// row value, and a ~30-byte index key with a 1-byte value.
func BenchmarkPairRecord(b *testing.B)    { benchmarkPair(b, 19, 190, Pair) }
func BenchmarkPairRecordStd(b *testing.B) { benchmarkPair(b, 19, 190, stdPair) }
func BenchmarkPairIndex(b *testing.B)     { benchmarkPair(b, 30, 1, Pair) }
func BenchmarkPairIndexStd(b *testing.B)  { benchmarkPair(b, 30, 1, stdPair) }

// TPC-H-like lineitem pairs: a 19-byte record key with a ~120-byte value.
func BenchmarkPairLineitem(b *testing.B) { benchmarkPair(b, 19, 120, Pair) }

// The same by table alone, as on a CPU without carry-less multiplication.
func BenchmarkPairLineitemTable(b *testing.B) {
	benchmarkPair(b, 19, 120, func(k, v []byte) uint64 { return ^updateTable(updateTable(^uint64(0), k), v) })
}

// Long inputs show the folding loop's own speed.
func BenchmarkUpdate4K(b *testing.B) {
	p := make([]byte, 4096)
	b.SetBytes(int64(len(p)))
	var sink uint64
	for b.Loop() {
		sink ^= Update(sink, p)
	}
}
