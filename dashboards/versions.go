package dashboards

import "github.com/feedback-service/feedback/survey"

// surveyVersions is what is known of one service's survey: its current
// definition, earlier ones from the archive, and the distinct questions they ask.
type surveyVersions struct {
	current   *survey.Definition
	byVersion map[string]*survey.Definition
	questions []*questionIdentity // current survey's order, then archived-only questions
	score     *questionIdentity   // the current survey's 0–10 question, if any
}

// questionIdentity is one question as asked, word for word: an id and a
// Fingerprint. Answers are added up only within one identity.
type questionIdentity struct {
	key      string // unique within the service: the id, or id-fingerprint when the id was reused
	q        survey.Question
	versions map[string]bool // known versions that ask exactly this
	// common: every known version asks it identically (always true of the FFT
	// question, whose wording the survey rules fix), so it is published per
	// (service, month); otherwise per (service, version, month).
	common bool
}

func newSurveyVersions(current *survey.Definition, archive []*survey.Definition) *surveyVersions {
	sv := &surveyVersions{current: current, byVersion: map[string]*survey.Definition{current.Version: current}}
	for _, a := range archive {
		sv.byVersion[a.Version] = a
	}
	type idfp struct{ id, fp string }
	seen := map[idfp]*questionIdentity{}
	idCount := map[string]int{}
	add := func(def *survey.Definition) {
		for _, q := range def.Questions {
			k := idfp{q.ID, q.Fingerprint}
			qi := seen[k]
			if qi == nil {
				qi = &questionIdentity{q: q, versions: map[string]bool{}}
				seen[k] = qi
				sv.questions = append(sv.questions, qi)
				idCount[q.ID]++
			}
			qi.versions[def.Version] = true
		}
	}
	add(current)
	for _, a := range archive {
		add(a)
	}
	for _, qi := range sv.questions {
		qi.common = qi.q.ID == survey.FFTQuestionID || len(qi.versions) == len(sv.byVersion)
		qi.key = qi.q.ID
		if idCount[qi.q.ID] > 1 {
			qi.labelWording(current.Version)
		}
	}
	for _, qi := range sv.questions {
		if qi.q.Kind == survey.Likelihood && qi.versions[current.Version] {
			sv.score = qi
			break
		}
	}
	return sv
}

// counts reports whether answers stored under version count towards qi. The
// FFT question counts for every version, known or not.
func (qi *questionIdentity) counts(version string) bool {
	return qi.q.ID == survey.FFTQuestionID || qi.versions[version]
}

// labelWording keys and labels a question whose id was asked in other words by
// another version: its series is its own, and the page says which wording it is.
func (qi *questionIdentity) labelWording(current string) {
	if qi.versions[current] {
		qi.q.Short += " (current wording)"
		return
	}
	qi.key = qi.q.ID + "-" + qi.q.Fingerprint
	qi.q.Short += " (earlier wording)"
}

// SeriesChange says what publishing a new version does to one question's
// series on the dashboards.
type SeriesChange struct {
	ID, Short, Prompt string
	Effect            SeriesEffect
}

// SeriesEffect is what happens to a question's series.
type SeriesEffect string

// The effects a new version can have on a question's series.
const (
	SeriesKept    SeriesEffect = "keeps its series: asked in the same words with the same options"
	SeriesRejoins SeriesEffect = "joins its series from an earlier version again: asked as it was then"
	SeriesNew     SeriesEffect = "starts a new series: its words or options changed, so earlier answers stay in the old series, shown up to this change"
	SeriesAdded   SeriesEffect = "is new: its series starts with this version"
	SeriesEnds    SeriesEffect = "is removed: its series stops here, and the answers given so far stay on the dashboards"
)

// SeriesChanges lists what publishing next in place of cur does to each
// question's series, by the rule the dashboards join versions with: the same
// id and Fingerprint. known are the other versions ever published.
func SeriesChanges(cur, next *survey.Definition, known []*survey.Definition) []SeriesChange {
	asked := func(q survey.Question, defs ...*survey.Definition) bool {
		for _, d := range defs {
			if o, ok := d.Question(q.ID); ok && o.Fingerprint == q.Fingerprint {
				return true
			}
		}
		return false
	}
	var out []SeriesChange
	for _, q := range next.Questions {
		c := SeriesChange{ID: q.ID, Short: q.Short, Prompt: q.Prompt, Effect: SeriesAdded}
		_, had := cur.Question(q.ID)
		switch {
		case asked(q, cur):
			c.Effect = SeriesKept
		case asked(q, known...):
			c.Effect = SeriesRejoins
		case had:
			c.Effect = SeriesNew
		}
		out = append(out, c)
	}
	for _, q := range cur.Questions {
		if _, ok := next.Question(q.ID); !ok {
			out = append(out, SeriesChange{ID: q.ID, Short: q.Short, Prompt: q.Prompt, Effect: SeriesEnds})
		}
	}
	return out
}
