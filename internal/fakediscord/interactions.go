package fakediscord

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// ApplicationID is the fake application's id. As for bots made since
// 2017 it equals the bot user's id, BotUserID, which READY carries as
// user.id and application.id.
const ApplicationID = botUserID

// BotUserID is the fake bot user's id.
const BotUserID = botUserID

const (
	defaultInteractionDeadline = 3 * time.Second
	interactionTokenTTL        = 15 * time.Minute
	// DefaultUserID is the user an InteractionSpec without UserID comes from.
	DefaultUserID = "2000000000000000001"
	// DefaultAppPermissions is the app_permissions an InteractionSpec sends
	// unless told otherwise: VIEW_CHANNEL, SEND_MESSAGES, EMBED_LINKS,
	// ATTACH_FILES, READ_MESSAGE_HISTORY, ADD_REACTIONS, USE_EXTERNAL_EMOJIS
	// and SEND_MESSAGES_IN_THREADS.
	DefaultAppPermissions int64 = 1<<10 | 1<<11 | 1<<14 | 1<<15 | 1<<16 | 1<<6 | 1<<18 | 1<<38
)

// Message flags the fake interprets.
const (
	flagSuppressEmbeds = 1 << 2
	flagEphemeral      = 1 << 6
	flagLoading        = 1 << 7
)

// WithInteractionDeadline sets how long after dispatch an interaction
// callback is accepted (default 3s, Discord's rule); later ones get 404
// Unknown interaction (10062). Tests of the rule can set it shorter.
func WithInteractionDeadline(d time.Duration) Option {
	return func(c *config) { c.interactionDeadline = d }
}

// InteractionSpec describes a user running an application command.
type InteractionSpec struct {
	// Type is the interaction type: 2 APPLICATION_COMMAND (the default) or
	// 4 APPLICATION_COMMAND_AUTOCOMPLETE (mark the option typed in Focused).
	Type discordgo.InteractionType
	// GuildID is the guild it happens in; empty for a DM with the bot.
	GuildID string
	// ChannelID is required in a guild; in a DM it defaults to the DM
	// channel with the user (opened if need be).
	ChannelID string
	UserID    string // default DefaultUserID
	Username  string // default "user-" + UserID
	Roles     []string
	// Permissions is the member's permissions in the channel (a guild
	// interaction's member.permissions), e.g. 1<<4 MANAGE_CHANNELS or
	// 1<<5 MANAGE_GUILD; 0 sends "0".
	Permissions int64
	// AppPermissions is app_permissions; 0 means DefaultAppPermissions,
	// a negative value sends "0".
	AppPermissions int64
	Locale         string // default "en-US"
	GuildLocale    string // default "en-US"; guild interactions only

	// Command is the command's name (data.name); CommandType its type
	// (default 1 CHAT_INPUT); CommandID its id, by default that of the
	// command registered under that name (the guild's, else the global one).
	Command     string
	CommandType discordgo.ApplicationCommandType
	CommandID   string
	Options     []InteractionOption
	// Unregistered sends the interaction even though no such command is
	// registered (Discord does for a while after a command is deleted).
	// Otherwise Interact refuses it, and checks Options against the
	// registered command: names, types, required options and choices.
	Unregistered bool
}

// InteractionOption is an option the user filled in. Subcommands and
// groups carry Options and no Value.
type InteractionOption struct {
	Name string
	// Type defaults to the registered option's type, or without one to the
	// Value's Go type (string 3, integers 4, bool 5, floats 10; none with
	// Options: 1 SUB_COMMAND).
	Type discordgo.ApplicationCommandOptionType
	// Value: a string (STRING, and the ids of USER, CHANNEL, ROLE,
	// MENTIONABLE and ATTACHMENT options), an integer, a float or a bool.
	Value   any
	Options []InteractionOption
	Focused bool // autocomplete: the option being typed
}

// Interaction is an interaction the fake dispatched; its methods report
// what the bot answered. The exported fields do not change.
type Interaction struct {
	ID            string
	Token         string
	ApplicationID string
	GuildID       string
	ChannelID     string
	UserID        string
	Type          discordgo.InteractionType
	Payload       json.RawMessage // the INTERACTION_CREATE "d" object
	Dispatched    time.Time

	srv      *Server
	deadline time.Duration
	// guarded by srv.mu
	response   *InteractionResponse
	original   *Message
	loading    bool // original is a deferred "thinking" message
	followups  []*Message
	failures   []Rejection
	cbFailures []Rejection
	changed    chan struct{}
}

