package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// Load reads and validates a configuration file.
func Load(path string, getenv func(string) string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(b, getenv)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Parse reads and validates a configuration. The error lists every problem,
// each with its key path.
func Parse(b []byte, getenv func(string) string) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, errors.New("the file is empty")
	}
	doc := root.Content[0]
	var errs []error
	errs = append(errs, checkKeys(doc, reflect.TypeOf(Config{}), "")...)
	errs = append(errs, expand(doc, "", getenv)...)
	var c Config
	if err := doc.Decode(&c); err != nil {
		errs = append(errs, typeErrors(err)...)
	}
	// Validate what was read even after errors, so that one run reports
	// every problem.
	c.applyDefaults()
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &c, nil
}

// expand replaces ${VAR} in every scalar value from the environment.
func expand(n *yaml.Node, path string, getenv func(string) string) []error {
	var errs []error
	switch n.Kind {
	case yaml.ScalarNode:
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
			name := m[2 : len(m)-1]
			v := getenv(name)
			if v == "" {
				errs = append(errs, fmt.Errorf("%s: environment variable %s is not set", orRoot(path), name))
			}
			return v
		})
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			errs = append(errs, expand(n.Content[i+1], join(path, n.Content[i].Value), getenv)...)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			errs = append(errs, expand(c, fmt.Sprintf("%s[%d]", path, i), getenv)...)
		}
	}
	return errs
}

// checkKeys reports keys the configuration does not know, with their paths.
func checkKeys(n *yaml.Node, t reflect.Type, path string) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var errs []error
	switch {
	case t == reflect.TypeOf(Duration(0)):
		var d Duration
		if n.Kind != yaml.ScalarNode {
			errs = append(errs, fmt.Errorf("%s: a duration is a value such as 90s, 15m, 72h or 7d (line %d)", path, n.Line))
		} else if err := d.parse(n.Value); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v (line %d)", path, err, n.Line))
		} else if d < 0 {
			errs = append(errs, fmt.Errorf("%s: %q must not be negative (line %d)", path, n.Value, n.Line))
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			fields[name] = f.Type
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			ft, ok := fields[key]
			if !ok {
				errs = append(errs, fmt.Errorf("%s: unknown key (line %d)", join(path, key), n.Content[i].Line))
				continue
			}
			errs = append(errs, checkKeys(n.Content[i+1], ft, join(path, key))...)
		}
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for i, c := range n.Content {
			errs = append(errs, checkKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return errs
}

func typeErrors(err error) []error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		out := make([]error, len(te.Errors))
		for i, e := range te.Errors {
			out[i] = errors.New(e)
		}
		return out
	}
	return []error{err}
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
