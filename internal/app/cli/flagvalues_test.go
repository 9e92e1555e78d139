package cli

import (
	"flag"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
)

func TestKVCompression(t *testing.T) {
	ctx := func(v string) *cli.Context {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		if err := kvCompressionFlag.Apply(fs); err != nil {
			t.Fatal(err)
		}
		if v != "" {
			if err := fs.Set(kvCompressionFlag.Name, v); err != nil {
				t.Fatal(err)
			}
		}
		return cli.NewContext(cli.NewApp(), fs, nil)
	}
	for _, tc := range []struct {
		value    string
		external bool
		want     kafkaio.Compression
	}{
		{"", false, kafkaio.CompressionNone}, // auto, embedded broker
		{"", true, kafkaio.CompressionLz4},   // auto, --brokers
		{"zstd", false, kafkaio.CompressionZstd},
		{"none", true, kafkaio.CompressionNone},
	} {
		got, err := kvCompression(ctx(tc.value), tc.external)
		if err != nil || got != tc.want {
			t.Errorf("--kv-compression %q external %v: %v, %v; want %v", tc.value, tc.external, got, err, tc.want)
		}
	}
	if _, err := kvCompression(ctx("lz5"), false); err == nil || !strings.Contains(err.Error(), "--kv-compression") {
		t.Errorf("bad codec: %v", err)
	}
}
