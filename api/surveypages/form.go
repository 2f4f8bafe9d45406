package surveypages

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/feedback-service/feedback/api/surveypages/i18n"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/survey"
)

// surveyPage is what the survey form template sees.
type surveyPage struct {
	page
	Service, Intro string
	// Version is the survey version the form shows: answers sent from it are
	// read, stored and counted under it, even after a newer one is published.
	Version string
	Nonce   string
	// Invitation is the invitation the form came from, sent with the answers.
	Invitation string
	// Script, on an invited form, exchanges the invitation for a token;
	// Token is that token, on a form sent back with it.
	Script, Token string
	Questions     []questionView
	Honeypot      string
	// HoneypotError is the honeypot's problem, if it was filled in.
	HoneypotError string
	Notice        string
	// Errors are the problems for the error summary, each linked to the
	// question's first input.
	Errors field.Errors
}

// questionView is one question as the form shows it, in the page's language,
// with the person's answer and its problem, if any.
type questionView struct {
	ID       string
	Kind     survey.Kind
	Required bool
	survey.QuestionText
	Error string
	// Text is a free-text answer, kept as sent (never cut); Count says how
	// many characters are allowed or left, Over whether it is too long.
	Text, Count string
	Over        bool
	values      []string
}

// Checked reports whether the person chose option v.
func (q questionView) Checked(v string) bool {
	for _, got := range q.values {
		if got == v {
			return true
		}
	}
	return false
}

// newSurveyPage builds the form of d in language l, with the answers sent
// (nil for a blank form) and the problems found in them.
func (p *Pages) newSurveyPage(l survey.Language, d *survey.Definition, nonce string, values url.Values, ve *survey.ValidationError) surveyPage {
	lang := p.langs[l]
	title, intro := d.In(l)
	data := surveyPage{page: p.base(l, title, "/s/"+d.Service), Service: d.Service, Intro: intro, Version: d.Version, Nonce: nonce}
	data.Home = "/s/" + d.Service
	data.EmergencyAtTop = true
	for i := range d.Questions {
		q := &d.Questions[i]
		v := questionView{ID: q.ID, Kind: q.Kind, Required: q.Required, QuestionText: q.In(l), values: values[q.ID]}
		if q.Kind == survey.Text {
			v.Text = values.Get(q.ID)
			v.Count, v.Over = characterCount(lang, v.Text, q.MaxLength, values != nil)
		}
		if ve != nil {
			if msg := ve.For(q.ID); msg != "" {
				v.Error = errorMessage(lang, q, msg, v.Text)
				data.Errors = append(data.Errors, field.Error{Field: fieldID(q), Message: v.Error})
			}
		}
		data.Questions = append(data.Questions, v)
	}
	if values != nil {
		data.Invitation = values.Get(InvitationField)
		data.Token = values.Get(TokenField)
		if data.Invitation != "" {
			data.Script = p.script
		}
		data.Honeypot = values.Get(survey.HoneypotField)
	}
	data.formProblems(lang, ve)
	data.Invalid = len(data.Errors) > 0
	return data
}

// formProblems adds the problems that belong to no question: the honeypot,
// and a field the form never offers.
func (data *surveyPage) formProblems(lang *i18n.Lang, ve *survey.ValidationError) {
	if ve == nil {
		return
	}
	if ve.For(survey.HoneypotField) != "" {
		data.HoneypotError = lang.T("error.honeypot")
		data.Errors = append(data.Errors, field.Error{Field: survey.HoneypotField, Message: data.HoneypotError})
	}
	if ve.For("") != "" {
		data.Errors = append(data.Errors, field.Error{Message: lang.T("error.form")})
	}
}

// characterCount is the hint under a free-text answer: the limit on a blank
// form, what is left (or how many too many) once the person has written.
func characterCount(lang *i18n.Lang, text string, limit int, sent bool) (string, bool) {
	n := answerLength(text)
	switch {
	case !sent || n == 0:
		return lang.T("survey.count_limit", i18n.Number(limit)), false
	case n == limit+1:
		return lang.T("survey.count_one_over"), true
	case n > limit:
		return lang.T("survey.count_over", i18n.Number(n-limit)), true
	case n == limit-1:
		return lang.T("survey.count_one_left"), false
	}
	return lang.T("survey.count_left", i18n.Number(limit-n)), false
}

