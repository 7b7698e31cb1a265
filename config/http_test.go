package config

import (
	"strings"
	"testing"
)

// The feeds' keys: token and public_feeds are read, public_url must be an
// http(s) URL.
func TestHTTPFeedKeys(t *testing.T) {
	c, err := Parse([]byte(good+"http:\n  token: ${FEED_TOKEN}\n  public_feeds: true\n  public_url: https://example.org/natowatch\n"),
		env(map[string]string{"DISCORD_TOKEN": "tok", "FEED_TOKEN": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Token != "s3cret" || !c.HTTP.PublicFeeds || c.HTTP.PublicURL != "https://example.org/natowatch" {
		t.Errorf("http = %+v", c.HTTP)
	}
	_, err = Parse([]byte(good+"http:\n  public_url: example.org\n"), env(map[string]string{"DISCORD_TOKEN": "tok"}))
	if err == nil || !strings.Contains(err.Error(), "http.public_url") {
		t.Errorf("a public_url without a scheme: %v", err)
	}
}
