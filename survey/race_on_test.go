//go:build race

package survey

// raceDetector: the race detector is on, and the embedded store runs in its
// debug mode, several times slower.
const raceDetector = true
