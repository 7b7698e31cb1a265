package fakediscord

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Transport returns a RoundTripper that sends requests for Discord's hosts
// (discord.com, discordapp.com and their subdomains) to the fake, keeping
// the path, and refuses any other host except the fake's own. With it a
// discordgo.Session's fixed endpoints reach the fake without rewriting
// discordgo's package variables.
func (s *Server) Transport() http.RoundTripper {
	u, _ := url.Parse(s.URL) // s.URL comes from httptest and parses
	return &redirect{fake: u.Host, base: s.hs.Client().Transport}
}

// Client returns an *http.Client using Transport, with a 10s timeout.
// Set it as a discordgo.Session's Client.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.Transport(), Timeout: 10 * time.Second}
}

type redirect struct {
	fake string
	base http.RoundTripper
}

func (rt *redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	switch {
	case req.URL.Host == rt.fake:
		return rt.base.RoundTrip(req)
	case isDiscordHost(host):
		r2 := req.Clone(req.Context())
		r2.URL.Scheme, r2.URL.Host, r2.Host = "http", rt.fake, ""
		return rt.base.RoundTrip(r2)
	}
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return nil, fmt.Errorf("fakediscord: refusing request to %s: not a Discord host", req.URL.Host)
}

func isDiscordHost(h string) bool {
	for _, d := range []string{"discord.com", "discordapp.com"} {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}
