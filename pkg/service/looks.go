package service

import (
	"encoding/json"

	"github.com/simvid/simvid/pkg/simvid"
)

// resolutionWins drops an earlier aspect preset when a settings patch names a resolution
// without an aspect: the newest choice of size is the one that counts (an aspect, when set,
// decides the resolution).
func resolutionWins(out *simvid.Output, raw json.RawMessage) {
	var keys map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &keys) != nil {
		return
	}
	_, res := keys["resolution"]
	_, asp := keys["aspect"]
	if res && !asp {
		out.Aspect, out.Lines = "", 0
	}
}
