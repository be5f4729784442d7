// Package openapi embeds the OpenAPI 3.1 document of simvid's v1 API: the paths in
// openapi.yaml and the components they refer to in components.yaml.
package openapi

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"gopkg.in/yaml.v3"
)

var (
	//go:embed openapi.yaml
	paths []byte
	//go:embed components.yaml
	components []byte
)

// JSON returns the whole document as JSON, the form served at /api/openapi.json.
func JSON() ([]byte, error) {
	var doc, comp map[string]any
	if err := yaml.Unmarshal(paths, &doc); err != nil {
		return nil, fmt.Errorf("openapi: openapi.yaml: %w", err)
	}
	if err := yaml.Unmarshal(components, &comp); err != nil {
		return nil, fmt.Errorf("openapi: components.yaml: %w", err)
	}
	if _, dup := doc["components"]; dup || comp["components"] == nil {
		return nil, fmt.Errorf("openapi: components belong in components.yaml, under a components key")
	}
	doc["components"] = comp["components"]
	return json.Marshal(doc)
}
