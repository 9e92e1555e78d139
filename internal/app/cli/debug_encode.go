package cli

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
	"github.com/lightstream-io/lightstream/internal/tidb/rowcodec"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

func init() {
	addDebugCommand(&cli.Command{
		Name:      "encode",
		Usage:     "print the KV pairs TiDB writes for INSERT rows: `<key hex> <value hex>` per pair, record first",
		ArgsUsage: " ",
		Flags: append(debugTableFlags(),
			&cli.StringFlag{Name: "rows", Usage: "file of INSERT statements (default: stdin)"},
			&cli.StringFlag{Name: "sql-mode", Value: sqlmode.DefaultText, Usage: "SQL mode values are converted under"},
			&cli.StringFlag{Name: "now", Usage: "statement time for DEFAULT CURRENT_TIMESTAMP, RFC 3339 (default: the current time)"},
			&cli.Int64Flag{Name: "auto-random-seed", Usage: "seed of the AUTO_RANDOM shard (Lightning: the chunk's PrevRowIDMax)"},
		),
		Action: func(c *cli.Context) error {
			opts, err := debugEncodeOptions(c)
			if err != nil {
				return err
			}
			in, name, closeIn, err := debugInput(c.App.Reader, c.String("rows"))
			if err != nil {
				return err
			}
			defer closeIn()
			opts.RowsName = name
			return debugEncodeRows(opts, in, c.App.Writer)
		},
	})
}

// debugTableFlags are the flags debug encode and debug decode share.
func debugTableFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "schema", Usage: "file holding the table's CREATE TABLE", Required: true},
		&cli.Int64Flag{Name: "table-id", Usage: "TiDB table ID (a partitioned table's partitions take the IDs that follow it, as TiDB allocates them)", Required: true},
		&cli.StringFlag{Name: "time-zone", Value: "+00:00", Usage: "session time zone of TIMESTAMP values"},
	}
}

// debugCodecOptions say how rows of one table are encoded or decoded.
type debugCodecOptions struct {
	Table *tablemodel.Table
	Loc   *time.Location
	Mode  sqlmode.Mode
	Now   time.Time
	// AutoRandomSeed seeds the AUTO_RANDOM shard.
	AutoRandomSeed int64
	// RowsName names the row input in errors.
	RowsName string
}

func debugLoadTable(c *cli.Context) (*tablemodel.Table, *time.Location, error) {
	path := c.String("schema")
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--schema: %w", err)
	}
	t, _, err := tablemodel.ParseCreateTable(string(text), tablemodel.DBDefaults{}, c.Int64("table-id"))
	if err != nil {
		return nil, nil, fmt.Errorf("--schema %s: %w", path, err)
	}
	loc, err := mytime.ParseLocation(c.String("time-zone"))
	if err != nil {
		return nil, nil, fmt.Errorf("--time-zone: %w", err)
	}
	return t, loc, nil
}

func debugEncodeOptions(c *cli.Context) (debugCodecOptions, error) {
	t, loc, err := debugLoadTable(c)
	if err != nil {
		return debugCodecOptions{}, err
	}
	mode, err := sqlmode.Parse(c.String("sql-mode"))
	if err != nil {
		return debugCodecOptions{}, fmt.Errorf("--sql-mode: %w", err)
	}
	now := time.Now()
	if s := c.String("now"); s != "" {
		if now, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return debugCodecOptions{}, fmt.Errorf("--now: %w", err)
		}
	}
	return debugCodecOptions{Table: t, Loc: loc, Mode: mode, Now: now, AutoRandomSeed: c.Int64("auto-random-seed")}, nil
}

// debugInput opens path, or the app's stdin for "" or "-".
func debugInput(stdin io.Reader, path string) (io.Reader, string, func(), error) {
	if path == "" || path == "-" {
		if stdin == nil {
			stdin = os.Stdin
		}
		return stdin, "stdin", func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", nil, err
	}
	return f, path, func() { f.Close() }, nil
}

// debugLineOf is the 1-based line of byte offset off in data.
func debugLineOf(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// debugEncodeRows reads INSERT statements from in and writes, per row in order,
// its KV pairs as `<key hex> <value hex>` lines: the record pair, then the
// index pairs in index-ID order (kvenc.Encoder.Encode's order). Row IDs
// count rows from 1 in input order.
func debugEncodeRows(opts debugCodecOptions, in io.Reader, out io.Writer) error {
	t := opts.Table
	// The input is read whole so that errors can name lines: this is a
	// debugging command, not the import path.
	data, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("read %s: %w", opts.RowsName, err)
	}
	rc, err := rowcodec.NewRowCoder(t, valueconv.Session{Mode: opts.Mode, Loc: opts.Loc, Now: opts.Now}, rowcodec.Options{AutoRandomSeed: opts.AutoRandomSeed})
	if err != nil {
		return fmt.Errorf("table %s: %w", t.Name, err)
	}
	r := rowparse.NewSQLReader(bytes.NewReader(data), rowparse.SQLOptions{File: opts.RowsName, NoBackslashEscapes: opts.Mode.Has(sqlmode.NoBackslashEscapes)})
	w := bufio.NewWriterSize(out, 64<<10)
	var pairs kvenc.Pairs
	var line []byte
	for n := int64(1); ; n++ {
		fields, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read rows: %w", err)
		}
		pairs.Reset()
		if err := rc.Encode(r.Columns(), fields, n, &pairs); err != nil {
			return debugRowError(opts.RowsName, data, r.Pos(), n, err)
		}
		for i := 0; i < pairs.Len(); i++ {
			line = hex.AppendEncode(line[:0], pairs.Key(i))
			line = append(line, ' ')
			line = hex.AppendEncode(line, pairs.Value(i))
			line = append(line, '\n')
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
	}
	return w.Flush()
}

// debugRowError places a row's error: input, line, byte offset, row number;
// a value error (*valueconv.ValueError) names the column itself.
func debugRowError(name string, data []byte, pos, n int64, err error) error {
	return fmt.Errorf("%s: line %d (offset %d), row %d: %w", name, debugLineOf(data, pos), pos, n, err)
}
