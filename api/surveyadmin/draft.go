package surveyadmin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/api/staff"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/field"
	"github.com/feedback-service/feedback/survey"
)

// The draft form has one block of fields per question after the FFT question,
// which is fixed by the rules and shown locked: slots 1 to MaxQuestions-1,
// filled from the version drafted from and left blank after it. A blank slot,
// or one marked for removal, asks nothing.

var kinds = []web.Choice{
	{Value: string(survey.Single), Label: "One answer from a list"},
	{Value: string(survey.Multiple), Label: "Any answers from a list"},
	{Value: string(survey.Scale), Label: "A scale"},
	{Value: string(survey.YesNo), Label: "Yes or no"},
	{Value: string(survey.Likelihood), Label: "0 to 10"},
	{Value: string(survey.Text), Label: "Free text"},
}

type slot struct {
	N    int    // 1…MaxQuestions-1
	Name string // field prefix, "q3_"
}

type draftPage struct {
	web.Page
	Service  string
	Base     int
	FFT      survey.Question
	Slots    []slot
	Kinds    []web.Choice
	Form     web.Values
	Problems field.Errors
	Notice   string
}

func slots() []slot {
	out := make([]slot, survey.MaxQuestions-1)
	for i := range out {
		out[i] = slot{N: i + 1, Name: fmt.Sprintf("q%d_", i+1)}
	}
	return out
}

// formOf fills the draft form from a definition.
func formOf(d *survey.Definition) web.Values {
	v := web.Values{"title": {d.Title}, "intro": {d.Intro}}
	if d.Cy != nil {
		v["cy_title"], v["cy_intro"] = []string{d.Cy.Title}, []string{d.Cy.Intro}
	}
	for i, q := range d.Questions[1:] {
		pre := fmt.Sprintf("q%d_", i+1)
		v[pre+"position"] = []string{strconv.Itoa(i + 1)}
		v[pre+"id"], v[pre+"short"], v[pre+"kind"] = []string{q.ID}, []string{q.Short}, []string{string(q.Kind)}
		v[pre+"prompt"], v[pre+"hint"] = []string{q.Prompt}, []string{q.Hint}
		v[pre+"low_label"], v[pre+"high_label"] = []string{q.LowLabel}, []string{q.HighLabel}
		if q.Required {
			v[pre+"required"] = []string{web.Checked}
		}
		if q.MaxLength > 0 {
			v[pre+"max_length"] = []string{strconv.Itoa(q.MaxLength)}
		}
		if q.Kind != survey.YesNo && q.Kind != survey.Likelihood {
			var lines []string
			for _, o := range q.Options {
				lines = append(lines, o.Value+" = "+o.Label)
			}
			v[pre+"options"] = []string{strings.Join(lines, "\n")}
		}
		welshOf(v, pre, q)
	}
	return v
}

// welshOf fills a question's Welsh fields: prompt, hint, the 0–10 ends and
// each option's label as value = label (yes/no included).
func welshOf(v web.Values, pre string, q survey.Question) {
	if q.Cy == nil {
		return
	}
	w := q.Cy
	v[pre+"cy_prompt"], v[pre+"cy_hint"] = []string{w.Prompt}, []string{w.Hint}
	v[pre+"cy_low_label"], v[pre+"cy_high_label"] = []string{w.LowLabel}, []string{w.HighLabel}
	var lines []string
	for _, o := range q.Options {
		if label, ok := w.Options[o.Value]; ok {
			lines = append(lines, o.Value+" = "+label)
		}
	}
	v[pre+"cy_options"] = []string{strings.Join(lines, "\n")}
}

