package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/lightstream-io/lightstream/internal/app/export/csvwriter"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
)

func init() {
	addDebugCommand(&cli.Command{
		Name:  "rows",
		Usage: "print a table's rows as parsed, as dumpling-style CSV",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dump", Usage: "dump directory or s3://bucket/prefix?options", Required: true},
			&cli.StringFlag{Name: "table", Usage: "db.table", Required: true},
			&cli.BoolFlag{Name: "csv-header", Value: true, Usage: "CSV files start with a header line"},
			&cli.BoolFlag{Name: "no-backslash-escapes", Usage: "read SQL strings with NO_BACKSLASH_ESCAPES"},
		},
		Action: debugRows,
	})
}

func debugRows(c *cli.Context) error {
	db, name, ok := strings.Cut(c.String("table"), ".")
	if !ok {
		return fmt.Errorf("--table wants db.table, got %q", c.String("table"))
	}
	d, err := scanDumpFlag(c, nil)
	if err != nil {
		return err
	}
	t := d.Table(db, name)
	if t == nil {
		return fmt.Errorf("table %s not found in %s", c.String("table"), d.Dir)
	}
	var schemaCols []string
	if t.SchemaFile != "" {
		text, err := dump.ReadFileIn(d.Storage, t.SchemaFile)
		if err != nil {
			return err
		}
		if schemaCols, err = dump.ColumnNames(text); err != nil {
			return fmt.Errorf("schema of %s: %w", c.String("table"), err)
		}
	}
	csv := rowparse.DefaultCSVOptions()
	csv.Header = c.Bool("csv-header")
	chunks, err := dump.MakeChunks(t, dump.ChunkOptions{Columns: len(schemaCols), CSV: csv, Storage: d.Storage})
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(c.App.Writer, 64<<10)
	defer out.Flush()
	headerDone := false
	header := func(cols []string) {
		if headerDone {
			return
		}
		headerDone = true
		if cols == nil {
			cols = schemaCols
		}
		for i, col := range cols {
			if i > 0 {
				out.WriteByte(',')
			}
			csvwriter.WriteQuoted(out, []byte(col))
		}
		out.WriteByte('\n')
	}
	for _, ch := range chunks {
		if err := printChunk(ch, csv, c.Bool("no-backslash-escapes"), header, out); err != nil {
			return err
		}
	}
	header(nil)
	return nil
}

func printChunk(ch dump.Chunk, csv rowparse.CSVOptions, noBackslash bool, header func([]string), out *bufio.Writer) error {
	var next func() ([]literal.Field, error)
	var cols func() []string
	if ch.Format == dump.FormatParquet {
		// Instants are printed in UTC (no session time zone here).
		rows, err := ch.OpenRows(csv, noBackslash)
		if err != nil {
			return err
		}
		defer rows.Close()
		return printRows(rows.Next, rows.Columns, header, out)
	}
	r, err := ch.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	if ch.Format == dump.FormatSQL {
		sr := rowparse.NewSQLReader(r, ch.SQLOptions(noBackslash))
		next, cols = sr.Next, sr.Columns
	} else {
		cr, err := rowparse.NewCSVReader(r, ch.CSVOptions(csv))
		if err != nil {
			return err
		}
		next = cr.Next
		cols = func() []string {
			if h, _ := cr.Header(); h != nil {
				return h
			}
			return ch.Columns
		}
	}
	return printRows(next, cols, header, out)
}

// printRows prints every row next yields as a CSV line.
func printRows(next func() ([]literal.Field, error), cols func() []string, header func([]string), out *bufio.Writer) error {
	for {
		row, err := next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		header(cols())
		for i, f := range row {
			if i > 0 {
				out.WriteByte(',')
			}
			if f.Kind == literal.FieldNull {
				out.WriteString(`\N`)
				continue
			}
			csvwriter.WriteQuoted(out, f.Bytes)
		}
		out.WriteByte('\n')
	}
}
