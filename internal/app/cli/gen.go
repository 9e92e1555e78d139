package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/source/dumpgen"
)

func init() {
	addCommand(&cli.Command{
		Name:  "gen",
		Usage: "generate a deterministic dumpling-layout dump for benchmarks and tests",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "output directory", Required: true},
			&cli.StringFlag{Name: "size", Usage: "total size of the data files before compression (1GiB, 500MiB, 64MB, 1000000)", Required: true},
			&cli.StringFlag{Name: "tables", Value: dumpgen.DefaultTable, Usage: "comma list of tables: " + strings.Join(dumpgen.TableNames(), ",") + " (tpch: lineitem,orders,partsupp; tpch-sf1: the same in a TPC-H dump's proportions); name:weight gives a table weight/total of --size"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed; the same flags and seed give byte-identical files"},
			&cli.StringFlag{Name: "format", Value: "sql", Usage: "data file format: sql, csv or parquet"},
			&cli.StringFlag{Name: "compress", Value: "none", Usage: "compression: none, gzip or zstd"},
			&cli.StringFlag{Name: "file-size", Value: "256MiB", Usage: "maximum size of one data file before compression"},
			&cli.StringFlag{Name: "db", Value: dumpgen.DefaultDB, Usage: "database name"},
		},
		Action: runGen,
	})
}

func runGen(c *cli.Context) error {
	size, err := sizeFlag(c, "size")
	if err != nil {
		return err
	}
	fileSize, err := sizeFlag(c, "file-size")
	if err != nil {
		return err
	}
	format, err := dumpgen.ParseFormat(c.String("format"))
	if err != nil {
		return err
	}
	comp, err := dumpgen.ParseCompression(c.String("compress"))
	if err != nil {
		return err
	}
	var tables []string
	for _, t := range strings.Split(c.String("tables"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			tables = append(tables, t)
		}
	}
	cfg := dumpgen.Config{
		Dir:      c.String("out"),
		Size:     size,
		Tables:   tables,
		Seed:     c.Uint64("seed"),
		Format:   format,
		Compress: comp,
		FileSize: fileSize,
		DB:       c.String("db"),
	}
	start := time.Now()
	res, err := dumpgen.Run(c.Context, cfg)
	if err != nil {
		return err
	}
	el := time.Since(start)
	w := c.App.Writer
	fmt.Fprintln(w, "table\trows\tbytes\tdisk_bytes\tfiles")
	for _, t := range res.Tables {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\n", t.Name, t.Rows, t.Bytes, t.DiskBytes, t.Files)
	}
	fmt.Fprintf(w, "total\t%d\t%d\t%d\n", res.Rows, res.Bytes, res.DiskBytes)
	fmt.Fprintf(w, "generated %.1f MiB in %s (%.1f MiB/s)\n", float64(res.Bytes)/(1<<20), el.Round(time.Millisecond),
		float64(res.Bytes)/(1<<20)/el.Seconds())
	return nil
}
