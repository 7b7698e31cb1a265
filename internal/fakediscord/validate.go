package fakediscord

import (
	"bytes"
	_ "embed" // Discord's OpenAPI description, see spec/LICENSE
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var printer = message.NewPrinter(language.English)

// openapiJSON is Discord's official OpenAPI description (MIT, spec/LICENSE),
// copied from ../shared/discord-api-spec.
//
//go:embed spec/openapi.json
var openapiJSON []byte

const specURL = "file:///openapi.json"

// Schema names in components/schemas that request bodies are checked against.
const (
	schemaWebhookCreate = "IncomingWebhookRequestPartial"
	schemaWebhookEdit   = "IncomingWebhookUpdateRequestPartial"
	schemaMessageCreate = "MessageCreateRequest"
	schemaMessageEdit   = "MessageEditRequestPartial"
)

// compiledSchemas compiles the request schemas once per process: the
// document is 1.2 MB and the compiled schemas are immutable and safe for
// concurrent use, so every Server shares them.
var compiledSchemas = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(openapiJSON))
	if err != nil {
		return nil, fmt.Errorf("fakediscord: parse openapi.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020) // OpenAPI 3.1 schemas are 2020-12
	// Assert the formats the library knows (uri, date-time: Discord rejects
	// malformed embed URLs and timestamps). Discord's own formats
	// (snowflake, int64, int32, double, nonce) are unknown to it and so
	// stay annotations; snowflakes are still checked by their pattern.
	c.AssertFormat()
	if err := c.AddResource(specURL, doc); err != nil {
		return nil, fmt.Errorf("fakediscord: add openapi.json: %w", err)
	}
	out := make(map[string]*jsonschema.Schema)
	names := append([]string{schemaWebhookCreate, schemaWebhookEdit, schemaMessageCreate, schemaMessageEdit}, extraSchemas...)
	for _, name := range names {
		sch, err := c.Compile(specURL + "#/components/schemas/" + name)
		if err != nil {
			return nil, fmt.Errorf("fakediscord: compile %s: %w", name, err)
		}
		out[name] = sch
	}
	return out, nil
})

// problem is one entry of a Discord "Invalid Form Body" error: where in the
// payload, Discord's error code string and its message.
type problem struct {
	path    []string
	code    string
	message string
}

func (p problem) String() string {
	if len(p.path) == 0 {
		return p.code + ": " + p.message
	}
	return strings.Join(p.path, ".") + ": " + p.code + ": " + p.message
}

// errorTree renders problems as Discord nests them:
// {"embeds":{"0":{"title":{"_errors":[{"code":..,"message":..}]}}}}.
func errorTree(probs []problem) map[string]any {
	root := map[string]any{}
	for _, p := range probs {
		node := root
		for _, seg := range p.path {
			next, ok := node[seg].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[seg] = next
			}
			node = next
		}
		list, _ := node["_errors"].([]map[string]string)
		node["_errors"] = append(list, map[string]string{"code": p.code, "message": p.message})
	}
	return root
}

// validateSchema checks body (already known to be JSON) against the named
// schema and returns Discord-style problems for each failure.
func validateSchema(name string, body []byte) ([]problem, error) {
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
		return schemaProblems(verr), nil
	}
	return nil, err
}

// schemaProblems flattens a validation error tree. A failed oneOf whose
// branches all failed at the value itself (not deeper) becomes one problem;
// the "want null" branch of Discord's nullable oneOfs is noise and dropped.
func schemaProblems(e *jsonschema.ValidationError) []problem {
	switch e.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
		leaves := leavesOf(e)
		if allAt(leaves, e.InstanceLocation) {
			return []problem{collapse(e.InstanceLocation, leaves)}
		}
	}
	if len(e.Causes) == 0 {
		return []problem{leafProblem(e)}
	}
	var out []problem
	for _, c := range e.Causes {
		if len(c.Causes) == 0 && isWantNull(c) {
			continue
		}
		out = append(out, schemaProblems(c)...)
	}
	return out
}

func leavesOf(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leavesOf(c)...)
	}
	return out
}

