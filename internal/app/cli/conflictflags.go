package cli

import (
	"fmt"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/kv/conflict"
)

// conflictFlags are Lightning's [conflict] section as flags: import,
// sorter and replay take them (every sorter of an import must be given
// the same).
func conflictFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "conflict-strategy", Aliases: []string{"on-duplicate"}, Usage: `rows sharing a primary or unique key (Lightning's conflict.strategy): "" (not detected: they collapse and the checksum fails), error (stop at the first, naming both rows), replace (the row later in the dump wins, as REPLACE INTO), ignore (the first row wins, as INSERT IGNORE); record and remove, former duplicate-resolution values, mean replace`},
		&cli.Int64Flag{Name: "conflict-threshold", Value: -1, Usage: "stop once more than N rows lost a conflict (Lightning's conflict.threshold; default 10000 with replace or ignore, 0: no limit; not with error)"},
		&cli.Int64Flag{Name: "conflict-max-record-rows", Value: -1, Usage: "conflicts recorded per table in the conflicts report (Lightning's conflict.max-record-rows; default: the threshold)"},
	}
}

// conflictOptions reads conflictFlags (a command without them: none).
func conflictOptions(c *cli.Context) (conflict.Config, error) {
	cfg := conflict.Config{Threshold: c.Int64("conflict-threshold"), MaxRecordRows: c.Int64("conflict-max-record-rows")}
	if !c.IsSet("conflict-threshold") && cfg.Threshold == 0 {
		cfg.Threshold = -1 // a command without the flag
	}
	if !c.IsSet("conflict-max-record-rows") && cfg.MaxRecordRows == 0 {
		cfg.MaxRecordRows = -1
	}
	s, deprecated, err := conflict.ParseStrategy(c.String("conflict-strategy"))
	if err != nil {
		return cfg, fmt.Errorf("--conflict-strategy: %w", err)
	}
	if deprecated {
		fmt.Fprintf(c.App.ErrWriter, "warning: --conflict-strategy %s is no longer a strategy of TiDB Lightning: it is replace\n", c.String("conflict-strategy"))
	}
	cfg.Strategy = s
	if err := cfg.Adjust(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// lightningConflict sets the conflict flags from a Lightning configuration
// as Lightning's Conflict.adjust reads it: conflict.strategy, else the
// deprecated tikv-importer.on-duplicate, else tikv-importer.duplicate-
// resolution ("record" and "remove" are "replace"), which cannot be
// combined with either of the others.
func lightningConflict(cfg *lightningConfig, set func(name, value string), fail func(string, ...any) error) error {
	from, value := "conflict.strategy", cfg.Conflict.Strategy
	s, _, err := conflict.ParseStrategy(value)
	if err != nil {
		return fail("%v", err)
	}
	if s == conflict.None && cfg.TiKVImporter.OnDuplicate != "" {
		from, value = "tikv-importer.on-duplicate", cfg.TiKVImporter.OnDuplicate
		if s, _, err = conflict.ParseStrategy(value); err != nil {
			return fail("%s: %v", from, err)
		}
	}
	dr, _, err := conflict.ParseStrategy(cfg.TiKVImporter.DuplicateResolution)
	if err != nil {
		return fail("tikv-importer.duplicate-resolution: %v", err)
	}
	switch {
	case s != conflict.None && dr != conflict.None:
		return fail("%s cannot be used with tikv-importer.duplicate-resolution", from)
	case s == conflict.None && dr != conflict.None:
		s = dr
	}
	if s != conflict.None {
		set("conflict-strategy", string(s))
	}
	if t := cfg.Conflict.Threshold; t != nil {
		set("conflict-threshold", strconv.FormatInt(*t, 10))
	}
	if n := cfg.Conflict.MaxRecordRows; n != nil {
		set("conflict-max-record-rows", strconv.FormatInt(*n, 10))
	}
	return nil
}
