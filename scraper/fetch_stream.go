package scraper

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/natowatch/natowatch/release"
)

// StreamLimits bound a streamed download: a body of tens of megabytes that
// pages' limits would refuse.
type StreamLimits struct {
	MaxBytes int64         // decompressed bytes read at most (default 64 MiB)
	Timeout  time.Duration // whole request, body included (default 3 min)
}

func (l StreamLimits) withDefaults() StreamLimits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 64 << 20
	}
	if l.Timeout <= 0 {
		l.Timeout = 3 * time.Minute
	}
	return l
}

// Streamed is what a streamed GET read.
type Streamed struct {
	Page          // Body is always empty: read hands it to read
	Wire    int64 // bytes as sent (compressed)
	Read    int64 // bytes after decompression
	Trimmed bool  // the body hit MaxBytes and was cut there
}

// Stream fetches rawURL conditionally, asking for gzip, and hands the
// decompressed body to read without holding it in memory. A body over
// lim.MaxBytes is cut there (Trimmed); read sees the cut body and may
// report an error of its own. The host's rate limit and backoff apply.
func (f *Fetcher) Stream(ctx context.Context, rawURL string, v release.Validators, lim StreamLimits, read func(io.Reader) error) (*Streamed, error) {
	lim = lim.withDefaults()
	if _, err := f.turn(ctx, rawURL); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	req, err := f.conditionalGet(ctx, rawURL, "application/xml,text/xml;q=0.9,*/*;q=0.5", v)
	if err != nil {
		return nil, err
	}
	// Set by hand, so the transport leaves the body compressed and the
	// bytes on the wire can be counted.
	req.Header.Set("Accept-Encoding", "gzip")
	// The fetcher's client has the page timeout; this one relies on ctx.
	client := &http.Client{Transport: f.client.Transport, CheckRedirect: f.client.CheckRedirect}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", rawURL, unwrapURLError(err))
	}
	defer resp.Body.Close()
	page, err := pageHead(resp, rawURL, v)
	if err != nil {
		return nil, err
	}
	st := &Streamed{Page: *page}
	if st.NotModified {
		return st, nil
	}
	wire := &countReader{r: resp.Body}
	var body io.Reader = wire
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(wire)
		if err != nil {
			return nil, fmt.Errorf("GET %s: gzip: %w", rawURL, err)
		}
		defer zr.Close()
		body = zr
	}
	plain := &countReader{r: io.LimitReader(body, lim.MaxBytes)}
	rerr := read(plain)
	st.Wire, st.Read = wire.n, plain.n
	st.Trimmed = plain.n >= lim.MaxBytes
	if rerr != nil {
		if ctx.Err() != nil {
			rerr = fmt.Errorf("%w (timeout %s)", ctx.Err(), lim.Timeout)
		}
		return st, fmt.Errorf("GET %s: %w", rawURL, rerr)
	}
	return st, nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
