package intake

import (
	"fmt"
	"time"
)

// Role is who the caller is in relation to the profession; it decides eligibility.
type Role string

// Roles a handler can record. Other means none of the eligible groups.
const (
	Doctor         Role = "doctor"
	MedicalStudent Role = "medical-student"
	Partner        Role = "partner"
	Dependant      Role = "dependant"
	Other          Role = "other"
)

// The eligibility rules, named as a refusal quotes them.
const (
	RuleEligibleGroups = "The service is open to doctors, medical students, and their partners and dependants."
	RuleMinimumAge     = "Nobody under 16 can use the service."
	RuleDependantAge   = "Dependants can use the service from age 16 to 24."
)

// Age rules, inclusive.
const (
	MinimumAge      = 16
	MaxDependantAge = 24
)

// Refusal says why the service cannot help, naming the rule, with where the
// caller can go instead.
type Refusal struct {
	Rule     string `json:"rule"`
	Reason   string `json:"reason"`
	Signpost string `json:"signpost,omitempty"`
}

func (r *Refusal) Error() string { return r.Reason + " " + r.Rule }

// Decision is the outcome of an eligibility check.
type Decision struct {
	Eligible bool
	Age      int
	// Refusal is set when Eligible is false.
	Refusal *Refusal
}

// SignpostUnder16 and SignpostNotEligible point refused callers elsewhere.
const (
	SignpostUnder16     = "Childline (0800 1111) and the caller's GP can help; in an emergency call 999."
	SignpostNotEligible = "The caller's GP, NHS 111 or Samaritans (116 123) can help; in an emergency call 999."
)

// Eligibility decides whether someone with role and date of birth dob may use the
// service on the calendar day on. The rules: nobody under 16; doctors, medical
// students and partners from 16; dependants from 16 to 24 inclusive; nobody else.
func Eligibility(role Role, dob, on time.Time) Decision {
	age := AgeOn(dob, on)
	switch {
	case age < MinimumAge:
		return refuse(age, RuleMinimumAge, fmt.Sprintf("The caller is %d.", age), SignpostUnder16)
	case role == Doctor, role == MedicalStudent, role == Partner:
		return Decision{Eligible: true, Age: age}
	case role == Dependant && age <= MaxDependantAge:
		return Decision{Eligible: true, Age: age}
	case role == Dependant:
		return refuse(age, RuleDependantAge, fmt.Sprintf("The caller is a dependant aged %d.", age), SignpostNotEligible)
	default:
		return refuse(age, RuleEligibleGroups, "The caller is not a doctor, medical student, partner or dependant.", SignpostNotEligible)
	}
}

func refuse(age int, rule, reason, signpost string) Decision {
	return Decision{Age: age, Refusal: &Refusal{Rule: rule, Reason: reason, Signpost: signpost}}
}

// AgeOn is the age in whole years of someone born on dob, on the day on. Only the
// calendar dates count. Someone born on 29 February has their birthday on
// 1 March in years without one, as in UK law.
func AgeOn(dob, on time.Time) int {
	by, bm, bd := dob.Date()
	y, m, d := on.Date()
	age := y - by
	if m < bm || (m == bm && d < bd) {
		age--
	}
	return age
}
