package cli

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/rowcodec"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

func init() {
	addDebugCommand(&cli.Command{
		Name:      "decode",
		Usage:     "print the rows of `<key hex> <value hex>` lines (debug encode's output) as mysql -B does",
		ArgsUsage: " ",
		Flags: append(debugTableFlags(),
			&cli.StringFlag{Name: "pairs", Usage: "file of pair lines (default: stdin)"},
		),
		Action: func(c *cli.Context) error {
			t, loc, err := debugLoadTable(c)
			if err != nil {
				return err
			}
			in, name, closeIn, err := debugInput(c.App.Reader, c.String("pairs"))
			if err != nil {
				return err
			}
			defer closeIn()
			return debugDecodePairs(debugCodecOptions{Table: t, Loc: loc, RowsName: name}, in, c.App.Writer)
		},
	})
}

// debugPairLine is one input pair and the line it came from.
type debugPairLine struct {
	line       int
	key, value []byte
}

// debugRowPrinter prints the rows of record pairs and has the index pairs
// that follow each record checked against the row.
type debugRowPrinter struct {
	opts debugCodecOptions
	dec  *rowcodec.Decoder
	out  *bufio.Writer
	buf  []byte
}

// debugDecodePairs reads `<key hex> <value hex>` lines and prints one line per
// record pair: the row's values in column order, tab-separated, NULL as
// NULL, escaped as the mysql client's batch mode does. Index pairs are not
// printed; each must equal a pair the decoded row encodes to.
func debugDecodePairs(opts debugCodecOptions, in io.Reader, out io.Writer) error {
	t := opts.Table
	// Virtual columns are not stored: compute them as SELECT would.
	gen, err := rowcodec.VirtualGenerated(t, valueconv.Session{Loc: opts.Loc})
	if err != nil {
		return fmt.Errorf("table %s: %w", t.Name, err)
	}
	dec, err := rowcodec.NewDecoder(t, rowcodec.DecodeOptions{Loc: opts.Loc, Generated: gen})
	if err != nil {
		return err
	}
	d := &debugRowPrinter{opts: opts, dec: dec, out: bufio.NewWriterSize(out, 64<<10)}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<30)
	var group []debugPairLine
	for n := 1; sc.Scan(); n++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		p, err := debugParsePairLine(text)
		if err != nil {
			return fmt.Errorf("%s: line %d: %w", opts.RowsName, n, err)
		}
		p.line = n
		if tidbcodec.IsRecordKey(p.key) {
			if err := d.flush(group); err != nil {
				return err
			}
			group = group[:0]
		} else if len(group) == 0 {
			return fmt.Errorf("%s: line %d: index pair before any record pair", opts.RowsName, n)
		}
		group = append(group, p)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", opts.RowsName, err)
	}
	if err := d.flush(group); err != nil {
		return err
	}
	return d.out.Flush()
}

func debugParsePairLine(text []byte) (debugPairLine, error) {
	k, v, ok := bytes.Cut(text, []byte{' '})
	v = bytes.TrimSpace(v)
	if !ok || len(k) == 0 || len(v) == 0 || bytes.ContainsAny(v, " \t") {
		return debugPairLine{}, fmt.Errorf("want `<key hex> <value hex>`, got %q", debugExcerpt(text))
	}
	key, err := hex.DecodeString(string(k))
	if err != nil {
		return debugPairLine{}, fmt.Errorf("key: %w", err)
	}
	value, err := hex.DecodeString(string(v))
	if err != nil {
		return debugPairLine{}, fmt.Errorf("value: %w", err)
	}
	return debugPairLine{key: key, value: value}, nil
}

func debugExcerpt(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

// flush prints the row of a record pair and checks the index pairs after it.
func (d *debugRowPrinter) flush(group []debugPairLine) error {
	if len(group) == 0 {
		return nil
	}
	rec := group[0]
	where := func(p debugPairLine) string { return fmt.Sprintf("%s: line %d", d.opts.RowsName, p.line) }
	row, err := d.dec.Record(rec.key, rec.value)
	if err != nil {
		return fmt.Errorf("%s: %w", where(rec), err)
	}
	buf := d.buf[:0]
	first := true
	for i, col := range d.opts.Table.Columns {
		if col.Hidden {
			continue // an expression index's column: SELECT * does not show it
		}
		if !first {
			buf = append(buf, '\t')
		}
		first = false
		if row[i].Kind == datum.Null {
			buf = append(buf, "NULL"...)
			continue
		}
		start := len(buf)
		buf = valueconv.FormatText(col, &row[i], d.opts.Loc, buf)
		buf = appendBatchEscaped(buf, start)
	}
	buf = append(buf, '\n')
	d.buf = buf
	if _, err := d.out.Write(buf); err != nil {
		return err
	}
	for _, p := range group[1:] {
		if err := d.dec.CheckIndex(p.key, p.value); err != nil {
			return fmt.Errorf("%s: %w (the record is line %d)", where(p), err, rec.line)
		}
	}
	return nil
}

// appendBatchEscaped escapes buf[start:] in place of itself as the mysql
// client's batch mode prints a field (NUL, tab, newline, backslash).
func appendBatchEscaped(buf []byte, start int) []byte {
	special := false
	for _, c := range buf[start:] {
		if c == 0 || c == '\t' || c == '\n' || c == '\\' {
			special = true
			break
		}
	}
	if !special {
		return buf
	}
	field := append([]byte(nil), buf[start:]...)
	buf = buf[:start]
	for _, c := range field {
		switch c {
		case 0:
			buf = append(buf, '\\', '0')
		case '\t':
			buf = append(buf, '\\', 't')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\\':
			buf = append(buf, '\\', '\\')
		default:
			buf = append(buf, c)
		}
	}
	return buf
}
