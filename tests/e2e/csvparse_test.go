package e2e

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// parseDumpCSV reads dumpling's default CSV dialect as written by
// `lightstream export`: a header line, `,` separator, `\n` terminator,
// values quoted with `"` and backslash escapes inside quotes (\\ \" \n \r
// \t \0 \Z, dumpling/export/sql_type.go escapeBackslashCSV), and an
// unquoted \N for NULL. It is written independently of internal/app/export/csvwriter so
// that a bug there shows up as a mismatch.
func parseDumpCSV(b []byte) (*exported, error) {
	var (
		e    exported
		row  []*string
		line = 1
	)
	i := 0
	for i < len(b) {
		var v *string
		switch {
		case b[i] == '"':
			var s []byte
			i++
			closed := false
			for i < len(b) {
				c := b[i]
				if c == '"' {
					closed = true
					i++
					break
				}
				if c == '\\' {
					if i+1 >= len(b) {
						return nil, fmt.Errorf("line %d: backslash at end of input", line)
					}
					i++
					switch b[i] {
					case 'n':
						s = append(s, '\n')
					case 'r':
						s = append(s, '\r')
					case 't':
						s = append(s, '\t')
					case '0':
						s = append(s, 0)
					case 'Z':
						s = append(s, 0x1a)
					case '\\', '"':
						s = append(s, b[i])
					default:
						return nil, fmt.Errorf("line %d: unknown escape \\%c", line, b[i])
					}
					i++
					continue
				}
				if c == '\n' {
					return nil, fmt.Errorf("line %d: raw newline inside a quoted value", line)
				}
				s = append(s, c)
				i++
			}
			if !closed {
				return nil, fmt.Errorf("line %d: unterminated quoted value", line)
			}
			str := string(s)
			v = &str
		case i+1 < len(b) && b[i] == '\\' && b[i+1] == 'N':
			i += 2
		default:
			return nil, fmt.Errorf("line %d: unexpected byte %q at the start of a value", line, b[i])
		}
		row = append(row, v)
		if i >= len(b) {
			return nil, fmt.Errorf("line %d: input ends inside a row", line)
		}
		switch b[i] {
		case ',':
			i++
		case '\n':
			i++
			line++
			if e.Header == nil {
				for _, h := range row {
					if h == nil {
						return nil, errors.New("NULL in the header")
					}
					e.Header = append(e.Header, *h)
				}
			} else {
				if len(row) != len(e.Header) {
					return nil, fmt.Errorf("line %d: %d values, header has %d", line-1, len(row), len(e.Header))
				}
				e.Rows = append(e.Rows, row)
			}
			row = nil
		default:
			return nil, fmt.Errorf("line %d: unexpected byte %q after a value", line, b[i])
		}
	}
	if e.Header == nil {
		return nil, errors.New("no header line")
	}
	return &e, nil
}

func strp(s string) *string { return &s }

func TestParseDumpCSV(t *testing.T) {
	in := "\"a\",\"b\",\"c\"\n" +
		"\"1\",\\N,\"x\\\\y\\\"z\"\n" +
		"\"\",\"\\n\\r\\t\\0\\Z\",\"\\\\N\"\n"
	got, err := parseDumpCSV([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &exported{
		Header: []string{"a", "b", "c"},
		Rows: [][]*string{
			{strp("1"), nil, strp(`x\y"z`)},
			{strp(""), strp("\n\r\t\x00\x1a"), strp(`\N`)},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
	for _, bad := range []string{
		"\"a\"\n\"1\"",         // no terminator
		"\"a\"\n\"1\n",         // unterminated quote
		"\"a\",\"b\"\n\"1\"\n", // short row
		"\"a\"\nx\n",           // unquoted non-NULL
		"\"a\"\n\"\\q\"\n",     // unknown escape
	} {
		if _, err := parseDumpCSV([]byte(bad)); err == nil {
			t.Errorf("parseDumpCSV(%q): no error", bad)
		}
	}
}

// TestChecksOfOracle pins the check arithmetic to a value MySQL computes:
// SELECT CRC32('MySQL') = 3259397556 (MySQL manual, CRC32()).
func TestChecksOfOracle(t *testing.T) {
	e := &exported{Header: []string{"a", "skip"}, Rows: [][]*string{{strp("MySQL"), strp("zz")}}}
	got := checksOf(e, []string{"SKIP"})
	if got.Count != 1 || got.Sum != 3259397556 || got.Xor != 3259397556 {
		t.Fatalf("checks = %v, want CRC32('MySQL') = 3259397556", got)
	}
	e = &exported{Header: []string{"a", "b"}, Rows: [][]*string{{strp("MySQL"), nil}}}
	// CONCAT_WS('|', 'MySQL', '\N') is "MySQL|\N".
	if got, want := checksOf(e, nil).Sum, uint64(crc32IEEE("MySQL|\\N")); got != want {
		t.Fatalf("NULL rendering: sum %d, want %d", got, want)
	}
}
