package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/field"
)

// Domain errors become HTTP here, once. A handler returns the domain's error;
// HandleError answers it by the table the page packages register at start-up
// (Site.Answer), as an error page, or a problem document on the JSON API. A
// form that can be put right is shown again instead (ShowAgain): field errors
// beside their fields, and the refusals in the handler's own small table
// beside a field or as a notice. Anything else is a 500.

// Answer is how the service answers one domain error.
type Answer struct {
	// Is is the domain's error; an error that is it, or wraps it, matches.
	Is error
	// Status is the HTTP status.
	Status int
	// Heading and Message word the error page (empty: the status's own
	// words). Message is also the problem document's detail, and what a
	// page shown again says, as a notice or beside Field.
	Heading, Message string
	// Explain, when set, words Message from the error itself.
	Explain func(err error) string
	// Field, on a page shown again, names the field (or fields, separated by
	// spaces: a failed sign-in marks both) that Message is shown beside.
	Field string
}

// Answers is a table of answers, looked up in order.
type Answers []Answer

// For returns the first answer err matches.
func (a Answers) For(err error) (Answer, bool) {
	for _, x := range a {
		if errors.Is(err, x.Is) {
			return x, true
		}
	}
	return Answer{}, false
}

// message is what the answer says about err.
func (a Answer) message(err error) string {
	if a.Explain != nil {
		return a.Explain(err)
	}
	return a.Message
}

// Detail is what err adds after the domain error is, when made as
// fmt.Errorf("%w: %s", is, detail); "" when it adds nothing.
func Detail(err, is error) string {
	_, detail, _ := strings.Cut(err.Error(), is.Error()+": ")
	return detail
}

// Answer adds answers to the table HandleError answers with. Page packages
// call it once, at start-up, with the domain errors they may return.
func (s *Site) Answer(answers ...Answer) { s.answers = append(s.answers, answers...) }

// Again is what a page shown again shows: the status, and either the
// problems beside each field or a notice above the page.
type Again struct {
	Status   int
	Problems field.Errors
	Notice   string
}

// ShowAgain answers err with the page the request came from, drawn by show:
// field errors with 422, and an error of refusals with its status, its
// message beside its Field or as the notice. Any other error is returned as
// it is, for HandleError.
func ShowAgain(err error, refusals Answers, show func(Again) error) error {
	if problems := FieldErrors(err); problems != nil {
		return show(Again{Status: fiber.StatusUnprocessableEntity, Problems: problems})
	}
	a, ok := refusals.For(err)
	if !ok {
		return err
	}
	again := Again{Status: a.Status}
	if a.Field == "" {
		again.Notice = a.message(err)
	}
	for _, f := range strings.Fields(a.Field) {
		again.Problems.Add(f, a.message(err))
	}
	return show(again)
}

// FieldErrors returns the field errors err carries, or nil.
func FieldErrors(err error) field.Errors {
	var problems field.Errors
	if errors.As(err, &problems) && len(problems) > 0 {
		return problems
	}
	return nil
}

// pageBaseLocal is the c.Locals key of the function an error page of the
// request starts from (see SetPageBase).
type pageBaseLocal struct{}

// SetPageBase has the error pages of this request start from base: the staff
// area's carries the header of the person signed in.
func SetPageBase(c fiber.Ctx, base func(c fiber.Ctx, title string) Page) {
	c.Locals(pageBaseLocal{}, base)
}

// pageFor is the base of an error page for c.
func (s *Site) pageFor(c fiber.Ctx, title string) Page {
	if base, ok := c.Locals(pageBaseLocal{}).(func(fiber.Ctx, string) Page); ok {
		return base(c, title)
	}
	return s.Page(title)
}
