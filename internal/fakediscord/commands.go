package fakediscord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// Request schemas of the routes added for the gateway and interactions,
// compiled with the others (validate.go).
const (
	schemaCommandPut    = "ApplicationCommandUpdateRequest" // items of the bulk overwrite array
	schemaCommandCreate = "ApplicationCommandCreateRequest"
	schemaCommandPatch  = "ApplicationCommandPatchRequestPartial"
	schemaDMCreate      = "CreatePrivateChannelRequest"
)

var extraSchemas = []string{schemaCommandPut, schemaCommandCreate, schemaCommandPatch, schemaDMCreate,
	"CreateMessageInteractionCallbackRequest", "ModalInteractionCallbackRequest",
	"ApplicationCommandAutocompleteCallbackRequest"}

// Discord's application command limits
// (https://discord.com/developers/docs/interactions/application-commands).
const (
	maxChatCommands    = 100
	maxContextCommands = 15 // each of USER and MESSAGE
	maxCommandSize     = 4000
	maxChoiceValue     = 100
)

// commandName is Discord's pattern for CHAT_INPUT command and option names;
// letters with a lowercase form must be lowercase.
var commandName = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// storedCommand is a registered command. Guarded by Server.mu.
type storedCommand struct {
	id, version, guild string
	typ                int
	name               string
	wire               map[string]any
	def                discordgo.ApplicationCommand
}

// Commands returns the commands registered globally (guildID "") or in a
// guild, as Discord returns them (ids, application_id, version set).
func (s *Server) Commands(guildID string) []discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]discordgo.ApplicationCommand, 0, len(s.commands[guildID]))
	for _, c := range s.commands[guildID] {
		var cmd discordgo.ApplicationCommand
		_ = json.Unmarshal(mustJSON(c.wire), &cmd)
		out = append(out, cmd)
	}
	return out
}

// findCommand returns the guild's command of that name and type, else the
// global one. Caller holds mu.
func (s *Server) findCommand(guildID, name string, typ int) *storedCommand {
	for _, g := range []string{guildID, ""} {
		for _, c := range s.commands[g] {
			if c.name == name && c.typ == typ {
				return c
			}
		}
		if guildID == "" {
			break
		}
	}
	return nil
}

func cmdTypeName(t int) string {
	switch t {
	case 1:
		return "CHAT_INPUT"
	case 2:
		return "USER"
	case 3:
		return "MESSAGE"
	case 4:
		return "PRIMARY_ENTRY_POINT"
	}
	return "type " + strconv.Itoa(t)
}

var errMissingAccess = errorBody{Message: "Missing Access", Code: 50001}

