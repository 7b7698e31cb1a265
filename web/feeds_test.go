package web_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/natowatch/natowatch/config"
)

func get(t testing.TB, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

type atomDoc struct {
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Content string `xml:"content"`
		Links   []struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

func atomEntries(t *testing.T, body string) atomDoc {
	t.Helper()
	var d atomDoc
	if err := xml.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("atom: %v\n%s", err, body)
	}
	return d
}

// Every feed answers, with entries, filtered as its path says; bad paths
// and limits are refused.
func TestFeedsByPath(t *testing.T) {
	w := newWorld(t, ":memory:", nil)
	w.seed()
	srv := w.serve()
	for path, n := range map[string]int{
		"/feeds/all.atom": 3, "/feeds/all.atom?limit=2": 2, "/feeds/all.atom?limit=5000": 3,
		"/feeds/type/speech.atom": 1, "/feeds/type/press-release.atom": 1, "/feeds/type/official-text.atom": 0,
		"/feeds/watch/korea.atom": 1, "/feeds/source/shape.atom": 1, "/feeds/source/nato.atom": 2,
	} {
		resp, body := get(t, srv.URL+path)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Errorf("%s: %s %s", path, resp.Status, resp.Header.Get("Content-Type"))
			continue
		}
		if got := len(atomEntries(t, body).Entries); got != n {
			t.Errorf("%s: %d entries, want %d", path, got, n)
		}
	}
	for path, code := range map[string]int{
		"/feeds/all.xml": 404, "/feeds/type/nonsense.atom": 404, "/feeds/watch/other.rss": 404,
		"/feeds/source/nobody.json": 404, "/feeds/everything.atom": 404, "/feeds/all.atom?limit=0": 400, "/feeds/all.atom?limit=x": 400,
	} {
		if resp, _ := get(t, srv.URL+path); resp.StatusCode != code {
			t.Errorf("%s: %s, want %d", path, resp.Status, code)
		}
	}
	resp, body := get(t, srv.URL+"/feeds/all.json")
	var jf struct {
		Version string `json:"version"`
		Items   []struct {
			ID           string `json:"id"`
			DateModified string `json:"date_modified"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &jf); err != nil || resp.Header.Get("Content-Type") != "application/feed+json; charset=utf-8" ||
		jf.Version != "https://jsonfeed.org/version/1.1" || len(jf.Items) != 3 {
		t.Errorf("json feed: %v %+v", err, jf)
	}
	if _, body := get(t, srv.URL+"/feeds/all.rss"); !strings.Contains(body, `<atom:link href="https://feeds.example.org/natowatch/feeds/all.rss" rel="self"`) {
		t.Errorf("rss lacks its atom:link rel=self:\n%s", body)
	}
}

// Release text is escaped in the content, and a javascript: link is not a
// link; the entry's summary and quotes are there.
func TestFeedContentIsEscaped(t *testing.T) {
	w := newWorld(t, ":memory:", nil)
	w.seed()
	srv := w.serve()
	_, body := get(t, srv.URL+"/feeds/all.atom")
	d := atomEntries(t, body)
	for _, e := range d.Entries {
		if strings.Contains(e.Content, "<script") || strings.Contains(e.Content, `href="javascript`) || strings.Contains(e.Content, "<img") {
			t.Errorf("entry %q content lets markup through: %s", e.Title, e.Content)
		}
		if strings.HasPrefix(e.Title, "<script>") && !strings.Contains(e.Content, "&lt;script&gt;") {
			t.Errorf("script not shown as text: %s", e.Content)
		}
	}
	for _, want := range []string{"<blockquote><p>“We must invest more in air and missile defence", "— Secretary General Mark Rutte",
		"Watch <strong>korea</strong>: NATO condemns <mark>North Korea</mark>"} {
		if !strings.Contains(body, xmlEscape(want)) {
			t.Errorf("atom lacks %q", want)
		}
	}
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// A correction updates its entry (same id, later updated, a note) and the
// feed's validators; an unchanged feed answers 304 to either validator.
func TestCorrectionAndConditionalGET(t *testing.T) {
	w := newWorld(t, ":memory:", nil)
	w.seed()
	srv := w.serve()
	resp, body := get(t, srv.URL+"/feeds/all.atom")
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if etag == "" || lm == "" || resp.Header.Get("Cache-Control") == "" {
		t.Fatalf("validators: %v", resp.Header)
	}
	if r, b := get(t, srv.URL+"/feeds/all.atom", "If-None-Match", etag); r.StatusCode != 304 || b != "" {
		t.Errorf("If-None-Match: %s %q", r.Status, b)
	}
	if r, _ := get(t, srv.URL+"/feeds/all.atom", "If-Modified-Since", lm); r.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %s", r.Status)
	}
	before := atomEntries(t, body)
	w.now = w.now.Add(time.Hour)
	w.check() // nothing changed
	if r, _ := get(t, srv.URL+"/feeds/all.atom", "If-None-Match", etag); r.StatusCode != 304 {
		t.Errorf("after an idle check: %s", r.Status)
	}
	w.now = w.now.Add(time.Hour)
	url := "https://www.nato.int/en/news/2026/11/26/speech-2"
	w.nato.correct(url, "Secretary General Mark Rutte spoke at the Riga Conference about deterrence, defence and Ukraine.",
		"\"We must invest more in air and missile defence, and we must do it now,\" said the Secretary General.")
	w.check()
	resp, body = get(t, srv.URL+"/feeds/all.atom", "If-None-Match", etag)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag {
		t.Fatalf("after a correction: %s, etag %s", resp.Status, resp.Header.Get("ETag"))
	}
	after := atomEntries(t, body)
	if len(after.Entries) != len(before.Entries) {
		t.Fatalf("%d entries after a correction, %d before", len(after.Entries), len(before.Entries))
	}
	for i, e := range after.Entries {
		if e.ID != before.Entries[i].ID {
			t.Errorf("entry %d: id %s, was %s", i, e.ID, before.Entries[i].ID)
		}
		corrected := e.Links[0].Href == url
		if changed := e.Updated != before.Entries[i].Updated; changed != corrected {
			t.Errorf("entry %s: updated %s, was %s", e.Links[0].Href, e.Updated, before.Entries[i].Updated)
		}
		if corrected && (e.Updated != w.now.Format(time.RFC3339) || !strings.Contains(e.Content, "Corrected") || !strings.Contains(e.Content, "Ukraine")) {
			t.Errorf("corrected entry: updated %s, content %s", e.Updated, e.Content)
		}
		// The note says what changed: the sentence added and the one removed.
		if corrected && (!strings.Contains(e.Content, "added “Secretary General Mark Rutte spoke at the Riga Conference about deterrence, defence and Ukraine.”") ||
			!strings.Contains(e.Content, "removed “Secretary General Mark Rutte spoke at the Riga Conference about deterrence and defence.”")) {
			t.Errorf("the correction's note does not say what changed: %s", e.Content)
		}
	}
}

