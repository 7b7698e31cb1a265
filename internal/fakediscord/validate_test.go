package fakediscord_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/natowatch/natowatch/internal/fakediscord"
)

func rep(s string, n int) string { return strings.Repeat(s, n) }

// jsonStr quotes s as a JSON string.
func jsonStr(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func fields(n int) string {
	var fs []string
	for i := range n {
		fs = append(fs, fmt.Sprintf(`{"name":"n%d","value":"v"}`, i))
	}
	return "[" + strings.Join(fs, ",") + "]"
}

func TestValidationRejects(t *testing.T) {
	cases := []struct {
		name    string
		webhook bool   // post to a webhook instead of a channel
		body    string // JSON
		code    int    // Discord error code
		path    string // where in "errors" the problem sits, dotted
		errCode string // the code inside "_errors"
	}{
		{"title 257", false, `{"embeds":[{"title":` + jsonStr(rep("a", 257)) + `}]}`, 50035, "embeds.0.title", "BASE_TYPE_MAX_LENGTH"},
		{"webhook title 257", true, `{"embeds":[{"title":` + jsonStr(rep("a", 257)) + `}]}`, 50035, "embeds.0.title", "BASE_TYPE_MAX_LENGTH"},
		{"content 2001 runes (schema allows 4000)", false, `{"content":` + jsonStr(rep("é", 2001)) + `}`, 50035, "content", "BASE_TYPE_MAX_LENGTH"},
		{"11 embeds", false, `{"embeds":[` + strings.TrimSuffix(rep(`{"title":"t"},`, 11), ",") + `]}`, 50035, "embeds", "BASE_TYPE_MAX_LENGTH"},
		{"description 4097", false, `{"embeds":[{"description":` + jsonStr(rep("d", 4097)) + `}]}`, 50035, "embeds.0.description", "BASE_TYPE_MAX_LENGTH"},
		{"26 fields", false, `{"embeds":[{"fields":` + fields(26) + `}]}`, 50035, "embeds.0.fields", "BASE_TYPE_MAX_LENGTH"},
		{"field name 257", false, `{"embeds":[{"fields":[{"name":` + jsonStr(rep("n", 257)) + `,"value":"v"}]}]}`, 50035, "embeds.0.fields.0.name", "BASE_TYPE_MAX_LENGTH"},
		{"field value 1025", true, `{"embeds":[{"fields":[{"name":"n","value":` + jsonStr(rep("v", 1025)) + `}]}]}`, 50035, "embeds.0.fields.0.value", "BASE_TYPE_MAX_LENGTH"},
		{"field name empty", false, `{"embeds":[{"fields":[{"name":"","value":"v"}]}]}`, 50035, "embeds.0.fields.0.name", "BASE_TYPE_REQUIRED"},
		{"field value missing", false, `{"embeds":[{"fields":[{"name":"n"}]}]}`, 50035, "embeds.0.fields.0.value", "BASE_TYPE_REQUIRED"},
		{"field is a string", false, `{"embeds":[{"title":"t","fields":["n: v"]}]}`, 50035, "embeds.0.fields.0", "MODEL_TYPE_CONVERT"},
		{"footer 2049", false, `{"embeds":[{"footer":{"text":` + jsonStr(rep("f", 2049)) + `}}]}`, 50035, "embeds.0.footer.text", "BASE_TYPE_MAX_LENGTH"},
		{"author 257", false, `{"embeds":[{"author":{"name":` + jsonStr(rep("a", 257)) + `}}]}`, 50035, "embeds.0.author.name", "BASE_TYPE_MAX_LENGTH"},
		{"embeds over 6000 together", false, `{"embeds":[{"description":` + jsonStr(rep("d", 4000)) + `},{"description":` + jsonStr(rep("d", 2001)) + `}]}`, 50035, "embeds", "MAX_EMBED_SIZE_EXCEEDED"},
		{"empty message", false, `{}`, 50006, "", ""},
		{"blank content", true, `{"content":"  \n"}`, 50006, "", ""},
		{"null content, empty embeds", false, `{"content":null,"embeds":[]}`, 50006, "", ""},
		{"unknown parse value", false, `{"content":"x","allowed_mentions":{"parse":["here"]}}`, 50035, "allowed_mentions.parse.0", "ENUM_TYPE_COERCE"},
		{"parse users with users", false, `{"content":"x","allowed_mentions":{"parse":["users"],"users":["1"]}}`, 50035, "allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"},
		{"parse roles with roles", true, `{"content":"x","allowed_mentions":{"parse":["roles","everyone"],"roles":["2"]}}`, 50035, "allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"},
		{"user id not a snowflake", false, `{"content":"x","allowed_mentions":{"users":["bob"]}}`, 50035, "allowed_mentions.users.0", "NUMBER_TYPE_COERCE"},
		{"relative embed url", false, `{"embeds":[{"title":"t","url":"/cps/en/natohq/news.htm"}]}`, 50035, "embeds.0.url", "URL_TYPE_INVALID_URL"},
		{"bad embed timestamp", false, `{"embeds":[{"title":"t","timestamp":"2 Nov 2017"}]}`, 50035, "embeds.0.timestamp", "DATE_TIME_TYPE_PARSE"},
		{"colour out of range", false, `{"embeds":[{"title":"t","color":16777216}]}`, 50035, "embeds.0.color", "SCHEMA_MAXIMUM"},
		{"nonce 26 chars", false, `{"content":"x","nonce":` + jsonStr(rep("n", 26)) + `}`, 50035, "nonce", "BASE_TYPE_MAX_LENGTH"},
		{"content a number", false, `{"content":5}`, 50035, "content", "BASE_TYPE_STRING"},
		{"webhook username with discord", true, `{"content":"x","username":"Discord news"}`, 50035, "username", "USERNAME_INVALID_CONTAINS"},
		{"invalid JSON", false, `{"content":`, 50109, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := fakediscord.New(t)
			url := srv.API() + "/channels/9/messages"
			if c.webhook {
				url = srv.WebhookURL("8", "tok") + "?wait=true"
			}
			r := do(t, "POST", url, c.body)
			eb := r.errorBody(t)
			if r.status != 400 || eb.Code != c.code {
				t.Fatalf("got %d %s, want 400 code %d", r.status, r.body, c.code)
			}
			if c.code == 50035 {
				if eb.Message != "Invalid Form Body" {
					t.Errorf("message %q", eb.Message)
				}
				if got := errorCodesAt(t, eb.Errors, c.path); !contains(got, c.errCode) {
					t.Errorf("errors at %q = %v, want %s; errors %s", c.path, got, c.errCode, eb.Errors)
				}
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("%d messages created", n)
			}
			rej := srv.Rejections()
			if len(rej) != 1 || rej[0].Status != 400 || rej[0].Code != c.code || rej[0].Reason == "" || string(rej[0].Body) != c.body {
				t.Fatalf("rejections = %+v", rej)
			}
			if c.path != "" && !strings.Contains(rej[0].Reason, c.path) {
				t.Errorf("reason %q does not name %s", rej[0].Reason, c.path)
			}
		})
	}
}