// serveCommands serves the global and guild application command routes.
func (s *Server) serveCommands(w http.ResponseWriter, r *http.Request, rt route, body []byte) {
	if rt.app != ApplicationID {
		s.reject(w, r, rt, body, http.StatusForbidden, errMissingAccess, "application "+rt.app+" is not the bot's ("+ApplicationID+")")
		return
	}
	s.mu.Lock()
	_, inGuild := s.guilds[rt.guild]
	s.mu.Unlock()
	if rt.guild != "" && !inGuild {
		s.reject(w, r, rt, body, http.StatusForbidden, errMissingAccess, "bot not in guild "+rt.guild+" (AddGuild)")
		return
	}
	formError := func(reason string, probs []problem) {
		s.reject(w, r, rt, body, http.StatusBadRequest,
			errorBody{Message: "Invalid Form Body", Code: discordFormCode, Errors: errorTree(probs)}, reason+": "+joinProblems(probs))
	}
	unknown := func() {
		s.reject(w, r, rt, body, http.StatusNotFound, errorBody{Message: "Unknown application command", Code: 10063},
			"no command "+rt.command)
	}
	switch rt.kind {
	case commandList:
		s.mu.Lock()
		out := make([]any, 0, len(s.commands[rt.guild]))
		for _, c := range s.commands[rt.guild] {
			out = append(out, c.wire)
		}
		reply := mustJSON(out)
		s.mu.Unlock()
		writeRaw(w, http.StatusOK, reply)
	case commandGet, commandDelete:
		s.mu.Lock()
		list := s.commands[rt.guild]
		i := slices.IndexFunc(list, func(c *storedCommand) bool { return c.id == rt.command })
		var reply []byte
		if i >= 0 {
			reply = mustJSON(list[i].wire)
			if rt.kind == commandDelete {
				s.commands[rt.guild] = slices.Delete(slices.Clone(list), i, i+1)
			}
		}
		s.mu.Unlock()
		switch {
		case i < 0:
			unknown()
		case rt.kind == commandDelete:
			w.WriteHeader(http.StatusNoContent)
		default:
			writeRaw(w, http.StatusOK, reply)
		}
	case commandPut:
		var items []json.RawMessage
		if !json.Valid(body) {
			s.reject(w, r, rt, body, http.StatusBadRequest, errorBody{Message: "The request body contains invalid JSON.", Code: discordJSONCode}, "invalid JSON")
			return
		}
		if string(bytes.TrimSpace(body)) != "null" && json.Unmarshal(body, &items) != nil {
			formError("bulk overwrite", []problem{{code: "LIST_TYPE_CONVERT", message: "Only iterables may be used in a ListType"}})
			return
		}
		var reqs []map[string]any
		var probs []problem
		for i, item := range items {
			req, p := checkCommand(schemaCommandPut, item)
			for k := range p {
				p[k].path = append([]string{strconv.Itoa(i)}, p[k].path...)
			}
			probs = append(probs, p...)
			reqs = append(reqs, req)
		}
		if len(probs) == 0 {
			probs = checkCommandSet(reqs, true)
		}
		if len(probs) > 0 {
			formError("bulk overwrite", probs)
			return
		}
		s.mu.Lock()
		old := s.commands[rt.guild]
		now := time.Now()
		next := make([]*storedCommand, 0, len(reqs))
		for _, req := range reqs {
			var prev *storedCommand
			id, _ := req["id"].(string)
			for _, c := range old {
				if (id != "" && c.id == id) || (id == "" && c.name == req["name"] && c.typ == reqType(req)) {
					prev = c
				}
			}
			next = append(next, s.storeCommand(req, prev, rt.guild, now))
		}
		s.commands[rt.guild] = next
		out := make([]any, len(next))
		for i, c := range next {
			out[i] = c.wire
		}
		reply := mustJSON(out)
		s.mu.Unlock()
		writeRaw(w, http.StatusOK, reply)
	case commandCreate, commandEdit:
		schema := schemaCommandCreate
		if rt.kind == commandEdit {
			schema = schemaCommandPatch
		}
		req, probs := checkCommand(schema, body)
		if len(probs) > 0 {
			formError(schema, probs)
			return
		}
		s.mu.Lock()
		list := slices.Clone(s.commands[rt.guild])
		var prev *storedCommand
		idx := -1
		if rt.kind == commandEdit {
			idx = slices.IndexFunc(list, func(c *storedCommand) bool { return c.id == rt.command })
			if idx < 0 {
				s.mu.Unlock()
				unknown()
				return
			}
			prev = list[idx]
			merged := map[string]any{}
			for k, v := range prev.wire {
				merged[k] = v
			}
			for k, v := range req {
				merged[k] = v
			}
			for _, k := range []string{"id", "application_id", "version", "guild_id"} {
				delete(merged, k)
			}
			merged["type"] = json.Number(strconv.Itoa(prev.typ))
			req = merged
			if p := commandRules(req); len(p) > 0 {
				s.mu.Unlock()
				formError(schema, p)
				return
			}
		} else {
			idx = slices.IndexFunc(list, func(c *storedCommand) bool { return c.name == req["name"] && c.typ == reqType(req) })
			if idx >= 0 {
				prev = list[idx]
			}
		}
		// The set must still obey the limits and unique names.
		all := make([]map[string]any, 0, len(list)+1)
		for i, c := range list {
			if i != idx {
				all = append(all, c.wire)
			}
		}
		all = append(all, req)
		if p := checkCommandSet(all, false); len(p) > 0 {
			s.mu.Unlock()
			formError(schema, p)
			return
		}
		c := s.storeCommand(req, prev, rt.guild, time.Now())
		status := http.StatusOK
		if idx >= 0 {
			list[idx] = c
		} else {
			list = append(list, c)
			status = http.StatusCreated
		}
		s.commands[rt.guild] = list
		reply := mustJSON(c.wire)
		s.mu.Unlock()
		writeRaw(w, status, reply)
	}
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func reqType(req map[string]any) int {
	switch t := req["type"].(type) {
	case json.Number:
		n, _ := t.Int64()
		return int(n)
	case float64:
		return int(t)
	case int:
		return t
	}
	return 1
}

// storeCommand builds the stored form of a checked request, keeping prev's
// id (and its version if nothing changed). Caller holds mu.
func (s *Server) storeCommand(req map[string]any, prev *storedCommand, guildID string, now time.Time) *storedCommand {
	wire := map[string]any{}
	for k, v := range req {
		if v != nil {
			wire[k] = v
		}
	}
	typ := reqType(req)
	wire["type"] = typ
	if _, ok := wire["description"]; !ok {
		wire["description"] = ""
	}
	if dmp, ok := wire["default_member_permissions"]; ok {
		wire["default_member_permissions"] = fmt.Sprint(dmp)
	} else {
		wire["default_member_permissions"] = nil
	}
	if _, ok := wire["nsfw"]; !ok {
		wire["nsfw"] = false
	}
	if guildID != "" {
		wire["guild_id"] = guildID
		delete(wire, "dm_permission")
	} else {
		if _, ok := wire["dm_permission"]; !ok {
			wire["dm_permission"] = true
		}
		if _, ok := wire["integration_types"]; !ok {
			wire["integration_types"] = []any{0}
		}
		if _, ok := wire["contexts"]; !ok {
			wire["contexts"] = nil
		}
	}
	if opts, ok := wire["options"].([]any); ok {
		if len(opts) == 0 {
			delete(wire, "options")
		} else {
			wire["options"] = dropNulls(opts)
		}
	}
	delete(wire, "id")
	delete(wire, "application_id")
	delete(wire, "version")
	c := &storedCommand{guild: guildID, typ: typ, wire: wire}
	c.name, _ = wire["name"].(string)
	same := false
	if prev != nil {
		c.id = prev.id
		p := map[string]any{}
		for k, v := range prev.wire {
			p[k] = v
		}
		delete(p, "id")
		delete(p, "application_id")
		delete(p, "version")
		same = bytes.Equal(mustJSON(p), mustJSON(wire))
	} else {
		c.id = s.nextID(now)
	}
	c.version = s.nextID(now)
	if same {
		c.version = prev.version
	}
	wire["id"], wire["application_id"], wire["version"] = c.id, ApplicationID, c.version
	_ = json.Unmarshal(mustJSON(wire), &c.def)
	return c
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = dropNulls(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if e != nil {
				out[k] = dropNulls(e)
			}
		}
		return out
	}
	return v
}

