package cli

import (
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/source/dump"
)

// noTiDBFlag keeps a --config file's [tidb] from choosing the catalog.
var noTiDBFlag = &cli.BoolFlag{Name: "no-tidb", Usage: "use the embedded catalog and store even when --config names a TiDB or PD ([tidb] host, pd-addr); --tidb '' does the same"}

// sourceFlags are Lightning's [mydumper] keys of how a dump is written
// and its tables compared.
func sourceFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "character-set", Value: "auto", Usage: "character set of the schema files ([mydumper] character-set): auto (UTF-8, else GB18030), utf8mb4, gb18030, gbk, latin1 or binary; they are decoded to UTF-8"},
		&cli.StringFlag{Name: "data-character-set", Value: "binary", Usage: "character set of the data files ([mydumper] data-character-set): binary (bytes as they are), utf8mb4, gb18030, gbk or latin1; the rows are decoded to UTF-8 before parsing"},
		&cli.StringFlag{Name: "data-invalid-char-replace", Value: string(utf8.RuneError), Usage: "what replaces bytes the data character set cannot decode ([mydumper] data-invalid-char-replace)"},
		&cli.BoolFlag{Name: "case-sensitive", Usage: "table filters compare database and table names exactly ([mydumper] case-sensitive; default: without regard to case)"},
	}
}

// sourceOptions reads the source flags and what the configuration file
// gave as lists.
func sourceOptions(c *cli.Context, lists configLists) (dump.Source, error) {
	var src dump.Source
	var err error
	if src.CharacterSet, err = dump.ParseCharset(c.String("character-set"), true); err != nil {
		return src, fmt.Errorf("--character-set: %w", err)
	}
	if src.DataCharacterSet, err = dump.ParseCharset(c.String("data-character-set"), false); err != nil {
		return src, fmt.Errorf("--data-character-set: %w", err)
	}
	src.DataInvalidCharReplace = c.String("data-invalid-char-replace")
	src.CaseSensitive = c.Bool("case-sensitive")
	src.FileRules, src.DefaultFileRules, src.BWList = lists.FileRules, lists.DefaultFileRules, lists.BWList
	if !src.BWList.Empty() && filterGiven(c) && !slices.Equal(c.StringSlice("filter"), dump.DefaultFilterRules) {
		return src, errors.New("-f (mydumper.filter) and [black-white-list] cannot be simultaneously defined")
	}
	if c.Bool("no-tidb") {
		if c.IsSet("tidb") && c.String("tidb") != "" {
			return src, errors.New("--no-tidb and --tidb: choose one catalog")
		}
		if err := c.Set("tidb", ""); err != nil {
			return src, err
		}
	}
	return src, nil
}

// filterGiven reports whether --filter (or -f) is on the command line.
func filterGiven(c *cli.Context) bool { return c.IsSet("filter") || c.IsSet("f") }
