package config

import (
	"bytes"
	"net/url"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/simvid/simvid/pkg/redisx"
)

// Dump returns the settings as YAML in the layout of config.example.yaml, for logs and
// `simvid doctor`. Secrets print as ***, and so do passwords inside redis_url and
// database_url.
func (c *Config) Dump() string {
	root := &yaml.Node{Kind: yaml.MappingNode, HeadComment: "effective settings; secrets are shown as ***"}
	sections := map[string]*yaml.Node{"": root}
	v := reflect.ValueOf(c).Elem()
	for _, f := range fields() {
		parent := root
		parts := strings.Split(f.key, ".")
		for i := range len(parts) - 1 {
			path := strings.Join(parts[:i+1], ".")
			sec, ok := sections[path]
			if !ok {
				sec = &yaml.Node{Kind: yaml.MappingNode}
				parent.Content = append(parent.Content, scalar("!!str", parts[i]), sec)
				sections[path] = sec
			}
			parent = sec
		}
		val := leafNode(v.FieldByIndex(f.index))
		if f.key == "redis_url" && redisx.IsSentinelURL(val.Value) {
			val.Value = redisx.RedactWith(val.Value, masked) // net/url cannot parse its host list
		} else if f.key == "redis_url" || f.key == "database_url" {
			val.Value = redactURL(val.Value)
		}
		parent.Content = append(parent.Content, scalar("!!str", parts[len(parts)-1]), val)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return "# config: dump failed: " + err.Error() + "\n"
	}
	_ = enc.Close()
	return buf.String()
}

func scalar(tag, value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
}

func leafNode(v reflect.Value) *yaml.Node {
	switch {
	case v.Kind() == reflect.Slice:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for i := range v.Len() {
			seq.Content = append(seq.Content, scalar("!!str", v.Index(i).String()))
		}
		return seq
	case v.Kind() == reflect.Bool:
		return scalar("!!bool", formatLeaf(v))
	case v.Type() == durationType, v.Kind() == reflect.String:
		return scalar("!!str", formatLeaf(v))
	case v.Type().Implements(reflect.TypeFor[interface{ String() string }]()):
		return scalar("!!str", formatLeaf(v))
	}
	return scalar("!!int", formatLeaf(v))
}

var dsnPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|\S+)`)

// redactURL hides the password of a URL, or of a key=value PostgreSQL connection string.
func redactURL(raw string) string {
	if raw == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return dsnPassword.ReplaceAllString(raw, "${1}"+masked)
	}
	// url escapes "*"; mark the spots with a plain word and mask after encoding.
	const mark = "simvidredactedsecret"
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), mark)
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", mark)
		u.RawQuery = q.Encode()
	}
	return strings.ReplaceAll(u.String(), mark, masked)
}