// definitionFrom reads the draft form into a definition file, keeping cur's
// FFT question. order[j] is the slot question j came from (0: the FFT).
func definitionFrom(cur *survey.Definition, form url.Values) (file []byte, order []int, problems field.Errors) {
	// Starting from cur keeps what this form does not edit (a translation, say).
	d := *cur
	d.Title, d.Intro = strings.TrimSpace(form.Get("title")), strings.TrimSpace(form.Get("intro"))
	// Welsh is all or nothing: a survey with a Welsh title translates every
	// question (the rules say which is missing); without one it is English only.
	d.Cy = nil
	if t, i := strings.TrimSpace(form.Get("cy_title")), strings.TrimSpace(form.Get("cy_intro")); t != "" || i != "" {
		d.Cy = &survey.DefinitionWelsh{Title: t, Intro: i}
	}
	type placed struct {
		pos, slot int
		q         survey.Question
	}
	var qs []placed
	for _, s := range slots() {
		q, pos, ok := questionFrom(cur, form, s, &problems)
		if ok {
			qs = append(qs, placed{pos, s.N, q})
		}
	}
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].pos < qs[j].pos })
	d.Questions, order = []survey.Question{cur.Questions[0]}, []int{0}
	if d.Cy == nil {
		d.Questions[0].Cy = nil
	}
	for _, p := range qs {
		if d.Cy == nil {
			p.q.Cy = nil
		}
		d.Questions = append(d.Questions, p.q)
		order = append(order, p.slot)
	}
	file, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		problems.Add("", "The draft could not be encoded: "+err.Error())
	}
	return file, order, problems
}

// questionFrom reads one slot; ok is false for a blank or removed one. A
// question of cur with the same id is the start, so fields this form does not
// edit are kept.
func questionFrom(cur *survey.Definition, form url.Values, s slot, problems *field.Errors) (q survey.Question, pos int, ok bool) {
	get := func(name string) string { return strings.TrimSpace(form.Get(s.Name + name)) }
	if form.Get(s.Name+"remove") == web.Checked || (get("id") == "" && get("prompt") == "") {
		return q, 0, false
	}
	if base, found := cur.Question(get("id")); found {
		q = *base
	}
	q.ID, q.Short, q.Kind, q.Prompt, q.Hint = get("id"), get("short"), survey.Kind(get("kind")), get("prompt"), get("hint")
	q.Required, q.LowLabel, q.HighLabel = form.Get(s.Name+"required") == web.Checked, get("low_label"), get("high_label")
	q.Options, q.MaxLength = nil, 0
	pos = s.N
	if v := get("position"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > survey.MaxQuestions {
			problems.Add(s.Name+"position", fmt.Sprintf("Question %d: enter its position as a number from 1 to %d", s.N, survey.MaxQuestions))
		}
		pos = n
	}
	if v := get("max_length"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			problems.Add(s.Name+"max_length", fmt.Sprintf("Question %d: enter the most characters as a whole number, like 500", s.N))
		}
		q.MaxLength = n
	}
	if q.Kind != survey.YesNo && q.Kind != survey.Likelihood {
		q.Options = optionLines(form.Get(s.Name+"options"), s, "options", problems)
	}
	q.Cy = welshFrom(form, s, problems)
	return q, pos, true
}

// welshFrom reads a question's Welsh fields; nil when they are all empty.
func welshFrom(form url.Values, s slot, problems *field.Errors) *survey.QuestionWelsh {
	get := func(name string) string { return strings.TrimSpace(form.Get(s.Name + "cy_" + name)) }
	w := &survey.QuestionWelsh{Prompt: get("prompt"), Hint: get("hint"), LowLabel: get("low_label"), HighLabel: get("high_label")}
	for _, o := range optionLines(form.Get(s.Name+"cy_options"), s, "cy_options", problems) {
		if w.Options == nil {
			w.Options = map[string]string{}
		}
		w.Options[o.Value] = o.Label
	}
	if w.Prompt == "" && w.Hint == "" && w.LowLabel == "" && w.HighLabel == "" && w.Options == nil {
		return nil
	}
	return w
}

// optionLines reads options written one a line as value = label.
func optionLines(text string, s slot, name string, problems *field.Errors) []survey.Option {
	var out []survey.Option
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		value, label, found := strings.Cut(line, "=")
		if !found {
			problems.Add(s.Name+name, fmt.Sprintf("Question %d: write each option on its own line as value = label, like very_easy = Very easy", s.N))
			break
		}
		out = append(out, survey.Option{Value: strings.TrimSpace(value), Label: strings.TrimSpace(label)})
	}
	return out
}

var definitionField = regexp.MustCompile(`^questions\[(\d+)\](?:\.([a-z_]+)(?:\.([a-z_]+))?)?`)

