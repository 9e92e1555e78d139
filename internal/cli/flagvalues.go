package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/gen"
	"github.com/lightstream-io/lightstream/internal/kafkaio"
)

// sizeFlag reads a byte-size flag ("256MiB", "64MB", "1000000"); the error
// names the flag.
func sizeFlag(c *cli.Context, name string) (int64, error) {
	n, err := gen.ParseSize(c.String(name))
	if err != nil {
		return 0, fmt.Errorf("--%s: %w", name, err)
	}
	return n, nil
}

// optionalKafka reads the Kafka flags when --brokers is given; without it
// the zero Config means the embedded broker under the work directory.
func optionalKafka(c *cli.Context) (kafkaio.Config, error) {
	if len(c.StringSlice("brokers")) == 0 {
		return kafkaio.Config{}, nil
	}
	return kafkaConfig(c, "brokers")
}
