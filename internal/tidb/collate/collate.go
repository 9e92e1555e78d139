// Package collate computes the sort keys TiDB (with new collation enabled)
// writes into index keys and common handles, for every collation TiDB
// supports. See SPEC §4 and TiDB's pkg/util/collate.
package collate

import (
	"bytes"
	"sort"
	"strings"
)

// Collator turns a string into its memcomparable sort key.
type Collator interface {
	// Key appends the sort key of s to dst and returns the result.
	Key(dst, s []byte) []byte
	// PadSpace reports whether trailing spaces are ignored (PAD SPACE).
	PadSpace() bool
}

var collators = map[string]Collator{}

// register adds c under name; each collation file registers itself.
func register(name string, c Collator) { collators[name] = c }

// aliases are the utf8mb3_* spellings of the utf8_* collations (TiDB's
// parser/charset utf8Alias).
var aliases = map[string]string{
	"utf8mb3_bin":        "utf8_bin",
	"utf8mb3_general_ci": "utf8_general_ci",
	"utf8mb3_unicode_ci": "utf8_unicode_ci",
}

// Get returns the collator for a collation name (case-insensitive). An
// unknown name falls back to utf8mb4_bin, as TiDB does with new collation on;
// ok is false in that case so callers can warn.
func Get(name string) (c Collator, ok bool) {
	name = strings.ToLower(name)
	if a, ok := aliases[name]; ok {
		name = a
	}
	if c, ok := collators[name]; ok {
		return c, true
	}
	return collators["utf8mb4_bin"], false
}

// Supported returns the registered collation names, sorted.
func Supported() []string {
	names := make([]string, 0, len(collators))
	for n := range collators {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Compare orders a and b under c by comparing their sort keys, which is what
// TiDB's index order amounts to. It allocates; use Key with reused buffers in
// hot paths.
func Compare(c Collator, a, b []byte) int {
	return bytes.Compare(c.Key(nil, a), c.Key(nil, b))
}

// binaryCollator is the `binary` collation: raw bytes, NO PAD.
type binaryCollator struct{}

func (binaryCollator) Key(dst, s []byte) []byte { return append(dst, s...) }
func (binaryCollator) PadSpace() bool           { return false }

// binPaddingCollator is the *_bin collations of TiDB: raw bytes with
// trailing 0x20 removed (PAD SPACE).
type binPaddingCollator struct{}

func (binPaddingCollator) Key(dst, s []byte) []byte { return append(dst, TrimTrailingSpace(s)...) }
func (binPaddingCollator) PadSpace() bool           { return true }

// TrimTrailingSpace removes trailing 0x20 bytes.
func TrimTrailingSpace(s []byte) []byte {
	i := len(s)
	for i > 0 && s[i-1] == ' ' {
		i--
	}
	return s[:i]
}

func init() {
	register("binary", binaryCollator{})
	for _, n := range []string{"utf8mb4_bin", "utf8_bin", "ascii_bin", "latin1_bin"} {
		register(n, binPaddingCollator{})
	}
	register("utf8mb4_0900_bin", binaryCollator{})
}
