package notifier

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// apiPath matches Discord's REST prefix in discordgo's own URLs.
var apiPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/api(/v\d+)?`) })

// RewriteAPI returns a transport that sends requests meant for Discord's
// REST API (discordgo builds them for https://discord.com/api/v9) to the
// configured API base instead, and leaves every other request alone. With
// the default API it changes nothing but the version in the path.
func RewriteAPI(api string, next http.RoundTripper) (http.RoundTripper, error) {
	if next == nil {
		next = http.DefaultTransport
	}
	base, err := url.Parse(strings.TrimRight(api, "/"))
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("discord.api %q is not a URL", api)
	}
	return rewriter{base: base, next: next}, nil
}

type rewriter struct {
	base *url.URL
	next http.RoundTripper
}

func (r rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	h := req.URL.Hostname()
	if (h == "discord.com" || h == "discordapp.com") && apiPath().MatchString(req.URL.Path) && req.URL.Host != r.base.Host {
		req = req.Clone(req.Context())
		rest := apiPath().ReplaceAllString(req.URL.Path, "")
		req.URL.Scheme, req.URL.Host = r.base.Scheme, r.base.Host
		req.URL.Path = r.base.Path + rest
		req.URL.RawPath = ""
		req.Host = r.base.Host
	}
	return r.next.RoundTrip(req)
}
