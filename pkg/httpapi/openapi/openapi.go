// Package openapi embeds the OpenAPI 3.1 document of simvid's v1 API.
package openapi

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"gopkg.in/yaml.v3"
)

//go:embed openapi.yaml
var doc []byte

// YAML returns the document as written.
func YAML() []byte { return doc }

// JSON returns the document as JSON, the form served at /api/openapi.json.
func JSON() ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return json.Marshal(v)
}