// fieldOf is the draft form field a rule's error names.
func fieldOf(de *survey.DefinitionError, order []int) string {
	switch de.Field {
	case "title", "intro":
		return de.Field
	case "cy.title", "cy.intro":
		return "cy_" + strings.TrimPrefix(de.Field, "cy.")
	}
	m := definitionField.FindStringSubmatch(de.Field)
	if m == nil {
		return ""
	}
	j, _ := strconv.Atoi(m[1])
	if j <= 0 || j >= len(order) {
		return ""
	}
	name := m[2]
	if name == "cy" { // questions[3].cy.prompt: the Welsh field
		switch {
		case m[3] == "":
			name = "cy_prompt"
		case strings.HasPrefix(m[3], "options"):
			name = "cy_options"
		default:
			name = "cy_" + m[3]
		}
	}
	switch name {
	case "", "options", "value", "label":
		if name == "" {
			name = "prompt"
		} else {
			name = "options"
		}
	}
	return fmt.Sprintf("q%d_%s", order[j], name)
}

// DraftForm is GET /admin/surveys/{service}/draft[?from=DRAFT]: the current
// version (or a draft being changed) in the draft form.
func (p *Pages) DraftForm(c fiber.Ctx) error {
	cur, history, err := p.current(c)
	if err != nil || cur == nil {
		return err
	}
	form := formOf(cur)
	if id := web.Query(c, "from"); id != "" {
		if d, err := p.library.Draft(c.Context(), id); err == nil && d.Definition.Service == cur.Service {
			form = formOf(d.Definition)
		}
	}
	return p.renderDraft(c, fiber.StatusOK, cur, history[len(history)-1].Number, form, nil, "")
}

func (p *Pages) current(c fiber.Ctx) (*survey.Definition, []*survey.Published, error) {
	history, err := p.library.History(c.Context(), web.Param(c, "service"))
	if err != nil {
		return nil, nil, err
	}
	if len(history) == 0 {
		return nil, nil, p.site.NotFound(c)
	}
	return history[len(history)-1].Definition, history, nil
}

func (p *Pages) renderDraft(c fiber.Ctx, status int, cur *survey.Definition, base int, form web.Values, problems field.Errors, notice string) error {
	page := draftPage{Page: p.staff.Page(c, "Draft a new version: "+cur.Title), Service: cur.Service, Base: base,
		FFT: cur.Questions[0], Slots: slots(), Kinds: kinds, Form: form, Problems: problems, Notice: notice}
	page.Invalid = problems != nil
	return p.site.Render(c, status, p.templates, "draft", page)
}

// draftRefusals are shown above the draft again.
var draftRefusals = web.Answers{{Is: survey.ErrUnchanged, Status: fiber.StatusUnprocessableEntity,
	Message: "Nothing changed: this draft asks exactly what the current version asks."}}

// DraftSubmit is POST /admin/surveys/{service}/draft: check the draft with the
// rules the service starts with and, if it keeps them, save it and show its preview.
func (p *Pages) DraftSubmit(c fiber.Ctx) error {
	cur, _, err := p.current(c)
	if err != nil || cur == nil {
		return err
	}
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	base, _ := strconv.Atoi(form.Get("base"))
	file, order, problems := definitionFrom(cur, form)
	if problems != nil {
		return p.renderDraft(c, fiber.StatusUnprocessableEntity, cur, base, web.Values(form), problems, "")
	}
	draft, err := p.library.SaveDraft(c.Context(), file, base, staff.SessionOf(c).Email)
	var de *survey.DefinitionError
	if errors.As(err, &de) {
		// The rule names a path in the definition file: marked on its field of the form.
		problems.Add(fieldOf(de, order), de.Message)
		return p.renderDraft(c, fiber.StatusUnprocessableEntity, cur, base, web.Values(form), problems, "")
	}
	if err != nil {
		return web.ShowAgain(fmt.Errorf("save survey draft: %w", err), draftRefusals, func(a web.Again) error {
			return p.renderDraft(c, a.Status, cur, base, web.Values(form), a.Problems, a.Notice)
		})
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To("/admin/surveys/drafts/" + draft.ID)
}
