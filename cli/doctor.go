package cli

import (
	"context"
	"fmt"

	"github.com/natowatch/natowatch/app"
)

// runDoctor is `natowatch doctor`: the first command to run with internet.
func (e *env) runDoctor(ctx context.Context, args []string) int {
	fs := e.flags("doctor")
	names, code, ok := e.parseMixed(fs, "doctor", args) // doctor nato --config x.yaml
	if !ok {
		return code
	}
	cfg, log, code := e.loadLenient(ctx, "doctor")
	if cfg == nil {
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
