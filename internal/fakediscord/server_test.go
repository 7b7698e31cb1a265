package fakediscord_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/natowatch/natowatch/internal/fakediscord"
)

func TestWebhookExecuteWithDiscordgo(t *testing.T) {
	srv := fakediscord.New(t)
	s := session(t, srv)
	params := &discordgo.WebhookParams{
		Content:  "NATO release",
		Username: "natowatch",
		Embeds: []*discordgo.MessageEmbed{{
			Title:       "Press point",
			URL:         "https://www.nato.int/cps/en/natohq/opinions_1.htm",
			Description: "Secretary General's press point",
			Timestamp:   "2017-11-02T10:00:00Z",
			Color:       0x004990,
			Fields:      []*discordgo.MessageEmbedField{{Name: "Type", Value: "Speech", Inline: true}},
			Footer:      &discordgo.MessageEmbedFooter{Text: "nato.int"},
		}},
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	}
	msg, err := s.WebhookExecute("111", "tok", true, params)
	if err != nil {
		t.Fatal(err)
	}
	if msg.ID == "" || msg.WebhookID != "111" || msg.Content != "NATO release" || msg.Timestamp.IsZero() {
		t.Errorf("reply message = %+v", msg)
	}
	if len(msg.Embeds) != 1 || msg.Embeds[0].Title != "Press point" || msg.Embeds[0].Type != "rich" {
		t.Errorf("reply embeds = %+v", msg.Embeds)
	}
	if msg.Author == nil || msg.Author.Username != "natowatch" {
		t.Errorf("reply author = %+v", msg.Author)
	}

	got := srv.MessagesIn("webhook:111")
	if len(got) != 1 {
		t.Fatalf("MessagesIn(webhook:111) = %d messages, want 1", len(got))
	}
	m := got[0]
	if m.ID != msg.ID || m.Channel != "webhook:111" || m.Webhook != "111" || m.Username != "natowatch" {
		t.Errorf("recorded %+v", m)
	}
	if len(m.Embeds) != 1 || m.Embeds[0].Footer == nil || m.Embeds[0].Footer.Text != "nato.int" || len(m.Embeds[0].Fields) != 1 {
		t.Errorf("recorded embeds = %+v", m.Embeds)
	}
	if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 ||
		string(m.RawAllowedMentions) != `{"parse":[],"replied_user":false}` {
		t.Errorf("allowed mentions = %+v raw %s", m.AllowedMentions, m.RawAllowedMentions)
	}
	if len(srv.MessagesIn("111")) != 1 || len(srv.MessagesIn("222")) != 0 {
		t.Error("MessagesIn by bare webhook id")
	}
	noRejections(t, srv)
}

func TestWebhookWithoutWaitAnswers204(t *testing.T) {
	srv := fakediscord.New(t)
	url := srv.WebhookURL("333", "secret")
	if !strings.HasPrefix(url, srv.URL+"/api/webhooks/333/secret") {
		t.Fatalf("WebhookURL = %s", url)
	}
	r := do(t, "POST", url, `{"content":"hi"}`, "Authorization", "")
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("status %d body %q, want 204 and no body", r.status, r.body)
	}
	r = do(t, "POST", url+"?wait=true&thread_id=444", `{"content":"in thread"}`, "Authorization", "")
	var m discordgo.Message
	if err := json.Unmarshal(r.body, &m); err != nil || r.status != 200 {
		t.Fatalf("status %d, %v: %s", r.status, err, r.body)
	}
	if m.ChannelID != "444" {
		t.Errorf("channel_id = %q, want the thread 444", m.ChannelID)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 || msgs[1].ThreadID != "444" || msgs[0].Content != "hi" {
		t.Errorf("messages = %+v", msgs)
	}
	// A registered webhook takes only its own token.
	r = do(t, "POST", srv.URL+"/api/v10/webhooks/333/wrong", `{"content":"x"}`)
	if r.status != http.StatusUnauthorized || r.errorBody(t).Code != 50027 {
		t.Errorf("wrong webhook token: %d %s", r.status, r.body)
	}
}

