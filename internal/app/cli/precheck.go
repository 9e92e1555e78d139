package cli

import (
	"context"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/ops/precheck"
)

// precheckFlags are TiDB Lightning's check-requirements and the timeout of
// the reachability checks.
func precheckFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "check-requirements", Value: true, Usage: "run the pre-checks (source readable, free space, targets reachable) before any write, as TiDB Lightning does"},
		&cli.DurationFlag{Name: "check-timeout", Value: 5 * time.Second, Usage: "how long a target (TiDB, PD, Kafka) may take to answer a pre-check"},
	}
}

// Shares of the source size an import writes under the work directory at
// its peak (precheck.SpaceFactor in all): sorted engines, the embedded
// broker's retained KV topics, the embedded store.
const (
	engineSpace = 1.25
	brokerSpace = 1.25
	storeSpace  = 1.6 // uncompressed (mockmvcc.StoreOptions): 1.39x (TPC-H-shaped) to 1.55x (sbtest) of the dump
)

// importPrechecks are the checks of one import, given where it reads and
// writes.
type importTargets struct {
	dump, workDir, engineDir string
	tidb                     string
	pd, brokers              []string
	// logical is --backend tidb: the rows go to the server as SQL, so
	// there are no engines and the embedded store holds only the catalog.
	logical bool
}

// space returns the share of the source size the import writes under the
// work directory, and whether the engines go to a directory of their own
// (--sorted-kv-dir), checked apart.
func (t importTargets) space() (work float64, ownEngineDir bool) {
	if len(t.brokers) == 0 {
		work += brokerSpace
	}
	if len(t.pd) == 0 && !t.logical {
		work += storeSpace
	}
	switch {
	case t.logical: // no engines
	case t.engineDir == "":
		work += engineSpace
	default:
		ownEngineDir = true
	}
	return work, ownEngineDir
}

func runPrechecks(ctx context.Context, c *cli.Context, w io.Writer, t importTargets) error {
	if !c.Bool("check-requirements") {
		return nil
	}
	timeout := c.Duration("check-timeout")
	checks := []precheck.Check{precheck.Source(t.dump)}
	_, src, _ := precheck.DumpSize(ctx, t.dump)
	_, used, _ := precheck.SourceSize(t.workDir) // a resumed import holds part already
	work, engines := t.space()
	if engines {
		checks = append(checks, precheck.FreeSpace("engine space", t.engineDir, int64(float64(src)*engineSpace)))
	}
	if need := int64(float64(src)*work) - used; work > 0 {
		checks = append(checks, precheck.FreeSpace("work-dir space", t.workDir, max(need, 0)))
	}
	if t.tidb != "" {
		checks = append(checks, precheck.Reachable("--tidb", []string{t.tidb}, timeout, "TiDB"))
	}
	if len(t.pd) > 0 {
		checks = append(checks, precheck.Reachable("--pd", t.pd, timeout, "PD"))
	}
	if len(t.brokers) > 0 {
		checks = append(checks, precheck.Reachable("--brokers", t.brokers, timeout, "Kafka broker"))
	}
	results, err := precheck.Run(ctx, checks)
	quiet := c.Bool("quiet")
	for _, r := range results {
		quiet = quiet && r.Status == precheck.Pass
	}
	if !quiet {
		precheck.Print(w, results)
	}
	return err
}