// errorCodesAt returns the codes of the "_errors" list at a dotted path
// of Discord's nested errors object.
func errorCodesAt(t *testing.T, raw json.RawMessage, path string) []string {
	t.Helper()
	var node map[string]json.RawMessage
	if err := json.Unmarshal(raw, &node); err != nil {
		t.Fatalf("errors %s: %v", raw, err)
	}
	if path != "" {
		for _, seg := range strings.Split(path, ".") {
			if err := json.Unmarshal(node[seg], &node); err != nil {
				return nil
			}
		}
	}
	var list []struct{ Code, Message string }
	_ = json.Unmarshal(node["_errors"], &list)
	var codes []string
	for _, e := range list {
		if e.Message == "" {
			t.Errorf("error %s has no message", e.Code)
		}
		codes = append(codes, e.Code)
	}
	return codes
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestValidationAcceptsLimits(t *testing.T) {
	full := `{"title":` + jsonStr(rep("t", 256)) + `,"description":` + jsonStr(rep("d", 1000)) +
		`,"fields":` + fields(25) + `,"footer":{"text":` + jsonStr(rep("f", 100)) + `},"author":{"name":` + jsonStr(rep("a", 256)) + `}}`
	cases := []struct{ name, body string }{
		{"content 2000 multibyte runes", `{"content":` + jsonStr(rep("é", 2000)) + `}`},
		{"embeds at limits", `{"embeds":[` + full + `]}`},
		{"embeds exactly 6000", `{"embeds":[{"description":` + jsonStr(rep("d", 4000)) + `},{"description":` + jsonStr(rep("d", 2000)) + `}]}`},
		{"parse empty", `{"content":"@everyone","allowed_mentions":{"parse":[]}}`},
		{"parse everyone with users", `{"content":"x","allowed_mentions":{"parse":["everyone"],"users":["1"]}}`},
		{"integer nonce", `{"content":"x","nonce":12345,"enforce_nonce":true}`},
		{"nulls everywhere", `{"content":"x","embeds":null,"components":null,"sticker_ids":null,"allowed_mentions":null,"tts":false}`},
		{"unknown keys ignored", `{"content":"x","ID":"1","Channel":"2"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := fakediscord.New(t)
			if r := do(t, "POST", srv.API()+"/channels/9/messages", c.body); r.status != 200 {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			noRejections(t, srv)
		})
	}
}

// TestDiscordgoPayloadsValidate checks that what discordgo's own structs
// marshal to (nulls for nil slices included) passes the schemas.
func TestDiscordgoPayloadsValidate(t *testing.T) {
	srv := fakediscord.New(t)
	s := session(t, srv)
	embed := &discordgo.MessageEmbed{
		URL: "https://www.nato.int/", Title: "t", Description: "d", Timestamp: "2025-01-02T03:04:05Z", Color: 1,
		Footer:    &discordgo.MessageEmbedFooter{Text: "f", IconURL: "https://www.nato.int/i.png"},
		Image:     &discordgo.MessageEmbedImage{URL: "https://www.nato.int/i.png"},
		Thumbnail: &discordgo.MessageEmbedThumbnail{URL: "https://www.nato.int/i.png"},
		Author:    &discordgo.MessageEmbedAuthor{Name: "NATO", URL: "https://www.nato.int/"},
		Fields:    []*discordgo.MessageEmbedField{{Name: "n", Value: "v", Inline: true}},
	}
	msg, err := s.ChannelMessageSendComplex("1", &discordgo.MessageSend{Content: "c", Embeds: []*discordgo.MessageEmbed{embed},
		AllowedMentions: &discordgo.MessageAllowedMentions{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChannelMessageSendEmbed("1", embed); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChannelMessageEditEmbed("1", msg.ID, embed); err != nil {
		t.Fatal(err)
	}
	wm, err := s.WebhookExecute("2", "t", true, &discordgo.WebhookParams{Embeds: []*discordgo.MessageEmbed{embed}, AvatarURL: "https://www.nato.int/a.png"})
	if err != nil {
		t.Fatal(err)
	}
	c := "new"
	if _, err := s.WebhookMessageEdit("2", "t", wm.ID, &discordgo.WebhookEdit{Content: &c}); err != nil {
		t.Fatal(err)
	}
	noRejections(t, srv)
	if n := len(srv.Messages()); n != 3 {
		t.Errorf("%d messages, want 3", n)
	}
}

func TestEditValidation(t *testing.T) {
	srv := fakediscord.New(t)
	r := do(t, "POST", srv.API()+"/channels/9/messages", `{"content":"ok"}`)
	var m discordgo.Message
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatal(err)
	}
	r = do(t, "PATCH", srv.API()+"/channels/9/messages/"+m.ID, `{"embeds":[{"title":`+jsonStr(rep("a", 300))+`}]}`)
	if r.status != 400 || r.errorBody(t).Code != 50035 {
		t.Fatalf("over-long edit: %d %s", r.status, r.body)
	}
	got := srv.Messages()[0]
	if got.Content != "ok" || len(got.Embeds) != 0 || len(got.Edits) != 0 {
		t.Errorf("message changed by a rejected edit: %+v", got)
	}
	if rej := srv.Rejections(); len(rej) != 1 || !strings.Contains(rej[0].Reason, "MessageEditRequestPartial") {
		t.Errorf("rejections = %+v", rej)
	}
}

func TestContentTypeInvalid(t *testing.T) {
	srv := fakediscord.New(t)
	r := do(t, "POST", srv.API()+"/channels/9/messages", `{"content":"x"}`, "Content-Type", "text/plain")
	if eb := r.errorBody(t); r.status != 400 || !contains(errorCodesAt(t, eb.Errors, ""), "CONTENT_TYPE_INVALID") {
		t.Errorf("got %d %s", r.status, r.body)
	}
}