// InteractionResponse is the callback the bot POSTed to
// /interactions/{id}/{token}/callback and the fake accepted.
type InteractionResponse struct {
	// Type: 4 CHANNEL_MESSAGE_WITH_SOURCE, 5 DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
	// 8 APPLICATION_COMMAND_AUTOCOMPLETE_RESULT or 9 MODAL.
	Type            discordgo.InteractionResponseType
	Content         string
	Embeds          []discordgo.MessageEmbed
	AllowedMentions *discordgo.MessageAllowedMentions
	Flags           int64
	Ephemeral       bool                                       // flag 64
	Choices         []discordgo.ApplicationCommandOptionChoice // autocomplete results
	Files           []string                                   // multipart file names
	Body            []byte                                     // the JSON payload (payload_json if multipart)
	Elapsed         time.Duration                              // from dispatch to arrival
}

// CallbackError is Response's error when the fake refused the callback:
// too late (404, 10062), already acknowledged (400, 40060) or invalid.
type CallbackError struct{ Rejection Rejection }

func (e *CallbackError) Error() string {
	return fmt.Sprintf("fakediscord: interaction callback refused: %d (code %d): %s",
		e.Rejection.Status, e.Rejection.Code, e.Rejection.Reason)
}

// Interact dispatches INTERACTION_CREATE for an application command to
// the gateway session of the guild's shard (shard 0 for DMs) and returns
// a handle on it. A session that is disconnected but resumable gets it on
// RESUME; without any session Interact fails.
func (s *Server) Interact(spec InteractionSpec) (*Interaction, error) {
	if spec.Command == "" {
		return nil, errors.New("fakediscord: InteractionSpec.Command is empty")
	}
	if spec.Type == 0 {
		spec.Type = discordgo.InteractionApplicationCommand
	}
	if spec.Type != discordgo.InteractionApplicationCommand && spec.Type != discordgo.InteractionApplicationCommandAutocomplete {
		return nil, fmt.Errorf("fakediscord: interaction type %d not supported", spec.Type)
	}
	if spec.CommandType == 0 {
		spec.CommandType = discordgo.ChatApplicationCommand
	}
	if spec.UserID == "" {
		spec.UserID = DefaultUserID
	}
	if spec.Username == "" {
		spec.Username = "user-" + spec.UserID
	}
	if spec.Locale == "" {
		spec.Locale = "en-US"
	}
	if spec.GuildLocale == "" {
		spec.GuildLocale = "en-US"
	}
	if spec.GuildID != "" && spec.ChannelID == "" {
		return nil, errors.New("fakediscord: InteractionSpec.ChannelID is required in a guild")
	}
	appPerms := spec.AppPermissions
	switch {
	case appPerms == 0:
		appPerms = DefaultAppPermissions
	case appPerms < 0:
		appPerms = 0
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessionFor(spec.GuildID)
	if sess == nil {
		return nil, errors.New("fakediscord: no gateway session to dispatch the interaction to")
	}
	s.users[spec.UserID] = userInfo{id: spec.UserID, username: spec.Username}
	if spec.GuildID == "" && spec.ChannelID == "" {
		spec.ChannelID = s.dmChannelLocked(spec.UserID)
	}
	cmd := s.findCommand(spec.GuildID, spec.Command, int(spec.CommandType))
	if cmd == nil && !spec.Unregistered {
		return nil, fmt.Errorf("fakediscord: no %s command %q registered globally or in guild %q (set Unregistered to send it anyway)",
			cmdTypeName(int(spec.CommandType)), spec.Command, spec.GuildID)
	}
	rb := &resolvedBuilder{s: s, guild: spec.GuildID, perms: spec.Permissions}
	var defs []*discordgo.ApplicationCommandOption
	if cmd != nil {
		defs = cmd.def.Options
	}
	opts, err := buildOptions(defs, cmd != nil, spec.Options, spec.Type == discordgo.InteractionApplicationCommandAutocomplete, rb, "")
	if err != nil {
		return nil, err
	}
	data := map[string]any{"name": spec.Command, "type": spec.CommandType}
	switch {
	case spec.CommandID != "":
		data["id"] = spec.CommandID
	case cmd != nil:
		data["id"] = cmd.id
	default:
		data["id"] = s.nextID(time.Now())
	}
	if cmd != nil && cmd.guild != "" {
		data["guild_id"] = cmd.guild
	}
	if len(opts) > 0 {
		data["options"] = opts
	}
	if r := rb.build(); r != nil {
		data["resolved"] = r
	}

	now := time.Now()
	in := &Interaction{
		ID: s.nextID(now), Token: interactionToken(), ApplicationID: ApplicationID, GuildID: spec.GuildID,
		ChannelID: spec.ChannelID, UserID: spec.UserID, Type: spec.Type,
		srv: s, deadline: s.cfg.interactionDeadline, changed: make(chan struct{}),
	}
	user := s.userObj(spec.UserID)
	d := map[string]any{
		"id": in.ID, "application_id": ApplicationID, "type": spec.Type, "data": data,
		"channel_id": spec.ChannelID, "channel": s.partialChannel(spec.ChannelID, spec.GuildID, spec.Permissions),
		"token": in.Token, "version": 1, "app_permissions": fmt.Sprint(appPerms), "locale": spec.Locale,
		"entitlements": []any{}, "attachment_size_limit": 10 << 20,
	}
	if spec.GuildID != "" {
		roles := spec.Roles
		if roles == nil {
			roles = []string{}
		}
		d["guild_id"] = spec.GuildID
		d["guild_locale"] = spec.GuildLocale
		d["guild"] = map[string]any{"id": spec.GuildID, "locale": spec.GuildLocale, "features": []any{}}
		d["member"] = map[string]any{
			"user": user, "roles": roles, "permissions": fmt.Sprint(spec.Permissions),
			"joined_at": "2024-01-01T00:00:00.000000+00:00", "nick": nil, "avatar": nil, "deaf": false, "mute": false,
			"flags": 0, "pending": false, "premium_since": nil, "communication_disabled_until": nil,
		}
		d["context"] = 0
		d["authorizing_integration_owners"] = map[string]any{"0": spec.GuildID}
	} else {
		d["user"] = user
		d["context"] = 1
		d["authorizing_integration_owners"] = map[string]any{"0": "0"}
	}
	in.Payload = mustJSON(d)
	in.Dispatched = now
	s.interactions[in.ID] = in
	s.interTokens[in.Token] = in
	s.dispatchTo(sess, "INTERACTION_CREATE", in.Payload)
	return in, nil
}

func interactionToken() string {
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	return "aW50ZXJhY3Rpb246" + base64.RawURLEncoding.EncodeToString(b)
}

// notify wakes the waiters. Caller holds srv.mu.
func (i *Interaction) notify() {
	close(i.changed)
	i.changed = make(chan struct{})
}

// waitLocked waits until cond (called with srv.mu held) holds.
func (i *Interaction) waitLocked(timeout time.Duration, cond func() bool) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		i.srv.mu.Lock()
		ok := cond()
		ch := i.changed
		i.srv.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-t.C:
			return false
		case <-i.srv.done:
			return false
		}
	}
}

