package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/storecatalog"
)

func init() {
	addCommand(&cli.Command{
		Name:      "tables",
		Usage:     "list the databases, tables and views of the store's catalog, with their IDs and row counts",
		UsageText: "lightstream tables --pd host:port | --work-dir W [--json] [--no-rows]",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "work-dir", Value: "lightstream-work", Usage: "the work directory whose embedded store to read (without --pd)"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON instead of a table"},
			&cli.BoolFlag{Name: "no-rows", Usage: "do not count rows (counting reads every record key of every table)"},
		}, storeFlags()...),
		Action: runTables,
	})
}

// tablesJSON is the shape `lightstream tables --json` prints.
type tablesJSON struct {
	Databases []storecatalog.Database `json:"databases"`
	Tables    []tableJSON             `json:"tables"`
	Views     []storecatalog.View     `json:"views"`
	NextID    int64                   `json:"next_id"`
}

type tableJSON struct {
	DB          string  `json:"db"`
	Name        string  `json:"name"`
	ID          int64   `json:"id"`
	PhysicalIDs []int64 `json:"physical_ids"`
	// Rows is counted from the store's record ranges (absent with
	// --no-rows).
	Rows *int64 `json:"rows,omitempty"`
	// Claim is the hold of an import writing the table, if any.
	Claim *storecatalog.Claim `json:"claim,omitempty"`
}

func runTables(c *cli.Context) error {
	st, err := openCatalogStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	meta, err := storecatalog.Open(st)
	if err != nil {
		return err
	}
	all, err := meta.List(c.Context)
	if err != nil {
		return err
	}
	out := tablesJSON{Databases: all.Databases, Views: all.Views, NextID: all.NextID, Tables: []tableJSON{}}
	for _, t := range all.Tables {
		tj := tableJSON{DB: t.DB, Name: t.Name, ID: t.ID, PhysicalIDs: t.PhysicalIDs, Claim: t.Claim}
		if !c.Bool("no-rows") {
			n, err := storecatalog.CountRows(c.Context, st, t.PhysicalIDs)
			if err != nil {
				return err
			}
			tj.Rows = &n
		}
		out.Tables = append(out.Tables, tj)
	}
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(c.App.Writer, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "database\tname\tkind\tid\tphysical ids\trows\t")
	for _, d := range out.Databases {
		fmt.Fprintf(tw, "%s\t\tdatabase\t%d\t\t\t\n", d.Name, d.ID)
		for _, t := range out.Tables {
			if !strings.EqualFold(t.DB, d.Name) {
				continue
			}
			rows := "-"
			if t.Rows != nil {
				rows = strconv.FormatInt(*t.Rows, 10)
			}
			ids := make([]string, len(t.PhysicalIDs))
			for i, id := range t.PhysicalIDs {
				ids[i] = strconv.FormatInt(id, 10)
			}
			held := ""
			if t.Claim != nil {
				held = fmt.Sprintf("held by import %q until %s", t.Claim.Import, t.Claim.Until.Format(time.RFC3339))
			}
			fmt.Fprintf(tw, "%s\t%s\ttable\t%d\t%s\t%s\t%s\n", t.DB, t.Name, t.ID, strings.Join(ids, ","), rows, held)
		}
		for _, v := range out.Views {
			if strings.EqualFold(v.DB, d.Name) {
				fmt.Fprintf(tw, "%s\t%s\tview\t%d\t\t\t\n", v.DB, v.Name, v.ID)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "%d databases, %d tables, %d views; next ID %d\n", len(out.Databases), len(out.Tables), len(out.Views), out.NextID)
	return nil
}

// openCatalogStore opens the store whose catalog a command reads: the
// cluster behind --pd, or the embedded store of --work-dir, which must
// exist (opening would create an empty one).
func openCatalogStore(c *cli.Context) (store.Store, error) {
	sc, err := storeConfig(c)
	if err != nil {
		return nil, err
	}
	if !sc.External() {
		dir := pipeline.StoreDir(c.String("work-dir"))
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("work directory %s holds no embedded store (%w); give the import's --work-dir, or --pd for a cluster", c.String("work-dir"), err)
		}
	}
	st, err := pipeline.OpenStore(c.String("work-dir"), sc)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return st, nil
}
