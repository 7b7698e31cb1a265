package scraper

import (
	"net/url"
	"path"
	"strings"
)

var (
	sessionSegment = lazyRegexp(`/SID-[0-9A-Fa-f]+-[0-9A-Fa-f]+`)
	publicView     = lazyRegexp(`(?i)^/view/([0-9a-f]{40})$`)
	legacyItem     = lazyRegexp(`^/cps/([a-z]{2})/[a-z]+/((?:news|opinions|official_texts|topics|events|photos|declassified)_\d+\.htm)$`)
)

// dropParams are query parameters that never change what a page is.
var dropParams = map[string]bool{
	"selectedlocale": true, "fbclid": true, "gclid": true, "mc_cid": true, "mc_eid": true,
}

// Canonical returns one spelling of a URL so that the many spellings of the
// same page compare equal: lower-case host, nato.int as www.nato.int, no fragment, no session segment, no tracking or locale
// parameters, no trailing slash, Public's view URLs without their timestamp.
// ref resolves a relative URL; an unparsable URL is returned trimmed.
func Canonical(raw string, ref *url.URL) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if ref != nil {
		u = ref.ResolveReference(u)
	}
	u.Host = strings.ToLower(u.Host)
	u.Host = strings.TrimSuffix(u.Host, ":443")
	if u.Host == "nato.int" {
		u.Host = "www.nato.int"
	}
	u.Fragment, u.RawFragment = "", ""
	u.User = nil
	p := sessionSegment().ReplaceAllString(u.Path, "")
	if p != "/" && p != "" {
		p = path.Clean(p)
	}
	if m := legacyItem().FindStringSubmatch(p); m != nil && u.Host == "www.nato.int" {
		p = "/cps/" + m[1] + "/natohq/" + m[2] // natolive, natohq, SID-…: one page
	}
	u.Path, u.RawPath = p, ""
	if m := publicView().FindStringSubmatch(u.Path); m != nil {
		// Public's view pages: the id is the page; "?<timestamp>" is not.
		if strings.HasSuffix(u.Host, "publicnow.com") {
			u.Scheme, u.Host = "https", "www.publicnow.com"
		}
		u.Path, u.RawQuery = "/view/"+strings.ToUpper(m[1]), ""
		return u.String()
	}
	q := u.Query()
	for k, v := range q {
		lk := strings.ToLower(k)
		if dropParams[lk] || strings.HasPrefix(lk, "utm_") || (isDigits(k) && len(v) == 1 && v[0] == "") {
			q.Del(k) // "?1764240000" is a cache-buster
		}
	}
	u.RawQuery = q.Encode()
	u.ForceQuery = false
	return u.String()
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
