package fakediscord_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/natowatch/natowatch/internal/fakediscord"
)

func post(s *discordgo.Session, srv *fakediscord.Server, channel string, payload any) ([]byte, error) {
	return s.RequestWithBucketID("POST", srv.API()+"/channels/"+channel+"/messages", payload, discordgo.EndpointChannelMessages(channel))
}

func TestNonceDedupe(t *testing.T) {
	srv := fakediscord.New(t, fakediscord.WithNonceWindow(300*time.Millisecond))
	s := session(t, srv)
	send := func(channel string, payload map[string]any) string {
		t.Helper()
		body, err := post(s, srv, channel, payload)
		if err != nil {
			t.Fatal(err)
		}
		var m discordgo.Message
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	enforced := map[string]any{"content": "x", "nonce": "release-42", "enforce_nonce": true}
	first := send("1", enforced)
	if again := send("1", enforced); again != first {
		t.Errorf("same nonce in the same channel: id %s, want %s", again, first)
	}
	if other := send("2", enforced); other == first {
		t.Error("same nonce in another channel returned the first message")
	}
	loose := map[string]any{"content": "x", "nonce": "release-43"}
	if send("1", loose) == send("1", loose) {
		t.Error("without enforce_nonce the nonce deduped")
	}
	if got := len(srv.MessagesIn("1")); got != 3 {
		t.Errorf("channel 1 has %d messages, want 3", got)
	}
	if srv.MessagesIn("1")[0].Nonce != "release-42" {
		t.Errorf("nonce not recorded: %+v", srv.MessagesIn("1")[0])
	}
	time.Sleep(350 * time.Millisecond)
	if send("1", enforced) == first {
		t.Error("nonce still deduping after its window")
	}
}

func TestDropReplyNext(t *testing.T) {
	srv := fakediscord.New(t)
	s, err := discordgo.New("Bot test-token")
	if err != nil {
		t.Fatal(err)
	}
	srv.DropReplyNext(1)
	start := time.Now()
	if _, err := post(s, srv, "1", map[string]any{"content": "lost reply"}); err == nil {
		t.Fatal("no error though the reply was dropped")
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("the client waited %v: the connection was not closed", el)
	}
	if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].Content != "lost reply" {
		t.Fatalf("messages = %+v, want the one created", msgs)
	}
	if srv.Requests() != 1 {
		t.Errorf("%d requests: the client retried a POST", srv.Requests())
	}
	if _, err := post(s, srv, "1", map[string]any{"content": "next"}); err != nil {
		t.Errorf("request after the drop: %v", err)
	}
	// Edits too: the edit takes effect though the client sees an error.
	id := srv.Messages()[1].ID
	srv.DropReplyNext(1)
	if _, err := s.RequestWithBucketID("PATCH", srv.API()+"/channels/1/messages/"+id, map[string]any{"content": "edited"},
		discordgo.EndpointChannelMessage("1", "")); err == nil {
		t.Error("no error on the dropped edit")
	}
	if got := srv.Messages()[1].Content; got != "edited" {
		t.Errorf("content after dropped edit %q", got)
	}
}

func TestFailNext(t *testing.T) {
	srv := fakediscord.New(t, fakediscord.WithRouteLimit(0, 0))
	s := session(t, srv)
	// discordgo retries a 502 up to MaxRestRetries (3) times...
	srv.FailNext(1, http.StatusBadGateway)
	if _, err := s.ChannelMessageSend("1", "a"); err != nil {
		t.Errorf("one 502: %v", err)
	}
	srv.FailNext(4, http.StatusBadGateway)
	if _, err := s.ChannelMessageSend("1", "b"); err == nil || !strings.Contains(err.Error(), "Exceeded Max retries") {
		t.Errorf("four 502s: %v", err)
	}
	// ...but no other 5xx.
	srv.FailNext(1, http.StatusInternalServerError)
	_, err := s.ChannelMessageSend("1", "c")
	if re := restError(t, err); re.Response.StatusCode != 500 || re.Message == nil || re.Message.Message != "500: Internal Server Error" {
		t.Errorf("500: %v", err)
	}
	if got := len(srv.Messages()); got != 1 {
		t.Errorf("%d messages, want 1 (only the first)", got)
	}
	if want := 1 + 1 + 4 + 1; srv.Requests() != want {
		t.Errorf("%d requests, want %d", srv.Requests(), want)
	}
	// GETs are not create/edit requests and do not consume faults.
	srv.FailNext(1, http.StatusServiceUnavailable)
	if _, err := s.ChannelMessage("1", srv.Messages()[0].ID); err != nil {
		t.Errorf("GET consumed FailNext: %v", err)
	}
	if _, err := s.ChannelMessageSend("1", "d"); restError(t, err).Response.StatusCode != 503 {
		t.Errorf("503 not served to the next create: %v", err)
	}
	noRejections(t, srv)
}

