// Package sakilacheck is the end-to-end tests' oracle for the sakila
// corpus: it computes, over what `lightstream export` prints, the figures
// of ../shared/corpora/sakila-expected-checks.json (COUNT, SUM and BIT_XOR
// of CRC32 over CONCAT_WS('|', IFNULL(col,'\N'), ...)), which a
// MySQL-compatible server computed from the original data.
package sakilacheck

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// SharedDir finds the team's shared directory: $LIGHTSTREAM_SHARED or
// <repo>/../shared. Tests that need the corpora skip without it.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("LIGHTSTREAM_SHARED")
	if dir == "" {
		abs, err := filepath.Abs(filepath.Join("..", "..", "..", "shared"))
		if err != nil {
			t.Skipf("shared directory: %v", err)
		}
		dir = abs
	}
	if _, err := os.Stat(filepath.Join(dir, "corpora", "sakila")); err != nil {
		t.Skipf("sakila corpus not found under %s (set LIGHTSTREAM_SHARED): %v", dir, err)
	}
	return dir
}

// SakilaDump is the sakila SQL dump.
func SakilaDump(t testing.TB) string {
	return filepath.Join(SharedDir(t), "corpora", "sakila")
}

// TableCheck is one entry of sakila-expected-checks.json: figures a
// MySQL-compatible server computed over the original data.
type TableCheck struct {
	DB    string `json:"db"`
	Table string `json:"table"`
	Count int64  `json:"count"`
	Sum   string `json:"sum_crc32"`
	Xor   string `json:"xor_crc32"`
}

// LoadChecks returns the expected checks by "db.table".
func LoadChecks(t testing.TB) map[string]TableCheck {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(SharedDir(t), "corpora", "sakila-expected-checks.json"))
	if err != nil {
		t.Skipf("expected checks: %v", err)
	}
	var list []TableCheck
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatalf("expected checks: %v", err)
	}
	out := make(map[string]TableCheck, len(list))
	for _, c := range list {
		out[c.DB+"."+c.Table] = c
	}
	return out
}

// Figures are the expected-check figures computed over exported rows:
// COUNT(*), SUM and BIT_XOR of CRC32(CONCAT_WS('|', IFNULL(col,'\N'), ...)).
type Figures struct {
	Count int64
	Sum   uint64
	Xor   uint32
}

// Matches compares the figures with an expected check.
func (f Figures) Matches(c TableCheck) error {
	if f.Count != c.Count || strconv.FormatUint(f.Sum, 10) != c.Sum || strconv.FormatUint(uint64(f.Xor), 10) != c.Xor {
		return fmt.Errorf("%s.%s: got count %d sum %d xor %d, want count %d sum %s xor %s",
			c.DB, c.Table, f.Count, f.Sum, f.Xor, c.Count, c.Sum, c.Xor)
	}
	return nil
}

// FiguresOfExport parses what `lightstream export` prints (dumpling's CSV
// dialect: a header line, every value quoted with backslash escapes, an
// unquoted \N for NULL, one row per line) and computes the figures. The
// CONCAT_WS of a row renders NULL as the two characters \N, as the
// IFNULL(col,'\N') of the expected checks' query does.
func FiguresOfExport(r io.Reader) (Figures, error) {
	var f Figures
	br := bufio.NewReaderSize(r, 1<<16)
	header := true
	var row []byte
	for line := 1; ; line++ {
		raw, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(raw) != 0 {
				return f, fmt.Errorf("line %d: no line end", line)
			}
			return f, nil
		}
		if err != nil {
			return f, err
		}
		raw = raw[:len(raw)-1]
		if header {
			header = false
			continue
		}
		row, err = concatRow(row[:0], raw)
		if err != nil {
			return f, fmt.Errorf("line %d: %w", line, err)
		}
		c := crc32.ChecksumIEEE(row)
		f.Count++
		f.Sum += uint64(c)
		f.Xor ^= c
	}
}

// concatRow appends CONCAT_WS('|', ...) of one CSV line's values to dst.
func concatRow(dst, line []byte) ([]byte, error) {
	for i := 0; ; {
		switch {
		case bytes.HasPrefix(line[i:], []byte(`\N`)) && (i+2 == len(line) || line[i+2] == ','):
			dst = append(dst, `\N`...)
			i += 2
		case i < len(line) && line[i] == '"':
			i++
			for {
				if i >= len(line) {
					return nil, errors.New("unterminated quoted value")
				}
				b := line[i]
				if b == '"' {
					i++
					break
				}
				if b == '\\' {
					if i+1 >= len(line) {
						return nil, errors.New("backslash at line end")
					}
					i++
					switch line[i] {
					case '0':
						b = 0
					case 'n':
						b = '\n'
					case 'r':
						b = '\r'
					case 't':
						b = '\t'
					case 'Z':
						b = 0x1a
					default:
						b = line[i]
					}
				}
				dst = append(dst, b)
				i++
			}
		default:
			return nil, fmt.Errorf("byte %d: want a quoted value or \\N", i)
		}
		if i == len(line) {
			return dst, nil
		}
		if line[i] != ',' {
			return nil, fmt.Errorf("byte %d: want ','", i)
		}
		dst = append(dst, '|')
		i++
	}
}