// checkCommand validates one command object: Discord's schema, then its
// rules. default_member_permissions may be a string, as discordgo sends it
// and Discord accepts (the schema says integer).
func checkCommand(schema string, raw []byte) (map[string]any, []problem) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var req map[string]any
	if err := dec.Decode(&req); err != nil || req == nil {
		return nil, []problem{{code: "MODEL_TYPE_CONVERT", message: "Only dictionaries may be used in a ModelType"}}
	}
	if s, ok := req["default_member_permissions"].(string); ok {
		if _, err := strconv.ParseUint(s, 10, 64); err == nil {
			req["default_member_permissions"] = json.Number(s)
		}
	}
	probs, err := validateCommandSchema(schema, mustJSON(req))
	if err != nil {
		return nil, []problem{{code: "INTERNAL", message: err.Error()}}
	}
	if len(probs) > 0 {
		return req, probs
	}
	if schema == schemaCommandPatch {
		return req, nil // checked once merged with the command
	}
	return req, commandRules(req)
}

// validateCommandSchema validates like validateSchema, but where a oneOf
// chooses among option kinds by their "type" it reports only the branch
// whose type matched: a string option with 26 choices is "choices: Must
// be 25 or fewer", not also "value is not int" from the integer branch.
func validateCommandSchema(name string, body []byte) ([]problem, error) {
	schemas, err := compiledSchemas()
	if err != nil {
		return nil, err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return []problem{{code: "INVALID_JSON", message: err.Error()}}, nil
	}
	err = schemas[name].Validate(inst)
	var verr *jsonschema.ValidationError
	if errors.As(err, &verr) {
		return discriminated(verr), nil
	}
	return nil, err
}

func discriminated(e *jsonschema.ValidationError) []problem {
	switch e.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
		typeLoc := append(slices.Clone(e.InstanceLocation), "type")
		var matched []*jsonschema.ValidationError
		for _, c := range e.Causes {
			if !slices.ContainsFunc(leavesOf(c), func(l *jsonschema.ValidationError) bool {
				return slices.Equal(l.InstanceLocation, typeLoc)
			}) {
				matched = append(matched, c)
			}
		}
		switch {
		case len(matched) == 0 && len(e.Causes) > 0:
			return []problem{{path: typeLoc, code: "ENUM_TYPE_COERCE", message: "Value is not a valid option type here."}}
		case len(matched) < len(e.Causes):
			var out []problem
			for _, c := range matched {
				out = append(out, discriminated(c)...)
			}
			return out
		}
		return schemaProblems(e)
	}
	if len(e.Causes) == 0 {
		return schemaProblems(e)
	}
	var out []problem
	for _, c := range e.Causes {
		if len(c.Causes) == 0 && isWantNull(c) {
			continue
		}
		out = append(out, discriminated(c)...)
	}
	return out
}

