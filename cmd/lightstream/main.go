// Command lightstream imports mydumper/dumpling dumps into TiDB.
package main

import (
	"fmt"
	"os"

	"github.com/lightstream-io/lightstream/internal/app/cli"
)

func main() {
	if err := cli.NewApp().Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "lightstream:", err)
		os.Exit(1)
	}
}
