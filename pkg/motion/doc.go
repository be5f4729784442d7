// Package motion draws the frames of a Ken Burns move: each frame is a window of a 4:2:0
// still, with real-valued corners, resampled to the output size, for an encoder fed raw video.
package motion
