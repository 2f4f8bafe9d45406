//go:build !race

package survey

// raceDetector: the race detector is off.
const raceDetector = false
