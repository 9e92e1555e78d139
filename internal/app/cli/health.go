package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
)

func init() {
	addCommand(&cli.Command{
		Name:  "health",
		Usage: "exit 0 when the given services are reachable (container health checks)",
		Flags: append(append([]cli.Flag{
			&cli.DurationFlag{Name: "timeout", Value: 5 * time.Second, Usage: "give up after this long"},
		}, kafkaFlags("broker")...), healthTargetFlags()...),
		Action: runHealth,
	})
}

// kafkaFlags are the flags that make a kafkaio.Config; brokerFlag names the
// bootstrap address flag. Other commands reuse them with kafkaConfig.
func kafkaFlags(brokerFlag string) []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: brokerFlag, Usage: "Kafka bootstrap host:port (repeatable)", EnvVars: []string{"LIGHTSTREAM_BROKERS"}},
		&cli.StringFlag{Name: "kafka-client-id", Value: "lightstream", Usage: "Kafka client id"},
		&cli.StringFlag{Name: "kafka-sasl-mechanism", Usage: "plain, scram-sha-256 or scram-sha-512", EnvVars: []string{"LIGHTSTREAM_KAFKA_SASL_MECHANISM"}},
		&cli.StringFlag{Name: "kafka-sasl-user", EnvVars: []string{"LIGHTSTREAM_KAFKA_SASL_USER"}},
		&cli.StringFlag{Name: "kafka-sasl-password", EnvVars: []string{"LIGHTSTREAM_KAFKA_SASL_PASSWORD"}},
		&cli.BoolFlag{Name: "kafka-tls", Usage: "connect with TLS"},
		&cli.StringFlag{Name: "kafka-tls-ca", Usage: "PEM CA bundle"},
		&cli.StringFlag{Name: "kafka-tls-cert", Usage: "PEM client certificate"},
		&cli.StringFlag{Name: "kafka-tls-key", Usage: "PEM client key"},
		&cli.BoolFlag{Name: "kafka-tls-insecure-skip-verify", Usage: "do not verify the server certificate"},
	}
}

// kafkaConfig builds a validated kafkaio.Config from kafkaFlags.
func kafkaConfig(c *cli.Context, brokerFlag string) (kafkaio.Config, error) {
	cfg := kafkaio.Config{
		Brokers:  c.StringSlice(brokerFlag),
		ClientID: c.String("kafka-client-id"),
		SASL: kafkaio.SASLConfig{
			Mechanism: c.String("kafka-sasl-mechanism"),
			User:      c.String("kafka-sasl-user"),
			Password:  c.String("kafka-sasl-password"),
		},
		TLS: kafkaio.TLSConfig{
			Enable:             c.Bool("kafka-tls"),
			CAFile:             c.String("kafka-tls-ca"),
			CertFile:           c.String("kafka-tls-cert"),
			KeyFile:            c.String("kafka-tls-key"),
			InsecureSkipVerify: c.Bool("kafka-tls-insecure-skip-verify"),
		},
	}
	return cfg, cfg.Validate()
}

func runHealth(c *cli.Context) error {
	if len(c.StringSlice("broker")) == 0 && !hasHealthTargets(c) {
		return cli.Exit("health: nothing to check: give --broker, --http, --grpc or --tcp", 2)
	}
	ctx, cancel := context.WithTimeout(c.Context, c.Duration("timeout"))
	defer cancel()
	if err := checkHealthTargets(ctx, c, c.App.Writer); err != nil {
		return cli.Exit(err.Error(), 1)
	}
	if len(c.StringSlice("broker")) == 0 {
		return nil
	}
	cfg, err := kafkaConfig(c, "broker")
	if err != nil {
		return cli.Exit(err.Error(), 2)
	}
	info, err := kafkaio.DescribeCluster(ctx, cfg)
	if err != nil {
		return cli.Exit(fmt.Sprintf("health: broker %v unreachable: %v", cfg.Brokers, err), 1)
	}
	fmt.Fprintf(c.App.Writer, "broker ok: cluster %s, %d broker(s)\n", info.ID, info.Brokers)
	return nil
}
