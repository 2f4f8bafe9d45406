package api

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/intake"
)

// Finding a returning caller, and a person's history. A search shows only the
// records that match name, date of birth and phone or e-mail; the handler
// confirms which, if any, is the caller. Every record shown is audited.

type findPage struct {
	page
	Form     formValues
	Problems fieldErrors
	// Searched is true once a search has run, so "no match" can be said.
	Searched bool
	Found    []intake.Person
}

func (s *Server) findPerson(c fiber.Ctx) error {
	q := url.Values{}
	for _, k := range []string{"name", "dob", "phone", "email"} {
		if v := strings.TrimSpace(c.Query(k)); v != "" {
			q.Set(k, v)
		}
	}
	p := findPage{page: s.staffPage(c, "Find a person"), Form: formValues(q)}
	if len(q) == 0 {
		return s.render(c, fiber.StatusOK, "people_find", p)
	}
	if q.Get("name") == "" {
		p.Problems.add("name", "Enter the caller's full name")
	}
	if q.Get("dob") == "" {
		p.Problems.add("dob", "Enter the caller's date of birth")
	}
	if p.Problems == nil {
		found, err := s.intake.FindPerson(c.Context(), q.Get("name"), q.Get("dob"), q.Get("phone"), q.Get("email"))
		var invalid *intake.InvalidError
		switch {
		case errors.As(err, &invalid):
			for _, f := range invalid.Fields {
				p.Problems.add(f.Field, f.Message)
			}
		case err != nil:
			return fmt.Errorf("find person: %w", err)
		}
		for _, person := range found {
			if err := s.audit(c, actionPersonFound, person.ID); err != nil {
				return err
			}
		}
		p.Found, p.Searched = found, p.Problems == nil
	}
	status := fiber.StatusOK
	if p.Problems != nil {
		p.Invalid, status = true, fiber.StatusUnprocessableEntity
	}
	return s.render(c, status, "people_find", p)
}

type personPage struct {
	page
	Person      intake.Person
	Contacts    []intake.Contact
	MaxSessions int
}

// personHistory shows a person's record and every contact, oldest first.
func (s *Server) personHistory(c fiber.Ctx) error {
	person, err := s.intake.Person(c.Context(), c.Params("id"))
	if errors.Is(err, intake.ErrNotFound) {
		return s.recordNotFound(c)
	}
	if err != nil {
		return fmt.Errorf("person history: %w", err)
	}
	contacts, err := s.intake.Contacts(c.Context(), person.ID)
	if err != nil {
		return fmt.Errorf("person history: %w", err)
	}
	if err := s.audit(c, actionPersonViewed, person.ID); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "person", personPage{page: s.staffPage(c, "History"), Person: person,
		Contacts: contacts, MaxSessions: intake.MaxCounsellingSessions})
}
