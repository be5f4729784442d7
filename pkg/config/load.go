package config

import (
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/spf13/pflag"
)

// flagSpecs are the settings that have a command-line flag; every other key is set in the
// file or the environment.
var flagSpecs = []struct{ name, key, usage string }{
	{"addr", "addr", "HTTP listen address, host:port"},
	{"data-dir", "data_dir", "directory of the media store and the SQLite database"},
	{"redis-url", "redis_url", `Redis URL, redis://host:6379/0 or redis+sentinel://s1:26379,s2:26379/MASTER/0; "" runs an embedded Redis (all only)`},
	{"database-url", "database_url", `PostgreSQL URL; "" uses SQLite under the data directory`},
	{"trusted-proxies", "trusted_proxies", "CIDRs or IPs of proxies whose X-Forwarded-For is believed, comma separated"},
	{"metrics-addr", "metrics_addr", `Prometheus /metrics listen address; "auto" is 127.0.0.1 on the first free port from 9464; "" or "off" disables it`},
	{"log-format", "log.format", "log encoding: json or console"},
	{"log-level", "log.level", "lowest log level: debug, info, warn or error"},
}

// ConfigEnv names the environment variable read for the settings file when --config is
// not given.
const ConfigEnv = "SIMVID_CONFIG"

// BindFlags registers --config and the flags of the most used settings on fs. Their help
// names the environment variables that set the same thing.
func BindFlags(fs *pflag.FlagSet) {
	fs.String("config", "", "YAML settings file, see config.example.yaml (env "+ConfigEnv+")")
	def := reflect.ValueOf(Default()).Elem()
	byKey := fieldsByKey()
	for _, s := range flagSpecs {
		f := byKey[s.key]
		usage := s.usage + " (env " + strings.Join(f.env, ", ") + ")"
		v := def.FieldByIndex(f.index)
		if f.typ.Kind() == reflect.Slice {
			fs.StringSlice(s.name, v.Interface().([]string), usage)
			continue
		}
		fs.String(s.name, formatLeaf(v), usage)
	}
}

// Load builds the settings: defaults, then the YAML file named by --config (or
// SIMVID_CONFIG), then the environment, then the flags the user actually gave; the
// result is validated. fs and getenv may be nil; pass os.LookupEnv for the real
// environment. An empty environment variable counts as unset.
func Load(fs *pflag.FlagSet, getenv func(string) (string, bool)) (*Config, error) {
	if getenv == nil {
		getenv = func(string) (string, bool) { return "", false }
	}
	c := Default()
	path := ""
	if fs != nil {
		if f := fs.Lookup("config"); f != nil {
			path = f.Value.String()
		}
	}
	if v, ok := getenv(ConfigEnv); ok && path == "" {
		path = v
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: read settings file: %w", err)
		}
		if err := decodeYAML(data, c); err != nil {
			return nil, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	if err := c.applyEnv(getenv); err != nil {
		return nil, err
	}
	if err := c.applyFlags(fs); err != nil {
		return nil, err
	}
	c.resolve()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) applyEnv(getenv func(string) (string, bool)) error {
	root := reflect.ValueOf(c).Elem()
	for _, f := range fields() {
		for _, name := range f.env {
			val, ok := getenv(name)
			if !ok || val == "" {
				continue
			}
			if name == "PORT" && isDigits(val) {
				val = ":" + val // the seed's PORT is a bare port number
			}
			if err := setText(root.FieldByIndex(f.index), val); err != nil {
				return fmt.Errorf("config: %s (from env %s): %w", f.key, name, err)
			}
			break
		}
	}
	return nil
}

func (c *Config) applyFlags(fs *pflag.FlagSet) error {
	if fs == nil {
		return nil
	}
	root := reflect.ValueOf(c).Elem()
	byKey := fieldsByKey()
	for _, s := range flagSpecs {
		fl := fs.Lookup(s.name)
		if fl == nil || !fl.Changed {
			continue
		}
		f := byKey[s.key]
		val := fl.Value.String()
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			val = strings.Join(sv.GetSlice(), ",")
		}
		if err := setText(root.FieldByIndex(f.index), val); err != nil {
			return fmt.Errorf("config: %s (from flag --%s): %w", s.key, s.name, err)
		}
	}
	return nil
}

func fieldsByKey() map[string]field {
	m := map[string]field{}
	for _, f := range fields() {
		m[f.key] = f
	}
	return m
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
