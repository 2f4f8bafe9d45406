// Package survey holds the anonymous side of the service: survey definitions
// and their library, answers, their validation and redaction, and the data a
// release writes (responses, counters, comments) and the rebuild checks. A
// submission does not come here: package ballotbox seals it and, once its
// month is released in groups of at least K, writes it through WriteReleased.
package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
)

// Kind is the kind of a question, which decides how it is asked and answered.
type Kind string

// The question kinds a survey may use.
const (
	Single     Kind = "single"     // one of several options
	Multiple   Kind = "multiple"   // any of several options
	Scale      Kind = "scale"      // one of an ordered, labelled scale
	Likelihood Kind = "likelihood" // a whole number from 0 to 10
	YesNo      Kind = "yesno"      // yes or no
	Text       Kind = "text"       // free text with a character limit
)

// The NHS Friends and Family Test question, which every survey asks first, word for word.
const (
	FFTQuestionID = "fft"
	FFTPrompt     = "Overall, how was your experience of our service?"
)

// FFTOptions are the FFT answers in the NHS's order and wording.
var FFTOptions = []Option{
	{Value: "very_good", Label: "Very good"},
	{Value: "good", Label: "Good"},
	{Value: "neither", Label: "Neither good nor poor"},
	{Value: "poor", Label: "Poor"},
	{Value: "very_poor", Label: "Very poor"},
	{Value: "dont_know", Label: "Don't know"},
}

// Limits a definition must keep to.
const (
	MaxQuestions      = 8
	MaxFollowUps      = 4   // questions after the FFT question and its "why"
	MaxSeconds        = 120 // estimated completion time
	MaxTextLength     = 2000
	likelihoodMaximum = 10
)

// Definition is one service's survey, loaded from an embedded JSON file.
type Definition struct {
	Service   string     `json:"service" validate:"required,service"`
	Title     string     `json:"title" validate:"required,max=80"`
	Intro     string     `json:"intro" validate:"required,max=400"`
	Questions []Question `json:"questions" validate:"required,min=2,dive"`
	// BasedOn names the built-in service whose intake rules (routing,
	// eligibility, session limit) a new service follows: "counselling" or
	// "peer-support"; a built-in leaves it out, being its own kind. It is
	// configuration of intake, not of what is asked, so no question's
	// fingerprint holds it and answers compare across it; it is part of the
	// version all the same, so changing it is a publication the library records.
	BasedOn string `json:"based_on,omitempty" validate:"omitempty,oneof=counselling peer-support"`
	// Cy is the Welsh of the title and intro (see welsh.go): a translation,
	// outside the version.
	Cy *DefinitionWelsh `json:"cy,omitempty"`

	// Version is derived from the definition's content: any change to what is
	// asked gives a new version, so answers to different wordings are never mixed.
	Version string `json:"-"`
}

// Question is one question of a survey.
type Question struct {
	ID        string   `json:"id" validate:"required,questionid"`
	Short     string   `json:"short" validate:"required,max=40"`
	Kind      Kind     `json:"kind" validate:"required,oneof=single multiple scale likelihood yesno text"`
	Prompt    string   `json:"prompt" validate:"required,max=200"`
	Hint      string   `json:"hint,omitempty" validate:"max=300"`
	Required  bool     `json:"required,omitempty"`
	Options   []Option `json:"options,omitempty" validate:"dive"`
	MaxLength int      `json:"max_length,omitempty" validate:"min=0,max=2000"`
	LowLabel  string   `json:"low_label,omitempty" validate:"max=40"`
	HighLabel string   `json:"high_label,omitempty" validate:"max=40"`
	// Cy is the Welsh of what the question shows (see welsh.go): a
	// translation, outside the fingerprint.
	Cy *QuestionWelsh `json:"cy,omitempty"`

	// Fingerprint identifies what is asked (kind, wording, options), so the same
	// question can be compared across survey versions and a changed one cannot.
	Fingerprint string `json:"-"`
}

// Option is one answer a choice question offers.
type Option struct {
	Value string `json:"value" validate:"required,optionvalue"`
	Label string `json:"label" validate:"required,max=60"`
}

var (
	serviceRe  = regexp.MustCompile(`^[a-z][a-z-]{1,30}[a-z]$`)
	questionRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	// Option values become field names in counters, so no dots or dollars.
	optionRe = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
)

