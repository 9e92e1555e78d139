package summary

import (
	"fmt"
	"io"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
)

// printDisk prints the work directory's disk use by area, next to the
// dump's size, and what the retained KV topics are for.
func printDisk(w io.Writer, d *pipeline.DiskUse) {
	if d == nil {
		return
	}
	ratio := func(n int64) string {
		if d.DumpBytes <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.2fx", float64(n)/float64(d.DumpBytes))
	}
	fmt.Fprintf(w, "disk: dump %s; work directory %s (%s the dump): broker %s (KV topics %s, %s), engines %s, store %s\n",
		mb(d.DumpBytes), mb(d.WorkDirBytes), ratio(d.WorkDirBytes), mb(d.BrokerBytes), mb(d.KVTopicBytes), ratio(d.KVTopicBytes),
		mb(d.EngineBytes), mb(d.StoreBytes))
	quota := ""
	if d.DiskQuota > 0 {
		quota = fmt.Sprintf(", within a disk quota of %s (%d engines ingested early to stay within it)", mb(d.DiskQuota), d.EarlyIngests)
	}
	fmt.Fprintf(w, "engines: %s written, %s freed after ingest, at most %s at once%s\n",
		mb(d.EnginesWritten), mb(d.EnginesFreed), mb(d.EnginesPeak), quota)
	if len(d.Partitions) > 0 {
		fmt.Fprint(w, "KV partitions, largest/mean bytes:")
		for i, p := range d.Partitions {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(w, "%s %s.%s %.2f (%d, largest %s)", sep, p.DB, p.Table, p.Ratio, p.Partitions, mb(p.Largest))
		}
		fmt.Fprintln(w)
	}
	switch d.KVRetention {
	case "none":
		fmt.Fprintln(w, "KV topics of verified tables deleted (--kv-retention none): lightstream replay cannot rebuild them")
	case "keep", "":
		fmt.Fprintln(w, "KV topics kept (--kv-retention keep): lightstream replay rebuilds a table's engines from them; --kv-retention none frees that space")
	default:
		fmt.Fprintf(w, "KV topics kept for %s after the import (--kv-retention): lightstream replay needs them whole\n", d.KVRetention)
	}
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
