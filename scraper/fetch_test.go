package scraper

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/natowatch/natowatch/release"
)

func TestFetcherConditionalGET(t *testing.T) {
	var ua atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.UserAgent())
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write([]byte("hello"))
	}))
	defer srv.Close()
	f := NewFetcher(FetcherOptions{})
	p, err := f.Get(context.Background(), srv.URL, release.Validators{})
	if err != nil || string(p.Body) != "hello" || p.Validators.ETag != `"v1"` {
		t.Fatalf("first get: %+v %v", p, err)
	}
	p, err = f.Get(context.Background(), srv.URL, p.Validators)
	if err != nil || !p.NotModified || len(p.Body) != 0 {
		t.Fatalf("conditional get: %+v %v", p, err)
	}
	if !strings.HasPrefix(ua.Load().(string), "natowatch") {
		t.Errorf("User-Agent = %q", ua.Load())
	}
}

func TestFetcherFaults(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(strings.Repeat("x", 2048))) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	mux.HandleFunc("/404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	newF := func() *Fetcher {
		return NewFetcher(FetcherOptions{MaxBody: 1024, Timeout: 300 * time.Millisecond, BackoffBase: time.Hour})
	}
	ctx := context.Background()
	if _, err := newF().Get(ctx, srv.URL+"/big", release.Validators{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big: %v", err)
	}
	if _, err := newF().Get(ctx, srv.URL+"/loop", release.Validators{}); err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Errorf("loop: %v", err)
	}
	if _, err := newF().Get(ctx, srv.URL+"/slow", release.Validators{}); err == nil || !strings.Contains(err.Error(), srv.URL+"/slow") {
		t.Errorf("slow: %v", err)
	}
	f := newF()
	var se *StatusError
	if _, err := f.Get(ctx, srv.URL+"/404", release.Validators{}); !errors.As(err, &se) || se.Status != 404 || se.Temporary() {
		t.Errorf("404: %v", err)
	}
	// A 404 is the page's problem, not the host's: no backoff.
	if _, err := f.Get(ctx, srv.URL+"/500", release.Validators{}); !errors.As(err, &se) || !se.Temporary() {
		t.Errorf("500: %v", err)
	}
	// One 500 is one broken page; three in a row back the host off: the
	// next request is not sent.
	if _, err := f.Get(ctx, srv.URL+"/big", release.Validators{}); errors.Is(err, ErrBackoff) {
		t.Errorf("backed off after one 500: %v", err)
	}
	f.Get(ctx, srv.URL+"/500", release.Validators{})
	f.Get(ctx, srv.URL+"/500", release.Validators{})
	f.Get(ctx, srv.URL+"/500", release.Validators{})
	if _, err := f.Get(ctx, srv.URL+"/big", release.Validators{}); !errors.Is(err, ErrBackoff) {
		t.Errorf("after three 500s: %v", err)
	}
	if _, err := f.Get(ctx, "ftp://x/y", release.Validators{}); err == nil {
		t.Error("ftp accepted")
	}
}