// With http.token, the page and the feeds need it (bearer, ?token=, basic
// auth); public_feeds opens the feeds only.
func TestToken(t *testing.T) {
	for _, public := range []bool{false, true} {
		w := newWorld(t, ":memory:", func(c *config.Config) { c.HTTP.Token, c.HTTP.PublicFeeds = "s3cret", public })
		srv := w.serve()
		for _, path := range []string{"/", "/feeds/all.atom"} {
			open := public && path != "/"
			if r, _ := get(t, srv.URL+path); (r.StatusCode == 200) != open || (!open && r.StatusCode != 401) {
				t.Errorf("public %v, %s without token: %s", public, path, r.Status)
			}
			for _, h := range [][]string{{"Authorization", "Bearer s3cret"}, {"Authorization", "Basic OnMzY3JldA=="}} {
				if r, _ := get(t, srv.URL+path, h...); r.StatusCode != 200 {
					t.Errorf("%s with %s: %s", path, h[1], r.Status)
				}
			}
			if r, _ := get(t, srv.URL+path+"?token=s3cret"); r.StatusCode != 200 {
				t.Errorf("%s?token=: %s", path, r.Status)
			}
			if r, _ := get(t, srv.URL+path, "Authorization", "Bearer wrong"); r.StatusCode != 200 && !open && r.StatusCode != 401 {
				t.Errorf("%s with a wrong token: %s", path, r.Status)
			}
		}
		r, page := get(t, srv.URL+"/?token=s3cret")
		if strings.Contains(page, "s3cret") {
			t.Error("the page shows the token")
		}
		// The search form and the page's links carry no token: the cookie
		// that ?token= set lets them through.
		var cookie string
		for _, c := range r.Cookies() {
			if c.Name == "natowatch_token" && c.HttpOnly {
				cookie = c.Name + "=" + c.Value
			}
		}
		if r, _ := get(t, srv.URL+"/?q=missile", "Cookie", cookie); cookie == "" || r.StatusCode != 200 {
			t.Errorf("a search after ?token= (cookie %q): %s", cookie, r.Status)
		}
		if r, _ := get(t, srv.URL+"/?q=missile", "Cookie", "natowatch_token=wrong"); r.StatusCode != 401 {
			t.Errorf("a wrong cookie: %s", r.Status)
		}
	}
}
