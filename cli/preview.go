package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/natowatch/natowatch/app"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
)

func (e *env) runPreview(ctx context.Context, args []string) int {
	fs := e.flags("preview")
	pageURL := fs.String("url", "", "the `URL` a FILE was saved from")
	asJSON := fs.Bool("json", false, "print the Discord message payload as JSON")
	pos, code, ok := e.parseMixed(fs, "preview", args) // preview FILE --json
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return e.usageError("preview", "give one URL or FILE")
	}
	cfg, _, code := e.loadLenient(ctx, "preview")
	if cfg == nil {
		return code
	}
	al, err := app.Preview(ctx, cfg, app.NewFetcher(cfg), pos[0], *pageURL)
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(e.stderr, "natowatch preview: stopped by signal")
		return exitInterrupted
	case errors.Is(err, app.ErrScheme):
		return e.usageError("preview", "%v", err)
	case err != nil:
		fmt.Fprintf(e.stderr, "natowatch preview: %v\n", err)
		return exitFailed
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(notifier.Build(al)); err != nil {
			fmt.Fprintf(e.stderr, "natowatch preview: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
	fmt.Fprint(e.stdout, renderText(al))
	return exitOK
}

// renderText shows an alert as plain text for a terminal.
func renderText(a release.Alert) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n", a.Title, a.URL)
	meta := []string{a.Type.Label()}
	if !a.Published.IsZero() {
		meta = append(meta, a.Published.UTC().Format("2 Jan 2006"))
	}
	if a.Reference != "" {
		meta = append(meta, a.Reference)
	}
	fmt.Fprintf(&b, "%s\n\n", strings.Join(meta, " · "))
	if len(a.Summary) > 0 {
		fmt.Fprintf(&b, "Summary:\n  %s\n\n", strings.Join(a.Summary, "\n  "))
	}
	if len(a.Quotes) > 0 {
		b.WriteString("Key quotes:\n")
		for _, q := range a.Quotes {
			who := q.Speaker
			if who == "" {
				who = "unattributed"
			}
			fmt.Fprintf(&b, "  “%s” (%s)\n", q.Text, who)
		}
		b.WriteString("\n")
	}
	for _, m := range a.Matches {
		fmt.Fprintf(&b, "Watch %s: %s[%s]%s\n", m.Watch, m.Sentence[:m.Start], m.Sentence[m.Start:m.End], m.Sentence[m.End:])
	}
	return b.String()
}
