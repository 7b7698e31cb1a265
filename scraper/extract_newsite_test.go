package scraper

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/natowatch/natowatch/release"
)

// dialogVariants wrap the new site's dialog text in the markup it might
// have: bare divs, a <dialog>, role=dialog, hidden, display:none.
var dialogVariants = []string{
	`<div><div><h1>NATO MULTIMEDIA ACCOUNT</h1><div>Access NATO's broadcast-quality video content free of charge.</div><div><a href="/register">Create an account</a></div></div></div>`,
	`<div><div><p><b>NATO MULTIMEDIA ACCOUNT</b></p><p>Access NATO's broadcast-quality video content free of charge. Register with your email address, choose a password, and download videos, photos and audio of NATO events for your newsroom, your classroom or your archive.</p><p>Create an account. Already registered? Log in with your email address and password, and keep every download in one place, ready when you need it.</p></div></div>`,
	`<div><div><b>NATO MULTIMEDIA ACCOUNT</b></div><div>Access NATO's broadcast-quality video content free of charge. Sign in with your email address and password, or register below.</div></div>`,
	`<dialog open><p><strong>Check your inbox and enter verification code</strong></p><p>We sent a code to the address you gave. It is valid for ten minutes, after which you can ask for a new one.</p></dialog>`,
	`<div role="dialog"><h2>Reset password</h2><p>The password must be at least 12 characters long, with an upper-case letter, a lower-case letter, a number and a symbol.</p></div>`,
	`<div hidden><p><b>Subscribe to our newsletter</b></p><p>The latest news, speeches and press releases in your inbox every week, free of charge, and you can stop at any time.</p></div>`,
	`<div style="display: none"><p><b>NATO MULTIMEDIA ACCOUNT</b> Create an account to download broadcast-quality video, free of charge, for your newsroom or your classroom.</p></div>`,
}

// TestNoDialogText fails when the dialogs' text reaches a title or a body,
// on every fixture and on pages with the dialogs in each markup, with and
// without a known text component.
func TestNoDialogText(t *testing.T) {
	type page struct{ name, url, contentType, body string }
	var pages []page
	listed := map[string]bool{}
	for _, f := range append(pageFixtures, newSiteFixtures...) {
		pages = append(pages, page{f.file, f.url, f.contentType, string(readFixture(t, f.file))})
		listed[f.file] = true
	}
	// Every other page in testdata too (listings and broken pages may
	// rightly yield no article).
	others, _ := filepath.Glob(filepath.Join("testdata", "*", "*.htm*"))
	for _, f := range others {
		name := filepath.ToSlash(strings.TrimPrefix(f, "testdata"+string(filepath.Separator)))
		if !listed[name] {
			pages = append(pages, page{name + " (any)", "https://www.nato.int/en/news-and-events/articles/news/2026/11/26/x", "text/html", string(readFixture(t, name))})
		}
	}
	article := `<div><h1>Allies agree new support for Ukraine</h1><p>26 November 2026</p><div class="ca04-rich-text"><p>Allies agreed on Wednesday to send more air defence systems and interceptors to Ukraine before the end of the year.</p><p>The packages include launchers, radars and thousands of interceptors, paid for by a group of Allies.</p></div></div>`
	plain := strings.ReplaceAll(article, ` class="ca04-rich-text"`, "")
	for i, d := range dialogVariants {
		for j, a := range []string{article, plain} {
			body := "<html><body>" + d + strings.Repeat(d, j) + a + "</body></html>"
			pages = append(pages, page{"variant " + string(rune('a'+i)) + string(rune('0'+j)), "https://www.nato.int/en/news-and-events/articles/news/2026/11/26/x", "text/html", body})
		}
	}
	for _, p := range pages {
		a, err := Extract([]byte(p.body), p.url, p.contentType)
		if err != nil {
			if !strings.HasSuffix(p.name, "(any)") {
				t.Errorf("%s: %v", p.name, err)
			}
			continue
		}
		for _, text := range append([]string{a.Title, a.Byline}, a.Body...) {
			l := strings.ToLower(text)
			for _, bad := range []string{"multimedia account", "verification code", "password", "newsletter"} {
				if strings.Contains(l, bad) {
					t.Errorf("%s: dialog text %q in %q", p.name, bad, text)
				}
			}
		}
	}
}

