package config

import (
	"bytes"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

const examplePath = "../../config.example.yaml"

func readExample(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatalf("read example: %v", err)
	}
	return data
}

// The example file is the documentation of the defaults: plain yaml.v3 with KnownFields
// must read it, and it must say exactly what Default says.
func TestExampleEqualsDefault(t *testing.T) {
	t.Parallel()
	var got Config
	dec := yaml.NewDecoder(bytes.NewReader(readExample(t)))
	dec.KnownFields(true)
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode example with KnownFields: %v", err)
	}
	got.resolve()
	if want := Default(); !reflect.DeepEqual(&got, want) {
		t.Errorf("example differs from Default()\nexample:\n%s\ndefault:\n%s", got.Dump(), want.Dump())
	}

	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	BindFlags(fs)
	if err := fs.Parse([]string{"--config", examplePath}); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(fs, nil)
	if err != nil {
		t.Fatalf("Load(example): %v", err)
	}
	if want := Default(); !reflect.DeepEqual(loaded, want) {
		t.Errorf("Load(example) differs from Default()\nloaded:\n%s\ndefault:\n%s", loaded.Dump(), want.Dump())
	}
}

// Every leaf of Config is a real key of the example, and the example documents its
// environment names and flag.
func TestExampleListsEveryKey(t *testing.T) {
	t.Parallel()
	data := readExample(t)
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			if v.Kind == yaml.MappingNode {
				walk(v, prefix+k+".")
				continue
			}
			keys[prefix+k] = true
		}
	}
	walk(doc.Content[0], "")
	text := string(data)
	for _, f := range fields() {
		if !keys[f.key] {
			t.Errorf("config.example.yaml lacks key %s", f.key)
		}
		for _, env := range f.env {
			if !strings.Contains(text, env) {
				t.Errorf("config.example.yaml does not mention env %s for %s", env, f.key)
			}
		}
		delete(keys, f.key)
	}
	for k := range keys {
		t.Errorf("config.example.yaml has key %s that Config does not", k)
	}
	for _, s := range flagSpecs {
		if !strings.Contains(text, "flag --"+s.name) {
			t.Errorf("config.example.yaml does not mention flag --%s", s.name)
		}
	}
}

func TestEnvNamesDerivedFromTags(t *testing.T) {
	t.Parallel()
	byKey := fieldsByKey()
	for key, want := range map[string][]string{
		"addr":                    {"SIMVID_ADDR", "PORT"},
		"limits.file_bytes":       {"SIMVID_LIMITS_FILE_BYTES"},
		"rate_limits.other_daily": {"SIMVID_RATE_LIMITS_OTHER_DAILY"},
		"admin.password":          {"SIMVID_ADMIN_PASSWORD", "ADMIN_PASSWORD"},
		"workers.video":           {"SIMVID_WORKERS_VIDEO", "VIDEO_WORKERS"},
	} {
		if got := byKey[key].env; !slices.Equal(got, want) {
			t.Errorf("env of %s = %v, want %v", key, got, want)
		}
	}
}
