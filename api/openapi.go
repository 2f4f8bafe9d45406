package api

import (
	_ "embed"

	"github.com/gofiber/fiber/v3"
)

// openAPIDocument describes /api/v1 and /api/staff. It is written by hand, and
// every request and response the API tests make is validated against it
// (apitest's contract checker), so it cannot drift from the code unnoticed.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIMediaType is the media type of an OpenAPI document in JSON, as the
// IETF HTTPAPI working group's draft registers it; tools read it as JSON.
const OpenAPIMediaType = "application/openapi+json"

// OpenAPI returns the OpenAPI 3.1 document of the JSON API.
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }

func (s *Server) apiOpenAPI(c fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, OpenAPIMediaType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(openAPIDocument)
}
