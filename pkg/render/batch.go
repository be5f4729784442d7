package render

import (
	"fmt"
	"regexp"
	"strconv"
)

// BatchArgs merges the argvs of several keyframes runs (FirstFrameArgs, EndFramesArgs: files
// in, one -filter_complex, one output) into the argv of one ffmpeg with all their inputs and
// outputs. Each output keeps its own options, so it is its own x264 encode of the same frames
// with the same settings: the same bytes as its run alone. Each graph stays its own
// -filter_complex, its inputs renumbered and its labels made its own. What it saves is the
// start of an ffmpeg (Debian's links 215 libraries: 0.16 CPU s before it reads a byte); what
// it costs is memory, as ffmpeg frees no encoder or graph before it exits (see
// engine.keyframesBatch). -filter_complex_threads, the one option that is not an input's
// or an output's, is kept as the first run that sets it has it: it does not change a pixel.
func BatchArgs(runs [][]string) ([]string, error) {
	var globals, inputs, graphs, outputs []string
	in := 0
	for r, argv := range runs {
		p, err := splitRun(argv)
		if err != nil {
			return nil, fmt.Errorf("render: batch run %d: %w", r, err)
		}
		if p.threads != "" && globals == nil {
			globals = []string{"-filter_complex_threads", p.threads}
		}
		suffix := "_r" + strconv.Itoa(r)
		graphs = append(graphs, "-filter_complex", relabel(p.graph, in, suffix))
		for i := 0; i < len(p.output); i++ {
			outputs = append(outputs, p.output[i])
			if p.output[i] == "-map" && i+1 < len(p.output) {
				i++
				outputs = append(outputs, relabel(p.output[i], in, suffix))
			}
		}
		inputs = append(inputs, p.inputs...)
		in += p.nInputs
	}
	return append(append(append(globals, inputs...), graphs...), outputs...), nil
}

// batchRun is one run's argv taken apart by splitRun.
type batchRun struct {
	threads string   // -filter_complex_threads, or ""
	inputs  []string // every input's options and its -i
	nInputs int
	graph   string
	output  []string // the output's options and its file
}

// splitRun takes apart an argv of the shape BatchArgs merges: inputs (their options before
// each -i), then -filter_complex, then the output's options and file. Anything else is an
// error, so that a builder changed later cannot be merged wrongly.
func splitRun(argv []string) (batchRun, error) {
	var p batchRun
	start := 0 // where the current input's options begin
	for i := 0; i < len(argv); i++ {
		switch argv[i] {
		case "-filter_complex_threads":
			if i != start || i+1 >= len(argv) {
				return p, fmt.Errorf("-filter_complex_threads inside an input's options")
			}
			p.threads = argv[i+1]
			i++
			start = i + 1
		case "-i":
			if i+1 >= len(argv) || p.graph != "" || !fileInput.MatchString(argv[i+1]) {
				return p, fmt.Errorf("input %q is not a file before the graph", argv[min(i+1, len(argv)-1)])
			}
			p.inputs = append(p.inputs, argv[start:i+2]...)
			p.nInputs++
			i++
			start = i + 1
		case "-filter_complex":
			if i != start || i+1 >= len(argv) || p.graph != "" || p.nInputs == 0 {
				return p, fmt.Errorf("-filter_complex not after the inputs")
			}
			p.graph = argv[i+1]
			p.output = argv[i+2:]
			i = len(argv)
		}
	}
	if p.graph == "" || len(p.output) < 2 {
		return p, fmt.Errorf("no -filter_complex and output")
	}
	return p, nil
}

// fileInput is an input BatchArgs can merge: a file (fileURL), never a pipe another run fed.
var fileInput = regexp.MustCompile(`^file:`)

// graphLabel is a pad of a graph: an input's stream ([0:v]) or a link's label ([a0]).
var graphLabel = regexp.MustCompile(`\[(?:(\d+)(:v)|([A-Za-z_][A-Za-z0-9_]*))\]`)

// relabel renumbers the input streams of a graph (or a -map) by offset and gives its link
// labels suffix.
func relabel(graph string, offset int, suffix string) string {
	return graphLabel.ReplaceAllStringFunc(graph, func(m string) string {
		s := graphLabel.FindStringSubmatch(m)
		if s[1] != "" {
			n, _ := strconv.Atoi(s[1])
			return "[" + strconv.Itoa(n+offset) + s[2] + "]"
		}
		return "[" + s[3] + suffix + "]"
	})
}
