package fakediscord

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Discord's documented message and embed limits
// (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
const (
	maxContent        = 2000 // for bots and webhooks; the spec's 4000 is for Nitro users
	maxEmbeds         = 10
	maxTitle          = 256
	maxDescription    = 4096
	maxFields         = 25
	maxFieldName      = 256
	maxFieldValue     = 1024
	maxFooterText     = 2048
	maxAuthorName     = 256
	maxEmbedTotal     = 6000
	maxWebhookName    = 80
	discordEmptyCode  = 50006
	discordFormCode   = 50035
	discordJSONCode   = 50109
	discordEmptyError = "Cannot send an empty message"
)

// payload is the part of a create or edit body the fake interprets. Pointers
// and raw values tell "absent" from "null" apart where edits need it.
type payload struct {
	Content         *string           `json:"content"`
	Embeds          []embed           `json:"embeds"`
	AllowedMentions *allowedMentions  `json:"allowed_mentions"`
	Components      []json.RawMessage `json:"components"`
	StickerIDs      []string          `json:"sticker_ids"`
	Attachments     []json.RawMessage `json:"attachments"`
	Poll            json.RawMessage   `json:"poll"`
	Nonce           json.RawMessage   `json:"nonce"`
	EnforceNonce    *bool             `json:"enforce_nonce"`
	TTS             *bool             `json:"tts"`
	Flags           *int64            `json:"flags"`
	Username        *string           `json:"username"`
	AvatarURL       *string           `json:"avatar_url"`
	ThreadName      *string           `json:"thread_name"`

	keys map[string]json.RawMessage // every top-level key as sent
}

type embed struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
	Fields      []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields"`
	Footer *struct {
		Text *string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name *string `json:"name"`
	} `json:"author"`
}

type allowedMentions struct {
	Parse []*string `json:"parse"`
	Users []*string `json:"users"`
	Roles []*string `json:"roles"`
}

func parsePayload(body []byte) (*payload, error) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &p.keys); err != nil {
		return nil, err
	}
	return &p, nil
}

// has reports whether the body carried key with a non-null value.
func (p *payload) has(key string) bool {
	v, ok := p.keys[key]
	return ok && string(v) != "null"
}

// nonce returns the nonce as a string (integers in their decimal form) and
// whether one was sent.
func (p *payload) nonce() (string, bool) {
	if len(p.Nonce) == 0 || string(p.Nonce) == "null" {
		return "", false
	}
	var s string
	if json.Unmarshal(p.Nonce, &s) == nil {
		return s, true
	}
	return string(p.Nonce), true
}

// checkLimits enforces what the schema does not (or not at Discord's bot
// values): content length in runes, the 6000-character embed total,
// non-empty field names and values, exclusive allowed_mentions, and webhook
// usernames Discord refuses.
func checkLimits(p *payload) []problem {
	var probs []problem
	add := func(code, msg string, path ...string) {
		probs = append(probs, problem{path: path, code: code, message: msg})
	}
	maxLen := func(s *string, n int, path ...string) int {
		if s == nil {
			return 0
		}
		l := utf8.RuneCountInString(*s)
		if l > n {
			add("BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", n), path...)
		}
		return l
	}
	maxLen(p.Content, maxContent, "content")
	if len(p.Embeds) > maxEmbeds {
		add("BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", maxEmbeds), "embeds")
	}
	total := 0
	for i, e := range p.Embeds {
		ei := strconv.Itoa(i)
		total += maxLen(e.Title, maxTitle, "embeds", ei, "title")
		total += maxLen(e.Description, maxDescription, "embeds", ei, "description")
		if len(e.Fields) > maxFields {
			add("BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", maxFields), "embeds", ei, "fields")
		}
		for j, f := range e.Fields {
			fj := strconv.Itoa(j)
			for _, kv := range []struct {
				name, val string
				max       int
			}{{"name", f.Name, maxFieldName}, {"value", f.Value, maxFieldValue}} {
				if kv.val == "" {
					add("BASE_TYPE_REQUIRED", "This field is required", "embeds", ei, "fields", fj, kv.name)
				}
				total += maxLen(&kv.val, kv.max, "embeds", ei, "fields", fj, kv.name)
			}
		}
		if e.Footer != nil {
			total += maxLen(e.Footer.Text, maxFooterText, "embeds", ei, "footer", "text")
		}
		if e.Author != nil {
			total += maxLen(e.Author.Name, maxAuthorName, "embeds", ei, "author", "name")
		}
	}
	if total > maxEmbedTotal {
		add("MAX_EMBED_SIZE_EXCEEDED", fmt.Sprintf("Embed size exceeds maximum size of %d", maxEmbedTotal), "embeds")
	}
	if am := p.AllowedMentions; am != nil {
		parse := func(t string) bool {
			return slices.ContainsFunc(am.Parse, func(s *string) bool { return s != nil && *s == t })
		}
		for _, kind := range []struct {
			name string
			ids  []*string
		}{{"users", am.Users}, {"roles", am.Roles}} {
			if parse(kind.name) && len(kind.ids) > 0 {
				add("MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
					fmt.Sprintf("parse:[%q] and %s: [ids...] are mutually exclusive.", kind.name, kind.name),
					"allowed_mentions")
			}
		}
	}
	if p.Username != nil {
		maxLen(p.Username, maxWebhookName, "username")
		lower := strings.ToLower(*p.Username)
		for _, bad := range []string{"clyde", "discord"} {
			if strings.Contains(lower, bad) {
				add("USERNAME_INVALID_CONTAINS", fmt.Sprintf("Username cannot contain %q", bad), "username")
			}
		}
	}
	return probs
}

// notEmpty reports whether a message with this state has something to show:
// Discord answers 50006 "Cannot send an empty message" otherwise.
func notEmpty(content string, embeds int, p *payload, files int) bool {
	return strings.TrimSpace(content) != "" || embeds > 0 || files > 0 ||
		len(p.Components) > 0 || len(p.StickerIDs) > 0 || p.has("poll")
}
