package commentcheck

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type checkCase struct {
	lang, in, want string
}

func runCases(t *testing.T, cases []checkCase) {
	t.Helper()
	c := newChecker(t)
	for _, tc := range cases {
		lang := tc.lang
		if lang == "" {
			lang = "en"
		}
		if got := c.Check(lang, tc.in).Text; got != tc.want {
			t.Errorf("Check(%q, %q)\n got %q\nwant %q", lang, tc.in, got, tc.want)
		}
	}
}

func TestCheck_GeneralisesTheIssuesExample(t *testing.T) {
	runCases(t, []checkCase{
		{"en", "As the only female orthopaedic registrar at Morriston I was terrified someone would recognise me",
			"As the only female [specialty] [grade] at [workplace] I was terrified someone would recognise me"},
		{"cy", "Fel yr unig gofrestrydd orthopedig benywaidd yn Nhreforys roeddwn i'n ofni",
			"Fel yr unig [gradd] [arbenigedd] benywaidd yn [gweithle] roeddwn i'n ofni"},
	})
}

func TestCheck_GeneralisesTitleWithName(t *testing.T) {
	runCases(t, []checkCase{
		{"", "I spoke to Dr Chen.", "I spoke to [name]."},
		{"", "Mrs Adeyemi was brilliant.", "[name] was brilliant."},
		{"", "Dr. O'Neill called back.", "[name] called back."},
		{"", "Dr O’Neill called back.", "[name] called back."},
		{"", "Prof Okeke was my supervisor.", "[name] was my supervisor."},
		{"", "My consultant Dr Jane Smith-Jones said I was fine.", "My [grade] [name] said I was fine."},
		{"", "The doctor said I was fine.", "The doctor said I was fine."},
		{"cy", "Diolch i Dr Hughes am alw'n ôl.", "Diolch i [enw] am alw'n ôl."},
	})
}

func TestCheck_TellsNamesFromOrdinaryWords(t *testing.T) {
	runCases(t, []checkCase{
		{"", "Will you make call-backs clearer?", "Will you make call-backs clearer?"},
		{"", "I spoke to Will and he was lovely.", "I spoke to [name] and he was lovely."},
		{"", "I have hope again.", "I have hope again."},
		{"", "My supervisor Hope suggested I call.", "My supervisor [name] suggested I call."},
		{"", "Grace under pressure is expected of us.", "Grace under pressure is expected of us."},
		{"", "Grace, the counsellor, was fantastic.", "[name], the counsellor, was fantastic."},
		{"", "Mark my words, this will save lives.", "Mark my words, this will save lives."},
		{"", "Rhys on the night line was great.", "[name] on the night line was great."},
		{"", "My colleague Tomasz told me.", "My colleague [name] told me."},
		{"", "I spoke to priya last night.", "I spoke to [name] last night."},
		{"", "I went to see my GP.", "I went to see my GP."},
		{"", "I talked about Long Covid.", "I talked about Long Covid."},
		{"", "The Associate Dean was slow.", "The Associate Dean was slow."},
	})
}

func TestCheck_TellsPlacesFromOrdinaryWords(t *testing.T) {
	runCases(t, []checkCase{
		{"", "I was reading the leaflet.", "I was reading the leaflet."},
		{"", "Reading about it helped.", "Reading about it helped."},
		{"", "I moved to Reading last year.", "I moved to [place] last year."},
		{"", "After a long bath I rang.", "After a long bath I rang."},
		{"", "I trained in Bath.", "I trained in [place]."},
		{"", "My mum lives in Sale.", "My mum lives in [place]."},
		{"", "The sale fell through.", "The sale fell through."},
		{"", "I live in Wells now.", "I live in [place] now."},
		{"", "I moved to Hull for F1.", "I moved to [place] for [grade]."},
		{"", "I walked down the street.", "I walked down the street."},
		{"cy", "Rwy'n gweithio yng Nghaerdydd ac ym Mangor.", "Rwy'n gweithio yng [lle] ac ym [lle]."},
	})
}

