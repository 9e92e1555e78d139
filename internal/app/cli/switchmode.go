package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
)

func init() {
	addCommand(&cli.Command{
		Name:      "switch-mode",
		Usage:     "switch every store of a cluster to import or normal mode (as tidb-lightning-ctl --switch-mode), e.g. after a killed import",
		UsageText: "lightstream switch-mode --pd host:port [--ca F --cert F --key F] normal|import",
		ArgsUsage: "normal|import",
		Flags:     storeFlags(),
		Action:    runSwitchMode,
	})
}

func runSwitchMode(c *cli.Context) error {
	var importMode bool
	switch arg := c.Args().First(); arg {
	case "normal":
	case "import":
		importMode = true
	default:
		return fmt.Errorf("switch-mode: want normal or import, got %q", arg)
	}
	sc, err := storeConfig(c)
	if err != nil {
		return err
	}
	if !sc.External() {
		return fmt.Errorf("switch-mode: --pd is required (the embedded store has no import mode)")
	}
	st, err := pipeline.OpenStore("", sc)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx, stop := signalContext(c)
	defer stop()
	if err := st.SwitchMode(ctx, importMode); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "switched to %s mode\n", c.Args().First())
	return nil
}
