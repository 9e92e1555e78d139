package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/kafka/importid"
)

func init() {
	addCommand(&cli.Command{
		Name:  "topics",
		Usage: "list the imports on a Kafka cluster, or delete one import's topics",
		Subcommands: []*cli.Command{
			{
				Name:      "list",
				Usage:     "list the imports whose topics the cluster holds (with --import-id: that import's topics)",
				UsageText: "lightstream topics list --brokers host:port [--import-id ID]",
				Flags:     roleFlags(),
				Action:    runTopicsList,
			},
			{
				Name:      "delete",
				Usage:     "delete an import's topics and consumer groups; refused while its groups have members",
				UsageText: "lightstream topics delete --import-id ID --brokers host:port",
				Flags:     roleFlags(),
				Action:    runTopicsDelete,
			},
		},
	})
}

func runTopicsList(c *cli.Context) error {
	kcfg, err := roleKafka(c)
	if err != nil {
		return err
	}
	ctx, stop := signalContext(c)
	defer stop()
	if id := c.String("import-id"); id != "" {
		topics, err := importid.Topics(ctx, kcfg, id)
		if err != nil {
			return err
		}
		if len(topics) == 0 {
			return fmt.Errorf("topics list: %w: import %s has no topics on %v", importid.ErrNoImport, id, kcfg.Brokers)
		}
		for _, t := range topics {
			fmt.Fprintf(c.App.Writer, "%s\t%d partitions\n", t.Name, t.Partitions)
		}
		return nil
	}
	imports, err := importid.List(ctx, kcfg)
	if err != nil {
		return err
	}
	for _, imp := range imports {
		fmt.Fprintf(c.App.Writer, "%s\t%d topics\n", imp.ID, len(imp.Topics))
	}
	return nil
}

func runTopicsDelete(c *cli.Context) error {
	id, err := roleImportID(c)
	if err != nil {
		return err
	}
	kcfg, err := roleKafka(c)
	if err != nil {
		return err
	}
	ctx, stop := signalContext(c)
	defer stop()
	d, err := importid.Delete(ctx, kcfg, id)
	if err != nil {
		return fmt.Errorf("topics delete: %w", err)
	}
	if len(d.Topics) == 0 && len(d.Groups) == 0 {
		return fmt.Errorf("topics delete: %w: import %s has no topics or groups on %v", importid.ErrNoImport, id, kcfg.Brokers)
	}
	for _, t := range d.Topics {
		fmt.Fprintln(c.App.Writer, "deleted topic", t)
	}
	for _, g := range d.Groups {
		fmt.Fprintln(c.App.Writer, "deleted group", g)
	}
	return nil
}