// Response waits for the bot's callback. It returns the accepted
// response, or a *CallbackError if the fake refused the callback (late,
// duplicate, invalid) before any was accepted, or an error after timeout.
func (i *Interaction) Response(timeout time.Duration) (InteractionResponse, error) {
	var (
		resp InteractionResponse
		err  error
	)
	ok := i.waitLocked(timeout, func() bool {
		switch {
		case i.response != nil:
			resp = *i.response
			resp.Embeds = slices.Clone(resp.Embeds)
			resp.Choices = slices.Clone(resp.Choices)
			resp.Body = bytes.Clone(resp.Body)
			return true
		case len(i.cbFailures) > 0:
			err = &CallbackError{Rejection: i.cbFailures[0]}
			return true
		}
		return false
	})
	if !ok {
		return resp, fmt.Errorf("fakediscord: no response to interaction %s (/%s) within %v", i.ID, i.commandName(), timeout)
	}
	return resp, err
}

func (i *Interaction) commandName() string {
	var d struct {
		Data struct {
			Name string `json:"name"`
		} `json:"data"`
	}
	_ = json.Unmarshal(i.Payload, &d)
	return d.Data.Name
}

// Original returns the original response message in its current state:
// the type 4 reply, or the deferred (type 5) "thinking" message (flag 128
// until the bot edits it or sends its first follow-up). False if there is
// none (yet, or deleted).
func (i *Interaction) Original() (Message, bool) {
	i.srv.mu.Lock()
	defer i.srv.mu.Unlock()
	if i.original == nil {
		return Message{}, false
	}
	return i.original.clone(), true
}

// Followups returns the follow-up messages in their current state, in
// order. As on Discord, the first follow-up after a deferred response
// edits the original instead (see Original) and is not among them.
func (i *Interaction) Followups() []Message {
	i.srv.mu.Lock()
	defer i.srv.mu.Unlock()
	out := make([]Message, len(i.followups))
	for k, m := range i.followups {
		out[k] = m.clone()
	}
	return out
}