func allAt(leaves []*jsonschema.ValidationError, loc []string) bool {
	for _, l := range leaves {
		if !slices.Equal(l.InstanceLocation, loc) {
			return false
		}
	}
	return true
}

func isWantNull(e *jsonschema.ValidationError) bool {
	t, ok := e.ErrorKind.(*kind.Type)
	return ok && len(t.Want) == 1 && t.Want[0] == "null"
}

// collapse makes one problem of a failed oneOf. Branches that failed on the
// type are noise when another branch had the right type and failed on a
// constraint (a 26-character nonce is "too long", not "not an integer").
func collapse(loc []string, leaves []*jsonschema.ValidationError) problem {
	typeOnly := true
	for _, l := range leaves {
		if _, ok := l.ErrorKind.(*kind.Type); !ok {
			typeOnly = false
		}
	}
	var kept []*jsonschema.ValidationError
	var choices []string
	for _, l := range leaves {
		if _, isType := l.ErrorKind.(*kind.Type); isWantNull(l) || (isType && !typeOnly) {
			continue
		}
		kept = append(kept, l)
		if c, ok := l.ErrorKind.(*kind.Const); ok {
			choices = append(choices, fmt.Sprintf("'%v'", c.Want))
		}
	}
	switch {
	case len(kept) == 0:
		return problem{path: loc, code: "BASE_TYPE_NULL", message: "Value must be null."}
	case len(choices) > 0 && len(choices) == len(kept):
		return problem{path: loc, code: "ENUM_TYPE_COERCE",
			message: fmt.Sprintf("Value must be one of (%s).", strings.Join(choices, ", "))}
	case len(kept) == 1:
		return leafProblem(kept[0])
	}
	msgs := make([]string, len(kept))
	for i, l := range kept {
		msgs[i] = leafProblem(l).message
	}
	return problem{path: loc, code: "SCHEMA_ONE_OF", message: strings.Join(msgs, " / ")}
}

// leafProblem maps a schema failure to the code Discord uses for it.
func leafProblem(e *jsonschema.ValidationError) problem {
	p := problem{path: e.InstanceLocation}
	switch k := e.ErrorKind.(type) {
	case *kind.MaxLength:
		p.code, p.message = "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", k.Want)
	case *kind.MinLength:
		p.code, p.message = "BASE_TYPE_MIN_LENGTH", fmt.Sprintf("Must be %d or more in length.", k.Want)
	case *kind.MaxItems:
		p.code, p.message = "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", k.Want)
	case *kind.Required:
		p.path = append(slices.Clone(p.path), k.Missing[0])
		p.code, p.message = "BASE_TYPE_REQUIRED", "This field is required"
	case *kind.Type:
		p.code, p.message = typeProblem(k)
	case *kind.Pattern:
		p.code, p.message = "NUMBER_TYPE_COERCE", fmt.Sprintf("Value %q is not snowflake.", fmt.Sprint(k.Got))
	case *kind.Format:
		p.code, p.message = "URL_TYPE_INVALID_URL", "Not a well formed URL."
		if k.Want == "date-time" {
			p.code, p.message = "DATE_TIME_TYPE_PARSE", "Could not parse "+fmt.Sprint(k.Got)+". Should be ISO8601."
		}
	default:
		p.code, p.message = "SCHEMA_"+strings.ToUpper(strings.Join(k.KeywordPath(), "_")), e.ErrorKind.LocalizedString(printer)
	}
	return p
}

func typeProblem(k *kind.Type) (code, msg string) {
	switch {
	case slices.Contains(k.Want, "object"):
		return "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"
	case slices.Contains(k.Want, "array"):
		return "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"
	case slices.Contains(k.Want, "string"):
		return "BASE_TYPE_STRING", "Could not interpret value of type " + k.Got + " as string."
	case slices.Contains(k.Want, "integer"), slices.Contains(k.Want, "number"):
		return "NUMBER_TYPE_COERCE", "Value of type " + k.Got + " is not int."
	case slices.Contains(k.Want, "boolean"):
		return "BASE_TYPE_BOOLEAN", "Must be either true or false."
	}
	return "SCHEMA_TYPE", "got " + k.Got + ", want " + strings.Join(k.Want, " or ")
}