func TestCheck_GeneralisesWorkplaces(t *testing.T) {
	runCases(t, []checkCase{
		{"", "I work at the QE.", "I work at [workplace]."},
		{"", "Derriford over winter broke me.", "[workplace] over winter broke me."},
		{"", "As an ST3 at the Royal Free.", "As an [grade] at [workplace]."},
		{"", "I work at Ysbyty Glan Clwyd.", "I work at [workplace]."},
		{"", "Everything happened in bay 3 on AMU.", "Everything happened in [workplace] on [workplace]."},
		{"", "The incident on ward 7B.", "The incident on [workplace]."},
		{"", "Addenbrooke's is a great place.", "[workplace] is a great place."},
		{"", "The Royal College of Surgeons wrote.", "The Royal College of [specialty] wrote."},
		{"cy", "Rwy'n gweithio i Fwrdd Iechyd Hywel Dda.", "Rwy'n gweithio i [gweithle]."},
	})
}

func TestCheck_GeneralisesSpecialtiesAndGrades(t *testing.T) {
	runCases(t, []checkCase{
		{"", "I'm an FY1 in paeds.", "I'm an [grade] in [specialty]."},
		{"", "A CT2 in psych, SpR in O&G, SHO in A&E.", "A [grade] in [specialty], [grade] in [specialty], [grade] in [specialty]."},
		{"", "As a SAS doctor in haem and a GPST2.", "As a [grade] in [specialty] and a [grade]."},
		{"", "I'm a fifth-year medical student.", "I'm a [grade]."},
		{"", "She is in her final year.", "She is in her [grade]."},
		{"", "ITU, gastro and ortho.", "[specialty], [specialty] and [specialty]."},
		{"", "As a Black woman in surgery.", "As a Black woman in [specialty]."},
		{"", "I phoned the GP surgery.", "I phoned the GP surgery."},
		{"", "I had a CT scan last year.", "I had a CT scan last year."},
	})
}

func TestCheck_GeneralisesDatesTimesAndAges(t *testing.T) {
	runCases(t, []checkCase{
		{"", "Called on Friday 9 May after nights.", "Called on [date] after nights."},
		{"", "It was Boxing Day.", "It was [date]."},
		{"", "The call on the 21st helped.", "The call on [date] helped."},
		{"", "It was the 3rd attempt.", "It was the 3rd attempt."},
		{"", "Born 03/07/1988.", "Born [date]."},
		{"", "Since 2019 it has got worse.", "Since [date] it has got worse."},
		{"", "Since March it has got worse.", "Since March it has got worse."},
		{"", "Last Tuesday I nearly left.", "[date] I nearly left."},
		{"", "At 4.15am after an arrest.", "At [time] after an arrest."},
		{"", "I'm 31 and a 45-year-old told me, aged 52.", "I'm [age] and a [age] told me, [age]."},
		{"", "I'm 5 minutes from work; it's open 24/7.", "I'm 5 minutes from work; it's open 24/7."},
		{"cy", "Ffoniais ar ddydd Gwener 9 Mai. Rwy'n 42 oed.", "Ffoniais ar [dyddiad]. Rwy'n [oed]."},
	})
}

func TestCheck_GeneralisesWhatRedactRemoves(t *testing.T) {
	runCases(t, []checkCase{
		{"", "Call me on 07700 900123.", "Call me on [phone number]."},
		{"", "Or +44 7700 900456.", "Or [phone number]."},
		{"", "My GMC number is 7123456.", "My GMC number is [number]."},
		{"", "GMC 654321 please.", "GMC [number] please."},
		{"", "Email sam.jones@nhs.net or sam(at)nhs(dot)net.", "Email [email] or [email]."},
		{"", "Digits ７１２３４５６ typed wide.", "Digits [number] typed wide."},
		{"cy", "Ffoniwch 07700 900123.", "Ffoniwch [rhif ffôn]."},
	})
}

