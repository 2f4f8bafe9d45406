package web

import (
	"strings"

	"github.com/gofiber/fiber/v3"
)

// Fiber lends the strings it returns for a request (path parameters, query
// values, the client address) out of buffers it reuses for the next request.
// Handlers read them through these functions, which copy them once, here, so
// a value kept in a cache, a map or a goroutine stays what it was.

// Param is the path parameter name, copied.
func Param(c fiber.Ctx, name string) string { return strings.Clone(c.Params(name)) }

// Query is the query parameter name, copied.
func Query(c fiber.Ctx, name string) string { return strings.Clone(c.Query(name)) }

// ClientIP is the client's address: the rightmost X-Forwarded-For entry that
// is not a trusted proxy, when the request came through one; copied.
func (s *Site) ClientIP(c fiber.Ctx) string { return strings.Clone(s.proxies.ClientAddress(c)) }
