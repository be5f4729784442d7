package engine

import "context"

type sourcesKey struct{}

// WithSources returns ctx carrying the original files of a render's assets (asset id ->
// path). A clip is read from its original by its segments and by the music's mix, steps
// whose signatures carry no paths (a segment names the stills it reads, which are in the
// cache); the paths belong to the one render the context runs, so they travel with it.
func WithSources(ctx context.Context, paths map[string]string) context.Context {
	return context.WithValue(ctx, sourcesKey{}, paths)
}

// sourceOf is the original file of asset as WithSources gave it, "" when none was.
func sourceOf(ctx context.Context, asset string) string {
	m, _ := ctx.Value(sourcesKey{}).(map[string]string)
	return m[asset]
}
