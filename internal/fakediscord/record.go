package fakediscord

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Message is a message the fake created, in its current state (after any
// edits). Values returned by Server methods are copies.
type Message struct {
	ID       string
	Channel  string // channel id, or "webhook:<id>" for a webhook's message
	Webhook  string // webhook id; empty for a bot's channel message
	ThreadID string // thread_id of a webhook post, if any

	Content            string
	Embeds             []discordgo.MessageEmbed
	RawEmbeds          json.RawMessage // the "embeds" array as last sent; nil if none
	AllowedMentions    *discordgo.MessageAllowedMentions
	RawAllowedMentions json.RawMessage // "allowed_mentions" as last sent; nil if none
	Nonce              string          // the nonce (integers in decimal); empty if none
	Username           string          // webhook username override
	AvatarURL          string          // webhook avatar override
	Flags              int64
	TTS                bool
	Files              []string // file names of multipart "files[n]" parts

	Body    []byte   // the JSON payload that created it
	Edits   [][]byte // JSON payloads of the PATCHes applied, in order
	Created time.Time
	Edited  time.Time // zero if never edited
}

// Rejection is a request the fake refused because the client got it wrong:
// an invalid body (400), a bad token (401), an unknown route, method or
// message (404/405). Injected faults, Forbid and rate limits are not
// rejections.
type Rejection struct {
	Method string
	Path   string // request path, tokens included
	Target string // channel id or "webhook:<id>"; empty if unknown
	Status int
	Code   int             // Discord's JSON error code
	Reason string          // human-readable, one line per problem joined by "; "
	Errors json.RawMessage // Discord's "errors" object, if any
	Body   []byte          // the request body
}

func (m Message) clone() Message {
	c := m
	c.RawEmbeds = bytes.Clone(m.RawEmbeds)
	c.RawAllowedMentions = bytes.Clone(m.RawAllowedMentions)
	c.Files = slices.Clone(m.Files)
	c.Body = bytes.Clone(m.Body)
	c.Edits = make([][]byte, len(m.Edits))
	for i, e := range m.Edits {
		c.Edits[i] = bytes.Clone(e)
	}
	c.Embeds, c.AllowedMentions = nil, nil
	if len(c.RawEmbeds) > 0 {
		// Decoding again gives the copy its own pointers; the raw value was
		// schema-checked, so this cannot fail in practice.
		_ = json.Unmarshal(c.RawEmbeds, &c.Embeds)
	}
	if len(c.RawAllowedMentions) > 0 {
		_ = json.Unmarshal(c.RawAllowedMentions, &c.AllowedMentions)
	}
	return c
}

// apply sets the fields a create or edit payload carries. A key sent as
// null clears the field, as on Discord.
func (m *Message) apply(p *payload) {
	if _, ok := p.keys["content"]; ok {
		m.Content = ""
		if p.Content != nil {
			m.Content = *p.Content
		}
	}
	if raw, ok := p.keys["embeds"]; ok {
		m.RawEmbeds = nil
		if string(raw) != "null" && string(raw) != "[]" {
			m.RawEmbeds = bytes.Clone(raw)
		}
	}
	if raw, ok := p.keys["allowed_mentions"]; ok {
		m.RawAllowedMentions = nil
		if string(raw) != "null" {
			m.RawAllowedMentions = bytes.Clone(raw)
		}
	}
	if p.Flags != nil {
		m.Flags = *p.Flags
	}
	if p.TTS != nil {
		m.TTS = *p.TTS
	}
	if p.Username != nil {
		m.Username = *p.Username
	}
	if p.AvatarURL != nil {
		m.AvatarURL = *p.AvatarURL
	}
}

// wire is the message object Discord returns, enough for
// discordgo.Message to unmarshal.
func (m Message) wire(channelID string) map[string]any {
	author := map[string]any{"id": botUserID, "username": "natowatch-fake", "discriminator": "0000",
		"global_name": nil, "avatar": nil, "bot": true}
	if m.Webhook != "" {
		name := m.Username
		if name == "" {
			name = "fake webhook"
		}
		author = map[string]any{"id": m.Webhook, "username": name, "discriminator": "0000",
			"avatar": nil, "bot": true}
	}
	embeds := []any{}
	if len(m.RawEmbeds) > 0 {
		var list []map[string]any
		_ = json.Unmarshal(m.RawEmbeds, &list)
		for _, e := range list {
			embeds = append(embeds, normaliseEmbed(e))
		}
	}
	var edited any
	if !m.Edited.IsZero() {
		edited = m.Edited.UTC().Format(time.RFC3339Nano)
	}
	out := map[string]any{
		"id": m.ID, "type": 0, "channel_id": channelID, "content": m.Content,
		"author": author, "attachments": []any{}, "embeds": embeds, "mentions": []any{},
		"mention_roles": []any{}, "pinned": false, "mention_everyone": false, "tts": m.TTS,
		"timestamp": m.Created.UTC().Format(time.RFC3339Nano), "edited_timestamp": edited,
		"flags": m.Flags, "components": []any{},
	}
	if m.Webhook != "" {
		out["webhook_id"] = m.Webhook
		out["application_id"] = m.Webhook
	}
	if m.Nonce != "" {
		out["nonce"] = m.Nonce
	}
	return out
}

// normaliseEmbed drops nulls and sets the type as Discord does in replies.
func normaliseEmbed(e map[string]any) map[string]any {
	for k, v := range e {
		switch v := v.(type) {
		case nil:
			delete(e, k)
		case map[string]any:
			e[k] = normaliseEmbed(v)
		}
	}
	if _, ok := e["type"]; !ok {
		e["type"] = "rich"
	}
	return e
}

const (
	botUserID      = "1000000000000000001"
	discordEpochMs = 1420070400000
)

// nextID returns a snowflake for now, strictly increasing. Caller holds mu.
func (s *Server) nextID(now time.Time) string {
	id := uint64(now.UnixMilli()-discordEpochMs) << 22
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatUint(id, 10)
}

// Messages returns every message created, in order of creation, each in its
// current state.
func (s *Server) Messages() []Message {
	return s.MessagesIn("")
}

// MessagesIn returns the messages created in a channel (its id) or by a
// webhook ("webhook:<id>", or the bare webhook id), in order. An empty
// target means all messages.
func (s *Server) MessagesIn(target string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if target == "" || m.Channel == target || (m.Webhook != "" && m.Webhook == strings.TrimPrefix(target, "webhook:")) {
			out = append(out, m.clone())
		}
	}
	return out
}

// MessageCount returns how many messages were created: cheap enough to
// poll while a test sends (Messages copies them all, under the lock every
// request takes).
func (s *Server) MessageCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages)
}

// Rejections returns the requests refused as client errors, in order.
func (s *Server) Rejections() []Rejection {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Rejection, len(s.rejections))
	for i, r := range s.rejections {
		r.Body = bytes.Clone(r.Body)
		r.Errors = bytes.Clone(r.Errors)
		out[i] = r
	}
	return out
}

// Requests returns how many HTTP requests the fake has received.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Count429 returns how many 429 responses the fake has sent, injected ones
// included.
func (s *Server) Count429() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count429
}