// The parts of a command the rules look at.
type cmdDef struct {
	Type        *int     `json:"type"`
	Name        string   `json:"name"`
	Description *string  `json:"description"`
	Options     []optDef `json:"options"`
}

type optDef struct {
	Type         int         `json:"type"`
	Name         string      `json:"name"`
	Description  string      `json:"description"`
	Required     *bool       `json:"required"`
	Autocomplete *bool       `json:"autocomplete"`
	Choices      []choiceDef `json:"choices"`
	Options      []optDef    `json:"options"`
	MinLength    *int        `json:"min_length"`
	MaxLength    *int        `json:"max_length"`
	MinValue     *float64    `json:"min_value"`
	MaxValue     *float64    `json:"max_value"`
}

type choiceDef struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

func validName(s string) bool {
	return commandName.MatchString(s) && strings.ToLower(s) == s
}

// commandRules checks what the schema does not: names, descriptions by
// command type, option order and nesting, choices, the 4000-character
// total. The error codes are Discord's where it documents them.
func commandRules(req map[string]any) []problem {
	var c cmdDef
	if err := json.Unmarshal(mustJSON(req), &c); err != nil {
		return []problem{{code: "MODEL_TYPE_CONVERT", message: err.Error()}}
	}
	var probs []problem
	add := func(code, msg string, path ...string) {
		probs = append(probs, problem{path: path, code: code, message: msg})
	}
	typ := 1
	if c.Type != nil {
		typ = *c.Type
	}
	desc := ""
	if c.Description != nil {
		desc = *c.Description
	}
	switch typ {
	case 1:
		if !validName(c.Name) {
			add("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid", "name")
		}
		if desc == "" {
			add("BASE_TYPE_REQUIRED", "This field is required", "description")
		}
	case 2, 3:
		if utf8.RuneCountInString(c.Name) > 32 || strings.TrimSpace(c.Name) == "" {
			add("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid", "name")
		}
		if desc != "" {
			add("BASE_TYPE_MAX_LENGTH", "Must be 0 or fewer in length.", "description")
		}
		if len(c.Options) > 0 {
			add("APPLICATION_COMMAND_OPTIONS_INVALID", "Context menu commands cannot have options", "options")
		}
	}
	size := utf8.RuneCountInString(c.Name) + utf8.RuneCountInString(desc)
	size += optionRules(c.Options, []string{"options"}, 0, add)
	if size > maxCommandSize {
		add("APPLICATION_COMMAND_TOO_LARGE", fmt.Sprintf("Command exceeds maximum size (%d)", maxCommandSize))
	}
	return probs
}

// optionRules checks one level of options and returns its size in characters.
func optionRules(opts []optDef, path []string, depth int, add func(code, msg string, path ...string)) int {
	size := 0
	names := map[string]bool{}
	optional, subs, values := false, 0, 0
	for i, o := range opts {
		p := append(slices.Clone(path), strconv.Itoa(i))
		at := func(k string) []string { return append(slices.Clone(p), k) }
		size += utf8.RuneCountInString(o.Name) + utf8.RuneCountInString(o.Description)
		if !validName(o.Name) {
			add("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid", at("name")...)
		}
		if names[o.Name] {
			add("APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique", at("name")...)
		}
		names[o.Name] = true
		required := o.Required != nil && *o.Required
		switch o.Type {
		case 1, 2:
			subs++
			size += optionRules(o.Options, at("options"), depth+1, add)
			if required {
				add("APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Subcommands and groups cannot be required", at("required")...)
			}
			continue
		}
		values++
		if required && optional {
			add("APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options", at("required")...)
		}
		if !required {
			optional = true
		}
		if len(o.Choices) > 0 {
			if o.Type != 3 && o.Type != 4 && o.Type != 10 {
				add("APPLICATION_COMMAND_OPTION_CHOICES_INVALID", "Only string, integer and number options can have choices", at("choices")...)
			}
			if o.Autocomplete != nil && *o.Autocomplete {
				add("APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_WITH_CHOICES", "Autocomplete cannot be enabled with choices", at("autocomplete")...)
			}
		}
		for j, ch := range o.Choices {
			cp := append(at("choices"), strconv.Itoa(j), "value")
			size += utf8.RuneCountInString(ch.Name)
			var sv string
			if json.Unmarshal(ch.Value, &sv) == nil {
				size += utf8.RuneCountInString(sv)
				if utf8.RuneCountInString(sv) > maxChoiceValue {
					add("BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", maxChoiceValue), cp...)
				}
			} else {
				size += len(ch.Value)
			}
		}
		if o.MinLength != nil && o.MaxLength != nil && *o.MinLength > *o.MaxLength {
			add("APPLICATION_COMMAND_OPTION_LENGTH_INVALID", "min_length must not exceed max_length", at("min_length")...)
		}
		if o.MinValue != nil && o.MaxValue != nil && *o.MinValue > *o.MaxValue {
			add("APPLICATION_COMMAND_OPTION_VALUE_INVALID", "min_value must not exceed max_value", at("min_value")...)
		}
	}
	if subs > 0 && values > 0 {
		add("APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Subcommands and groups cannot be mixed with other options", path...)
	}
	return size
}

