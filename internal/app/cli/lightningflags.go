package cli

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
)

// ErrServerMode: lightstream has no server mode (tidb-lightning
// --server-mode, tasks submitted over HTTP).
var ErrServerMode = errors.New("--server-mode is not built: lightstream runs one import per command (run `lightstream import` per task, or the roles as long-lived group members)")

// lightningFlags are TiDB Lightning's command-line names (tidb-lightning
// --help) that import accepts besides its own: a Lightning user's command
// line works as it is. Those that name one of import's own flags are
// copied onto it by applyLightningFlags; giving both with different values
// is an error.
func lightningFlags() []cli.Flag {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "d", Usage: "TiDB Lightning's name of --dump"},
		&cli.StringFlag{Name: "backend", Value: "local", Usage: "TiDB Lightning's tikv-importer.backend: local (physical import into TiKV; \"importer\", its former name, means the same)"},
		&cli.StringFlag{Name: "sorted-kv-dir", Usage: "where this process keeps its sorted engines (TiDB Lightning's tikv-importer.sorted-kv-dir; default <work-dir>/engines)"},
		&cli.StringFlag{Name: "tidb-host", Usage: "TiDB Lightning's name of --tidb's host (with --tidb-port, default 4000)"},
		&cli.IntFlag{Name: "tidb-port", Usage: "TiDB Lightning's name of --tidb's port (default 4000)"},
		&cli.StringSliceFlag{Name: "pd-urls", Usage: "TiDB Lightning's name of --pd"},
		&cli.BoolFlag{Name: "server-mode", Usage: "TiDB Lightning's server mode: not built (refused)"},
	}
	return append(flags, logFlags()...)
}

// applyLightningFlags copies the Lightning names onto import's own flags
// and checks the values that have no flag of ours. It returns a note for
// the user, if any.
func applyLightningFlags(c *cli.Context) (note string, err error) {
	if c.Bool("server-mode") {
		return "", ErrServerMode
	}
	if err := copyFlag(c, "d", "dump"); err != nil {
		return "", err
	}
	for _, pd := range c.StringSlice("pd-urls") {
		if c.IsSet("pd") && !contains(c.StringSlice("pd"), pd) {
			return "", fmt.Errorf("--pd-urls %s and --pd %s disagree: give one", pd, strings.Join(c.StringSlice("pd"), ","))
		}
		if !c.IsSet("pd") {
			for _, addr := range strings.Split(pd, ",") {
				if err := c.Set("pd", strings.TrimPrefix(strings.TrimPrefix(addr, "http://"), "https://")); err != nil {
					return "", err
				}
			}
		}
	}
	if c.IsSet("tidb-host") || c.IsSet("tidb-port") {
		host, port := c.String("tidb-host"), c.Int("tidb-port")
		if host == "" {
			host = "127.0.0.1"
		}
		if port == 0 {
			port = 4000
		}
		addr := net.JoinHostPort(host, strconv.Itoa(port))
		if c.IsSet("tidb") && c.String("tidb") != addr {
			return "", fmt.Errorf("--tidb-host/--tidb-port (%s) and --tidb %s disagree: give one", addr, c.String("tidb"))
		}
		if err := c.Set("tidb", addr); err != nil {
			return "", err
		}
	}
	// Lightning's --tidb-status is a port on the TiDB host.
	if s := c.String("tidb-status"); s != "" && isDigits(s) {
		host, _, err := net.SplitHostPort(c.String("tidb"))
		if err != nil {
			return "", fmt.Errorf("--tidb-status %s is a port: it needs --tidb (or --tidb-host) for the host", s)
		}
		if err := c.Set("tidb-status", net.JoinHostPort(host, s)); err != nil {
			return "", err
		}
	}
	switch b := strings.ToLower(c.String("backend")); b {
	case "local", "":
	case "importer":
		note = `--backend importer is TiDB Lightning's former name of the physical import: running it as "local"`
	case "tidb":
		return "", errors.New("--backend tidb (the logical import through SQL) is not built yet: use the default physical import (local)")
	default:
		return "", fmt.Errorf("--backend %q: want local (or importer, its former name)", b)
	}
	return note, nil
}

// copyFlag copies the Lightning-named flag from onto the flag to.
func copyFlag(c *cli.Context, from, to string) error {
	if !c.IsSet(from) {
		return nil
	}
	v := c.String(from)
	if c.IsSet(to) && c.String(to) != v {
		return fmt.Errorf("-%s %s and --%s %s disagree: give one", from, v, to, c.String(to))
	}
	return c.Set(to, v)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
