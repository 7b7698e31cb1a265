package fakediscord

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// guild is a guild the bot is in. Guarded by Server.mu.
type guild struct {
	id       string
	roles    []roleInfo // @everyone (id = guild id) first
	channels []string
}

type roleInfo struct{ id, name string }

type channelInfo struct {
	id, guild, name string
	typ             int    // 0 GUILD_TEXT, 1 DM
	recipient       string // DM recipient
}

type userInfo struct{ id, username string }

func (g *guild) role(id string) *roleInfo {
	for i := range g.roles {
		if g.roles[i].id == id {
			return &g.roles[i]
		}
	}
	return nil
}

// AddGuild puts the bot in a guild (named "guild-<id>", with its
// @everyone role). Guild command routes answer 403 Missing Access for a
// guild the bot is not in. A gateway session already running (with the
// GUILDS intent, on the guild's shard) gets GUILD_CREATE, as when a bot is
// added to a server.
func (s *Server) AddGuild(guildID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addGuild(guildID)
}

// AddChannel adds a text channel (type 0, named "channel-<id>") to a guild,
// adding the guild if need be; GET /channels/{id} then answers it and
// live sessions get CHANNEL_CREATE.
func (s *Server) AddChannel(guildID, channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, isNew := s.addGuild(guildID)
	if s.channels[channelID] != nil {
		return
	}
	s.channels[channelID] = &channelInfo{id: channelID, guild: guildID, name: "channel-" + channelID}
	g.channels = append(g.channels, channelID)
	if !isNew {
		s.guildEvent(guildID, "CHANNEL_CREATE", s.channelObj(s.channels[channelID]))
	}
}

// AddRole adds a role to a guild, adding the guild if need be; GET
// /guilds/{id}/roles lists it and live sessions get GUILD_ROLE_CREATE.
func (s *Server) AddRole(guildID, roleID, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, isNew := s.addGuild(guildID)
	if r := g.role(roleID); r != nil {
		r.name = name
		return
	}
	g.roles = append(g.roles, roleInfo{id: roleID, name: name})
	if !isNew {
		s.guildEvent(guildID, "GUILD_ROLE_CREATE", map[string]any{"guild_id": guildID,
			"role": s.roleWire(g, len(g.roles)-1)})
	}
}

// DMChannel returns the id of the DM channel opened with a user (by
// POST /users/@me/channels or a DM interaction), "" if none. Messages the
// bot sends there are in MessagesIn(DMChannel(user)).
func (s *Server) DMChannel(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dms[userID]
}

// addGuild adds a guild if new, announcing it. Caller holds mu.
func (s *Server) addGuild(id string) (*guild, bool) {
	if g := s.guilds[id]; g != nil {
		return g, false
	}
	g := &guild{id: id, roles: []roleInfo{{id: id, name: "@everyone"}}}
	s.guilds[id] = g
	s.guildEvent(id, "GUILD_CREATE", s.guildCreate(g))
	return g, true
}

// guildEvent dispatches a GUILDS-intent event to the sessions of the
// guild's shard. Caller holds mu.
func (s *Server) guildEvent(guildID, name string, data any) {
	b := mustJSON(data)
	for _, sess := range s.gw.sessions {
		if sess.Intents&intentGuilds != 0 && shardOf(guildID, sess.Shard[1]) == sess.Shard[0] {
			s.dispatchTo(sess, name, b)
		}
	}
}

// shardGuilds lists the guilds of a shard by id. Caller holds mu.
func (s *Server) shardGuilds(shard [2]int) []*guild {
	var out []*guild
	for _, g := range s.guilds {
		if shardOf(g.id, shard[1]) == shard[0] {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b *guild) int { return compareIDs(a.id, b.id) })
	return out
}

