package intake

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestEligibility(t *testing.T) {
	on := date("2026-11-23")
	tests := []struct {
		name string
		role Role
		dob  string
		age  int
		rule string // "" when eligible
	}{
		{"dependant aged 15, 16 tomorrow", Dependant, "2010-11-24", 15, RuleMinimumAge},
		{"dependant turning 16 today", Dependant, "2010-11-23", 16, ""},
		{"dependant aged 24, 25 tomorrow", Dependant, "2001-11-24", 24, ""},
		{"dependant turning 25 today", Dependant, "2001-11-23", 25, RuleDependantAge},
		{"dependant aged 25", Dependant, "2001-01-01", 25, RuleDependantAge},
		{"doctor aged 60", Doctor, "1966-05-01", 60, ""},
		{"medical student turning 18 today", MedicalStudent, "2008-11-23", 18, ""},
		{"partner aged 30", Partner, "1996-02-10", 30, ""},
		{"partner aged 15", Partner, "2011-01-01", 15, RuleMinimumAge},
		{"medical student aged 15", MedicalStudent, "2011-01-01", 15, RuleMinimumAge},
		{"friend of a doctor", Other, "1990-01-01", 36, RuleEligibleGroups},
		{"unknown role", Role("nurse"), "1990-01-01", 36, RuleEligibleGroups},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Eligibility(tt.role, date(tt.dob), on)
			if d.Age != tt.age {
				t.Errorf("age %d, want %d", d.Age, tt.age)
			}
			if tt.rule == "" {
				if !d.Eligible || d.Refusal != nil {
					t.Fatalf("refused (%v), want eligible", d.Refusal)
				}
				return
			}
			if d.Eligible || d.Refusal == nil {
				t.Fatal("eligible, want a refusal")
			}
			if d.Refusal.Rule != tt.rule || d.Refusal.Reason == "" || d.Refusal.Signpost == "" {
				t.Fatalf("refusal %+v, want rule %q with a reason and a signpost", d.Refusal, tt.rule)
			}
		})
	}
}

func TestAgeOn_LeapDayBirthdaysCountFromFirstMarchInOtherYears(t *testing.T) {
	dob := date("2008-02-29")
	tests := []struct {
		on  string
		age int
	}{
		{"2024-02-28", 15},
		{"2024-02-29", 16}, // a leap year: the birthday itself
		{"2025-02-28", 16},
		{"2026-02-28", 17},
		{"2026-03-01", 18},
	}
	for _, tt := range tests {
		if got := AgeOn(dob, date(tt.on)); got != tt.age {
			t.Errorf("on %s: age %d, want %d", tt.on, got, tt.age)
		}
	}
}