func TestCheck_GeneralisesPractitionersNames(t *testing.T) {
	c, err := New(Options{Practitioners: []string{"Zebedee Quarrington"}})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"Zebedee was kind.":                   "[name] was kind.",
		"Thanks to Zebedee Quarrington.":      "Thanks to [name].",
		"Quarrington answered straight away.": "[name] answered straight away.",
	} {
		if got := c.Check("en", in).Text; got != want {
			t.Errorf("Check(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheck_FlagsWordsOfRisk(t *testing.T) {
	c := newChecker(t)
	for _, tc := range []struct {
		lang, text string
		want       bool
	}{
		{"en", "I can't see a reason to keep going.", true},
		{"en", "Everyone would be better off without me.", true},
		{"en", "I've been planning how I would do it.", true},
		{"en", "I've been hoarding pills.", true},
		{"en", "I just want to end it all.", true},
		{"en", "I can't go on.", true},
		{"en", "I'm not suicidal, I just needed to vent.", true},
		{"en", "I'm scared I'll hurt a patient.", true},
		{"cy", "Does dim rheswm i fyw.", true},
		{"cy", "Rwyf wedi meddwl am ladd fy hun.", true},
		{"cy", "Hunanladdiad.", true},
		{"cy", "Rwyf wedi bod yn niweidio fy hun.", true},
		{"en", "The wait killed me, but the call was good.", false},
		{"en", "I was dying to talk to someone.", false},
		{"en", "The audit will be the death of me.", false},
		{"en", "Killing time before a shift, I rang.", false},
		{"en", "The service gave me a reason to keep going.", false},
		{"en", "I plan to do more training.", false},
	} {
		if got := c.Check(tc.lang, tc.text).Safeguarding; got != tc.want {
			t.Errorf("Check(%q).Safeguarding = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestCheck_MarksUncertain(t *testing.T) {
	c := newChecker(t)
	for _, tc := range []struct {
		text string
		want []Reason
	}{
		{"The counsellor was kind.", nil},
		{"I work at Zqxwv on nights.", []Reason{UnknownCapitalised}},
		{"I work with Zqxwv on nights.", nil}, // a cue: generalised as a name
		{"There were 12345 of them.", []Reason{ShortNumber}},
		{"My ref is 12345.", nil}, // a cue: generalised as a number
		{"I worked at Plonkton Greystairs.", []Reason{UnknownCapitalised, NameLikePhrase}},
	} {
		res := c.Check("en", tc.text)
		if !slices.Equal(res.Reasons, tc.want) || res.Uncertain != (len(tc.want) > 0) {
			t.Errorf("Check(%q): uncertain %v %v, want %v", tc.text, res.Uncertain, res.Reasons, tc.want)
		}
	}
}

func TestCheck_SpansPointAtTheirMarkers(t *testing.T) {
	res := newChecker(t).Check("cy", "Siaradais â Dr Chen yng Nghaerdydd.")
	if len(res.Generalised) != 2 {
		t.Fatalf("generalised %v", res.Generalised)
	}
	for _, s := range res.Generalised {
		if got := res.Text[s.Start:s.End]; got != Marker("cy", s.Category) {
			t.Errorf("span %v reads %q", s, got)
		}
	}
}

func TestNew_ReadsListsFromDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "places.txt"), []byte("# ours\nLlanfairpwll\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Check("en", "I live in Llanfairpwll, not Cardiff.").Text; got != "I live in [place], not Cardiff." {
		t.Errorf("got %q: the directory's places.txt should replace the embedded one", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "safeguarding.txt"), []byte("xx: (\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Dir: dir}); err == nil || !strings.Contains(err.Error(), "safeguarding.txt") {
		t.Errorf("a bad safeguarding.txt: err %v, want one naming the file", err)
	}
}