// newValidator returns a validator that knows this package's field rules.
func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	must := func(tag string, re *regexp.Regexp) {
		if err := v.RegisterValidation(tag, func(fl validator.FieldLevel) bool {
			return re.MatchString(fl.Field().String())
		}); err != nil {
			panic(err) // programming error: a bad tag name
		}
	}
	must("service", serviceRe)
	must("questionid", questionRe)
	must("optionvalue", optionRe)
	return v
}

var validate = newValidator()

// BuiltInServices are the services the binary comes with, each its own kind,
// in the order invitation codes number them.
var BuiltInServices = []string{"counselling", "peer-support"}

// Kind is the built-in service whose intake rules this service follows: the
// service itself for a built-in, based_on for another; "" for a service
// published before based_on existed, which intake does not offer.
func (d *Definition) Kind() string {
	if d.BasedOn == "" && slices.Contains(BuiltInServices, d.Service) {
		return d.Service
	}
	return d.BasedOn
}

// checkBasedOn: a built-in is its own kind; any other service, when it is
// checked, names one (strict false: versions stored before based_on existed
// still load).
func (d *Definition) checkBasedOn(strict bool) error {
	builtIn := slices.Contains(BuiltInServices, d.Service)
	switch {
	case builtIn && d.BasedOn != "":
		return &DefinitionError{Field: "based_on", Message: fmt.Sprintf("%q is a built-in service and is its own kind: leave based_on out", d.Service)}
	case strict && !builtIn && d.BasedOn == "":
		return &DefinitionError{Field: "based_on", Message: fmt.Sprintf("a new service names the built-in one whose intake rules it follows: based_on %q or %q", BuiltInServices[0], BuiltInServices[1])}
	}
	return nil
}

// ValidService reports whether s has the shape of a service type, so a hostile
// path segment can be turned away before any lookup.
func ValidService(s string) bool { return serviceRe.MatchString(s) }

// ParseDefinition decodes and checks one definition, filling the options that
// yes/no and 0–10 questions imply, and deriving the version and fingerprints.
func ParseDefinition(data []byte) (*Definition, error) { return parseDefinition(data, true) }

// parseDefinition is ParseDefinition; strict false lets a version stored
// before based_on existed load without it.
func parseDefinition(data []byte, strict bool) (*Definition, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var d Definition
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if err := validate.Struct(&d); err != nil {
		return nil, describeValidation(err)
	}
	for i := range d.Questions {
		if err := d.Questions[i].complete(); err != nil {
			return nil, &DefinitionError{Field: fmt.Sprintf("questions[%d]", i), Message: fmt.Sprintf("question %q: %v", d.Questions[i].ID, err)}
		}
	}
	if err := d.checkRules(); err != nil {
		return nil, err
	}
	if err := d.checkBasedOn(strict); err != nil {
		return nil, err
	}
	if err := d.checkWelsh(); err != nil {
		return nil, err
	}
	meaning := d.withoutTranslations()
	canonical, err := json.Marshal(struct {
		D Definition
		Q []Question
	}{meaning, meaning.Questions})
	if err != nil {
		return nil, fmt.Errorf("canonical form: %w", err)
	}
	sum := sha256.Sum256(canonical)
	d.Version = hex.EncodeToString(sum[:5])
	return &d, nil
}

// complete fills implied options and checks the rules of the question's kind.
func (q *Question) complete() error {
	if err := q.fillOptions(); err != nil {
		return err
	}
	if q.Kind != Text && q.MaxLength != 0 {
		return errors.New("only free-text questions take max_length")
	}
	if q.Kind != Likelihood && (q.LowLabel != "" || q.HighLabel != "") {
		return errors.New("only 0–10 questions take low_label and high_label")
	}
	seen := map[string]bool{}
	for _, o := range q.Options {
		if seen[o.Value] {
			return fmt.Errorf("option %q appears twice", o.Value)
		}
		seen[o.Value] = true
	}
	fp := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%d|%v", q.Kind, q.Prompt, q.MaxLength, q.Options)))
	q.Fingerprint = hex.EncodeToString(fp[:4])
	return nil
}

