package scraper

import (
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func utc(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

func TestParseDate(t *testing.T) {
	plus2 := time.FixedZone("", 2*3600)
	minus5 := time.FixedZone("", -5*3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		// nato.int, new and legacy listings and pages
		{"07 Aug. 2025", utc(2025, 8, 7, 0, 0, 0)},
		{"24 May. 2017", utc(2017, 5, 24, 0, 0, 0)},
		{"26 Nov. 2026", utc(2026, 11, 26, 0, 0, 0)},
		{"27-Apr.-2017", utc(2017, 4, 27, 0, 0, 0)},
		{"25-May-2017 09:01", utc(2017, 5, 25, 9, 1, 0)},
		{"Last updated: 13 Mar. 2017 17:35", utc(2017, 3, 13, 17, 35, 0)},
		{"Last updated 25-May-2017 09:01", utc(2017, 5, 25, 9, 1, 0)},
		{"Last updated: 25 May. 2017 09:01", utc(2017, 5, 25, 9, 1, 0)},
		{"07 July 2026", utc(2026, 7, 7, 0, 0, 0)},
		{"7 July 2026", utc(2026, 7, 7, 0, 0, 0)},
		{"26 November 2026", utc(2026, 11, 26, 0, 0, 0)},
		{"July 7, 2026", utc(2026, 7, 7, 0, 0, 0)},
		{"July 7 2026", utc(2026, 7, 7, 0, 0, 0)},
		{"November 20, 2026 3:30 PM", utc(2026, 11, 20, 15, 30, 0)},
		{"12 Sept. 2026", utc(2026, 9, 12, 0, 0, 0)},
		{"12 Sept 2026", utc(2026, 9, 12, 0, 0, 0)},
		{"12 SEPT. 2026", utc(2026, 9, 12, 0, 0, 0)},
		{"1st December 2026", utc(2026, 12, 1, 0, 0, 0)},
		// the old RSS pubDate
		{"19 Sep. 2025 12:00:00 GMT", utc(2025, 9, 19, 12, 0, 0)},
		{"02 May. 2025 12:00:00 GMT", utc(2025, 5, 2, 12, 0, 0)},
		// RFC 1123 / 822 with four-digit years
		{"Mon, 02 Jan 2006 15:04:05 GMT", utc(2006, 1, 2, 15, 4, 5)},
		{"Thu, 26 Nov 2026 10:15:00 +0000", utc(2026, 11, 26, 10, 15, 0)},
		{"Thu, 26 Nov 2026 10:15:00 +0200", time.Date(2026, 11, 26, 10, 15, 0, 0, plus2)},
		{"26 Nov 2026 10:15:00 -0500", time.Date(2026, 11, 26, 10, 15, 0, 0, minus5)},
		{"26 Nov 2026 10:15 EST", time.Date(2026, 11, 26, 10, 15, 0, 0, minus5)},
		{"26 Nov 2026 10:15:00 UTC", utc(2026, 11, 26, 10, 15, 0)},
		{"26 Nov 2026 10:15:00 Z", utc(2026, 11, 26, 10, 15, 0)},
		{"Thursday, 26 November 2026 10:15:00 CET", time.Date(2026, 11, 26, 10, 15, 0, 0, time.FixedZone("", 3600))},
		// RFC 3339 / ISO 8601
		{"2026-07-07", utc(2026, 7, 7, 0, 0, 0)},
		{"2026-07-07T10:15:00Z", utc(2026, 7, 7, 10, 15, 0)},
		{"2026-07-07T10:15:00+02:00", time.Date(2026, 7, 7, 10, 15, 0, 0, plus2)},
		{"2026-07-07T10:15:00.123456Z", time.Date(2026, 7, 7, 10, 15, 0, 123456000, time.UTC)},
		{"2026-07-07T10:15:00.5+02:00", time.Date(2026, 7, 7, 10, 15, 0, 500000000, plus2)},
		{"2026-07-07T10:15:00", utc(2026, 7, 7, 10, 15, 0)},
		{"2026-07-07T10:15Z", utc(2026, 7, 7, 10, 15, 0)},
		{"2026-07-07 10:15:00", utc(2026, 7, 7, 10, 15, 0)},
		{"2026-07-07 10:15:00 +02:00", time.Date(2026, 7, 7, 10, 15, 0, 0, plus2)},
		// Public: month-first
		{"11/02/2017", utc(2017, 11, 2, 0, 0, 0)},
		{"11/02/2017 03:34", utc(2017, 11, 2, 3, 34, 0)},
		{"11/02/2017 | Press release | Distributed by Public on 11/02/2017 03:34", utc(2017, 11, 2, 0, 0, 0)},
		{"Distributed by Public on 11/02/2017 03:34", utc(2017, 11, 2, 3, 34, 0)},
		// French
		{"7 juillet 2026", utc(2026, 7, 7, 0, 0, 0)},
		{"07 juil. 2026", utc(2026, 7, 7, 0, 0, 0)},
		{"1er juillet 2026", utc(2026, 7, 1, 0, 0, 0)},
		{"mardi 3 février 2026", utc(2026, 2, 3, 0, 0, 0)},
		{"15 août 2026", utc(2026, 8, 15, 0, 0, 0)},
		{"4 déc. 2026", utc(2026, 12, 4, 0, 0, 0)},
		{"Mis à jour le 25 mai 2017 09:01", utc(2017, 5, 25, 9, 1, 0)},
		// surrounding text, whitespace, NBSP
		{"24 May. 2017 -", utc(2017, 5, 24, 0, 0, 0)},
		{"24 May. 2017 –", utc(2017, 5, 24, 0, 0, 0)},
		{"(As delivered) 24 May. 2017", utc(2017, 5, 24, 0, 0, 0)},
		{"  \n\t07\u00a0Aug.\u00a02025\u00a0 ", utc(2025, 8, 7, 0, 0, 0)},
		{"07\u202fAug.\u200b 2025", utc(2025, 8, 7, 0, 0, 0)},
		{"Published on 20 November 2026.", utc(2026, 11, 20, 0, 0, 0)},
		{"NATO - News: Allies meet in Brussels, 27-Apr.-2017", utc(2017, 4, 27, 0, 0, 0)},
		{"[26 Nov. 2026]", utc(2026, 11, 26, 0, 0, 0)},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
		_, gotOff := got.Zone()
		_, wantOff := tt.want.Zone()
		if gotOff != wantOff {
			t.Errorf("ParseDate(%q) offset = %d, want %d", tt.in, gotOff, wantOff)
		}
		if gotOff == 0 && got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) location = %v, want UTC", tt.in, got.Location())
		}
	}
}

