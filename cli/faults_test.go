package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/fakenato"
)

// faultyProxy stands in front of the fake site and breaks chosen paths in
// the ways real sites break.
type faultyProxy struct {
	mu     sync.Mutex
	modes  map[string]string // path → mode
	served map[string]int    // path → faulty answers given
	site   *fakenato.Site
	proxy  *httputil.ReverseProxy
}

func newFaultyProxy(t *testing.T, site *fakenato.Site) *httptest.Server {
	u, _ := url.Parse(site.URL())
	p := &faultyProxy{modes: map[string]string{}, served: map[string]int{}, site: site, proxy: httputil.NewSingleHostReverseProxy(u)}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	proxies.Store(srv.URL, p)
	return srv
}

var proxies sync.Map

func (p *faultyProxy) set(path, mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if mode == "" {
		delete(p.modes, path)
	} else {
		p.modes[path] = mode
	}
	p.served[path] = 0
}

func (p *faultyProxy) count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.served[path]
}

func (p *faultyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	mode := p.modes[r.URL.Path]
	if mode != "" {
		p.served[r.URL.Path]++
	}
	p.mu.Unlock()
	switch mode {
	case "":
		p.proxy.ServeHTTP(w, r)
	case "500":
		http.Error(w, "Internal Server Error", 500)
	case "timeout":
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	case "slow":
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i < 100; i++ {
			if _, err := w.Write([]byte("<p>")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	case "truncated":
		resp, err := http.Get(p.site.URL() + r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b[:len(b)*6/10])
	case "huge":
		w.Header().Set("Content-Type", "text/html")
		w.Write(bytes.Repeat([]byte("<p>NATO NATO NATO</p>"), 20000))
	case "redirect-loop":
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	case "layout":
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!DOCTYPE html><html><head><title>NATO</title></head><body><div id="app"></div><script src="/app.js"></script></body></html>`))
	}
}

// TestDaemonSurvivesSourceFaults runs the daemon against a site whose pages
// and listings fail in every way a site fails: no crash, no false alert,
// and a clean stop.
func TestDaemonSurvivesSourceFaults(t *testing.T) {
	w := newWorld(t, "nato", "", "")
	proxy := newFaultyProxy(t, w.site)
	p, _ := proxies.Load(proxy.URL)
	fp := p.(*faultyProxy)
	// Point the config at the proxy, with a short timeout and a small cap.
	b, _ := os.ReadFile(w.config)
	cfg := strings.Replace(string(b), "url: "+w.site.URL(), "url: "+proxy.URL, 1)
	cfg = strings.Replace(cfg, "http:\n", "http:\n  timeout: 500ms\n  max_body: 200000\n", 1)
	cfg = strings.Replace(cfg, "    schedule:", "    sitemap_every: 1s\n    schedule:", 1) // every check sweeps
	os.WriteFile(w.config, []byte(cfg), 0o600)

	now := time.Now().UTC()
	w.site.Publish(fakenato.Item{Title: "An older release on NATO's eastern flank defences", Date: now.Add(-time.Hour), Paragraphs: plainParagraphs})
	w.once()
	item := w.site.Publish(fakenato.Item{Slug: "allies-condemn-launch", Title: "NATO Allies condemn North Korea's ballistic missile launch", Date: now, Paragraphs: koreaParagraphs})
	w.once()
	if n := len(w.discord.Messages()); n != 2 {
		t.Fatalf("setup: %d messages", n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg   sync.WaitGroup
		code int
		errb syncBuffer
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		code = MainContext(ctx, []string{"--config", w.config, "run"}, io.Discard, &errb, func(k string) string { return w.env[k] })
	}()
	steps := []struct{ path, mode string }{
		{item, "500"}, {item, "timeout"}, {item, "slow"}, {item, "truncated"}, {item, "huge"},
		{item, "redirect-loop"}, {item, "layout"},
		{"/sitemap.xml", "500"}, {"/sitemap.xml", "layout"}, {"/en/news-and-events/articles/news", "layout"},
		{"/sitemap.xml", "truncated"}, {fakenato.SearchPath("news"), "500"}, {fakenato.SearchPath("transcript"), "layout"},
	}
	for _, s := range steps {
		fp.set(s.path, s.mode)
		waitFor(t, func() bool { return fp.count(s.path) >= 2 }) // at least two checks saw it
		fp.set(s.path, "")
		if n := len(w.discord.Messages()); n != 2 {
			t.Fatalf("%s %s: a false alert (%d messages):\n%s", s.mode, s.path, n, errb.String())
		}
	}
	// Each fault above is one route's or one page's, and the source goes
	// on through the others. When every listing route fails at once, the
	// source is failing, once, and recovers after.
	all := []string{fakenato.SearchPath("news"), fakenato.SearchPath("transcript"), fakenato.SearchPath("official-text"),
		"/sitemap.xml", fakenato.HubPath("news"), fakenato.HubPath("transcript"), fakenato.HubPath("official-text")}
	for _, p := range all {
		fp.set(p, "500")
	}
	waitFor(t, func() bool { return strings.Contains(errb.String(), "source is failing") })
	for _, p := range all {
		fp.set(p, "")
	}
	waitFor(t, func() bool { return strings.Contains(errb.String(), "source recovered") })
	// Healthy again: a real edit still comes through as one update each.
	edited := append([]string{}, koreaParagraphs...)
	edited = append(edited, "Allies will discuss the launch again at their next meeting in December.")
	w.site.Edit("allies-condemn-launch", edited)
	waitFor(t, func() bool { return len(w.discord.Messages()) >= 4 })
	time.Sleep(1500 * time.Millisecond)
	cancel()
	wg.Wait()
	if code != 0 {
		t.Fatalf("run exited %d", code)
	}
	if n := len(w.discord.Messages()); n != 4 {
		t.Fatalf("after recovery and one edit: %d messages, want 4", n)
	}
	logs := errb.String()
	for _, want := range []string{"source is failing", "source recovered"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q", want)
		}
	}
	if c := strings.Count(logs, "source is failing"); c > len(steps) {
		t.Errorf("'source is failing' logged %d times for %d outages: not once per outage", c, len(steps))
	}
	w.noRejections()
	fmt.Fprint(io.Discard, logs)
}