// fillOptions builds the options a yes/no or 0–10 question has built in, and
// checks the options (or their absence) each kind asks for.
func (q *Question) fillOptions() error {
	switch q.Kind {
	case YesNo:
		if len(q.Options) > 0 {
			return errors.New("a yes/no question has its options built in")
		}
		q.Options = []Option{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}}
	case Likelihood:
		if len(q.Options) > 0 {
			return errors.New("a 0–10 question has its options built in")
		}
		if q.LowLabel == "" || q.HighLabel == "" {
			return errors.New("a 0–10 question needs low_label and high_label")
		}
		for n := 0; n <= likelihoodMaximum; n++ {
			q.Options = append(q.Options, Option{Value: strconv.Itoa(n), Label: strconv.Itoa(n)})
		}
	case Text:
		if len(q.Options) > 0 {
			return errors.New("a free-text question has no options")
		}
		if q.MaxLength < 1 || q.MaxLength > MaxTextLength {
			return fmt.Errorf("max_length must be from 1 to %d", MaxTextLength)
		}
	case Single, Scale, Multiple:
		if len(q.Options) < 2 || len(q.Options) > 10 {
			return errors.New("needs from 2 to 10 options")
		}
	}
	return nil
}

// checkRules applies the rules that span questions.
func (d *Definition) checkRules() error {
	if n := len(d.Questions); n > MaxQuestions {
		return &DefinitionError{Field: "questions", Message: fmt.Sprintf("has %d questions; at most %d are allowed", n, MaxQuestions)}
	}
	if n := len(d.Questions) - 2; n > MaxFollowUps {
		return &DefinitionError{Field: "questions", Message: fmt.Sprintf("has %d questions after the FFT question and its why; at most %d are allowed", n, MaxFollowUps)}
	}
	fft := d.Questions[0]
	if fft.ID != FFTQuestionID || fft.Kind != Single || fft.Prompt != FFTPrompt || !fft.Required ||
		!slices.Equal(fft.Options, FFTOptions) {
		return &DefinitionError{Field: "questions[0]", Message: fmt.Sprintf("the first question must be the NHS Friends and Family Test question, word for word: "+
			"id %q, kind single, required, prompt %q, options Very good, Good, Neither good nor poor, Poor, Very poor, Don't know",
			FFTQuestionID, FFTPrompt)}
	}
	if d.Questions[1].Kind != Text {
		return &DefinitionError{Field: "questions[1]", Message: "the second question must be the free-text why of the FFT answer"}
	}
	ids := map[string]bool{}
	for i, q := range d.Questions {
		if ids[q.ID] {
			return &DefinitionError{Field: fmt.Sprintf("questions[%d].id", i), Message: fmt.Sprintf("question id %q appears twice", q.ID)}
		}
		ids[q.ID] = true
	}
	if s := d.EstimatedSeconds(); s > MaxSeconds {
		return &DefinitionError{Field: "questions", Message: fmt.Sprintf("estimated completion time is %d seconds; at most %d are allowed", s, MaxSeconds)}
	}
	return d.checkNotIdentifying()
}

// EstimatedSeconds estimates how long the survey takes on a phone: reading at
// about 200 words a minute, a second per option scanned, and half a minute per
// free-text answer.
func (d *Definition) EstimatedSeconds() int {
	var ms int
	for _, q := range d.Questions {
		words := len(strings.Fields(q.Prompt)) + len(strings.Fields(q.Hint))
		ms += 3000 + words*300
		switch q.Kind {
		case Text:
			ms += 30000
		case Likelihood:
			ms += 5000 // a number line is scanned at a glance
		default:
			ms += 1000 * len(q.Options)
		}
	}
	return (ms + 999) / 1000
}

// Question returns the question with the given id.
func (d *Definition) Question(id string) (*Question, bool) {
	for i := range d.Questions {
		if d.Questions[i].ID == id {
			return &d.Questions[i], true
		}
	}
	return nil, false
}

// HasOption reports whether v is one of the question's option values.
func (q *Question) HasOption(v string) bool {
	for _, o := range q.Options {
		if o.Value == v {
			return true
		}
	}
	return false
}

func describeValidation(err error) error {
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return err
	}
	msgs := make([]string, 0, len(verrs))
	for _, fe := range verrs {
		field := strings.TrimPrefix(fe.Namespace(), "Definition.")
		switch fe.Tag() {
		case "required":
			msgs = append(msgs, field+" is required")
		case "max", "min":
			msgs = append(msgs, fmt.Sprintf("%s breaks the %s=%s limit", field, fe.Tag(), fe.Param()))
		default:
			msgs = append(msgs, fmt.Sprintf("%s %q is not a valid %s", field, fmt.Sprint(fe.Value()), fe.Tag()))
		}
	}
	return &DefinitionError{Field: fieldPath(verrs[0].Namespace()), Message: strings.Join(msgs, "; ")}
}
