// Command lightstream imports mydumper/dumpling dumps into TiDB.
package main

import (
	"fmt"
	"os"

	// The image is FROM scratch: without system roots, TLS to S3 (and any
	// https endpoint) verifies against these.
	_ "golang.org/x/crypto/x509roots/fallback"

	"github.com/lightstream-io/lightstream/internal/app/cli"
)

func main() {
	if err := cli.NewApp().Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "lightstream:", err)
		os.Exit(1)
	}
}
