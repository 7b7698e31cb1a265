package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/natowatch/natowatch/app"
)

const doctorUsage = `Usage: natowatch [--config FILE] doctor [SOURCE…]

Reads each configured source (or the ones named) live, once, and prints
the listing routes that answered (bytes, time), how many items they name,
and the newest 3 items as an alert would show them, with what looks wrong.
It writes nothing: no state, no Discord.

Exit status: 0 when every source is ok; 1 when any has a warning; 2 for
bad usage or configuration.
`

// runDoctor is `natowatch doctor`: the first command to run with internet.
func runDoctor(ctx context.Context, cfgPath string, getenv func(string) string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, doctorUsage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	// The doctor uses no secret: an unset ${VAR} is no reason to refuse.
	env := getenv
	getenv = func(k string) string {
		if v := env(k); v != "" {
			return v
		}
		return "unset-" + k
	}
	cfg, err := loadConfig(cfgPath, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "natowatch: %v\n", err)
		return exitUsage
	}
	ok, err := app.Doctor(ctx, cfg, app.NewFetcher(cfg), fs.Args(), newLogger(cfg, stderr), stdout)
	if err != nil {
		fmt.Fprintf(stderr, "natowatch doctor: %v\n", err)
		if ctx.Err() != nil {
			return exitFailed
		}
		return exitUsage // a source named that is not configured
	}
	if !ok {
		return exitFailed
	}
	return exitOK
}