func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// guildCreate is the GUILD_CREATE payload. Caller holds mu.
func (s *Server) guildCreate(g *guild) map[string]any {
	roles := make([]any, len(g.roles))
	for i := range g.roles {
		roles[i] = s.roleWire(g, i)
	}
	channels := make([]any, 0, len(g.channels))
	for _, id := range g.channels {
		c := s.channelObj(s.channels[id])
		delete(c, "guild_id") // GUILD_CREATE channels carry none
		channels = append(channels, c)
	}
	joined := "2024-01-01T00:00:00.000000+00:00"
	return map[string]any{
		"id": g.id, "name": "guild-" + g.id, "icon": nil, "splash": nil, "discovery_splash": nil,
		"owner_id": DefaultUserID, "afk_channel_id": nil, "afk_timeout": 300, "verification_level": 0,
		"default_message_notifications": 0, "explicit_content_filter": 0, "roles": roles, "emojis": []any{},
		"features": []any{}, "mfa_level": 0, "application_id": nil, "system_channel_id": nil,
		"system_channel_flags": 0, "rules_channel_id": nil, "vanity_url_code": nil, "description": nil,
		"banner": nil, "premium_tier": 0, "preferred_locale": "en-US", "public_updates_channel_id": nil,
		"nsfw_level": 0, "premium_progress_bar_enabled": false, "stickers": []any{},
		"joined_at": joined, "large": false, "unavailable": false, "member_count": 2,
		"voice_states": []any{}, "presences": []any{}, "threads": []any{}, "stage_instances": []any{},
		"guild_scheduled_events": []any{}, "soundboard_sounds": []any{}, "channels": channels,
		"members": []any{map[string]any{"user": s.botUser(), "roles": []any{}, "joined_at": joined,
			"deaf": false, "mute": false, "flags": 0, "pending": false, "nick": nil, "avatar": nil,
			"premium_since": nil, "communication_disabled_until": nil}},
	}
}

// roleWire is a role object. Caller holds mu.
func (s *Server) roleWire(g *guild, i int) map[string]any {
	r := g.roles[i]
	perms := "0"
	if r.id == g.id {
		perms = "2248473465835073" // Discord's default @everyone permissions
	}
	return map[string]any{"id": r.id, "name": r.name, "description": nil, "color": 0,
		"colors": map[string]any{"primary_color": 0, "secondary_color": nil, "tertiary_color": nil},
		"hoist":  false, "icon": nil, "unicode_emoji": nil, "position": i, "permissions": perms,
		"managed": false, "mentionable": false, "flags": 0,
	}
}

// roleObj is a role of a guild, or a stub for an unknown one. Caller holds mu.
func (s *Server) roleObj(guildID, roleID string) map[string]any {
	if g := s.guilds[guildID]; g != nil {
		for i := range g.roles {
			if g.roles[i].id == roleID {
				return s.roleWire(g, i)
			}
		}
	}
	tmp := &guild{id: guildID, roles: []roleInfo{{id: roleID, name: "role-" + roleID}}}
	return s.roleWire(tmp, 0)
}

// channelObj is a channel object. Caller holds mu.
func (s *Server) channelObj(c *channelInfo) map[string]any {
	if c.typ == 1 {
		return map[string]any{"id": c.id, "type": 1, "last_message_id": nil, "flags": 0,
			"recipients": []any{s.userObj(c.recipient)}}
	}
	pos := 0
	if g := s.guilds[c.guild]; g != nil {
		pos = slices.Index(g.channels, c.id)
	}
	return map[string]any{"id": c.id, "type": 0, "guild_id": c.guild, "name": c.name, "position": pos,
		"permission_overwrites": []any{}, "nsfw": false, "topic": nil, "last_message_id": nil,
		"rate_limit_per_user": 0, "parent_id": nil, "flags": 0}
}

