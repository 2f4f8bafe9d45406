// Package static holds the service's CSS, images and the invited form's one
// script, embedded in the binary.
package static

import "embed"

// FS holds every static asset.
//
//go:embed *.css *.svg *.js
var FS embed.FS
