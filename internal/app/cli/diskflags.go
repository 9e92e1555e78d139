package cli

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
)

// diskFlags are import's flags for the disk the engines and KV topics
// take.
func diskFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "keep-engines", Usage: "keep each partition's sorted engine after it is ingested (default: removed once ingested, as TiDB Lightning removes its local sorted files)"},
		&cli.StringFlag{Name: "disk-quota", Usage: "most disk the engines of this process may take, e.g. 20GiB (Lightning's tikv-importer.disk-quota): past it, the largest engine is ingested early and the sorters fetch no more until there is room (default: no quota)"},
		&cli.StringFlag{Name: "kv-retention", Value: "keep", Usage: "what becomes of a table's KV topic once the import is verified: keep (lightstream replay needs it; it takes about as much disk as the encoded pairs), a period such as 72h or 7d, or none (deleted)"},
	}
}

// diskOptions reads diskFlags into cfg.
func diskOptions(c *cli.Context, cfg *pipeline.Config) error {
	cfg.KeepEngines = c.Bool("keep-engines")
	if v := c.String("disk-quota"); v != "" {
		n, err := sizeFlag(c, "disk-quota")
		if err != nil {
			return err
		}
		cfg.DiskQuota = n
	}
	if !c.IsSet("kv-retention") && c.String("kv-retention") == "" {
		return nil // a command without the flag (sorter)
	}
	r, err := pipeline.ParseKVRetention(c.String("kv-retention"))
	if err != nil {
		return err
	}
	cfg.KVRetention = r
	return nil
}

var byteSizeRE = regexp.MustCompile(`^(?i)\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgtp]?)(i?b)?\s*$`)

// lightningByteSize reads a Lightning ByteSize value: an integer of bytes,
// or text such as "10GB", "512MiB" or "1.5T", whose units are binary
// whether or not they have an "i" (Lightning reads them with go-units'
// RAMInBytes).
func lightningByteSize(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		if x < 0 {
			return 0, fmt.Errorf("%d is negative", x)
		}
		return x, nil
	case string:
		m := byteSizeRE.FindStringSubmatch(x)
		if m == nil {
			return 0, fmt.Errorf("%q is not a size such as 10GB", x)
		}
		f, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return 0, fmt.Errorf("%q: %w", x, err)
		}
		if m[2] != "" {
			f *= math.Pow(1024, float64(strings.Index("kmgtp", strings.ToLower(m[2]))+1))
		}
		if f > math.MaxInt64 {
			return 0, fmt.Errorf("%q is too large", x)
		}
		return int64(f), nil
	}
	return 0, fmt.Errorf("want a size in bytes or text such as \"10GB\", got %v", v)
}
