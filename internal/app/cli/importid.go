package cli

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/schemas"
)

const (
	importIDUsageImport = "names the import's topics and consumer groups (default: the id the work directory records, or for a new import a generated <database-or-dump>_<yyyymmdd>_<random>; given on a rerun, it must be the recorded one)"
	importIDUsageRole   = "the import's id, which names its topics and consumer groups (required: every process of one import is given the same id)"
)

// importIDFlag is --import-id, also read from LIGHTSTREAM_IMPORT_ID. It
// has no default: a fixed default would put every import on a shared
// Kafka into the same topics and groups.
func importIDFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: "import-id", Usage: usage, EnvVars: []string{importid.EnvVar}}
}

// waitForImportFlag is --wait-for-import of the roles that join an
// existing import.
var waitForImportFlag = &cli.DurationFlag{Name: "wait-for-import", Value: importid.DefaultWait,
	Usage: "how long to wait for the import's producer to create its topics before failing (members may start first)", EnvVars: []string{"LIGHTSTREAM_WAIT_FOR_IMPORT"}}

// roleImportID returns the --import-id of a role started on its own.
func roleImportID(c *cli.Context) (string, error) {
	id := c.String("import-id")
	return id, importid.Require(c.Command.FullName(), id)
}

// printImportID tells the user the import's id, so that roles started
// elsewhere and `lightstream topics delete` can be given it.
func printImportID(c *cli.Context) func(string, bool) {
	return func(id string, created bool) {
		state := "resumed"
		if created {
			state = "new"
		}
		fmt.Fprintf(c.App.Writer, "import id %s (%s): topics %s*, groups %s; give --import-id %s to roles started elsewhere\n",
			id, state, schemas.TopicPrefix(id), strings.Join(schemas.Groups(id)[:2], ", "), id)
	}
}
