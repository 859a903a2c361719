// Command portwatch discovers, identifies and watches network services.
package main

import (
	"context"
	"os"

	"github.com/portwatch/portwatch/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, version))
}
