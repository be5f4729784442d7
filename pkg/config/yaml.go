package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// decodeYAML lays a settings file over c. It walks the document itself rather than
// letting yaml.v3 decode into the struct (which, even with KnownFields, names only the
// last part of an unknown key and refuses "0" for a duration): every error names the full
// dotted key and its line, and values are parsed exactly as in the environment.
func decodeYAML(data []byte, c *Config) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	if len(doc.Content) == 0 {
		return nil // empty file, or only comments
	}
	return walkNode(doc.Content[0], reflect.ValueOf(c).Elem(), "")
}

// walkNode checks node against the section v (a struct of settings) and sets its leaves.
func walkNode(node *yaml.Node, v reflect.Value, prefix string) error {
	if node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	if node.Kind == yaml.ScalarNode && node.Tag == "!!null" {
		return nil
	}
	where := "the top level"
	if prefix != "" {
		where = strings.TrimSuffix(prefix, ".")
	}
	if node.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s must be a mapping of keys to values", node.Line, where)
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, val := node.Content[i], node.Content[i+1]
		key := prefix + k.Value
		if line, dup := seen[k.Value]; dup {
			return fmt.Errorf("line %d: %s is set twice (first on line %d)", k.Line, key, line)
		}
		seen[k.Value] = k.Line
		sf, ok := fieldByTag(v.Type(), k.Value)
		if !ok {
			return fmt.Errorf("line %d: unknown key %s (valid keys in %s: %s)", k.Line, key, where, strings.Join(tagNames(v.Type()), ", "))
		}
		fv := v.FieldByIndex(sf.Index)
		if isSection(sf.Type) {
			if err := walkNode(val, fv, key+"."); err != nil {
				return err
			}
			continue
		}
		if err := setNode(val, fv); err != nil {
			return fmt.Errorf("line %d: %s: %w", val.Line, key, err)
		}
	}
	return nil
}

// setNode sets one leaf from its YAML value: a scalar, or a sequence for a list.
func setNode(n *yaml.Node, v reflect.Value) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if v.Kind() == reflect.Slice {
		if n.Kind != yaml.SequenceNode {
			return errors.New("must be a list, like [10.0.0.0/8, 192.168.1.10]")
		}
		items := []string{}
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: list items must be single values", item.Line)
			}
			items = append(items, item.Value)
		}
		v.Set(reflect.ValueOf(items))
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return errors.New("must be a single value, not a list or a mapping")
	}
	return setText(v, n.Value)
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		sf := t.Field(i)
		if tag, _, _ := strings.Cut(sf.Tag.Get("yaml"), ","); tag == name && sf.IsExported() {
			return sf, true
		}
	}
	return reflect.StructField{}, false
}

func tagNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			names = append(names, tag)
		}
	}
	return names
}
