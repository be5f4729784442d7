// Package oacheck reads simvid's OpenAPI document for tests: its operations, and JSON
// Schema validation of examples and of real answers against it. Only tests import it.
package oacheck

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/simvid/simvid/pkg/httpapi/openapi"
)

const docURL = "mem://simvid/openapi.json"

// Doc is the parsed document with a schema compiler over it.
type Doc struct {
	Root  map[string]any
	c     *jsonschema.Compiler
	cache map[string]*jsonschema.Schema
}

// Op is one operation: a method on a path template such as /api/v1/projects/{id}.
type Op struct {
	Method, Path, ID string
	Spec             map[string]any
	Pointer          string // JSON pointer of the operation
}

// Load parses the embedded document.
func Load() (*Doc, error) {
	b, err := openapi.JSON()
	if err != nil {
		return nil, err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("oacheck: the document is not an object")
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(docURL, v); err != nil {
		return nil, err
	}
	return &Doc{Root: root, c: c, cache: map[string]*jsonschema.Schema{}}, nil
}

func esc(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1") }

var methods = []string{"get", "head", "post", "put", "patch", "delete"}

// Operations lists every operation, sorted by path and method.
func (d *Doc) Operations() []Op {
	var out []Op
	paths, _ := d.Root["paths"].(map[string]any)
	for p, item := range paths {
		m, _ := item.(map[string]any)
		for _, meth := range methods {
			op, ok := m[meth].(map[string]any)
			if !ok {
				continue
			}
			id, _ := op["operationId"].(string)
			out = append(out, Op{Method: strings.ToUpper(meth), Path: p, ID: id, Spec: op,
				Pointer: "/paths/" + esc(p) + "/" + meth})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// Schema compiles the schema at a JSON pointer of the document.
func (d *Doc) Schema(pointer string) (*jsonschema.Schema, error) {
	if s, ok := d.cache[pointer]; ok {
		return s, nil
	}
	s, err := d.c.Compile(docURL + "#" + pointer)
	if err != nil {
		return nil, err
	}
	d.cache[pointer] = s
	return s, nil
}

// resolve follows a local $ref once, returning the object and its pointer.
func (d *Doc) resolve(v any, ptr string) (map[string]any, string) {
	m, _ := v.(map[string]any)
	if ref, ok := m["$ref"].(string); ok && strings.HasPrefix(ref, "#/") {
		ptr = ref[1:]
		var cur any = d.Root
		for _, part := range strings.Split(ptr[1:], "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			cm, _ := cur.(map[string]any)
			cur = cm[part]
		}
		m, _ = cur.(map[string]any)
	}
	return m, ptr
}

// ResponseSchema returns the pointer of the schema an operation documents for a status and
// media type, "" when it documents the status without a body of that type, and an error
// when it does not document the status at all.
func (d *Doc) ResponseSchema(op Op, status int, ctype string) (string, error) {
	rs, _ := op.Spec["responses"].(map[string]any)
	r, ok := rs[strconv.Itoa(status)]
	if !ok {
		return "", fmt.Errorf("%s %s does not document status %d", op.Method, op.Path, status)
	}
	resp, ptr := d.resolve(r, op.Pointer+"/responses/"+strconv.Itoa(status))
	content, _ := resp["content"].(map[string]any)
	mt, _ := strings.CutSuffix(strings.TrimSpace(strings.Split(ctype, ";")[0]), " ")
	if _, ok := content[mt]; !ok {
		if len(content) > 0 && mt != "" {
			return "", fmt.Errorf("%s %s %d: media type %q not documented", op.Method, op.Path, status, mt)
		}
		return "", nil
	}
	return ptr + "/content/" + esc(mt) + "/schema", nil
}

// Validate checks a JSON body against the schema at pointer.
func (d *Doc) Validate(pointer string, body []byte) error {
	s, err := d.Schema(pointer)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(v)
}

// Example is an example value written in the document and the schema it illustrates.
type Example struct {
	Where, Schema string
	Value         any
}

// Examples finds every media type object with an example (or examples) and a schema.
func (d *Doc) Examples() []Example {
	var out []Example
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		switch x := v.(type) {
		case map[string]any:
			if _, hasSchema := x["schema"]; hasSchema {
				if ex, ok := x["example"]; ok {
					out = append(out, Example{ptr, ptr + "/schema", ex})
				}
				if exs, ok := x["examples"].(map[string]any); ok {
					for name, e := range exs {
						if em, ok := e.(map[string]any); ok {
							out = append(out, Example{ptr + "/examples/" + esc(name), ptr + "/schema", em["value"]})
						}
					}
				}
			}
			for k, c := range x {
				walk(c, ptr+"/"+esc(k))
			}
		case []any:
			for i, c := range x {
				walk(c, ptr+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(d.Root["paths"], "/paths")
	walk(d.Root["components"], "/components")
	return out
}