// partialChannel is the channel as an interaction carries it. Caller holds mu.
func (s *Server) partialChannel(id, guildID string, perms int64) map[string]any {
	c := s.channels[id]
	if c == nil {
		c = &channelInfo{id: id, guild: guildID, name: "channel-" + id}
		if guildID == "" {
			c.typ = 1
		}
	}
	out := s.channelObj(c)
	if c.typ == 0 {
		out["permissions"] = jsonInt(perms)
	}
	return out
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// botUser is the bot's user object.
func (s *Server) botUser() map[string]any {
	return map[string]any{"id": botUserID, "username": "natowatch-fake", "discriminator": "0000",
		"global_name": nil, "avatar": nil, "bot": true, "verified": true, "flags": 0,
		"mfa_enabled": false, "email": nil, "public_flags": 0}
}

// userObj is a user object for an id. Caller holds mu.
func (s *Server) userObj(id string) map[string]any {
	if id == botUserID {
		return s.botUser()
	}
	name := "user-" + id
	if u, ok := s.users[id]; ok {
		name = u.username
	}
	return map[string]any{"id": id, "username": name, "discriminator": "0", "global_name": nil,
		"avatar": nil, "public_flags": 0}
}

// dmChannelLocked returns the DM channel with a user, opening it. Caller holds mu.
func (s *Server) dmChannelLocked(userID string) string {
	if id := s.dms[userID]; id != "" {
		return id
	}
	id := s.nextID(time.Now())
	s.dms[userID] = id
	s.channels[id] = &channelInfo{id: id, typ: 1, recipient: userID}
	if _, ok := s.users[userID]; !ok {
		s.users[userID] = userInfo{id: userID, username: "user-" + userID}
	}
	return id
}

// serveLookup serves GET /guilds/{id}/roles, GET /channels/{id},
// GET /users/{id|@me}, POST /users/@me/channels and GET
// /applications/@me (/oauth2/applications/@me).
func (s *Server) serveLookup(w http.ResponseWriter, r *http.Request, rt route, body []byte) {
	switch rt.kind {
	case guildRoles:
		s.mu.Lock()
		g := s.guilds[rt.major]
		var out []any
		if g != nil {
			for i := range g.roles {
				out = append(out, s.roleWire(g, i))
			}
		}
		s.mu.Unlock()
		if g == nil {
			s.reject(w, r, rt, body, http.StatusNotFound, errorBody{Message: "Unknown Guild", Code: 10004}, "bot not in guild "+rt.major)
			return
		}
		writeJSON(w, http.StatusOK, out)
	case channelGet:
		s.mu.Lock()
		c := s.channels[rt.major]
		var out map[string]any
		if c != nil {
			out = s.channelObj(c)
		}
		s.mu.Unlock()
		if c == nil {
			s.reject(w, r, rt, body, http.StatusNotFound, errorBody{Message: "Unknown Channel", Code: 10003}, "no channel "+rt.major+" (AddChannel)")
			return
		}
		writeJSON(w, http.StatusOK, out)
	case userGet:
		s.mu.Lock()
		_, known := s.users[rt.major]
		var out map[string]any
		switch {
		case rt.major == "@me" || rt.major == botUserID:
			out = s.botUser()
		case known:
			out = s.userObj(rt.major)
		}
		s.mu.Unlock()
		if out == nil {
			s.reject(w, r, rt, body, http.StatusNotFound, errorBody{Message: "Unknown User", Code: 10013}, "no user "+rt.major)
			return
		}
		writeJSON(w, http.StatusOK, out)
	case dmCreate:
		probs, err := validateSchema(schemaDMCreate, body)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, errorBody{Message: err.Error()})
			return
		}
		var req struct {
			RecipientID *string `json:"recipient_id"`
		}
		if len(probs) == 0 {
			if json.Unmarshal(body, &req) != nil || req.RecipientID == nil {
				probs = []problem{{path: []string{"recipient_id"}, code: "BASE_TYPE_REQUIRED", message: "This field is required"}}
			}
		}
		if len(probs) > 0 {
			s.reject(w, r, rt, body, http.StatusBadRequest,
				errorBody{Message: "Invalid Form Body", Code: discordFormCode, Errors: errorTree(probs)}, schemaDMCreate+": "+joinProblems(probs))
			return
		}
		if *req.RecipientID == botUserID {
			s.reject(w, r, rt, body, http.StatusBadRequest,
				errorBody{Message: "Cannot send messages to this user", Code: 50007}, "DM with the bot itself")
			return
		}
		s.mu.Lock()
		out := s.channelObj(s.channels[s.dmChannelLocked(*req.RecipientID)])
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
	case applicationMe:
		s.mu.Lock()
		bot := s.botUser()
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{
			"id": ApplicationID, "name": "natowatch-fake", "icon": nil, "description": "", "summary": "",
			"type": nil, "is_monetized": false, "bot_public": true, "bot_require_code_grant": false,
			"verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
			"flags":      0, "hook": true, "redirect_uris": []any{}, "interactions_endpoint_url": nil,
			"role_connections_verification_url": nil, "owner": map[string]any{"id": DefaultUserID,
				"username": "owner", "discriminator": "0", "avatar": nil, "global_name": nil, "public_flags": 0},
			"team": nil, "bot": bot, "approximate_guild_count": len(s.Guilds()),
		})
	}
}

// Guilds returns the ids of the guilds the bot is in, in id order.
func (s *Server) Guilds() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, g := range s.shardGuilds([2]int{0, 1}) {
		out = append(out, g.id)
	}
	return out
}