func TestParseDateInvalid(t *testing.T) {
	for _, in := range []string{
		"",
		"   ",
		"\u00a0",
		"yesterday",
		"Last updated:",
		"Press Release (2017) 123",
		"2017",
		"July 2026",
		"07 Aug. 25",                  // two-digit year
		"Mon, 02 Jan 06 15:04:05 GMT", // RFC 822 proper: two-digit year
		"25-May-17 09:01",
		"32 Jan 2026",
		"30 Feb. 2026",
		"Feb 30, 2026",
		"2026-13-01",
		"2026-02-29",        // not a leap year
		"13/02/2017",        // month-first: there is no month 13
		"7 July 2026 25:00", // a date with an unreadable time
		"2026-07-07 10:75",
		"7 Foo 2026",
		"\xff\xfe",
		"0001-01-01", // the zero time is not a date
		"0999-12-31",
		strings.Repeat("7 July 2026 ", 100),
	} {
		got, err := ParseDate(in)
		if err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", in, got)
			continue
		}
		if !got.IsZero() {
			t.Errorf("ParseDate(%q) returned %v with its error", in, got)
		}
		if !strings.Contains(err.Error(), "parse date") || (len(in) < 60 && !strings.Contains(err.Error(), strings.TrimSpace(strings.ToValidUTF8(in, "")))) {
			t.Errorf("ParseDate(%q) error %q does not name the input", in, err)
		}
	}
}

