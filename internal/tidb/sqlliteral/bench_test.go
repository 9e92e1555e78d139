package sqlliteral

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// quotedInputs are strings of the shapes the logical import quotes, each
// set rendered whole per operation (as a row batch is).
func quotedInputs() []struct {
	name string
	in   [][]byte
} {
	rng := rand.New(rand.NewSource(1))
	// sysbench's c CHAR(120) and pad CHAR(60): groups of 11 digits joined
	// by '-' (119 and 59 bytes).
	sbtest := func(groups int) [][]byte {
		out := make([][]byte, 16)
		for i := range out {
			g := make([]string, groups)
			for j := range g {
				g[j] = fmt.Sprintf("%011d", rng.Int63n(1e11))
			}
			out[i] = []byte(strings.Join(g, "-"))
		}
		return out
	}
	// TPC-H's comments: short text of its grammar's words, 10-44 bytes.
	words := strings.Fields("carefully final deposits detect slyly agai furiously regular " +
		"requests sleep quickly ironic packages boost blithely pending accounts " +
		"haggle express foxes nag even instructions wake bold theodolites use")
	var tpch [][]byte
	for len(tpch) < 16 {
		n := 10 + rng.Intn(35)
		var s []byte
		for len(s) < n {
			s = append(append(s, words[rng.Intn(len(words))]...), ' ')
		}
		tpch = append(tpch, s[:n])
	}
	return []struct {
		name string
		in   [][]byte
	}{
		{"sbtest-c", sbtest(10)},
		{"sbtest-pad", sbtest(5)},
		{"tpch-comment", tpch},
		{"utf8", [][]byte{[]byte("Grüße aus Zürich — 北京市海淀区中关村大街 — Ελληνικά κείμενα,日本語のテキストです。")}},
		{"escapes", [][]byte{[]byte(`the customer's order "42" ships to C:\data\orders` + "\nsecond line of the note, then the end")}},
		{"json", [][]byte{[]byte(`{"id": 42, "name": "widget", "tags": ["a", "b", "c"], "price": 9.5, "ok": true}`)}},
	}
}

// BenchmarkAppendQuoted: quoting speed per input shape, in the default
// mode and under NO_BACKSLASH_ESCAPES; MB/s counts the input bytes.
//
//	go test -run '^$' -bench AppendQuoted -count 5 ./internal/tidb/sqlliteral/
func BenchmarkAppendQuoted(b *testing.B) {
	for _, in := range quotedInputs() {
		for _, nb := range []bool{false, true} {
			name := in.name + "/default"
			if nb {
				name = in.name + "/no-backslash"
			}
			b.Run(name, func(b *testing.B) {
				r := Renderer{NoBackslashEscapes: nb}
				n := 0
				for _, s := range in.in {
					n += len(s)
				}
				b.SetBytes(int64(n))
				dst := make([]byte, 0, 2*n+2*len(in.in))
				for b.Loop() {
					dst = dst[:0]
					for _, s := range in.in {
						dst = r.AppendQuoted(dst, s)
					}
				}
			})
		}
	}
}
