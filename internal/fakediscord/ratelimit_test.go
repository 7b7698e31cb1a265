package fakediscord_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/natowatch/natowatch/internal/fakediscord"
)

func TestRateLimitHeaders(t *testing.T) {
	srv := fakediscord.New(t)
	before := time.Now()
	r1 := do(t, "POST", srv.API()+"/channels/1/messages", `{"content":"a"}`)
	r2 := do(t, "POST", srv.API()+"/channels/1/messages", `{"content":"b"}`)
	r3 := do(t, "POST", srv.API()+"/channels/2/messages", `{"content":"c"}`)
	for i, r := range []reply{r1, r2, r3} {
		if r.status != 200 {
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
		if got := r.header.Get("X-RateLimit-Limit"); got != "5" {
			t.Errorf("request %d: limit %q, want 5", i, got)
		}
		reset, err := strconv.ParseFloat(r.header.Get("X-RateLimit-Reset"), 64)
		if err != nil || reset < float64(before.Unix()) || reset > float64(time.Now().Add(2*time.Second).Unix()+1) {
			t.Errorf("request %d: reset %q", i, r.header.Get("X-RateLimit-Reset"))
		}
		after, err := strconv.ParseFloat(r.header.Get("X-RateLimit-Reset-After"), 64)
		if err != nil || after <= 0 || after > 2 {
			t.Errorf("request %d: reset-after %q", i, r.header.Get("X-RateLimit-Reset-After"))
		}
	}
	if r1.header.Get("X-RateLimit-Remaining") != "4" || r2.header.Get("X-RateLimit-Remaining") != "3" {
		t.Errorf("remaining %s then %s, want 4 then 3", r1.header.Get("X-RateLimit-Remaining"), r2.header.Get("X-RateLimit-Remaining"))
	}
	if r3.header.Get("X-RateLimit-Remaining") != "4" {
		t.Errorf("another channel is another bucket: remaining %s", r3.header.Get("X-RateLimit-Remaining"))
	}
	// As on Discord, the bucket hash names the route, not the channel.
	if b := r1.header.Get("X-RateLimit-Bucket"); b == "" || b != r3.header.Get("X-RateLimit-Bucket") {
		t.Errorf("buckets %q and %q", b, r3.header.Get("X-RateLimit-Bucket"))
	}
}

func TestRouteLimit429(t *testing.T) {
	srv := fakediscord.New(t, fakediscord.WithRouteLimit(2, 400*time.Millisecond))
	url := srv.API() + "/channels/1/messages"
	do(t, "POST", url, `{"content":"a"}`)
	do(t, "POST", url, `{"content":"b"}`)
	r := do(t, "POST", url, `{"content":"c"}`)
	eb := r.errorBody(t)
	if r.status != 429 || eb.Message != "You are being rate limited." || eb.Global || eb.RetryAfter <= 0 || eb.RetryAfter > 0.4 {
		t.Fatalf("third request: %d %s", r.status, r.body)
	}
	if r.header.Get("Retry-After") != "1" || r.header.Get("X-RateLimit-Remaining") != "0" || r.header.Get("X-RateLimit-Scope") != "user" {
		t.Errorf("429 headers %v", r.header)
	}
	if srv.Count429() != 1 || len(srv.Messages()) != 2 || len(srv.Rejections()) != 0 {
		t.Errorf("Count429 %d, %d messages, %d rejections", srv.Count429(), len(srv.Messages()), len(srv.Rejections()))
	}
	time.Sleep(time.Duration(eb.RetryAfter * float64(time.Second)))
	if r := do(t, "POST", url, `{"content":"d"}`); r.status != 200 {
		t.Errorf("after retry_after: %d %s", r.status, r.body)
	}
}

func TestGlobalLimit429(t *testing.T) {
	srv := fakediscord.New(t, fakediscord.WithRouteLimit(0, 0), fakediscord.WithGlobalLimit(2, 300*time.Millisecond))
	do(t, "POST", srv.API()+"/channels/1/messages", `{"content":"a"}`)
	do(t, "POST", srv.API()+"/channels/2/messages", `{"content":"b"}`)
	r := do(t, "POST", srv.API()+"/channels/3/messages", `{"content":"c"}`)
	eb := r.errorBody(t)
	if r.status != 429 || !eb.Global || eb.RetryAfter <= 0 || eb.RetryAfter > 0.3 {
		t.Fatalf("third request: %d %s", r.status, r.body)
	}
	if r.header.Get("X-RateLimit-Global") != "true" || r.header.Get("X-RateLimit-Scope") != "global" || r.header.Get("Retry-After") == "" {
		t.Errorf("global 429 headers %v", r.header)
	}
}

// TestDiscordgoPacesItself shows discordgo reading the bucket headers: it
// waits for the reset instead of running into 429s.
func TestDiscordgoPacesItself(t *testing.T) {
	srv := fakediscord.New(t, fakediscord.WithRouteLimit(2, 300*time.Millisecond))
	s := session(t, srv)
	start := time.Now()
	for i := range 5 {
		if _, err := s.ChannelMessageSend("1", "m"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Count429(); n != 0 {
		t.Errorf("%d 429s", n)
	}
	if len(srv.Messages()) != 5 {
		t.Errorf("%d messages", len(srv.Messages()))
	}
	if el := time.Since(start); el < 600*time.Millisecond {
		t.Errorf("5 messages at 2 per 300ms took only %v", el)
	}
}

// TestDiscordgoRetries429 shows RequestWithBucketID sleeping retry_after
// and retrying on its own, as often as it is told to.
func TestDiscordgoRetries429(t *testing.T) {
	srv := fakediscord.New(t)
	s, err := discordgo.New("Bot test-token")
	if err != nil {
		t.Fatal(err)
	}
	srv.RateLimitNext(3, 100*time.Millisecond)
	start := time.Now()
	_, err = s.RequestWithBucketID("POST", srv.API()+"/channels/123/messages", map[string]any{"content": "x"},
		discordgo.EndpointChannelMessages("123"))
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 300*time.Millisecond {
		t.Errorf("three 429s of 100ms took only %v", el)
	}
	if srv.Count429() != 3 || len(srv.Messages()) != 1 || srv.Requests() != 4 {
		t.Errorf("Count429 %d, %d messages, %d requests", srv.Count429(), len(srv.Messages()), srv.Requests())
	}

	// With retries off the caller gets a RateLimitError.
	srv.RateLimitNext(1, 50*time.Millisecond)
	_, err = s.RequestWithBucketID("POST", srv.API()+"/channels/123/messages", map[string]any{"content": "y"},
		discordgo.EndpointChannelMessages("123"), discordgo.WithRetryOnRatelimit(false))
	if _, ok := err.(*discordgo.RateLimitError); !ok {
		t.Errorf("err = %v (%T), want *discordgo.RateLimitError", err, err)
	}
}

func TestDiscordgoRidesOutGlobalLimit(t *testing.T) {
	srv := fakediscord.New(t, fakediscord.WithRouteLimit(0, 0), fakediscord.WithGlobalLimit(2, 200*time.Millisecond))
	s := session(t, srv)
	for _, ch := range []string{"1", "2", "3", "4"} {
		if _, err := s.ChannelMessageSend(ch, "x"); err != nil {
			t.Fatal(err)
		}
	}
	if srv.Count429() == 0 || len(srv.Messages()) != 4 {
		t.Errorf("Count429 %d, %d messages", srv.Count429(), len(srv.Messages()))
	}
}
