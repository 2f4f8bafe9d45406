// Package static holds the service's CSS and images, embedded in the binary.
package static

import "embed"

// FS holds every static asset.
//
//go:embed *.css *.svg
var FS embed.FS
