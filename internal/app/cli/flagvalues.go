package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/source/dumpgen"
)

// sizeFlag reads a byte-size flag ("256MiB", "64MB", "1000000"); the error
// names the flag.
func sizeFlag(c *cli.Context, name string) (int64, error) {
	n, err := dumpgen.ParseSize(c.String(name))
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

// kvCompressionFlag chooses the codec of the KV topics.
var kvCompressionFlag = &cli.StringFlag{Name: "kv-compression", Value: "auto",
	Usage: "codec of KV batches: none, gzip, snappy, lz4, zstd, or auto (none on the embedded broker, lz4 on --brokers)"}

// kvCompression reads --kv-compression; auto is none on the embedded broker
// (compressing cost more CPU than the local disk it saves) and lz4 on a
// real Kafka, whose network and disks are shared.
func kvCompression(c *cli.Context, external bool) (kafkaio.Compression, error) {
	name := c.String(kvCompressionFlag.Name)
	if name == "auto" {
		name = "none"
		if external {
			name = "lz4"
		}
	}
	comp, err := kafkaio.ParseCompression(name)
	if err != nil {
		return 0, fmt.Errorf("--%s: %w", kvCompressionFlag.Name, err)
	}
	return comp, nil
}