func TestChannelMessageWithRequestWithBucketID(t *testing.T) {
	srv := fakediscord.New(t)
	s, err := discordgo.New("Bot test-token")
	if err != nil {
		t.Fatal(err)
	}
	payload := map[string]any{
		"content": "hello",
		"embeds": []map[string]any{{"title": "T", "description": "D",
			"fields": []map[string]any{{"name": "n", "value": "v"}}}},
		"allowed_mentions": map[string]any{"parse": []string{}},
	}
	body, err := s.RequestWithBucketID("POST", srv.API()+"/channels/123/messages", payload, discordgo.EndpointChannelMessages("123"))
	if err != nil {
		t.Fatal(err)
	}
	var m discordgo.Message
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m.ID == "" || m.ChannelID != "123" || m.Content != "hello" || len(m.Embeds) != 1 || m.Author == nil || !m.Author.Bot {
		t.Errorf("reply = %+v", m)
	}
	got := srv.MessagesIn("123")
	if len(got) != 1 || got[0].ID != m.ID || got[0].Webhook != "" || got[0].Embeds[0].Fields[0].Value != "v" {
		t.Fatalf("recorded = %+v", got)
	}
	if srv.Requests() != 1 {
		t.Errorf("Requests() = %d, want 1", srv.Requests())
	}
	noRejections(t, srv)
}

