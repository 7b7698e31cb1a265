package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/summary"
)

// doctorItems is how many of a source's newest items the doctor reads.
const doctorItems = 3

// Doctor reads each configured source (or those named) live, once, and
// writes to w what it found: the routes that answered, the items, and the
// newest few as an alert would see them, with what looks wrong. It writes
// no state. ok is false when any source has a warning.
func Doctor(ctx context.Context, cfg *config.Config, f *scraper.Fetcher, names []string, log *slog.Logger, w io.Writer) (ok bool, err error) {
	srcs, err := doctorSources(cfg, names)
	if err != nil {
		return false, err
	}
	ok = true
	for _, s := range srcs {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		warns := doctorSource(ctx, scraper.NewSource(SourceConfig(s), f), s, log, w)
		if ctx.Err() != nil {
			return false, ctx.Err() // stopped: no verdict on what was cut short
		}
		if len(warns) == 0 {
			fmt.Fprintf(w, "verdict: ok\n\n")
			continue
		}
		ok = false
		fmt.Fprintf(w, "verdict: %d warning(s): %s\n\n", len(warns), strings.Join(warns, "; "))
	}
	return ok, nil
}

func doctorSources(cfg *config.Config, names []string) ([]config.Source, error) {
	if len(names) == 0 {
		return cfg.Sources, nil
	}
	var out []config.Source
	for _, n := range names {
		found := false
		for _, s := range cfg.Sources {
			if s.Name == n {
				out, found = append(out, s), true
			}
		}
		if !found {
			var have []string
			for _, s := range cfg.Sources {
				have = append(have, s.Name)
			}
			return nil, fmt.Errorf("no source named %q in the configuration (it has %s)", n, strings.Join(have, ", "))
		}
	}
	return out, nil
}

// doctorSource reports one source and returns its warnings.
func doctorSource(ctx context.Context, src *scraper.Source, s config.Source, log *slog.Logger, w io.Writer) (warns []string) {
	fmt.Fprintf(w, "== %s (%s) %s\n", s.Name, s.Type, s.URL)
	none := func(context.Context, string) (release.Validators, error) { return release.Validators{}, nil }
	start := time.Now()
	l, err := src.List(ctx, none)
	if l == nil {
		fmt.Fprintf(w, "listing failed after %s: %v\n", time.Since(start).Round(time.Millisecond), err)
		return []string{"listing failed"}
	}
	for _, r := range l.Reads {
		status := fmt.Sprintf("%d items", r.Items)
		if r.Err != "" {
			status = "failed: " + r.Err
		}
		fmt.Fprintf(w, "  %-7s %9s %8s  %s  %s\n", r.Route, byteSize(r.Bytes), r.Took.Round(time.Millisecond), status, r.URL)
	}
	fmt.Fprintf(w, "route: %s; %d items listed\n", orDash(l.Route, "none"), len(l.Candidates))
	for _, m := range l.Warnings {
		fmt.Fprintf(w, "  note: %s\n", m)
	}
	if err != nil {
		warns = append(warns, "listing read in part: "+err.Error())
	}
	if l.Refused {
		warns = append(warns, "JSON listing refused, using the sitemap")
	}
	if len(l.Candidates) == 0 {
		return append(warns, "no items listed")
	}
	cs := append([]scraper.Candidate(nil), l.Candidates...)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Published.After(cs[j].Published) })
	for i, c := range cs[:min(doctorItems, len(cs))] {
		for _, m := range doctorItem(ctx, src, c, i+1, log, w) {
			warns = append(warns, fmt.Sprintf("%s (item %d)", m, i+1))
		}
	}
	return warns
}

// doctorItem reports one item as its alert would see it and returns what
// looks wrong.
func doctorItem(ctx context.Context, src *scraper.Source, c scraper.Candidate, n int, log *slog.Logger, w io.Writer) (warns []string) {
	fmt.Fprintf(w, "%d. %s\n", n, c.URL)
	it, err := src.Fetch(ctx, c, release.Validators{})
	if err != nil {
		log.Debug("doctor: item failed", "url", c.URL, "err", err)
		fmt.Fprintf(w, "   page failed: %v\n", err)
		if errors.Is(err, scraper.ErrNoContent) {
			return []string{"empty body"}
		}
		return []string{"page failed"}
	}
	r := it.Release
	byline := r.Byline
	if byline == "" {
		byline = c.Byline // what the listing said
	}
	sum, quotes := summary.Digest(r)
	first := ""
	if len(r.Body) > 0 {
		if ss := summary.Sentences(r.Body[0]); len(ss) > 0 {
			first = ss[0]
		}
	}
	fmt.Fprintf(w, "   title:   %s\n", r.Title)
	fmt.Fprintf(w, "   date:    %s   kind: %s   reference: %s\n", dayOf(r.Published), r.Type, orDash(r.Reference, "-"))
	fmt.Fprintf(w, "   by-line: %s   speakers: %s\n", orDash(byline, "-"), orDash(strings.Join(r.Speakers, ", "), "-"))
	fmt.Fprintf(w, "   body:    %d characters in %d paragraphs\n", len(r.Text()), len(r.Body))
	fmt.Fprintf(w, "   first:   %s\n", orDash(first, "-"))
	fmt.Fprintf(w, "   summary: %d sentences\n", len(sum))
	for _, q := range quotes {
		fmt.Fprintf(w, "   quote:   %q (%s)\n", q.Text, orDash(q.Speaker, "unattributed"))
	}
	if scraper.MentionsDialog(r.Text()) {
		warns = append(warns, "dialog text in body")
	}
	if r.Published.IsZero() {
		warns = append(warns, "no date")
	}
	if t := strings.TrimSpace(r.Title); scraper.KindTitle(t) && !strings.Contains(t, " by ") { // only a kind: "Press conference"
		warns = append(warns, "generic title")
	}
	if strings.TrimSpace(r.Text()) == "" {
		warns = append(warns, "empty body")
	}
	for _, m := range warns {
		fmt.Fprintf(w, "   warning: %s\n", m)
	}
	return warns
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func dayOf(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

func orDash(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}
