package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

var envRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`) })

// MaxSize bounds a configuration file: a real one is a few KB, and reading
// a huge one would take seconds and gigabytes before any error.
const MaxSize = 1 << 20

// Lookup finds an environment variable and says whether it is set, as
// os.LookupEnv does.
type Lookup func(string) (string, bool)

// FromGetenv turns a getenv function into a Lookup (an empty value counts
// as unset).
func FromGetenv(getenv func(string) string) Lookup {
	return func(k string) (string, bool) { v := getenv(k); return v, v != "" }
}

// Load reads and validates a configuration file.
func Load(path string, getenv func(string) string) (*Config, error) {
	return LoadLookup(path, FromGetenv(getenv))
}

// LoadLookup is Load with a Lookup, which tells an unset variable from an
// empty one.
func LoadLookup(path string, lookup Lookup) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("config %s: larger than %d KiB; is it the right file?", path, MaxSize>>10)
	}
	c, err := ParseLookup(b, lookup)
	var ps Problems
	if errors.As(err, &ps) && len(ps) > 1 {
		return nil, fmt.Errorf("config %s, %d problems:\n  %s", path, len(ps), strings.ReplaceAll(ps.Error(), "\n", "\n  "))
	}
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	// A relative state is beside the config, not wherever natowatch was
	// started (under cron, that is $HOME).
	if isFilePath(c.State) && !filepath.IsAbs(c.State) {
		dir, err := filepath.Abs(filepath.Dir(path))
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
		c.State = filepath.Join(dir, c.State)
	}
	return c, nil
}

// isFilePath tells a SQLite file path from a URL (postgres://…), a SQLite
// URI (file:…) and ":memory:".
func isFilePath(s string) bool {
	return !strings.Contains(s, "://") && !strings.HasPrefix(s, "file:") && s != ":memory:"
}

// Parse reads and validates a configuration. The error lists every problem,
// each with its key path.
func Parse(b []byte, getenv func(string) string) (*Config, error) {
	return ParseLookup(b, FromGetenv(getenv))
}

// ParseLookup is Parse with a Lookup.
func ParseLookup(b []byte, lookup Lookup) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, errors.New("the file is empty")
	}
	doc := root.Content[0]
	// Problems of the document itself (a missing variable, a wrong type)
	// come first; what they leave empty or zero is not reported again.
	causes := expand(doc, "", lookup)
	causes = append(causes, without(checkNode(doc, reflect.TypeOf(Config{}), ""), causes)...)
	var c Config
	decodeErr := doc.Decode(&c)
	// Validate what was read even after errors, so that one run reports
	// every problem.
	c.applyDefaults()
	errs := append(causes, without(c.validate(), causes)...)
	if len(errs) == 0 && decodeErr != nil { // a type error checkNode missed
		return nil, decodeErr
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return &c, nil
}

// fieldError is one problem at a key path. Needs names another key whose
// own problem explains this one (a channel target needs discord.token).
type fieldError struct {
	Path, Msg, Needs string
	cause            bool // a missing variable or a wrong type
}

func (e *fieldError) Error() string { return orRoot(e.Path) + ": " + e.Msg }

// Problems is every problem of a configuration, one a line.
type Problems []error

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.Is and errors.As see each problem.
func (ps Problems) Unwrap() []error { return ps }

func joinErrors(errs []*fieldError) error {
	out := make(Problems, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return out
}

// without drops the errors that follow from a cause: at the same key, above
// it or below it, or needing it.
func without(errs, causes []*fieldError) []*fieldError {
	var out []*fieldError
	for _, e := range errs {
		follows := false
		for _, c := range causes {
			if c.cause && (related(e.Path, c.Path) || (e.Needs != "" && related(e.Needs, c.Path))) {
				follows = true
				break
			}
		}
		if !follows {
			out = append(out, e)
		}
	}
	return out
}

func related(a, b string) bool { return a == b || under(a, b) || under(b, a) }

func under(x, p string) bool {
	return p == "" || strings.HasPrefix(x, p+".") || strings.HasPrefix(x, p+"[")
}

// expand replaces ${VAR} in every scalar value from the environment.
func expand(n *yaml.Node, path string, lookup Lookup) []*fieldError {
	var errs []*fieldError
	switch n.Kind {
	case yaml.ScalarNode:
		before := n.Value
		n.Value = envRef().ReplaceAllStringFunc(n.Value, func(m string) string {
			name := m[2 : len(m)-1]
			v, ok := lookup(name)
			switch {
			case !ok:
				errs = append(errs, &fieldError{Path: path, Msg: fmt.Sprintf("environment variable %s is not set", name), cause: true})
			case v == "":
				errs = append(errs, &fieldError{Path: path, Msg: fmt.Sprintf("environment variable %s is empty", name), cause: true})
			}
			return v
		})
		if n.Value != before && n.Style == 0 {
			n.Tag = plainTag(n.Value)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			errs = append(errs, expand(n.Content[i+1], join(path, n.Content[i].Value), lookup)...)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			errs = append(errs, expand(c, fmt.Sprintf("%s[%d]", path, i), lookup)...)
		}
	}
	return errs
}

// plainTag is the tag YAML gives a plain scalar written v, so that
// shard_id: ${SHARD} is a number as shard_id: 3 is. A value that is not one
// scalar, or would be null, stays a string: it is data, never YAML.
func plainTag(v string) string {
	var n yaml.Node
	if yaml.Unmarshal([]byte(v), &n) == nil && len(n.Content) == 1 {
		if s := n.Content[0]; s.Kind == yaml.ScalarNode && s.Value == v && s.Tag != "!!null" {
			return s.Tag
		}
	}
	return "!!str"
}

// checkNode reports keys the configuration does not know and values of the
// wrong type, with their paths.
func checkNode(n *yaml.Node, t reflect.Type, path string) []*fieldError {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	wrong := func(format string, args ...any) []*fieldError {
		msg := fmt.Sprintf(format, args...) + fmt.Sprintf(" (line %d)", n.Line)
		return []*fieldError{{Path: path, Msg: msg, cause: true}}
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil // an empty value: the default
	}
	switch {
	case t == reflect.TypeOf(Duration(0)):
		var d Duration
		if n.Kind != yaml.ScalarNode {
			return wrong("a duration is a value such as 90s, 15m, 72h or 7d")
		} else if err := d.parse(n.Value); err != nil {
			return wrong("%v", err)
		} else if d < 0 {
			return wrong("%q must not be negative", n.Value)
		}
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return wrong("must be a mapping of keys, not %s", kindName(n))
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			fields[name] = f.Type
		}
		var errs []*fieldError
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			ft, ok := fields[key]
			if !ok {
				errs = append(errs, &fieldError{Path: join(path, key), Msg: fmt.Sprintf("unknown key (line %d)", n.Content[i].Line)})
				continue
			}
			errs = append(errs, checkNode(n.Content[i+1], ft, join(path, key))...)
		}
		return errs
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return wrong("must be a list, not %s", kindName(n))
		}
		var errs []*fieldError
		for i, c := range n.Content {
			errs = append(errs, checkNode(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return errs
	case n.Kind != yaml.ScalarNode:
		return wrong("must be a single value, not %s", kindName(n))
	default:
		// Decode the value alone, as the whole document will be decoded.
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			return wrong("%q is not %s", n.Value, typeName(t))
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("the value %q", n.Value)
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	}
	return "a " + t.String()
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(p string) string {
	if p == "" {
		return "(top level)"
	}
	return p
}

func hashKey(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// Marshal renders a configuration as YAML (secrets included: for tests).
func Marshal(c *Config) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
