package intakepages

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/intake"
)

// Finding a returning caller, and a person's history. A search shows only the
// records that match name, date of birth and phone or e-mail; the handler
// confirms which, if any, is the caller. Every record shown is audited.

type findPage struct {
	web.Page
	Form     web.Values
	Problems field.Errors
	// Searched is true once a search has run, so "no match" can be said.
	Searched bool
	Found    []intake.Person
	// Likely are other records with the same date of birth and a similar
	// name, whatever their phone: a caller with a new number or a misspelling.
	Likely []intake.Person
}

// FindPerson is GET /intake/people: the search form, and its matches once
// name, date of birth and phone or e-mail are given.
func (s *Pages) FindPerson(c fiber.Ctx) error {
	q := url.Values{}
	for _, k := range []string{"name", "dob", "dob-day", "dob-month", "dob-year", "phone", "email"} {
		if v := strings.TrimSpace(web.Query(c, k)); v != "" {
			q.Set(k, v)
		}
	}
	p := findPage{Page: s.staff.Page(c, "Find a person"), Form: web.Values(q)}
	if len(q) == 0 {
		return s.site.Render(c, fiber.StatusOK, s.templates, "people_find", p)
	}
	var dobProblem string
	if q.Get("dob-day")+q.Get("dob-month")+q.Get("dob-year") != "" {
		var dob string
		dob, dobProblem = intake.ParseDate(q.Get("dob-day"), q.Get("dob-month"), q.Get("dob-year"), "Date of birth")
		q.Set("dob", dob)
	} else if d, m, y := intake.SplitDate(q.Get("dob")); d != "" {
		q.Set("dob-day", d)
		q.Set("dob-month", m)
		q.Set("dob-year", y)
	}
	found, err := s.intake.FindPerson(c.Context(), q.Get("name"), q.Get("dob"), q.Get("phone"), q.Get("email"))
	if p.Problems = web.FieldErrors(err); err != nil && p.Problems == nil {
		return fmt.Errorf("find person: %w", err)
	}
	if dobProblem != "" {
		p.Problems = slices.DeleteFunc(p.Problems, func(f field.Error) bool { return f.Field == "dob" })
		p.Problems.Add("dob", dobProblem)
		found = nil
	}
	likely, err := s.intake.LikelyMatches(c.Context(), q.Get("name"), q.Get("dob"))
	if err != nil {
		return fmt.Errorf("find person: %w", err)
	}
	for _, person := range likely {
		if !slices.ContainsFunc(found, func(f intake.Person) bool { return f.ID == person.ID }) {
			p.Likely = append(p.Likely, person)
		}
	}
	for _, person := range append(slices.Clone(found), p.Likely...) {
		if err := s.staff.Audit(c, actionPersonFound, person.ID); err != nil {
			return err
		}
	}
	p.Found, p.Searched = found, p.Problems == nil
	status := fiber.StatusOK
	if p.Problems != nil {
		p.Invalid, status = true, fiber.StatusUnprocessableEntity
	}
	return s.site.Render(c, status, s.templates, "people_find", p)
}

type personPage struct {
	web.Page
	Person      intake.Person
	Member      *intake.Person // the member a partner or dependant is linked to
	Contacts    []intake.Contact
	MaxSessions int
	// NextTextFrom is when the next survey invitation may go to the person,
	// set when the last went less than the setting's days ago.
	NextTextFrom *time.Time
}

// PersonHistory shows a person's record and every contact, oldest first.
func (s *Pages) PersonHistory(c fiber.Ctx) error {
	person, err := s.intake.Person(c.Context(), web.Param(c, "id"))
	if err != nil {
		return fmt.Errorf("person history: %w", err)
	}
	contacts, err := s.intake.Contacts(c.Context(), person.ID)
	if err != nil {
		return fmt.Errorf("person history: %w", err)
	}
	if err := s.staff.Audit(c, actionPersonViewed, person.ID); err != nil {
		return err
	}
	page := personPage{Page: s.staff.Page(c, "History"), Person: person, Contacts: contacts, MaxSessions: intake.MaxCounsellingSessions}
	if person.LastTextedAt != nil {
		settings, err := s.intake.Settings(c.Context())
		if err != nil {
			return fmt.Errorf("person history: %w", err)
		}
		if next := person.LastTextedAt.Add(settings.TextInterval()); next.After(s.intake.Now()) {
			page.NextTextFrom = &next
		}
	}
	if person.MemberID != "" {
		if m, err := s.intake.Person(c.Context(), person.MemberID); err == nil {
			if err := s.staff.Audit(c, actionPersonViewed, m.ID); err != nil {
				return err
			}
			page.Member = &m
		}
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "person", page)
}
