package app

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/summary"
)

// Preview reads one page, from a URL or a file, and returns the alert it
// would give, with the config's watches applied. pageURL, when set, is the
// address a file was saved from (it tells the site and the type).
func Preview(ctx context.Context, cfg *config.Config, f *scraper.Fetcher, arg, pageURL string) (release.Alert, error) {
	a, err := New(cfg, nil, Options{Sources: []Source{}})
	if err != nil {
		return release.Alert{}, err
	}
	var (
		body        []byte
		contentType string
	)
	if strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://") {
		page, err := f.Get(ctx, arg, scraper.Validators{})
		if err != nil {
			return release.Alert{}, err
		}
		body, contentType = page.Body, page.ContentType
		if pageURL == "" {
			pageURL = page.URL
		}
	} else {
		body, err = os.ReadFile(arg)
		if err != nil {
			return release.Alert{}, fmt.Errorf("preview: %w", err)
		}
		if strings.EqualFold(filepath.Ext(arg), ".txt") {
			contentType = "text/plain"
		}
		if pageURL == "" {
			abs, _ := filepath.Abs(arg)
			pageURL = (&url.URL{Scheme: "file", Path: abs}).String()
		}
	}
	art, err := scraper.Extract(body, pageURL, contentType)
	if err != nil {
		return release.Alert{}, err
	}
	r := &release.Release{
		Source: "preview", URL: scraper.Canonical(pageURL, nil), Title: art.Title, Type: art.Type,
		Published: art.Published, Reference: art.Reference, Speakers: art.Speakers, Body: art.Body,
	}
	if art.Canonical != "" {
		r.URL = art.Canonical
	}
	if r.Type == "" {
		r.Type = release.TypeOther
	}
	al := a.buildAlert(r, release.KindNew, 1, nil, mustMatcher(a.configWatches()))
	al.Matches = a.matchesFor(al.Matches, nil, "", true)
	return al, nil
}

func mustMatcher(ws []summary.Watch) *summary.Matcher {
	m, err := summary.NewMatcher(ws)
	if err != nil { // New validated these watches already
		panic(err)
	}
	return m
}
