// Package scraper reads releases from the web: it fetches listings, feeds
// and pages with conditional GETs, and extracts releases from HTML. Parsers
// take bytes and a base URL and never touch the network; Fetcher alone does
// HTTP. It knows the shared release type and nothing of state or Discord.
package scraper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/natowatch/natowatch/release"
	"golang.org/x/time/rate"
)

// ErrTooLarge is returned for a body over the fetcher's size cap.
var ErrTooLarge = errors.New("body too large")

// ErrBackoff is returned while a host is backed off after errors.
var ErrBackoff = errors.New("host backed off after errors")

// Validators are HTTP cache validators: what a conditional GET sends back.
type Validators = release.Validators

// hostFailuresBeforeBackoff is how many failures in a row make a host
// backed off.
const hostFailuresBeforeBackoff = 3

// Page is the answer to a fetch.
type Page struct {
	URL         string // final URL, after redirects
	Status      int
	NotModified bool // 304: Body is empty
	Body        []byte
	ContentType string
	Validators  release.Validators
}

// StatusError is a non-2xx, non-304 answer.
type StatusError struct {
	URL    string
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
}

// Temporary reports whether trying again later may help.
func (e *StatusError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// FetcherOptions tune a Fetcher; zero values take the defaults.
type FetcherOptions struct {
	UserAgent    string
	Timeout      time.Duration // whole request, body included (default 20s)
	MaxBody      int64         // bytes (default 8 MiB)
	PerHostRate  float64       // requests per second per host (default 2)
	PerHostBurst int           // (default 4)
	BackoffBase  time.Duration // first backoff after a failure (default 10s; doubles, capped at 15m)
	Transport    http.RoundTripper
}

// Fetcher does conditional GETs with a per-host rate limit, a body cap and
// backoff after errors. It is safe for concurrent use.
type Fetcher struct {
	opt    FetcherOptions
	client *http.Client

	mu    sync.Mutex
	hosts map[string]*hostState
}

type hostState struct {
	limiter *rate.Limiter
	fails   int
	until   time.Time
}

// NewFetcher returns a Fetcher.
func NewFetcher(opt FetcherOptions) *Fetcher {
	if opt.UserAgent == "" {
		opt.UserAgent = "natowatch (+https://github.com/natowatch/natowatch)"
	}
	if opt.Timeout == 0 {
		opt.Timeout = 20 * time.Second
	}
	if opt.MaxBody == 0 {
		opt.MaxBody = 8 << 20
	}
	if opt.PerHostRate == 0 {
		opt.PerHostRate = 2
	}
	if opt.PerHostBurst == 0 {
		opt.PerHostBurst = 4
	}
	if opt.BackoffBase == 0 {
		opt.BackoffBase = 10 * time.Second
	}
	client := &http.Client{
		Timeout:   opt.Timeout,
		Transport: opt.Transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return fmt.Errorf("stopped after %d redirects", len(via))
			}
			return nil
		},
	}
	return &Fetcher{opt: opt, client: client, hosts: map[string]*hostState{}}
}

func (f *Fetcher) host(h string) *hostState {
	f.mu.Lock()
	defer f.mu.Unlock()
	hs := f.hosts[h]
	if hs == nil {
		hs = &hostState{limiter: rate.NewLimiter(rate.Limit(f.opt.PerHostRate), f.opt.PerHostBurst)}
		f.hosts[h] = hs
	}
	return hs
}

// turn waits for rawURL's host's turn: an http(s) URL, a host not backing
// off, its rate limit.
func (f *Fetcher) turn(ctx context.Context, rawURL string) (*hostState, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("GET %s: not an http(s) URL", rawURL)
	}
	hs := f.host(u.Host)
	f.mu.Lock()
	until := hs.until
	f.mu.Unlock()
	if time.Now().Before(until) {
		return nil, fmt.Errorf("GET %s: %w until %s", rawURL, ErrBackoff, until.UTC().Format(time.RFC3339))
	}
	if err := hs.limiter.Wait(ctx); err != nil {
		return nil, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	return hs, nil
}

// Get fetches rawURL, sending v as conditional headers. A 304 gives a Page
// with NotModified set. Errors name the URL.
func (f *Fetcher) Get(ctx context.Context, rawURL string, v release.Validators) (*Page, error) {
	hs, err := f.turn(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	page, err := f.do(ctx, rawURL, v)
	f.mu.Lock()
	defer f.mu.Unlock()
	if hostFault(err) && ctx.Err() == nil {
		// One broken page is not a broken host: back off only after
		// several failures in a row.
		hs.fails++
		if hs.fails >= hostFailuresBeforeBackoff {
			d := f.opt.BackoffBase << min(hs.fails-hostFailuresBeforeBackoff, 10)
			d = min(d, 15*time.Minute)
			d += time.Duration(rand.Int64N(int64(d)/4 + 1)) // jitter
			hs.until = time.Now().Add(d)
		}
	} else if err == nil {
		hs.fails, hs.until = 0, time.Time{}
	}
	return page, err
}

// hostFault reports whether an error says the host is in trouble (5xx,
// 429, timeouts, refused connections) rather than one page.
func hostFault(err error) bool {
	var se *StatusError
	var ne net.Error
	return errors.As(err, &se) && se.Temporary() || errors.As(err, &ne)
}

func (f *Fetcher) do(ctx context.Context, rawURL string, v release.Validators) (*Page, error) {
	req, err := f.conditionalGet(ctx, rawURL, "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml,application/atom+xml,text/plain;q=0.8,*/*;q=0.5", v)
	if err != nil {
		return nil, err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", rawURL, unwrapURLError(err))
	}
	defer resp.Body.Close()
	page, err := pageHead(resp, rawURL, v)
	if err != nil || page.NotModified {
		return page, err
	}
	body, err := readBody(resp, f.opt.MaxBody+1)
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading body: %w", rawURL, unwrapURLError(err))
	}
	if int64(len(body)) > f.opt.MaxBody {
		return nil, fmt.Errorf("GET %s: %w (over %d bytes)", rawURL, ErrTooLarge, f.opt.MaxBody)
	}
	page.Body = body
	return page, nil
}

// conditionalGet is a GET of rawURL that sends v back, so that a page
// that has not changed answers 304.
func (f *Fetcher) conditionalGet(ctx context.Context, rawURL, accept string, v release.Validators) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	req.Header.Set("User-Agent", f.opt.UserAgent)
	req.Header.Set("Accept", accept)
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	return req, nil
}

// pageHead is the page resp begins, its body left to the caller: a 304 is
// NotModified and keeps v; any other answer outside 2xx is a StatusError.
func pageHead(resp *http.Response, rawURL string, v release.Validators) (*Page, error) {
	page := &Page{URL: resp.Request.URL.String(), Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
		Validators: release.Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		page.NotModified, page.Validators = true, v
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &StatusError{URL: rawURL, Status: resp.StatusCode}
	}
	return page, nil
}

// readBody reads at most limit bytes of a response's body, into a buffer
// sized from Content-Length when there is one: a page of megabytes is not
// grown, and copied, from 512 bytes.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	r := io.LimitReader(resp.Body, limit)
	if n := resp.ContentLength; n > 0 && n < limit {
		buf := make([]byte, 0, n+1) // +1: a read that finds the end
		for {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)] // longer than announced
			}
			m, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+m]
			if err == io.EOF {
				return buf, nil
			}
			if err != nil {
				return buf, err
			}
		}
	}
	return io.ReadAll(r)
}

// unwrapURLError drops *url.Error's "Get \"…\":" prefix: callers name the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