// checkCommandSet checks a command set: unique names per type, at most
// 100 CHAT_INPUT and 15 each of USER and MESSAGE commands. Bulk requests
// name the offending item by index.
func checkCommandSet(reqs []map[string]any, indexed bool) []problem {
	var probs []problem
	seen := map[string]bool{}
	count := map[int]int{}
	for i, req := range reqs {
		typ := reqType(req)
		count[typ]++
		key := strconv.Itoa(typ) + "\x00" + fmt.Sprint(req["name"])
		if seen[key] {
			path := []string{"name"}
			if indexed {
				path = []string{strconv.Itoa(i), "name"}
			}
			probs = append(probs, problem{path: path, code: "APPLICATION_COMMANDS_DUPLICATE_NAME",
				message: fmt.Sprintf("Application command names must be unique (%q)", req["name"])})
		}
		seen[key] = true
	}
	for typ, n := range count {
		limit := maxContextCommands
		if typ == 1 {
			limit = maxChatCommands
		}
		if n > limit {
			probs = append(probs, problem{code: "APPLICATION_COMMANDS_TOO_MANY",
				message: fmt.Sprintf("Maximum number of %s application commands reached (%d)", cmdTypeName(typ), limit)})
		}
	}
	return probs
}

// SetCommands replaces the global (guildID "") or a guild's commands as a
// bulk overwrite would, for tests that interact with commands the bot
// under test did not register itself. It checks them the same way and
// fails on what Discord would refuse. A guild is added if need be.
func (s *Server) SetCommands(guildID string, cmds ...*discordgo.ApplicationCommand) error {
	if cmds == nil {
		cmds = []*discordgo.ApplicationCommand{}
	}
	var reqs []map[string]any
	var probs []problem
	for i, c := range cmds {
		req, p := checkCommand(schemaCommandPut, mustJSON(c))
		for k := range p {
			p[k].path = append([]string{strconv.Itoa(i)}, p[k].path...)
		}
		probs = append(probs, p...)
		reqs = append(reqs, req)
	}
	if len(probs) == 0 {
		probs = checkCommandSet(reqs, true)
	}
	if len(probs) > 0 {
		return fmt.Errorf("fakediscord: invalid commands: %s", joinProblems(probs))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if guildID != "" {
		s.addGuild(guildID)
	}
	now := time.Now()
	old := s.commands[guildID]
	next := make([]*storedCommand, 0, len(reqs))
	for _, req := range reqs {
		var prev *storedCommand
		for _, c := range old {
			if c.name == req["name"] && c.typ == reqType(req) {
				prev = c
			}
		}
		next = append(next, s.storeCommand(req, prev, guildID, now))
	}
	s.commands[guildID] = next
	return nil
}

// WaitCommands waits until at least n commands are registered globally
// (guildID "") or in a guild, and returns them: a bot that registers its
// commands when READY arrives does so after Open() returns.
func (s *Server) WaitCommands(guildID string, n int, timeout time.Duration) ([]discordgo.ApplicationCommand, error) {
	deadline := time.Now().Add(timeout)
	for {
		cmds := s.Commands(guildID)
		if len(cmds) >= n {
			return cmds, nil
		}
		if time.Now().After(deadline) {
			return cmds, fmt.Errorf("fakediscord: %d commands registered in %q after %v, want %d", len(cmds), guildID, timeout, n)
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-s.done:
			return cmds, errClosed
		}
	}
}
