// Package moderationpages serves the moderators' screens: the queue of
// released comments the check at submission was unsure of, and, for each,
// approving it or removing words from it before any quality lead reads it.
// A moderator sees a comment's text, service, month and question, and no
// figure, rating or other comment; every decision is audited, without the
// comment's text. What waits and what a decision changes is decided by
// package dashboards (and survey beneath it); these handlers read the form,
// call it and render.
package moderationpages

import (
	"embed"
	"errors"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/survey"
)

//go:embed templates/*.html
var templateFS embed.FS

// The audited decisions; the record is service|month|key, which names the
// comment (a keyed hash) and nothing it says.
const (
	actionApproved accounts.Action = "comment_approved"
	actionRedacted accounts.Action = "comment_redacted"
)

// Path is the queue's address.
const Path = "/moderation"

// Pages are the moderation screens.
type Pages struct {
	site       *web.Site
	staff      *staff.Pages
	dashboards *dashboards.Dashboards
	templates  web.Templates
}

// New parses the moderation templates. Routes run staff's middleware first,
// so a handler here always has a signed-in moderator.
func New(site *web.Site, staffPages *staff.Pages, d *dashboards.Dashboards) (*Pages, error) {
	if d == nil {
		return nil, errors.New("moderationpages: no dashboards")
	}
	funcs := template.FuncMap{"month": monthName, "service": serviceName}
	t, err := web.ParseTemplates(templateFS, funcs, nil, "queue", "comment")
	if err != nil {
		return nil, err
	}
	site.Answer(web.Answer{Is: dashboards.ErrNotQueued, Status: fiber.StatusNotFound, Heading: "Comment not in the queue",
		Message: "No comment awaits moderation at this address: another moderator may have decided on it already. Go back to the queue."},
		web.Answer{Is: survey.ErrRedaction, Status: fiber.StatusBadRequest, Heading: "Words could not be removed",
			Message: "Only words of the comment can be removed. Go back to the comment, select words and preview again."})
	return &Pages{site: site, staff: staffPages, dashboards: d, templates: t}, nil
}

func (s *Pages) page(c fiber.Ctx, title string) web.Page {
	p := s.staff.Page(c, title)
	p.PageCSS = s.site.AssetURL("dashboards.css")
	return p
}

type queuePage struct {
	web.Page
	Queue  []queueItem
	Risk   int
	Notice string
}

type queueItem struct {
	dashboards.QueuedComment
	URL string
}

// notices word what the queue says after a decision (?done=).
var notices = map[string]string{
	"approved": "Comment approved: quality leads can now read it.",
	"redacted": "Words removed: quality leads can now read the comment without them.",
}

// Queue is GET /moderation: every comment awaiting moderation, those that
// spoke of risk first.
func (s *Pages) Queue(c fiber.Ctx) error {
	q, err := s.dashboards.ModerationQueue(c.Context())
	if err != nil {
		return err
	}
	p := queuePage{Page: s.page(c, "Comments to moderate"), Notice: notices[web.Query(c, "done")]}
	for _, qc := range q {
		p.Queue = append(p.Queue, queueItem{QueuedComment: qc, URL: commentURL(qc.Service, qc.Month, qc.Key)})
		if qc.Risk {
			p.Risk++
		}
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "queue", p)
}

// commentURL is a queued comment's address: /moderation/comment?c=service~month~key.
func commentURL(service, month, key string) string {
	return Path + "/comment?" + url.Values{"c": {service + "~" + month + "~" + key}}.Encode()
}

// queued reads ?c= and finds the comment it names in the queue.
func (s *Pages) queued(c fiber.Ctx) (dashboards.QueuedComment, error) {
	parts := strings.SplitN(web.Query(c, "c"), "~", 3)
	if len(parts) != 3 {
		return dashboards.QueuedComment{}, dashboards.ErrNotQueued
	}
	return s.dashboards.Queued(c.Context(), parts[0], parts[1], parts[2])
}

type commentPage struct {
	web.Page
	Comment  dashboards.QueuedComment
	Words    []wordChoice
	Action   string
	Problems field.Errors
	// Preview is the text quality leads would read with the picked words
	// removed, shown to confirm before it is saved.
	Preview string
	Picked  []int
}

type wordChoice struct {
	Index   int
	Text    string
	Checked bool
}

// Comment is GET /moderation/comment?c=…: one comment, to approve or to
// remove words from.
func (s *Pages) Comment(c fiber.Ctx) error {
	q, err := s.queued(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, q, nil, "", nil)
}

// Moderate is POST /moderation/comment?c=…: decision "approve" approves;
// "preview" shows the comment with the picked words removed; "redact"
// removes them; "change" shows the words again.
func (s *Pages) Moderate(c fiber.Ctx) error {
	q, err := s.queued(c)
	if err != nil {
		return err
	}
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	picked, ok := pickedWords(form["word"], len(q.Words()))
	if !ok {
		return fiber.ErrBadRequest
	}
	switch form.Get("decision") {
	case "approve":
		if err := s.dashboards.Approve(c.Context(), q.Service, q.Month, q.Key); err != nil {
			return err
		}
		return s.done(c, actionApproved, q, "approved")
	case "preview", "redact":
		if len(picked) == 0 {
			var problems field.Errors
			problems.Add("word-0", "Select the words to remove, or approve the comment as it is")
			return s.render(c, fiber.StatusUnprocessableEntity, q, problems, "", picked)
		}
		if form.Get("decision") == "preview" {
			preview, err := survey.RemoveWords(q.Text, picked)
			if err != nil {
				return err
			}
			return s.render(c, fiber.StatusOK, q, nil, preview, picked)
		}
		if err := s.dashboards.RemoveWords(c.Context(), q.Service, q.Month, q.Key, picked); err != nil {
			return err
		}
		return s.done(c, actionRedacted, q, "redacted")
	case "change":
		return s.render(c, fiber.StatusOK, q, nil, "", picked)
	}
	return fiber.ErrBadRequest
}

// done audits a decision and goes back to the queue.
func (s *Pages) done(c fiber.Ctx, action accounts.Action, q dashboards.QueuedComment, what string) error {
	if err := s.staff.Audit(c, action, q.Service+"|"+q.Month+"|"+q.Key); err != nil {
		return err
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(Path + "?done=" + what)
}

// pickedWords reads the word indexes of a form, each below n, in order and
// once each; ok is false for anything else.
func pickedWords(values []string, n int) ([]int, bool) {
	var out []int
	for _, v := range values {
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= n {
			return nil, false
		}
		out = append(out, i)
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

func (s *Pages) render(c fiber.Ctx, status int, q dashboards.QueuedComment, problems field.Errors, preview string, picked []int) error {
	p := commentPage{Page: s.page(c, "Moderate a comment"), Comment: q, Action: commentURL(q.Service, q.Month, q.Key),
		Problems: problems, Preview: preview, Picked: picked}
	p.Invalid = problems != nil
	for i, w := range q.Words() {
		p.Words = append(p.Words, wordChoice{Index: i, Text: w.Text, Checked: slices.Contains(picked, i)})
	}
	return s.site.Render(c, status, s.templates, "comment", p)
}

func serviceName(service string) string {
	s := strings.ReplaceAll(service, "-", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// monthName turns "2026-01" into "January 2026".
func monthName(m string) string {
	t, err := time.Parse(survey.MonthLayout, m)
	if err != nil {
		return m
	}
	return t.Format("January 2006")
}
