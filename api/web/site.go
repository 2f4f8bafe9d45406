// Package web is what the pages of every audience share: the layout and the
// static assets, rendering, error pages and problem documents, form values,
// the copy of request values out of Fiber's buffers, and the middleware every
// request passes. It knows no audience: survey pages, staff, intake and
// dashboard screens each live in a package of their own.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/static"
)

// Site is the look every page shares and what answers errors: the layout's
// assets, the support phone, and the surveys a 404 page offers.
type Site struct {
	assets       map[string]asset // by versioned URL path
	urls         map[string]string
	supportPhone string
	proxies      TrustedProxies
	surveys      func() []SurveyLink
	log          *slog.Logger
	errorPages   Templates
	// surveyErrors answers a refusal on a survey page, in its language (see
	// SetSurveyErrors).
	surveyErrors func(c fiber.Ctx, code int) error
	// answers are the domain errors HandleError knows (see Answer).
	answers Answers
	redact  func(string) string
}

// SiteConfig is what a Site is built from.
type SiteConfig struct {
	// SupportPhone is the 24/7 support line shown on every page, if set.
	SupportPhone string
	// Surveys are offered on the 404 page, to someone whose link was mangled.
	Surveys []SurveyLink
	Logger  *slog.Logger
	// Proxies are the trusted proxies, for the client address.
	Proxies TrustedProxies
	// SurveyList, when set, is asked for the surveys on each 404 page instead,
	// so a survey published after start-up is offered too.
	SurveyList func() []SurveyLink
	// Redact takes personal data out of an error before it is logged (the
	// survey's redaction: e-mail addresses, phone numbers). Without it no
	// error text is logged.
	Redact func(string) string
}

// SurveyLink names one survey for the 404 page.
type SurveyLink struct{ Service, Title string }

type asset struct {
	body        []byte
	gzipped     []byte // body compressed once at start-up; nil when that saves nothing
	contentType string
}

// Page is what every page template sees.
type Page struct {
	Title            string
	CSS, Icon        string
	SupportPhone     string
	SupportPhoneLink string
	// Invalid marks a form shown again with problems (the title says "Error:").
	Invalid bool
	// StaffArea pages leave out the service users' emergency footer.
	StaffArea bool
	// EmergencyAtTop pages show the emergency reminder before their content
	// (the survey, read by people who may be in crisis), not in the footer.
	EmergencyAtTop bool
	// Staff is the signed-in person's header, on staff pages only.
	Staff *StaffBar
	// PageCSS is a second stylesheet some staff pages need, if any.
	PageCSS string
}

// StaffBar is the staff header: who is signed in, and a sign-out form.
type StaffBar struct {
	Name, CSRF string
}

// NewSite loads the assets and the error pages.
func NewSite(cfg SiteConfig) (*Site, error) {
	s := &Site{assets: map[string]asset{}, urls: map[string]string{}, supportPhone: cfg.SupportPhone,
		surveys: cfg.SurveyList, log: cfg.Logger, proxies: cfg.Proxies, redact: cfg.Redact}
	if s.surveys == nil {
		fixed := cfg.Surveys
		s.surveys = func() []SurveyLink { return fixed }
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.redact == nil {
		s.redact = func(string) string { return "(not logged: no redaction)" }
	}
	// Assets are served under a name that carries their content hash, so they can
	// be cached for a year and still change the moment they do.
	for file, ctype := range map[string]string{"app.css": "text/css; charset=utf-8", "dashboards.css": "text/css; charset=utf-8", "icon.svg": "image/svg+xml",
		"invite.js": "text/javascript; charset=utf-8"} {
		body, err := fs.ReadFile(static.FS, file)
		if err != nil {
			return nil, fmt.Errorf("read static %s: %w", file, err)
		}
		sum := sha256.Sum256(body)
		dot := strings.LastIndexByte(file, '.')
		url := "/static/" + file[:dot] + "." + hex.EncodeToString(sum[:4]) + file[dot:]
		s.assets[url] = asset{body: body, gzipped: gzipped(body), contentType: ctype}
		s.urls[file] = url
	}
	var err error
	if s.errorPages, err = ParseTemplates(templateFS, nil, nil, "error", "notfound"); err != nil {
		return nil, err
	}
	return s, nil
}

// AssetURL is the versioned address of a file of package static, e.g.
// "dashboards.css", which only the dashboards' pages link.
func (s *Site) AssetURL(file string) string { return s.urls[file] }

// Page is the base of every page: the shared assets and the support line.
func (s *Site) Page(title string) Page {
	return Page{
		Title:            title,
		CSS:              s.urls["app.css"],
		Icon:             s.urls["icon.svg"],
		SupportPhone:     s.supportPhone,
		SupportPhoneLink: PhoneLink(s.supportPhone),
	}
}

// PhoneLink is a phone number as a tel: link needs it: digits and "+" only.
func PhoneLink(phone string) string { return strings.Map(phoneLinkRune, phone) }

func phoneLinkRune(r rune) rune {
	if (r >= '0' && r <= '9') || r == '+' {
		return r
	}
	return -1
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Render writes page name of set with the given status.
func (s *Site) Render(c fiber.Ctx, status int, set Templates, name string, data any) error {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := set.Execute(buf, name, data); err != nil {
		return err
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	// Copied: c.Send keeps the slice and writes it after the handler returns,
	// by when the pooled buffer may hold another request's page.
	c.Response().SetBody(buf.Bytes())
	return nil
}

// StaticAsset serves an embedded asset by its versioned path.
func (s *Site) StaticAsset(c fiber.Ctx) error {
	a, ok := s.assets[c.Path()]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, a.contentType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	// Only assets are compressed: they hold no secret, so compression cannot
	// leak one (pages carrying a nonce next to echoed answers are sent as is).
	if a.gzipped != nil && Weight(c.Get(fiber.HeaderAcceptEncoding), "gzip") > 0 {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(a.gzipped)
	}
	return c.Send(a.body)
}

// gzipped compresses an asset for clients that accept it, or returns nil if
// that would not make it smaller.
func gzipped(body []byte) []byte {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = w.Write(body)
	if w.Close() != nil || b.Len() >= len(body) {
		return nil
	}
	return b.Bytes()
}
