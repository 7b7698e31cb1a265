package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/summary"
)

// ErrScheme is returned by Preview for a URL that is neither http(s) nor
// file://.
var ErrScheme = errors.New("unsupported scheme")

// Preview reads one page, from a URL or a file, and returns the alert it
// would give, with the config's watches applied. pageURL, when set, is the
// address a file was saved from (it tells the site and the type). A file
// (a path or a file:// URL) is read, as a page is, up to http.max_body.
func Preview(ctx context.Context, cfg *config.Config, f *scraper.Fetcher, arg, pageURL string) (release.Alert, error) {
	m, err := summary.NewMatcher(configWatches(cfg))
	if err != nil {
		return release.Alert{}, fmt.Errorf("watches: %w", err)
	}
	var (
		body        []byte
		contentType string
	)
	path := arg
	if u, err := url.Parse(arg); err == nil && (strings.Contains(arg, "://") || u.Opaque != "" && !exists(arg)) {
		switch u.Scheme { // url.Parse lowercases it: HTTP:// is a URL too
		case "http", "https":
			page, err := f.Get(ctx, u.String(), release.Validators{})
			if err != nil {
				return release.Alert{}, err
			}
			body, contentType = page.Body, page.ContentType
			if pageURL == "" {
				pageURL = page.URL
			}
			path = ""
		case "file":
			path = u.Path
		default:
			return release.Alert{}, fmt.Errorf("%w %q: give an http(s) URL, a file:// URL or a file", ErrScheme, u.Scheme)
		}
	}
	if path != "" {
		maxBody := cfg.HTTP.MaxBody
		if maxBody <= 0 { // a Config not made by config.Parse
			maxBody = config.DefaultMaxBody
		}
		body, err = readFile(ctx, path, maxBody)
		if err != nil {
			return release.Alert{}, err
		}
		if strings.EqualFold(filepath.Ext(path), ".txt") {
			contentType = "text/plain"
		}
		if pageURL == "" {
			abs, _ := filepath.Abs(path)
			pageURL = (&url.URL{Scheme: "file", Path: abs}).String()
		}
	}
	art, err := scraper.Extract(body, pageURL, contentType)
	if err != nil {
		return release.Alert{}, err
	}
	r := &art.Release // with its by-line, as a check reads it
	r.Source, r.URL = "preview", scraper.Canonical(pageURL, nil)
	if art.Canonical != "" {
		r.URL = art.Canonical
	}
	if r.Type == "" {
		r.Type = release.TypeOther
	}
	al := buildAlert(r, release.KindNew, 1, nil, m)
	al.Matches = matchesFor(al.Matches, nil, "", true)
	return al, nil
}

func mustMatcher(ws []summary.Watch) *summary.Matcher {
	m, err := summary.NewMatcher(ws)
	if err != nil { // New validated these watches already
		panic(err)
	}
	return m
}

// readFile reads a file, a pipe or a device up to max bytes, and returns
// when ctx ends even while the open or a read blocks (a named pipe with no
// writer): both run in a goroutine that is then left to the process's exit.
func readFile(ctx context.Context, path string, max int64) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			done <- result{nil, err}
			return
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, max+1))
		if err == nil && int64(len(b)) > max {
			err = fmt.Errorf("read %s: %w (over %d bytes, http.max_body)", path, scraper.ErrTooLarge, max)
		}
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// exists reports a file at path: "data:text/html,…" names none, and is a URL.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
