package cli

import (
	"bufio"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/source/storage"
)

func init() {
	addDebugCommand(&cli.Command{
		Name:  "chunks",
		Usage: "list the chunks a dump is cut into",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dump", Usage: "dump directory or s3://bucket/prefix?options", Required: true},
			&cli.StringSliceFlag{Name: "filter", Aliases: []string{"f"}, Usage: "table filter rule (repeatable), e.g. 'db.*' '!db.tmp*'"},
			&cli.Int64Flag{Name: "chunk-size", Value: dump.DefaultChunkSize, Usage: "target chunk size in bytes"},
			&cli.BoolFlag{Name: "csv-header", Value: true, Usage: "CSV files start with a header line"},
		},
		Action: debugChunks,
	})
}

func debugChunks(c *cli.Context) error {
	filter, err := dump.ParseFilter(c.StringSlice("filter"))
	if err != nil {
		return err
	}
	d, err := scanDumpFlag(c, filter)
	if err != nil {
		return err
	}
	for _, w := range d.Warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	csv := rowparse.DefaultCSVOptions()
	csv.Header = c.Bool("csv-header")
	tw := bufio.NewWriter(c.App.Writer)
	fmt.Fprintln(tw, "table\tfile\tstart\tend\tformat\trow_id_base")
	for _, t := range d.Tables {
		cols := 1
		if t.SchemaFile != "" {
			if text, err := dump.ReadFileIn(d.Storage, t.SchemaFile); err == nil {
				if names, err := dump.ColumnNames(text); err == nil {
					cols = len(names)
				}
			}
		}
		chunks, err := dump.MakeChunks(t, dump.ChunkOptions{ChunkSize: c.Int64("chunk-size"), Columns: cols, CSV: csv, Storage: d.Storage})
		if err != nil {
			return err
		}
		for _, ch := range chunks {
			format := ch.Format.String()
			if ch.Compression != dump.CompressionNone {
				format += "+" + ch.Compression.String()
			}
			fmt.Fprintf(tw, "%s.%s\t%s\t%d\t%d\t%s\t%d\n", ch.DB, ch.Table, ch.File, ch.Start, ch.End, format, ch.RowIDBase)
		}
	}
	return tw.Flush()
}

// scanDumpFlag scans the dump --dump names: a directory or an s3:// URL.
func scanDumpFlag(c *cli.Context, filter *dump.Filter) (*dump.Dump, error) {
	st, err := storage.Open(c.Context, c.String("dump"))
	if err != nil {
		return nil, err
	}
	return dump.ScanStorage(st, filter, nil, dump.Source{})
}