// answerLength counts characters as package survey does: a line break is one.
func answerLength(text string) int {
	return utf8.RuneCountInString(strings.ReplaceAll(text, "\r\n", "\n"))
}

// errorMessage says what is wrong with an answer in the page's language and
// in the question's own words. survey's messages are English, for the API.
func errorMessage(lang *i18n.Lang, q *survey.Question, msg, text string) string {
	switch {
	case strings.HasPrefix(msg, "Select an answer"):
		return lang.T("error.required", q.In(lang.Code).Prompt)
	case strings.HasPrefix(msg, "Your answer must be"):
		return lang.T("error.too_long", i18n.Number(q.MaxLength), i18n.Number(answerLength(text)-q.MaxLength))
	case strings.HasPrefix(msg, "Your answer contains characters"):
		return lang.T("error.unreadable")
	case strings.HasPrefix(msg, "Give one answer"):
		return lang.T("error.one_answer")
	case strings.HasPrefix(msg, "Choose a number"):
		return lang.T("error.number")
	case strings.HasPrefix(msg, "Choose"):
		return lang.T("error.options")
	}
	return msg
}

// fieldID is the id of the first input of a question: where an error summary
// link takes the reader.
func fieldID(q *survey.Question) string {
	if q.Kind == survey.Text || len(q.Options) == 0 {
		return q.ID
	}
	return q.ID + "-" + q.Options[0].Value
}

// blankForm is a survey's form rendered once, split where its nonce goes;
// before is also split (head, tail) where its language link names the
// survey's path, which an invited form replaces with the invitation's.
type blankForm struct{ before, after, head, tail []byte }

// formKey names a blank form: one version of a survey in one language.
type formKey struct {
	service, version string
	lang             survey.Language
}

// invitedSlot goes where the nonce ends, to add the invitation field after it.
var invitedSlot = []byte(`"><input type="hidden" name="` + InvitationField + `" value="`)

// nonceSlot marks where the nonce goes; it needs no escaping, like a nonce.
const nonceSlot = "NONCE-SLOT-4f1c9a"

// renderBlankForms renders the current version of every survey in every
// language; a version published later is rendered at its first request.
func (p *Pages) renderBlankForms() error {
	for _, d := range p.surveys.All() {
		for l := range p.langs {
			if _, err := p.renderBlankForm(d, l); err != nil {
				return err
			}
		}
	}
	return nil
}

// renderBlankForm renders d's blank form in language l and keeps it.
func (p *Pages) renderBlankForm(d *survey.Definition, l survey.Language) (blankForm, error) {
	var buf bytes.Buffer
	if err := p.templates.Execute(&buf, "survey", p.newSurveyPage(l, d, nonceSlot, nil, nil)); err != nil {
		return blankForm{}, fmt.Errorf("render blank form %s (%s): %w", d.Service, l, err)
	}
	before, after, ok := bytes.Cut(buf.Bytes(), []byte(nonceSlot))
	if !ok || bytes.Contains(after, []byte(nonceSlot)) {
		return blankForm{}, fmt.Errorf("render blank form %s: nonce slot not found once", d.Service)
	}
	head, tail, ok := bytes.Cut(before, []byte(`href="/s/`+d.Service+`?`))
	if !ok {
		return blankForm{}, fmt.Errorf("render blank form %s: language link not found", d.Service)
	}
	head = append(head[:len(head):len(head)], `href="`...)
	b := blankForm{before: before, after: after, head: head, tail: append([]byte("?"), tail...)}
	p.blankForms.put(formKey{d.Service, d.Version, l}, b)
	return b, nil
}

// FieldErrors are survey's problems in the shape every page shows (the JSON
// API's, in English).
func FieldErrors(ve *survey.ValidationError) field.Errors {
	if ve == nil {
		return nil
	}
	out := make(field.Errors, len(ve.Fields))
	for i, f := range ve.Fields {
		out[i] = field.Error{Field: f.Question, Message: f.Message}
	}
	return out
}