func TestChannelSendEditGetWithDiscordgo(t *testing.T) {
	srv := fakediscord.New(t)
	s := session(t, srv)
	msg, err := s.ChannelMessageSendComplex("555", &discordgo.MessageSend{
		Content:   "first",
		Embeds:    []*discordgo.MessageEmbed{{Title: "one"}},
		Reference: &discordgo.MessageReference{MessageID: "1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	edited, err := s.ChannelMessageEditComplex(discordgo.NewMessageEdit("555", msg.ID).SetContent("second"))
	if err != nil {
		t.Fatal(err)
	}
	if edited.Content != "second" || edited.EditedTimestamp == nil || len(edited.Embeds) != 1 {
		t.Errorf("edit reply = %+v", edited)
	}
	fetched, err := s.ChannelMessage("555", msg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fetched.Content != "second" {
		t.Errorf("fetched content %q", fetched.Content)
	}
	m := srv.Messages()[0]
	if m.Content != "second" || len(m.Edits) != 1 || !strings.Contains(string(m.Edits[0]), `"second"`) ||
		!strings.Contains(string(m.Body), `"first"`) || m.Edited.IsZero() {
		t.Errorf("recorded after edit = %+v", m)
	}
	// Unknown message, and a message of another channel.
	if _, err := s.ChannelMessageEdit("555", "999", "x"); restError(t, err).Message.Code != 10008 {
		t.Errorf("edit of unknown message: %v", err)
	}
	if _, err := s.ChannelMessage("556", msg.ID); restError(t, err).Response.StatusCode != 404 {
		t.Errorf("get from wrong channel: %v", err)
	}
	if n := len(srv.Rejections()); n != 2 {
		t.Errorf("%d rejections, want 2 (the two unknown messages)", n)
	}
}

func TestWebhookMessageEdit(t *testing.T) {
	srv := fakediscord.New(t)
	s := session(t, srv)
	a, err := s.WebhookExecute("10", "a", true, &discordgo.WebhookParams{Content: "a"})
	if err != nil {
		t.Fatal(err)
	}
	content := "a, edited"
	embeds := []*discordgo.MessageEmbed{{Title: "now with embed"}}
	m, err := s.WebhookMessageEdit("10", "a", a.ID, &discordgo.WebhookEdit{Content: &content, Embeds: &embeds})
	if err != nil {
		t.Fatal(err)
	}
	if m.Content != content || len(m.Embeds) != 1 {
		t.Errorf("edit reply = %+v", m)
	}
	// Another webhook may not edit it.
	if _, err := s.WebhookExecute("20", "b", false, &discordgo.WebhookParams{Content: "b"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.WebhookMessageEdit("20", "b", a.ID, &discordgo.WebhookEdit{Content: &content})
	if re := restError(t, err); re.Response.StatusCode != 404 || re.Message.Code != 10008 {
		t.Errorf("cross-webhook edit: %v", err)
	}
	// Clearing content while embeds remain is fine; clearing both is not.
	r := do(t, "PATCH", srv.URL+"/api/webhooks/10/a/messages/"+a.ID, `{"content":null}`)
	if r.status != 200 {
		t.Errorf("clear content: %d %s", r.status, r.body)
	}
	r = do(t, "PATCH", srv.URL+"/api/webhooks/10/a/messages/"+a.ID, `{"embeds":[]}`)
	if r.status != 400 || r.errorBody(t).Code != 50006 {
		t.Errorf("empty edit: %d %s", r.status, r.body)
	}
	got := srv.MessagesIn("webhook:10")[0]
	if got.Content != "" || len(got.Embeds) != 1 || len(got.Edits) != 2 {
		t.Errorf("after edits: content %q, %d embeds, %d edits", got.Content, len(got.Embeds), len(got.Edits))
	}
}

func TestAuthAndRoutes(t *testing.T) {
	srv := fakediscord.New(t, fakediscord.WithToken("sekrit"))
	cases := []struct {
		name, method, path, auth string
		status, code             int
		message                  string
	}{
		{"no token", "POST", "/api/v10/channels/1/messages", "-", 401, 0, "401: Unauthorized"},
		{"default token", "POST", "/api/v10/channels/1/messages", "Bot test-token", 401, 0, "401: Unauthorized"},
		{"token without Bot", "POST", "/api/v10/channels/1/messages", "sekrit", 401, 0, "401: Unauthorized"},
		{"unknown route", "GET", "/api/v10/users/@me/guilds", "Bot sekrit", 404, 0, "404: Not Found"},
		{"other version", "POST", "/api/v8/channels/1/messages", "Bot sekrit", 404, 0, "404: Not Found"},
		{"outside api", "GET", "/", "Bot sekrit", 404, 0, "404: Not Found"},
		{"wrong method", "DELETE", "/api/channels/1/messages", "Bot sekrit", 405, 0, "405: Method Not Allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			auth := c.auth
			if auth == "-" {
				auth = ""
			}
			r := do(t, c.method, srv.URL+c.path, `{"content":"x"}`, "Authorization", auth)
			eb := r.errorBody(t)
			if r.status != c.status || eb.Code != c.code || eb.Message != c.message {
				t.Errorf("got %d %s, want %d %q code %d", r.status, r.body, c.status, c.message, c.code)
			}
		})
	}
	if n := len(srv.Rejections()); n != len(cases) {
		t.Errorf("%d rejections, want %d", n, len(cases))
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages created", n)
	}
	r := do(t, "POST", srv.URL+"/api/channels/1/messages", `{"content":"x"}`, "Authorization", "Bot sekrit")
	if r.status != 200 {
		t.Errorf("unversioned route with right token: %d %s", r.status, r.body)
	}
}

func TestGateway(t *testing.T) {
	srv := fakediscord.New(t)
	s := session(t, srv)
	url, err := s.Gateway()
	// discordgo appends a slash to the URL it is given.
	want := "ws" + strings.TrimPrefix(srv.URL, "http") + "/gateway/"
	if err != nil || url != want || srv.GatewayURL()+"/" != want {
		t.Errorf("Gateway() = %q, %v; want %q", url, err, want)
	}
	gb, err := s.GatewayBot()
	if err != nil || gb.URL != want || gb.Shards != 1 {
		t.Errorf("GatewayBot() = %+v, %v", gb, err)
	}
}

func TestMultipartPayloadJSON(t *testing.T) {
	srv := fakediscord.New(t)
	s := session(t, srv)
	_, err := s.WebhookExecute("77", "t", true, &discordgo.WebhookParams{
		Content: "with file",
		Files:   []*discordgo.File{{Name: "release.txt", Reader: strings.NewReader("text")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := srv.Messages()[0]
	if m.Content != "with file" || len(m.Files) != 1 || m.Files[0] != "release.txt" {
		t.Errorf("recorded %+v", m)
	}
	noRejections(t, srv)
}

func TestClientRefusesOtherHosts(t *testing.T) {
	srv := fakediscord.New(t)
	_, err := srv.Client().Get("https://example.com/")
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("request to example.com: %v", err)
	}
}
