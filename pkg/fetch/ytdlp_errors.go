package fetch

import (
	"strings"

	"github.com/simvid/simvid/pkg/simvid"
)

// retryable are yt-dlp's words for trouble that may pass: the network, a busy server.
var retryable = []string{
	"timed out", "Connection refused", "Connection reset", "Temporary failure in name resolution",
	"Remote end closed", "IncompleteRead", "HTTP Error 500", "HTTP Error 502", "HTTP Error 503",
	"HTTP Error 504", "HTTP Error 429", "Network is unreachable", "EOF occurred in violation",
}

// classify turns yt-dlp's failure output into a coded error: EUnavailable when trying again
// later may work, EUnprocessable when it will not (the video is unavailable, private,
// removed, not supported...). The message is yt-dlp's reason, trimmed for people.
func classify(output string) error {
	reason := errorLine(output)
	for _, r := range retryable {
		if strings.Contains(output, r) {
			return simvid.Errorf(simvid.EUnavailable, "the link could not be reached (%s)", reason)
		}
	}
	return simvid.Errorf(simvid.EUnprocessable, "the link could not be used: %s", reason)
}

// errorLine is the last "ERROR:" line without yt-dlp's prefixes and bug-report advice.
func errorLine(output string) string {
	line := ""
	for l := range strings.SplitSeq(output, "\n") {
		if strings.HasPrefix(l, "ERROR:") {
			line = l
		}
	}
	if line == "" {
		return "it did not lead to any sound"
	}
	line = strings.TrimSpace(strings.TrimPrefix(line, "ERROR:"))
	// "[youtube] dQw4w9WgXcQ: Video unavailable" -> "Video unavailable"
	if strings.HasPrefix(line, "[") {
		if _, rest, ok := strings.Cut(line, ": "); ok {
			line = rest
		}
	}
	for _, cut := range []string{"; please report", " (caused by", "; Confirm you are"} {
		if i := strings.Index(line, cut); i >= 0 {
			line = line[:i]
		}
	}
	line = strings.TrimSpace(line)
	if len(line) > 200 {
		line = line[:200] + "…"
	}
	if line == "" {
		return "it did not lead to any sound"
	}
	return line
}
