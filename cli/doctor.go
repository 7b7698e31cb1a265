package cli

import (
	"context"
	"fmt"

	"github.com/natowatch/natowatch/app"
)

// runDoctor is `natowatch doctor`: the first command to run with internet.
func (e *env) runDoctor(ctx context.Context, args []string) int {
	fs := e.flags("doctor")
	// Flags may follow the source names too: doctor nato --config x.yaml.
	var names []string
	for {
		if code, ok := e.parse(fs, "doctor", args); !ok {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		names = append(names, fs.Arg(0))
		args = fs.Args()[1:]
	}
	unset := e.lenient()
	cfg, log, code := e.load(ctx, "doctor")
	if cfg == nil {
		if ctx.Err() == nil { // else the config may still be being read
			unset("doctor")
		}
		return code
	}
	ok, err := app.Doctor(ctx, cfg, app.NewFetcher(cfg), names, log, e.stdout)
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(e.stderr, "natowatch doctor: stopped by signal")
		return exitInterrupted // like preview: the report was not given
	case err != nil:
		return e.usageError("doctor", "%v", err) // a source named that is not configured
	case !ok:
		return exitFailed
	}
	return exitOK
}
