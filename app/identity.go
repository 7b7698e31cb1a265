package app

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
)

// A release is known by several keys (its URL, its feed guid, its title
// and day), so that an item whose URL or guid changed is not news again;
// and its text by a fingerprint, so that a markup change is not an edit.

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
// recognises an item whose URL or guid changed. Short titles and a kind
// with its by-line ("Doorstep statement by NATO Secretary General …", given
// in the morning and again in the evening) are too common to identify
// anything.
func titleDateKey(title string, published time.Time) string {
	t := normalise(title)
	if strings.Count(t, " ") < 3 || published.IsZero() || scraper.KindTitle(title) {
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
	n := len(r.Title)
	for _, p := range r.Body {
		n += len(p) + 1
	}
	b := appendFields(make([]byte, 0, n), r.Title)
	for _, p := range r.Body {
		b = appendFields(append(b, '\n'), p)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// appendFields appends strings.Join(strings.Fields(s), " ") to b, without
// the slice of fields: s's words, one space between them.
func appendFields(b []byte, s string) []byte {
	word := false // inside a word, or after one
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if asciiSpace[c] {
				space = word
				continue
			}
			if space {
				b = append(b, ' ')
				space = false
			}
			b = append(b, c)
			word = true
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			space = word
			i += size
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, s[i:i+size]...)
		word = true
		i += size
	}
	return b
}

var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}