func TestDateFromURL(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"https://www.nato.int/en/news-and-events/articles/news/2026/11/26/allies-agree-new-air-defence-plan", utc(2026, 11, 26, 0, 0, 0), true},
		{"https://www.nato.int/en/news-and-events/events/transcripts/2026/12/03/press-conference?selectedLocale=en", utc(2026, 12, 3, 0, 0, 0), true},
		{"/en/about-us/official-texts-and-resources/official-texts/2026/07/08/the-hague-summit-declaration", utc(2026, 7, 8, 0, 0, 0), true},
		{"/fr/news-and-events/articles/news/2026/11/24/slug", utc(2026, 11, 24, 0, 0, 0), true},
		{"/en/news-and-events/articles/news/2026/11/26", utc(2026, 11, 26, 0, 0, 0), true},
		{"/en/news/2024/02/29/leap-day", utc(2024, 2, 29, 0, 0, 0), true},
		{"/a/2026/13/01/b/2026/11/02/c", utc(2026, 11, 2, 0, 0, 0), true},
		{"https://www.nato.int/en/news-and-events/articles/news/2026/13/26/slug", time.Time{}, false},
		{"/en/news/2026/02/30/slug", time.Time{}, false},
		{"/en/news/2026/00/10/slug", time.Time{}, false},
		{"/en/news/2026/1/5/slug", time.Time{}, false},
		{"/en/news/0999/01/05/slug", time.Time{}, false},
		{"https://www.nato.int/cps/en/natohq/news_238000.htm", time.Time{}, false},
		{"https://www.nato.int/en/about-us", time.Time{}, false},
		{"https://example.org/search?d=/2026/11/26/", time.Time{}, false},
		{"%zz/2026/11/26/x", utc(2026, 11, 26, 0, 0, 0), true},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := DateFromURL(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("DateFromURL(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"07 Aug. 2025", "24 May. 2017 -", "19 Sep. 2025 12:00:00 GMT", "27-Apr.-2017",
		"25-May-2017 09:01", "Last updated: 13 Mar. 2017 17:35", "(As delivered) 24 May. 2017",
		"July 7, 2026", "7 juillet 2026", "07 juil. 2026", "12 Sept. 2026", "11/02/2017 03:34",
		"Mon, 02 Jan 2006 15:04:05 -0700", "2026-07-07T10:15:00.123+02:00", "2026-07-07",
		"November 20, 2026 3:30 PM", "1er juillet 2026", "07\u00a0Aug.\u00a02025", "\xff", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		if g, ok := parseDate(s); ok != (err == nil) || !g.Equal(got) {
			t.Fatalf("parseDate(%q) = %v, %v; ParseDate %v, %v", s, g, ok, got, err)
		}
		if err != nil {
			if !got.IsZero() {
				t.Fatalf("ParseDate(%q) = %v with error %v", s, got, err)
			}
			return
		}
		if got.IsZero() || got.Year() < 0 || got.Year() > 9999 {
			t.Fatalf("ParseDate(%q) = %v: not a usable time", s, got)
		}
		// A parsed time must survive a round trip through RFC 3339.
		again, err := ParseDate(got.Format(time.RFC3339Nano))
		if err != nil || !again.Equal(got) {
			t.Fatalf("ParseDate(%q) = %v, which does not round-trip: %v, %v", s, got, again, err)
		}
	})
}

// TestParseDateFixtures parses every date the fixtures in testdata show.
func TestParseDateFixtures(t *testing.T) {
	tests := []struct {
		file, re string
		min      int
	}{
		{"legacy/rss.xml", `<pubDate>(.*?)</pubDate>`, 8},
		{"legacy/news-listing.html", `<td class="h-no-wrap fs-small">(.*?)</td>`, 10},
		{"legacy/opinions_145000.htm", `<p class="fs-small (?:date-line|lastupdated)">(.*?)</p>`, 2},
		{"legacy/news_238000.htm", `<title>(.*?)</title>`, 1},
		{"new/news-hub.html", `<span class="cmp-card__date">(.*?)</span>`, 8},
		{"new/news-article.html", `<span class="cmp-article-header__date">(.*?)</span>`, 1},
		{"new/sitemap.xml", `<lastmod>(.*?)</lastmod>`, 15},
		{"publicnow/view.html", `<div class="pn-release__meta">(.*?)</div>`, 1},
		{"publicnow/view.txt", `(?m)^(\d\d/\d\d/\d{4} \|.*)$`, 1},
		{"html/newsroom.html", `<time datetime="(.*?)">`, 5},
		{"html/newsroom.html", `<time datetime=".*?">(.*?)</time>`, 5},
	}
	for _, tt := range tests {
		b, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		found := regexp.MustCompile(tt.re).FindAllStringSubmatch(string(b), -1)
		if len(found) < tt.min {
			t.Errorf("%s: %d dates matching %s, want at least %d", tt.file, len(found), tt.re, tt.min)
		}
		for _, m := range found {
			d, err := ParseDate(html.UnescapeString(m[1]))
			if err != nil {
				t.Errorf("%s: %v", tt.file, err)
			} else if d.Year() < 2017 || d.Year() > 2026 {
				t.Errorf("%s: %q parsed as %v", tt.file, m[1], d)
			}
		}
	}
	if d, _ := ParseDate("11/02/2017 | Press release | Distributed by Public on 11/02/2017 03:34"); d.Month() != time.November {
		t.Errorf("Public's dates are month-first: got %v", d)
	}
}
