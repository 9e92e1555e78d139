package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/app/export"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/state/storecatalog"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

func init() {
	addCommand(&cli.Command{
		Name:      "export",
		Usage:     "read a table back out of the store and write it as CSV (dumpling's dialect, MySQL text form)",
		UsageText: "lightstream export --pd host:port --table db.t [--out FILE] | export --work-dir W --table db.t",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "work-dir", Value: "lightstream-work", Usage: "the import's work directory: its embedded store (without --pd); a table the store's catalog does not record is looked up in its checkpoint"},
			&cli.StringFlag{Name: "table", Usage: "the table, as db.table", Required: true},
			&cli.StringFlag{Name: "out", Usage: "output file (default stdout)"},
			&cli.StringFlag{Name: "time-zone", Value: "+00:00", Usage: "time zone TIMESTAMP values are shown in"},
		}, storeFlags()...),
		Action: runExport,
	})
}

// ErrExportView: export was asked for a view, which holds no rows.
var ErrExportView = errors.New("cannot export a view")

// splitTableName splits db.table; the first dot separates them unless the
// name is written with backquotes (`a.b`.`c`).
func splitTableName(s string) (db, table string, err error) {
	if strings.HasPrefix(s, "`") {
		// `db`.`table` with doubled backquotes inside names.
		parts, rest := []string{}, s
		for len(rest) > 0 && len(parts) < 2 {
			if rest[0] != '`' {
				return "", "", fmt.Errorf("table %q: want db.table", s)
			}
			var b strings.Builder
			i := 1
			for ; i < len(rest); i++ {
				if rest[i] == '`' {
					if i+1 < len(rest) && rest[i+1] == '`' {
						b.WriteByte('`')
						i++
						continue
					}
					break
				}
				b.WriteByte(rest[i])
			}
			if i >= len(rest) {
				return "", "", fmt.Errorf("table %q: unterminated backquote", s)
			}
			parts = append(parts, b.String())
			rest = rest[i+1:]
			rest = strings.TrimPrefix(rest, ".")
		}
		if len(parts) != 2 || rest != "" {
			return "", "", fmt.Errorf("table %q: want `db`.`table`", s)
		}
		return parts[0], parts[1], nil
	}
	db, table, ok := strings.Cut(s, ".")
	if !ok || db == "" || table == "" {
		return "", "", fmt.Errorf("table %q: want db.table", s)
	}
	return db, table, nil
}

// exportModel finds the --table's model in the store's catalog; a table
// the catalog does not record (imported by a lightstream older than the
// catalog) is looked up in the --work-dir's checkpoint.
func exportModel(c *cli.Context, st store.Store) (*tablemodel.Table, error) {
	name := c.String("table")
	db, table, err := splitTableName(name)
	if err != nil {
		return nil, err
	}
	if meta, err := storecatalog.Open(st); err == nil {
		rec, err := meta.Table(c.Context, db, table)
		if err == nil {
			return rec.Decode()
		}
		if !errors.Is(err, storecatalog.ErrNotFound) {
			return nil, err
		}
	}
	workDir := c.String("work-dir")
	if _, err := os.Stat(pipeline.CheckpointPath(workDir)); err == nil {
		return loadTable(workDir, name)
	}
	where := "the embedded store of " + workDir
	if pd := c.StringSlice("pd"); len(pd) > 0 {
		where = "the store at " + strings.Join(pd, ",")
	}
	return nil, fmt.Errorf("table %s.%s is not in the catalog of %s (lightstream tables lists what it holds)", db, table, where)
}

// loadTable finds a table's model in an import's checkpoint; names match
// case-insensitively as in MySQL.
func loadTable(workDir, name string) (*tablemodel.Table, error) {
	db, table, err := splitTableName(name)
	if err != nil {
		return nil, err
	}
	cp, err := checkpoint.Open(pipeline.CheckpointPath(workDir))
	if err != nil {
		return nil, err
	}
	st := cp.Snapshot()
	if v := st.FindView(db, table); v != nil {
		return nil, fmt.Errorf("%w: %s.%s is a view (%s in the dump), not a table: it holds no rows to export; its definition: %s",
			ErrExportView, v.DB, v.Name, v.File, v.Definition)
	}
	if len(st.Tables) == 0 {
		return nil, fmt.Errorf("work directory %s holds no import", workDir)
	}
	for _, t := range st.Tables {
		if strings.EqualFold(t.DB, db) && strings.EqualFold(t.Name, table) {
			if len(t.Model) == 0 {
				return nil, fmt.Errorf("table %s.%s has no schema yet (the import did not get that far)", t.DB, t.Name)
			}
			var m tablemodel.Table
			if err := json.Unmarshal(t.Model, &m); err != nil {
				return nil, fmt.Errorf("table %s.%s: %w", t.DB, t.Name, err)
			}
			return &m, nil
		}
	}
	return nil, fmt.Errorf("table %s.%s is not part of the import in %s", db, table, workDir)
}

func runExport(c *cli.Context) error {
	loc, err := mytime.ParseLocation(c.String("time-zone"))
	if err != nil {
		return err
	}
	st, err := openCatalogStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := exportModel(c, st)
	if err != nil {
		return err
	}
	var w io.Writer = c.App.Writer
	if out := c.String("out"); out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	gen, err := export.Generated(t, loc)
	if err != nil {
		return err
	}
	_, err = export.Table(c.Context, st, t, export.Options{Loc: loc, Generated: gen}, w)
	return err
}