func TestForbid(t *testing.T) {
	srv := fakediscord.New(t)
	s := session(t, srv)
	cases := []struct {
		target, channel, webhook string
		status, code             int
	}{
		{"10", "10", "", 403, 50013},
		{"11", "11", "", 404, 10003},
		{"webhook:12", "", "12", 404, 10015},
		{"13", "", "13", 403, 50013},
	}
	for _, c := range cases {
		srv.Forbid(c.target, c.status)
		var err error
		if c.webhook != "" {
			_, err = s.WebhookExecute(c.webhook, "t", true, &discordgo.WebhookParams{Content: "x"})
		} else {
			_, err = s.ChannelMessageSend(c.channel, "x")
		}
		if re := restError(t, err); re.Response.StatusCode != c.status || re.Message.Code != c.code {
			t.Errorf("Forbid(%q, %d): %v", c.target, c.status, err)
		}
	}
	if _, err := s.ChannelMessageSend("12", "webhook:12 is not channel 12"); err != nil {
		t.Error(err)
	}
	srv.Forbid("10", 0)
	if _, err := s.ChannelMessageSend("10", "allowed again"); err != nil {
		t.Error(err)
	}
	if len(srv.Messages()) != 2 {
		t.Errorf("%d messages, want 2", len(srv.Messages()))
	}
	noRejections(t, srv)
}

func TestSetLatency(t *testing.T) {
	srv := fakediscord.New(t)
	srv.SetLatency(150 * time.Millisecond)
	start := time.Now()
	do(t, "GET", srv.API()+"/gateway", "")
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Errorf("request took %v", el)
	}
	c := srv.Client()
	c.Timeout = 50 * time.Millisecond
	if _, err := c.Get("https://discord.com/api/v10/gateway"); err == nil {
		t.Error("no timeout against 150ms of latency")
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := fakediscord.New(t, fakediscord.WithRouteLimit(0, 0), fakediscord.WithGlobalLimit(0, 0))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := srv.Client()
			for j := range 10 {
				body := fmt.Sprintf(`{"content":"%d-%d"}`, i, j)
				req, _ := http.NewRequest("POST", fmt.Sprintf("https://discord.com/api/v10/channels/%d/messages", i), strings.NewReader(body))
				req.Header.Set("Authorization", "Bot test-token")
				req.Header.Set("Content-Type", "application/json")
				resp, err := c.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				_ = srv.Messages()
				srv.FailNext(0, 500)
			}
		}()
	}
	wg.Wait()
	if n := len(srv.Messages()); n != 80 {
		t.Errorf("%d messages, want 80", n)
	}
	seen := map[string]bool{}
	for _, m := range srv.Messages() {
		if seen[m.ID] {
			t.Fatalf("duplicate id %s", m.ID)
		}
		seen[m.ID] = true
	}
}

func TestStartClose(t *testing.T) {
	srv, err := fakediscord.Start()
	if err != nil {
		t.Fatal(err)
	}
	url := srv.API() + "/gateway"
	srv.Close()
	srv.Close()
	if _, err := http.Get(url); err == nil {
		t.Error("server still answering after Close")
	}
}
