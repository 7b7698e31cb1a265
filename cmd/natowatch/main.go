// Command natowatch watches NATO's publications and posts Discord alerts.
package main

import (
	"os"

	"github.com/natowatch/natowatch/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv))
}