// TestDialogsAloneAreNoArticle: a page of dialogs and nothing else fails
// loudly instead of posting them.
func TestDialogsAloneAreNoArticle(t *testing.T) {
	page := "<html><head><title>Press conference | NATO</title></head><body>" + strings.Join(dialogVariants, "") + "</body></html>"
	if a, err := Extract([]byte(page), "https://www.nato.int/en/x", "text/html"); err == nil {
		t.Errorf("dialogs extracted as an article: %+v", a)
	}
}

func TestNewSitePages(t *testing.T) {
	get := func(file string) *Article {
		t.Helper()
		for _, f := range newSiteFixtures {
			if f.file == file {
				a, err := Extract(readFixture(t, f.file), f.url, f.contentType)
				if err != nil {
					t.Fatal(err)
				}
				return a
			}
		}
		t.Fatalf("no fixture %s", file)
		return nil
	}
	tr := get("new/transcript-press-conference.html")
	if want := "Press conference by NATO Secretary General Mark Rutte ahead of the meetings of NATO Ministers of Foreign Affairs"; tr.Title != want {
		t.Errorf("transcript title %q, want %q", tr.Title, want)
	}
	if !strings.HasPrefix(tr.Byline, "by NATO Secretary General Mark Rutte ahead of") || tr.Type != release.TypeSpeech {
		t.Errorf("transcript by-line %q, type %q", tr.Byline, tr.Type)
	}
	if len(tr.Speakers) == 0 || tr.Speakers[0] != "NATO Secretary General Mark Rutte" {
		t.Errorf("transcript speakers %q", tr.Speakers)
	}
	news := get("new/news-lead-twice.html")
	if news.Published.Format("2006-01-02") != "2025-06-25" || news.Type != release.TypeNews {
		t.Errorf("news date %v, type %q", news.Published, news.Type)
	}
	if len(news.Body) < 2 || news.Body[0] == news.Body[1] {
		t.Errorf("the lead paragraph twice: %q", news.Body)
	}
	pr := get("new/press-release.html")
	if pr.Type != release.TypePressRelease || pr.Reference != "Press Release (2026) 160" {
		t.Errorf("press release under /news/: type %q, reference %q", pr.Type, pr.Reference)
	}
	ev := get("new/event.html")
	if ev.Published.Format("2006-01-02") != "2026-10-14" {
		t.Errorf("event date %v", ev.Published)
	}
	for _, f := range []string{"new/cp1252-meta.html", "new/cp1252-header.html"} {
		if a := get(f); !strings.HasPrefix(a.Title, "Déclaration du Conseil") || !strings.Contains(a.Body[1], "– qu’il s’agisse") {
			t.Errorf("%s: title %q, body %q", f, a.Title, a.Body)
		}
	}
	for _, a := range []*Article{tr, news, pr, ev} {
		for _, p := range a.Body {
			l := strings.ToLower(p)
			if strings.Contains(l, "min read") || strings.HasPrefix(l, "updated") || strings.Contains(l, "(as delivered)") || p == a.Byline {
				t.Errorf("%s: header line %q in the body", a.Title, p)
			}
		}
	}
}

