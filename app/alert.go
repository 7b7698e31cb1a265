package app

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"

	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/summary"
)

// buildAlert summarises a release into an alert.
func (a *App) buildAlert(r *release.Release, kind release.Kind, version int, changes *release.Changes, m *summary.Matcher) release.Alert {
	sum, quotes := summary.Digest(r) // the quotes of a speech need its summary: made once
	return release.Alert{
		Kind:      kind,
		Source:    r.Source,
		URL:       r.URL,
		Title:     r.Title,
		Type:      r.Type,
		Published: r.Published,
		Reference: r.Reference,
		Summary:   sum,
		Quotes:    quotes,
		Matches:   m.Match(r),
		Changes:   changes,
		Version:   version,
	}
}

// candidateKeys are the identities a listing gives an item.
func candidateKeys(source string, c scraper.Candidate) []string {
	keys := []string{urlKey(c.URL)}
	if c.GUID != "" {
		keys = append(keys, "guid:"+source+":"+c.GUID)
	}
	if k := titleDateKey(c.Title, c.Published); k != "" {
		keys = append(keys, k)
	}
	return keys
}

// releaseKeys are the identities a fetched page gives a release.
func releaseKeys(r *release.Release, aliases []string) []string {
	keys := []string{urlKey(r.URL)}
	for _, al := range aliases {
		keys = append(keys, urlKey(al))
	}
	if r.GUID != "" {
		keys = append(keys, "guid:"+r.Source+":"+r.GUID)
	}
	if k := titleDateKey(r.Title, r.Published); k != "" {
		keys = append(keys, k)
	}
	return keys
}

// urlKey identifies a canonical URL whatever its scheme.
func urlKey(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		return "url:" + rest
	}
	return "url:" + u
}

// titleDateKey is the normalised title and the day of publication; it
// recognises an item whose URL or guid changed. Short titles ("Press
// conference") are too common to identify anything.
func titleDateKey(title string, published time.Time) string {
	t := normalise(title)
	if strings.Count(t, " ") < 3 || published.IsZero() {
		return ""
	}
	return "td:" + t + "|" + published.UTC().Format("2006-01-02")
}

// normalise lower-cases and keeps letters and digits, single-spaced.
func normalise(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		} else {
			space = true
		}
	}
	return b.String()
}

// fingerprint identifies a release's text: title and body, white space
// folded, so that markup-only changes are not edits.
func fingerprint(r *release.Release) string {
	h := sha256.New()
	h.Write([]byte(strings.Join(strings.Fields(r.Title), " ")))
	for _, p := range r.Body {
		h.Write([]byte{'\n'})
		h.Write([]byte(strings.Join(strings.Fields(p), " ")))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// diff lists the sentences an edit added and removed.
func diff(old, cur *release.Release) *release.Changes {
	was := map[string]bool{}
	for _, s := range summary.Sentences(old.Text()) {
		was[strings.Join(strings.Fields(s), " ")] = true
	}
	is := map[string]bool{}
	c := &release.Changes{}
	for _, s := range summary.Sentences(cur.Text()) {
		k := strings.Join(strings.Fields(s), " ")
		is[k] = true
		if !was[k] {
			c.Added = append(c.Added, s)
		}
	}
	for _, s := range summary.Sentences(old.Text()) {
		if !is[strings.Join(strings.Fields(s), " ")] {
			c.Removed = append(c.Removed, s)
		}
	}
	if old.Title != cur.Title {
		c.TitleChanged = old.Title
	}
	return c
}
