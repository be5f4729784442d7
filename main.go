// Command simvid turns photos and music into slideshow videos: one binary for the web
// server, the render workers and the command line.
package main

import "github.com/simvid/simvid/cmd"

func main() { cmd.Execute() }