// WaitFollowups waits until there are at least n follow-ups.
func (i *Interaction) WaitFollowups(n int, timeout time.Duration) ([]Message, error) {
	if !i.waitLocked(timeout, func() bool { return len(i.followups) >= n }) {
		return i.Followups(), fmt.Errorf("fakediscord: %d follow-ups to interaction %s after %v, want %d", len(i.Followups()), i.ID, timeout, n)
	}
	return i.Followups(), nil
}

// Wait waits until cond holds; cond may call the Interaction's methods.
// It is checked again after every change to the interaction.
func (i *Interaction) Wait(timeout time.Duration, cond func(*Interaction) bool) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		i.srv.mu.Lock()
		ch := i.changed
		i.srv.mu.Unlock()
		if cond(i) {
			return nil
		}
		select {
		case <-ch:
		case <-t.C:
			return fmt.Errorf("fakediscord: interaction %s: condition not met within %v", i.ID, timeout)
		case <-i.srv.done:
			return errClosed
		}
	}
}

// Failures returns the requests about this interaction the fake refused:
// late, duplicate or invalid callbacks, invalid follow-ups and edits.
// They are among Server.Rejections too.
func (i *Interaction) Failures() []Rejection {
	i.srv.mu.Lock()
	defer i.srv.mu.Unlock()
	return slices.Clone(i.failures)
}

// resolveInteraction turns a webhook route whose webhook id is the
// application's into the interaction route of the token's interaction.
func (s *Server) resolveInteraction(rt route) route {
	kinds := map[routeKind]routeKind{webhookExecute: interactionFollowup, webhookMessageGet: interactionMessageGet,
		webhookMessageEdit: interactionMessageEdit, webhookMessageDelete: interactionMessageDelete}
	k, ok := kinds[rt.kind]
	if !ok || rt.major != ApplicationID {
		return rt
	}
	rt.kind = k
	s.mu.Lock()
	if in := s.interTokens[rt.token]; in != nil {
		rt.interaction = in.ID
	}
	s.mu.Unlock()
	return rt
}

// refuse records a refused request, on the interaction too if known, and
// answers it.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, rt route, in *Interaction, callback bool,
	body []byte, status int, eb errorBody, reason string) {
	s.mu.Lock()
	s.record(r, rt, body, status, eb, reason)
	if in != nil {
		rej := s.rejections[len(s.rejections)-1]
		in.failures = append(in.failures, rej)
		if callback {
			in.cbFailures = append(in.cbFailures, rej)
		}
		in.notify()
	}
	s.mu.Unlock()
	writeJSON(w, status, eb)
}

var errUnknownInteraction = errorBody{Message: "Unknown interaction", Code: 10062}

// callbackSchemas maps the callback types an application command or
// autocomplete interaction accepts to their request schemas.
var callbackSchemas = map[discordgo.InteractionType]map[int]string{
	discordgo.InteractionApplicationCommand: {
		4: "CreateMessageInteractionCallbackRequest", 5: "CreateMessageInteractionCallbackRequest",
		9: "ModalInteractionCallbackRequest",
	},
	discordgo.InteractionApplicationCommandAutocomplete: {8: "ApplicationCommandAutocompleteCallbackRequest"},
}

