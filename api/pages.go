package api

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/static"
	"github.com/feedback-service/feedback/survey"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages holds the parsed templates, one set per page, each with the layout.
type pages struct {
	sets   map[string]*template.Template
	assets map[string]asset // by versioned URL path
	css    string
	icon   string
	// dashCSS is the dashboards' stylesheet (with their print layout), linked
	// from dashboard pages only.
	dashCSS string
}

type asset struct {
	body        []byte
	contentType string
}

// page is what every page template sees.
type page struct {
	Title            string
	CSS, Icon        string
	SupportPhone     string
	SupportPhoneLink string
	Errors           *survey.ValidationError
	// Invalid marks a staff form shown again with problems (the title says "Error:").
	Invalid bool
	// StaffArea pages leave out the service users' emergency footer.
	StaffArea bool
	// EmergencyAtTop pages show the emergency reminder before their content
	// (the survey, read by people who may be in crisis), not in the footer.
	EmergencyAtTop bool
	// Staff is the signed-in person's header, on staff pages only.
	Staff *staffBar
	// PageCSS is a second stylesheet some staff pages need, if any.
	PageCSS string
}

// staffBar is the staff header: who is signed in, and a sign-out form.
type staffBar struct {
	Name, CSRF string
}

func loadPages() (*pages, error) {
	funcs := template.FuncMap{
		"lower":   strings.ToLower,
		"fieldID": fieldID,
		"input":   newInputView,
		"radios":  newRadiosView,
		"month":   monthName,
		"percent": percentText,
		"score":   scoreText,
		"count":   countText,
	}
	p := &pages{sets: map[string]*template.Template{}, assets: map[string]asset{}}
	for _, name := range []string{"survey", "thanks", "notfound", "error", "login", "password", "staff", "users", "audit",
		"contact_new", "contact", "people_find", "person", "practitioners", "practitioner", "people_admin", "person_erase",
		"dashboards", "dashboard"} {
		files := []string{"templates/layout.html", "templates/" + name + ".html"}
		if strings.HasPrefix(name, "dashboard") {
			files = append(files, "templates/charts.html")
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		p.sets[name] = t
	}
	// Assets are served under a name that carries their content hash, so they can
	// be cached for a year and still change the moment they do.
	for file, ctype := range map[string]string{"app.css": "text/css; charset=utf-8", "dashboards.css": "text/css; charset=utf-8", "icon.svg": "image/svg+xml"} {
		body, err := fs.ReadFile(static.FS, file)
		if err != nil {
			return nil, fmt.Errorf("read static %s: %w", file, err)
		}
		sum := sha256.Sum256(body)
		dot := strings.LastIndexByte(file, '.')
		url := "/static/" + file[:dot] + "." + hex.EncodeToString(sum[:4]) + file[dot:]
		p.assets[url] = asset{body: body, contentType: ctype}
		switch file {
		case "app.css":
			p.css = url
		case "dashboards.css":
			p.dashCSS = url
		default:
			p.icon = url
		}
	}
	return p, nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes a page with the given status.
func (s *Server) render(c fiber.Ctx, status int, name string, data any) error {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := s.pages.sets[name].ExecuteTemplate(buf, "layout", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	// Copied: c.Send keeps the slice and writes it after the handler returns,
	// by when the pooled buffer may hold another request's page.
	c.Response().SetBody(buf.Bytes())
	return nil
}

func (s *Server) basePage(title string) page {
	return page{
		Title:            title,
		CSS:              s.pages.css,
		Icon:             s.pages.icon,
		SupportPhone:     s.cfg.SupportPhone,
		SupportPhoneLink: strings.Map(phoneLinkRune, s.cfg.SupportPhone),
	}
}

// staffPage is basePage for a staff page, with the header of the person
// signed in, if anyone is.
func (s *Server) staffPage(c fiber.Ctx, title string) page {
	p := s.basePage(title)
	p.StaffArea = true
	if sess := sessionOf(c); sess != nil {
		p.Staff = &staffBar{Name: sess.Name, CSRF: sess.CSRFToken}
	}
	return p
}

func phoneLinkRune(r rune) rune {
	if (r >= '0' && r <= '9') || r == '+' {
		return r
	}
	return -1
}

// inputView is one text input of a staff form, for the "input" template: its
// label, hint, the answer kept and its error.
type inputView struct {
	Name, Type, Label, Hint, Value, Error string
}

// newInputView is the template function "input": form and problems are the
// page's, then the field's name, input type, label and hint.
func newInputView(form formValues, problems fieldErrors, name, typ, label, hint string) inputView {
	return inputView{Name: name, Type: typ, Label: label, Hint: hint, Value: form.Text(name), Error: problems.For(name)}
}

// radiosView is one group of radio buttons, for the "radios" template. The
// first button's id is the field's name, where the error summary links.
type radiosView struct {
	Name, Legend, Value, Error string
	Choices                    []choice
}

func newRadiosView(form formValues, problems fieldErrors, name, legend string, choices []choice) radiosView {
	return radiosView{Name: name, Legend: legend, Value: form.Text(name), Error: problems.For(name), Choices: choices}
}

// fieldID is the id of the first input of a question: where an error summary
// link takes the reader.
func fieldID(d *survey.Definition, question string) string {
	q, ok := d.Question(question)
	if !ok {
		return question
	}
	if q.Kind == survey.Text || len(q.Options) == 0 {
		return q.ID
	}
	return q.ID + "-" + q.Options[0].Value
}

// staticAsset serves an embedded asset by its versioned path.
func (s *Server) staticAsset(c fiber.Ctx) error {
	a, ok := s.pages.assets[c.Path()]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, a.contentType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	return c.Send(a.body)
}