func TestKindLines(t *testing.T) {
	for line, want := range map[string]release.Type{
		"Press Release": release.TypePressRelease, "Official text": release.TypeOfficialText, "News": release.TypeNews,
		"Statement": release.TypeOfficialText, "Press conference": release.TypeSpeech, "Doorstep statement": release.TypeSpeech,
		"Speech ": release.TypeSpeech, "Joint press conference": release.TypeSpeech, "Remarks": release.TypeSpeech,
		"Press point": release.TypeSpeech, "Press conference by NATO Secretary General Mark Rutte": "", "Newsroom": "",
		"Related news": "",
	} {
		if got := kindOfLine(line); got != want {
			t.Errorf("kindOfLine(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestTitles(t *testing.T) {
	by := "by NATO Secretary General Mark Rutte at the 2026 International Award Ceremony of the Peace of Westphalia | Münster, Germany"
	if got, want := titleWithByline("Speech", by), "Speech by NATO Secretary General Mark Rutte at the 2026 International Award Ceremony of the Peace of Westphalia"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := titleWithByline("Allies agree", by); got != "Allies agree" {
		t.Errorf("a title that says something got the by-line: %q", got)
	}
	long := titleWithByline("Joint press conference", "by NATO Secretary General Mark Rutte"+strings.Repeat(" and the Président of a very long named committee", 8))
	got := cutTitle(long)
	if n := utf8.RuneCountInString(got); n > maxTitle || !strings.HasSuffix(got, "…") {
		t.Errorf("cut title has %d characters: %q", n, got)
	}
	if w := strings.TrimSuffix(got, "…"); !strings.HasPrefix(long, w) || long[len(w)] != ' ' {
		t.Errorf("cut off the word boundary: %q", got)
	}
	if got := cutTitle(strings.Repeat("é", 300)); utf8.RuneCountInString(got) != maxTitle || !utf8.ValidString(got) {
		t.Errorf("one long word: %d characters", utf8.RuneCountInString(got))
	}
}

// Fetch decodes a page by its Content-Type header, and a transcript whose
// page lacks the by-line takes it from the listing's description.
func TestFetchCharsetAndListedByline(t *testing.T) {
	page := `<html><body><h1>Speech</h1><div class="ca04-rich-text"><p>(As delivered)</p><p>Thank you very much, Mayor, for your kind words, and thank you all for being here in Münster today.</p><p>Peace is never a given: it has to be defended, every day, by each of us.</p></div></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/fr") {
			w.Header().Set("Content-Type", "text/html; charset=windows-1252")
			w.Write(readFixture(t, "new/cp1252-header.html"))
			return
		}
		w.Write([]byte(page))
	}))
	defer srv.Close()
	s := NewSource(SourceConfig{Name: "nato", Kind: release.SourceNATO, URL: srv.URL}, NewFetcher(FetcherOptions{}))
	it, err := s.Fetch(context.Background(), Candidate{URL: srv.URL + "/fr"}, release.Validators{})
	if err != nil || !strings.HasPrefix(it.Release.Title, "Déclaration du Conseil") {
		t.Fatalf("windows-1252 page: %+v, %v", it, err)
	}
	by := "by NATO Secretary General Mark Rutte at the 2026 International Award Ceremony of the Peace of Westphalia | Münster, Germany"
	it, err = s.Fetch(context.Background(), Candidate{URL: srv.URL + "/en/news-and-events/events/transcripts/2026/10/01/speech", Title: "Speech ", Summary: by}, release.Validators{})
	if err != nil {
		t.Fatal(err)
	}
	r := it.Release
	if r.Title != "Speech by NATO Secretary General Mark Rutte at the 2026 International Award Ceremony of the Peace of Westphalia" || r.Byline != by || r.Type != release.TypeSpeech {
		t.Errorf("title %q, by-line %q, type %q", r.Title, r.Byline, r.Type)
	}
}

// The page's own word on its kind wins over the URL's section; other
// releases' references in a related list say nothing of this one.
func TestKindsFromThePage(t *testing.T) {
	text := `<div class="ca04-rich-text"><p>Allies agreed on Wednesday to send more air defence systems and interceptors to Ukraine before the end of the year.</p><p>The packages include launchers, radars and thousands of interceptors.</p></div>`
	related := `<div class="related-content"><ul><li><a href="/x">Allies meet</a> Press Release (2026) 150</li></ul></div>`
	news := "https://www.nato.int/en/news-and-events/articles/news/2026/11/26/x"
	for _, c := range []struct {
		name, url, page string
		want            release.Type
	}{
		{"related reference", news, `<h1>Allies agree new support</h1>` + text + related, release.TypeNews},
		{"kind line", news, `<p>Press Release</p><h1>Allies agree new support</h1>` + text, release.TypePressRelease},
		{"reference", news, `<h1>Allies agree new support</h1><p>Press Release (2026) 160</p>` + text, release.TypePressRelease},
		{"official text with a reference", "https://www.nato.int/en/about-us/official-texts-and-resources/official-texts/2026/11/26/x",
			`<h1>Statement by the North Atlantic Council</h1><p>Press Release (2026) 161</p>` + text, release.TypeOfficialText},
		{"statement on a transcript", "https://www.nato.int/en/news-and-events/events/transcripts/2026/11/26/statement",
			`<h1>Statement</h1><h3 class="h3-style">by NATO Secretary General Mark Rutte on the attack in Riga</h3>` + text, release.TypeSpeech},
		{"statement", news, `<p>Statement</p><h1>North Atlantic Council statement on the attack in Riga</h1>` + text, release.TypeOfficialText},
	} {
		a, err := Extract([]byte("<html><body>"+c.page+"</body></html>"), c.url, "text/html")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if a.Type != c.want {
			t.Errorf("%s: type %q, want %q (reference %q)", c.name, a.Type, c.want, a.Reference)
		}
	}
}

// A kind-only h1 without a by-line takes the page's fuller og:title.
func TestGenericTitleWithoutByline(t *testing.T) {
	page := `<html><head><meta property="og:title" content="Doorstep statement by NATO Secretary General Mark Rutte at the European Council"></head><body><h1>Doorstep statement</h1><div class="ca04-rich-text"><p>Good morning. It is good to be here with the leaders of the European Union, to discuss how we keep supporting Ukraine.</p></div></body></html>`
	a, err := Extract([]byte(page), "https://www.nato.int/en/news-and-events/events/transcripts/2026/10/23/doorstep-statement", "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Doorstep statement by NATO Secretary General Mark Rutte at the European Council" || a.Type != release.TypeSpeech {
		t.Errorf("title %q, type %q", a.Title, a.Type)
	}
	if len(a.Speakers) == 0 || a.Speakers[0] != "NATO Secretary General Mark Rutte" {
		t.Errorf("speakers %q", a.Speakers)
	}
}

// A hub's item links beside the dialogs survive removeNoise.
func TestRemoveNoiseKeepsHubItems(t *testing.T) {
	var cards strings.Builder
	for i := range 10 {
		fmt.Fprintf(&cards, `<div><a href="/en/news-and-events/articles/news/2026/11/%02d/item">Allies meet</a><span>%02d Nov. 2026</span></div>`, i+10, i+10)
	}
	page := "<html><body><div>" + dialogVariants[0] + "<div>" + cards.String() + "</div></div></body></html>"
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	removeNoise(doc)
	if n := doc.Find("a[href]").Length(); n != 10 {
		t.Errorf("%d item links left, want 10", n)
	}
	if strings.Contains(doc.Text(), "MULTIMEDIA") {
		t.Error("dialog text left")
	}
}

// An article's own paragraph that names the dialogs' words is text.
func TestDialogWordsInText(t *testing.T) {
	p := "Attackers tried to steal the verification code sent to staff phones, NATO's cyber defence centre said on Tuesday, in an attack it called persistent and well organised."
	page := `<html><body><h1>Cyber attack foiled</h1><div class="ca04-rich-text"><p>` + p + `</p><p>No data was lost.</p></div></body></html>`
	a, err := Extract([]byte(page), "https://www.nato.int/en/news-and-events/articles/news/2026/11/26/x", "text/html")
	if err != nil || a.Body[0] != p {
		t.Fatalf("body %q, err %v", a.Body, err)
	}
}

func TestSpeakerLine(t *testing.T) {
	for line, want := range map[string]string{
		"Mark Rutte, NATO Secretary General":                     "NATO Secretary General Mark Rutte:",
		"Radmila Shekerinska, NATO Deputy Secretary General":     "NATO Deputy Secretary General Radmila Shekerinska:",
		"NATO Headquarters, Brussels":                            "NATO Headquarters, Brussels",
		"The Hague, Netherlands":                                 "The Hague, Netherlands",
		"Thank you, Secretary General":                           "Thank you, Secretary General",
		"Giuseppe Cavo Dragone, Chair of the Military Committee": "Chair of the Military Committee Giuseppe Cavo Dragone:",
	} {
		body := []string{line}
		labelSpeakerLine(body)
		if body[0] != want {
			t.Errorf("%q became %q, want %q", line, body[0], want)
		}
	}
}
