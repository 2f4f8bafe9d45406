package intake

import (
	"errors"
	"reflect"
	"regexp"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/feedback-service/feedback/field"
)

// Form problems are field.Errors: the field names are the form's, the
// messages are what a call handler reads beside the field.

var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Report fields by their form names.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		if name, _, _ := strings.Cut(f.Tag.Get("form"), ","); name != "" && name != "-" {
			return name
		}
		return f.Name
	})
	return v
}

// fieldErrors turns validator errors into messages a handler can read.
func fieldErrors(err error) field.Errors {
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return field.Errors{{Field: "", Message: err.Error()}}
	}
	out := make(field.Errors, 0, len(verrs))
	for _, fe := range verrs {
		out.Add(fe.Field(), fieldMessage(fe))
	}
	return out
}

// chosen are the fields answered by picking an option, not by typing.
var chosen = map[string]bool{"service": true, "channel": true, "role": true, "kind": true}

func fieldMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required", "required_if", "required_without":
		if chosen[fe.Field()] {
			return "Select " + strings.ReplaceAll(fe.Field(), "_", " ")
		}
		return "Enter " + strings.ReplaceAll(fe.Field(), "_", " ")
	case "oneof":
		return "Choose one of: " + fe.Param()
	case "email":
		return "Enter an e-mail address, like name@example.com"
	case "max":
		if fe.Kind() == reflect.String {
			return "Must be " + fe.Param() + " characters or fewer"
		}
		return "Must be " + fe.Param() + " or less"
	case "min":
		return "Must be " + fe.Param() + " or more"
	case "datetime":
		return "Enter a date as YYYY-MM-DD"
	default:
		return "Check " + strings.ReplaceAll(fe.Field(), "_", " ")
	}
}

var nonDigits = regexp.MustCompile(`[\s().-]`)

// NormalisePhone returns a phone number in international form (+447700900123):
// UK numbers may be given as 07700 900123, +44 7700 900123 or 0044 ...
func NormalisePhone(s string) (string, bool) {
	n := nonDigits.ReplaceAllString(strings.TrimSpace(s), "")
	switch {
	case strings.HasPrefix(n, "00"):
		n = "+" + n[2:]
	case strings.HasPrefix(n, "0"):
		n = "+44" + n[1:]
	case !strings.HasPrefix(n, "+"):
		return "", false
	}
	if strings.HasPrefix(n, "+440") {
		n = "+44" + n[4:]
	}
	digits := n[1:]
	if len(digits) < 8 || len(digits) > 15 || strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	return n, true
}

// FormatPhone shows a number kept in international form as a handler in the UK
// reads it aloud: +447700900999 as 07700 900999, +442079460000 as
// 020 7946 0000, +441134960000 as 0113 496 0000. A number abroad keeps its
// country code.
func FormatPhone(s string) string {
	if !strings.HasPrefix(s, "+44") {
		return s
	}
	n := "0" + s[3:]
	switch {
	case len(n) != 11:
		return n
	case strings.HasPrefix(n, "02"):
		return n[:3] + " " + n[3:7] + " " + n[7:]
	case len(n) > 3 && (n[3] == '1' && strings.HasPrefix(n, "01")) || strings.HasPrefix(n, "03") || strings.HasPrefix(n, "08") || strings.HasPrefix(n, "09"):
		return n[:4] + " " + n[4:7] + " " + n[7:]
	default:
		return n[:5] + " " + n[5:]
	}
}

// canReceiveText reports whether a normalised number can take an SMS: a UK
// mobile (+447...) or any number abroad; UK landlines cannot.
func canReceiveText(phone string) bool {
	return strings.HasPrefix(phone, "+447") || (phone != "" && !strings.HasPrefix(phone, "+44"))
}

var postcodePattern = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$`)

// NormalisePostcode returns a UK postcode in capitals with one space before the
// inward code ("SW1A 1AA").
func NormalisePostcode(s string) (string, bool) {
	p := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(p) < 5 || !postcodePattern.MatchString(p) {
		return "", false
	}
	return p[:len(p)-3] + " " + p[len(p)-3:], true
}

// nameKey is how names are compared when finding a person again: case and
// spacing do not matter.
func nameKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// normaliseEmail lower-cases an address so it matches however it was typed.
func normaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