// interactionCallback serves POST /interactions/{id}/{token}/callback.
func (s *Server) interactionCallback(w http.ResponseWriter, r *http.Request, rt route, body []byte) {
	now := time.Now()
	s.mu.Lock()
	in := s.interactions[rt.major]
	if in != nil && in.Token != rt.token {
		in = nil
	}
	var late time.Duration
	acked := false
	if in != nil {
		late = now.Sub(in.Dispatched)
		acked = in.response != nil
	}
	s.mu.Unlock()
	switch {
	case in == nil:
		s.refuse(w, r, rt, nil, true, body, http.StatusNotFound, errUnknownInteraction, "no interaction "+rt.major+" with this token")
		return
	case late > in.deadline:
		s.refuse(w, r, rt, in, true, body, http.StatusNotFound, errUnknownInteraction,
			fmt.Sprintf("callback %v after dispatch, past the %v deadline", late.Round(time.Millisecond), in.deadline))
		return
	case acked:
		s.refuse(w, r, rt, in, true, body, http.StatusBadRequest,
			errorBody{Message: "Interaction has already been acknowledged.", Code: 40060}, "second callback")
		return
	}
	js, files, ebp := readPayload(r, body)
	if ebp != nil {
		s.refuse(w, r, rt, in, true, body, http.StatusBadRequest, *ebp, "unreadable body")
		return
	}
	var head struct {
		Type *int            `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if !json.Valid(js) || json.Unmarshal(js, &head) != nil {
		s.refuse(w, r, rt, in, true, body, http.StatusBadRequest,
			errorBody{Message: "The request body contains invalid JSON.", Code: discordJSONCode}, "invalid JSON")
		return
	}
	formError := func(reason string, probs ...problem) {
		s.refuse(w, r, rt, in, true, body, http.StatusBadRequest,
			errorBody{Message: "Invalid Form Body", Code: discordFormCode, Errors: errorTree(probs)}, reason+": "+joinProblems(probs))
	}
	if head.Type == nil {
		formError("callback", problem{path: []string{"type"}, code: "BASE_TYPE_REQUIRED", message: "This field is required"})
		return
	}
	typ := *head.Type
	schema, ok := callbackSchemas[in.Type][typ]
	if !ok {
		formError("callback", problem{path: []string{"type"}, code: "INTERACTION_CALLBACK_TYPE_INVALID",
			message: fmt.Sprintf("Interaction callback type %d is not valid for an interaction of type %d.", typ, in.Type)})
		return
	}
	probs, err := validateSchema(schema, js)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, errorBody{Message: err.Error()})
		return
	}
	if len(probs) > 0 {
		formError(schema, probs...)
		return
	}
	resp := InteractionResponse{Type: discordgo.InteractionResponseType(typ), Files: files, Body: bytes.Clone(js), Elapsed: late}
	var msg *Message
	if typ == 4 || typ == 5 {
		p := &payload{keys: map[string]json.RawMessage{}}
		if len(head.Data) > 0 && string(head.Data) != "null" {
			if p, err = parsePayload(head.Data); err != nil {
				formError("callback", problem{path: []string{"data"}, code: "BASE_TYPE_INVALID", message: err.Error()})
				return
			}
			if probs := checkLimits(p); len(probs) > 0 {
				for k := range probs {
					probs[k].path = append([]string{"data"}, probs[k].path...)
				}
				formError("callback", probs...)
				return
			}
		}
		msg = &Message{Channel: in.ChannelID, Body: bytes.Clone(head.Data), Files: files}
		msg.apply(p)
		msg.Flags &= flagEphemeral | flagSuppressEmbeds | 1<<12 | 1<<15
		if typ == 4 && !notEmpty(msg.Content, embedCount(msg.RawEmbeds), p, len(files)) {
			s.refuse(w, r, rt, in, true, body, http.StatusBadRequest,
				errorBody{Message: discordEmptyError, Code: discordEmptyCode}, discordEmptyError)
			return
		}
		if typ == 5 {
			msg.Content, msg.RawEmbeds, msg.Files = "", nil, nil
			msg.Flags = msg.Flags&flagEphemeral | flagLoading
		}
		c := msg.clone()
		resp.Content, resp.Embeds, resp.AllowedMentions, resp.Flags = c.Content, c.Embeds, c.AllowedMentions, c.Flags
		if typ == 5 {
			resp.Flags &^= flagLoading
		}
		resp.Ephemeral = resp.Flags&flagEphemeral != 0
	}
	if typ == 8 {
		var d struct {
			Data struct {
				Choices []discordgo.ApplicationCommandOptionChoice `json:"choices"`
			} `json:"data"`
		}
		_ = json.Unmarshal(js, &d)
		resp.Choices = d.Data.Choices
	}

	s.mu.Lock()
	if in.response != nil { // a concurrent callback won
		s.mu.Unlock()
		s.refuse(w, r, rt, in, true, body, http.StatusBadRequest,
			errorBody{Message: "Interaction has already been acknowledged.", Code: 40060}, "second callback")
		return
	}
	in.response = &resp
	if msg != nil {
		msg.ID, msg.Created = s.nextID(now), now
		in.original, in.loading = msg, typ == 5
	}
	in.notify()
	drop := s.takeDrop()
	var reply map[string]any
	if queryBool(r, "with_response") {
		reply = map[string]any{"interaction": map[string]any{"id": in.ID, "type": in.Type,
			"response_message_id": nil, "response_message_loading": typ == 5,
			"response_message_ephemeral": resp.Ephemeral}}
		res := map[string]any{"type": typ}
		if msg != nil {
			reply["interaction"].(map[string]any)["response_message_id"] = msg.ID
			res["message"] = in.wire(msg)
		}
		reply["resource"] = res
	}
	s.mu.Unlock()
	switch {
	case drop:
		dropReply(w)
	case reply != nil:
		writeJSON(w, http.StatusOK, reply)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// wire is an interaction message as Discord returns it. Caller holds mu.
func (i *Interaction) wire(m *Message) map[string]any {
	out := m.wire(i.ChannelID)
	out["webhook_id"], out["application_id"] = i.ApplicationID, i.ApplicationID
	if m == i.original {
		out["type"] = 20 // CHAT_INPUT_COMMAND
	}
	out["interaction_metadata"] = map[string]any{"id": i.ID, "type": i.Type,
		"user": i.srv.userObj(i.UserID), "authorizing_integration_owners": map[string]any{}}
	return out
}

// findMessage returns the original ("@original" or its id) or a follow-up. Caller holds mu.
func (i *Interaction) findMessage(id string) *Message {
	if i.original != nil && (id == "@original" || id == i.original.ID) {
		return i.original
	}
	for _, m := range i.followups {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// interactionWebhook serves the interaction's webhook: follow-ups
// (POST /webhooks/{application_id}/{token}) and GET, PATCH and DELETE of
// .../messages/@original or a follow-up's id.
func (s *Server) interactionWebhook(w http.ResponseWriter, r *http.Request, rt route, body []byte) {
	s.mu.Lock()
	in := s.interactions[rt.interaction]
	acked := in != nil && in.response != nil
	expired := in != nil && time.Since(in.Dispatched) > interactionTokenTTL
	s.mu.Unlock()
	switch {
	case in == nil || expired:
		s.refuse(w, r, rt, in, false, body, http.StatusUnauthorized,
			errorBody{Message: "Invalid Webhook Token", Code: 50027}, "no live interaction with this token")
		return
	case !acked:
		s.refuse(w, r, rt, in, false, body, http.StatusNotFound,
			errorBody{Message: "Unknown Webhook", Code: 10015}, "interaction not acknowledged yet")
		return
	}
	unknownMessage := func() {
		s.refuse(w, r, rt, in, false, body, http.StatusNotFound,
			errorBody{Message: "Unknown Message", Code: 10008}, "no message "+rt.message+" for this interaction")
	}
	switch rt.kind {
	case interactionMessageGet, interactionMessageDelete:
		s.mu.Lock()
		m := in.findMessage(rt.message)
		if m == nil {
			s.mu.Unlock()
			unknownMessage()
			return
		}
		if rt.kind == interactionMessageGet {
			reply := in.wire(m)
			s.mu.Unlock()
			writeJSON(w, http.StatusOK, reply)
			return
		}
		if m == in.original {
			in.original, in.loading = nil, false
		} else {
			in.followups = slices.DeleteFunc(in.followups, func(x *Message) bool { return x == m })
		}
		in.notify()
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return
	}

	schema := schemaWebhookCreate
	if rt.kind == interactionMessageEdit {
		schema = schemaWebhookEdit
	}
	s.mu.Lock()
	before := len(s.rejections)
	s.mu.Unlock()
	p, js, files, ok := s.check(w, r, rt, body, schema)
	if !ok {
		s.mu.Lock()
		for _, rej := range s.rejections[before:] {
			if rej.Path == r.URL.Path {
				in.failures = append(in.failures, rej)
			}
		}
		in.notify()
		s.mu.Unlock()
		return
	}
	now := time.Now()
	s.mu.Lock()
	var m *Message
	switch {
	case rt.kind == interactionMessageEdit:
		m = in.findMessage(rt.message)
	case in.loading:
		m = in.original // the first follow-up after a deferral edits the original
	}
	if rt.kind == interactionMessageEdit && m == nil {
		s.mu.Unlock()
		unknownMessage()
		return
	}
	var next Message
	if m != nil {
		next = *m
		flags := next.Flags
		next.apply(p)
		// Edits cannot change ephemerality; only SUPPRESS_EMBEDS may change.
		next.Flags = flags&^(flagLoading|flagSuppressEmbeds) | next.Flags&flagSuppressEmbeds
		next.Files = append(slices.Clone(next.Files), files...)
	} else {
		next = Message{Channel: in.ChannelID, Body: bytes.Clone(js), Files: files}
		next.apply(p)
		next.Flags &= flagEphemeral | flagSuppressEmbeds | 1<<12 | 1<<15
	}
	if !notEmpty(next.Content, embedCount(next.RawEmbeds), p, len(next.Files)) {
		s.mu.Unlock()
		s.refuse(w, r, rt, in, false, body, http.StatusBadRequest,
			errorBody{Message: discordEmptyError, Code: discordEmptyCode}, discordEmptyError)
		return
	}
	if m != nil {
		next.Edited = now
		next.Edits = append(slices.Clone(next.Edits), bytes.Clone(js))
		*m = next
		if m == in.original {
			in.loading = false
		}
	} else {
		next.ID, next.Created = s.nextID(now), now
		m = &next
		in.followups = append(in.followups, m)
	}
	in.notify()
	drop := s.takeDrop()
	reply := in.wire(m)
	s.mu.Unlock()
	switch {
	case drop:
		dropReply(w)
	case rt.kind == interactionFollowup && !queryBool(r, "wait"):
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusOK, reply)
	}
}

// deleteWebhookMessage serves DELETE /webhooks/{id}/{token}/messages/{id}.
func (s *Server) deleteWebhookMessage(w http.ResponseWriter, r *http.Request, rt route) {
	if _, ok := s.lookup(w, r, rt, nil); !ok {
		return
	}
	s.mu.Lock()
	m := s.byID[rt.message]
	delete(s.byID, rt.message)
	s.messages = slices.DeleteFunc(s.messages, func(x *Message) bool { return x == m })
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func joinProblems(probs []problem) string {
	out := make([]string, len(probs))
	for i, p := range probs {
		out[i] = p.String()
	}
	return strings.Join(out, "; ")
}

// resolvedBuilder collects data.resolved for the options' ids.
type resolvedBuilder struct {
	s        *Server
	guild    string
	perms    int64
	users    map[string]any
	members  map[string]any
	channels map[string]any
	roles    map[string]any
	attach   map[string]any
}

func (b *resolvedBuilder) add(typ discordgo.ApplicationCommandOptionType, id string) {
	set := func(m *map[string]any, v any) {
		if *m == nil {
			*m = map[string]any{}
		}
		(*m)[id] = v
	}
	switch typ {
	case discordgo.ApplicationCommandOptionMentionable:
		if g := b.s.guilds[b.guild]; g != nil && g.role(id) != nil {
			b.add(discordgo.ApplicationCommandOptionRole, id)
		} else {
			b.add(discordgo.ApplicationCommandOptionUser, id)
		}
	case discordgo.ApplicationCommandOptionUser:
		set(&b.users, b.s.userObj(id))
		if b.guild != "" {
			set(&b.members, map[string]any{"roles": []any{}, "joined_at": "2024-01-01T00:00:00.000000+00:00",
				"nick": nil, "avatar": nil, "flags": 0, "pending": false, "permissions": "0",
				"premium_since": nil, "communication_disabled_until": nil})
		}
	case discordgo.ApplicationCommandOptionChannel:
		set(&b.channels, b.s.partialChannel(id, b.guild, b.perms))
	case discordgo.ApplicationCommandOptionRole:
		set(&b.roles, b.s.roleObj(b.guild, id))
	case discordgo.ApplicationCommandOptionAttachment:
		set(&b.attach, map[string]any{"id": id, "filename": "file-" + id + ".txt", "size": 1,
			"url":       "https://cdn.discordapp.com/attachments/0/" + id + "/file.txt",
			"proxy_url": "https://media.discordapp.net/attachments/0/" + id + "/file.txt",
		})
	}
}

func (b *resolvedBuilder) build() map[string]any {
	out := map[string]any{}
	for k, m := range map[string]map[string]any{"users": b.users, "members": b.members,
		"channels": b.channels, "roles": b.roles, "attachments": b.attach} {
		if m != nil {
			out[k] = m
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// buildOptions turns the spec's options into data.options, checking them
// against the registered definitions when registered. Caller holds mu.
func buildOptions(defs []*discordgo.ApplicationCommandOption, registered bool, given []InteractionOption,
	autocomplete bool, rb *resolvedBuilder, path string) ([]any, error) {
	var out []any
	seen := map[string]bool{}
	for _, o := range given {
		where := path + o.Name
		var def *discordgo.ApplicationCommandOption
		if registered {
			for _, d := range defs {
				if d.Name == o.Name {
					def = d
				}
			}
			if def == nil {
				return nil, fmt.Errorf("fakediscord: option %q is not in the registered command", where)
			}
		}
		seen[o.Name] = true
		typ := o.Type
		if typ == 0 && def != nil {
			typ = def.Type
		}
		if typ == 0 {
			typ = inferOptionType(o)
		}
		if typ == 0 {
			return nil, fmt.Errorf("fakediscord: option %q: cannot tell its type from %T", where, o.Value)
		}
		if def != nil && typ != def.Type {
			return nil, fmt.Errorf("fakediscord: option %q has type %v, the registered one %v", where, typ, def.Type)
		}
		entry := map[string]any{"name": o.Name, "type": typ}
		if typ == discordgo.ApplicationCommandOptionSubCommand || typ == discordgo.ApplicationCommandOptionSubCommandGroup {
			if o.Value != nil {
				return nil, fmt.Errorf("fakediscord: option %q is a subcommand and takes no value", where)
			}
			var sub []*discordgo.ApplicationCommandOption
			if def != nil {
				sub = def.Options
			}
			subs, err := buildOptions(sub, registered, o.Options, autocomplete, rb, where+".")
			if err != nil {
				return nil, err
			}
			if subs == nil {
				subs = []any{}
			}
			entry["options"] = subs
		} else {
			v, err := optionValue(typ, o.Value)
			if err != nil {
				return nil, fmt.Errorf("fakediscord: option %q: %w", where, err)
			}
			if def != nil && len(def.Choices) > 0 && !(autocomplete && o.Focused) && !hasChoice(def.Choices, v) {
				return nil, fmt.Errorf("fakediscord: option %q: %v is not one of its choices", where, v)
			}
			entry["value"] = v
			if o.Focused {
				entry["focused"] = true
			}
			if id, ok := v.(string); ok && typ != discordgo.ApplicationCommandOptionString {
				rb.add(typ, id)
			}
		}
		out = append(out, entry)
	}
	if registered {
		subcommands := false
		for _, d := range defs {
			if d.Type == discordgo.ApplicationCommandOptionSubCommand || d.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
				subcommands = true
			} else if d.Required && !seen[d.Name] && !autocomplete {
				return nil, fmt.Errorf("fakediscord: required option %q missing", path+d.Name)
			}
		}
		if subcommands && len(given) != 1 {
			return nil, fmt.Errorf("fakediscord: %d subcommands given at %q, want exactly one", len(given), strings.TrimSuffix(path, "."))
		}
	}
	return out, nil
}

func inferOptionType(o InteractionOption) discordgo.ApplicationCommandOptionType {
	switch o.Value.(type) {
	case nil:
		if o.Options != nil {
			return discordgo.ApplicationCommandOptionSubCommand
		}
	case string:
		return discordgo.ApplicationCommandOptionString
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return discordgo.ApplicationCommandOptionInteger
	case float32, float64:
		return discordgo.ApplicationCommandOptionNumber
	case bool:
		return discordgo.ApplicationCommandOptionBoolean
	}
	return 0
}

// optionValue converts a value to what Discord sends for the option type.
func optionValue(typ discordgo.ApplicationCommandOptionType, v any) (any, error) {
	num := func() (float64, bool) {
		switch x := v.(type) {
		case int:
			return float64(x), true
		case int8:
			return float64(x), true
		case int16:
			return float64(x), true
		case int32:
			return float64(x), true
		case int64:
			return float64(x), true
		case uint:
			return float64(x), true
		case uint8:
			return float64(x), true
		case uint16:
			return float64(x), true
		case uint32:
			return float64(x), true
		case uint64:
			return float64(x), true
		case float32:
			return float64(x), true
		case float64:
			return x, true
		}
		return 0, false
	}
	switch typ {
	case discordgo.ApplicationCommandOptionString, discordgo.ApplicationCommandOptionUser,
		discordgo.ApplicationCommandOptionChannel, discordgo.ApplicationCommandOptionRole,
		discordgo.ApplicationCommandOptionMentionable, discordgo.ApplicationCommandOptionAttachment:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case discordgo.ApplicationCommandOptionInteger:
		if f, ok := num(); ok && f == math.Trunc(f) {
			return int64(f), nil
		}
	case discordgo.ApplicationCommandOptionNumber:
		if f, ok := num(); ok {
			return f, nil
		}
	case discordgo.ApplicationCommandOptionBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	default:
		return nil, fmt.Errorf("unknown option type %d", typ)
	}
	return nil, fmt.Errorf("value %v (%T) does not fit option type %v", v, v, typ)
}

func hasChoice(choices []*discordgo.ApplicationCommandOptionChoice, v any) bool {
	for _, c := range choices {
		cv := c.Value
		if f, ok := cv.(float64); ok {
			cv = f
		}
		switch x := v.(type) {
		case int64:
			if f, ok := cv.(float64); ok && f == float64(x) {
				return true
			}
		default:
			if cv == v {
				return true
			}
		}
	}
	return false
}

// takeLocal is take without the global limit, which interaction endpoints
// are not bound to. Caller holds Server.mu.
func (l *limiter) takeLocal(route, major string, now time.Time) limitResult {
	global := l.globalLimit
	l.globalLimit = false
	defer func() { l.globalLimit = global }()
	return l.take(route, major, now)
}
