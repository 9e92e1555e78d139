package containers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// expectedCheck is one table's entry of corpora/sakila-expected-checks.json:
// COUNT(*), SUM and BIT_XOR of CRC32(CONCAT_WS('|', IFNULL(col,'\N'), ...))
// over the non-excluded columns, computed by a MySQL-compatible server.
type expectedCheck struct {
	DB       string   `json:"db"`
	Table    string   `json:"table"`
	Count    int64    `json:"count"`
	SumCRC   string   `json:"sum_crc32"`
	XorCRC   string   `json:"xor_crc32"`
	Excluded []string `json:"excluded_columns"`
}

// sharedDir is the team's shared folder ($LIGHTSTREAM_SHARED, default
// <repo>/../shared).
func sharedDir(t testing.TB) string {
	if d := os.Getenv("LIGHTSTREAM_SHARED"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(t), "..", "shared")
}

// missing skips a test whose golden input is missing, or fails it under
// CI (CI=true): a check must never pass by not running.
func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI=true: a missing golden input fails the run", why)
	}
	t.Skip(why)
}

func loadExpected(t testing.TB) []expectedCheck {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(sharedDir(t), "corpora", "sakila-expected-checks.json"))
	if err != nil {
		missing(t, fmt.Sprintf("sakila expected checks not found (set LIGHTSTREAM_SHARED): %v", err))
	}
	var checks []expectedCheck
	if err := json.Unmarshal(raw, &checks); err != nil {
		t.Fatalf("sakila-expected-checks.json: %v", err)
	}
	return checks
}

// tableFigures are the check's figures of an exported table.
type tableFigures struct {
	Count int64
	Sum   uint64
	Xor   uint32
}

// figuresOfExport reads `lightstream export` output (dumpling's CSV: a
// header line, fields quoted with `"`, backslash escapes \0 \n \r \t \Z \\
// \", an unquoted \N for NULL) and computes the check's figures, leaving
// out the excluded columns.
func figuresOfExport(r io.Reader, excluded []string) (tableFigures, error) {
	var f tableFigures
	br := bufio.NewReaderSize(r, 1<<16)
	header, err := readRecord(br)
	if err == io.EOF {
		return f, fmt.Errorf("empty export: no header")
	}
	if err != nil {
		return f, fmt.Errorf("header: %w", err)
	}
	skip := make([]bool, len(header))
	for i, h := range header {
		for _, x := range excluded {
			if h.value == x {
				skip[i] = true
			}
		}
	}
	var line []byte
	for {
		rec, err := readRecord(br)
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return f, fmt.Errorf("row %d: %w", f.Count+1, err)
		}
		if len(rec) != len(header) {
			return f, fmt.Errorf("row %d: %d fields, header has %d", f.Count+1, len(rec), len(header))
		}
		line = line[:0]
		first := true
		for i, fld := range rec {
			if skip[i] {
				continue
			}
			if !first {
				line = append(line, '|')
			}
			first = false
			if fld.null {
				line = append(line, `\N`...)
			} else {
				line = append(line, fld.value...)
			}
		}
		c := crc32.ChecksumIEEE(line)
		f.Count++
		f.Sum += uint64(c)
		f.Xor ^= c
	}
}

type csvField struct {
	value string
	null  bool
}

// readRecord reads one record; io.EOF only at a record boundary.
func readRecord(br *bufio.Reader) ([]csvField, error) {
	var rec []csvField
	if _, err := br.Peek(1); err != nil {
		return nil, err
	}
	for {
		var fld csvField
		b, err := br.ReadByte()
		if err != nil {
			return nil, io.ErrUnexpectedEOF
		}
		switch b {
		case '"':
			var v bytes.Buffer
			for {
				c, err := br.ReadByte()
				if err != nil {
					return nil, io.ErrUnexpectedEOF
				}
				if c == '"' {
					break
				}
				if c == '\\' {
					e, err := br.ReadByte()
					if err != nil {
						return nil, io.ErrUnexpectedEOF
					}
					switch e {
					case '0':
						c = 0
					case 'n':
						c = '\n'
					case 'r':
						c = '\r'
					case 't':
						c = '\t'
					case 'Z':
						c = 0x1a
					default:
						c = e
					}
				}
				v.WriteByte(c)
			}
			fld.value = v.String()
		case '\\':
			n, err := br.ReadByte()
			if err != nil || n != 'N' {
				return nil, fmt.Errorf("unquoted field starting with \\%c", n)
			}
			fld.null = true
		default:
			return nil, fmt.Errorf("unquoted field starting with %q", b)
		}
		rec = append(rec, fld)
		sep, err := br.ReadByte()
		if err != nil {
			return nil, io.ErrUnexpectedEOF
		}
		switch sep {
		case ',':
			continue
		case '\n':
			return rec, nil
		default:
			return nil, fmt.Errorf("%q after a field", sep)
		}
	}
}

// matches compares figures with the expected check.
func (e expectedCheck) matches(f tableFigures) error {
	sum, err1 := strconv.ParseUint(e.SumCRC, 10, 64)
	xor, err2 := strconv.ParseUint(e.XorCRC, 10, 32)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("bad expected figures %q %q", e.SumCRC, e.XorCRC)
	}
	if f.Count != e.Count || f.Sum != sum || uint64(f.Xor) != xor {
		return fmt.Errorf("count %d sum %d xor %d, want count %d sum %d xor %d", f.Count, f.Sum, f.Xor, e.Count, sum, xor)
	}
	return nil
}

// TestFiguresOfExport checks the checker against MySQL's own figures for a
// small table: CRC32('1|a|\N') and friends as MySQL computes them.
func TestFiguresOfExport(t *testing.T) {
	in := "\"id\",\"s\",\"geo\",\"n\"\n" +
		"\"1\",\"a\\\"b\\n\",\"x\",\\N\n" +
		"\"2\",\"\",\"y\",\"3.50\"\n"
	f, err := figuresOfExport(bytes.NewReader([]byte(in)), []string{"geo"})
	if err != nil {
		t.Fatal(err)
	}
	r1 := crc32.ChecksumIEEE([]byte("1|a\"b\n|\\N"))
	r2 := crc32.ChecksumIEEE([]byte("2||3.50"))
	if f.Count != 2 || f.Sum != uint64(r1)+uint64(r2) || f.Xor != r1^r2 {
		t.Errorf("figures %+v", f)
	}
	// SELECT CRC32('MySQL') = 3259397556 (MySQL reference manual, CRC32()).
	if c := crc32.ChecksumIEEE([]byte("MySQL")); c != 3259397556 {
		t.Errorf("CRC32('MySQL') = %d", c)
	}
	for _, bad := range []string{"\"a\"\n\"1\",\"2\"\n", "\"a\"\nx\n", "\"a\"\n\"1"} {
		if _, err := figuresOfExport(bytes.NewReader([]byte(bad)), nil); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
