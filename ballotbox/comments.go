package ballotbox

import (
	"sync"

	"github.com/feedback-service/feedback/survey"
	"github.com/feedback-service/feedback/survey/commentcheck"
)

// Every free-text answer is read before it is sealed, in memory, in the
// language of the page it was written on: each detail that could name its
// writer (a name, specialty, grade, workplace, place, date, age, number) is
// replaced by its category, so the original text never reaches the store;
// and words of risk set a flag that is sealed with the ballot and nowhere
// else, so the person's thank-you page can open with a crisis message
// (Receipt.Safeguarding) and, after release, the comment is read first. A
// comment the rules are unsure of is marked for a moderator.

// CommentCheck reads a comment; *commentcheck.Checker is one.
type CommentCheck interface {
	Check(lang, text string) commentcheck.Result
}

var (
	defaultCheckOnce sync.Once
	defaultCheck     *commentcheck.Checker
	defaultCheckErr  error
)

// builtInCheck is the check with the built-in lists, loaded once (about 100 ms).
func builtInCheck() (CommentCheck, error) {
	defaultCheckOnce.Do(func() { defaultCheck, defaultCheckErr = commentcheck.New(commentcheck.Options{}) })
	return defaultCheck, defaultCheckErr
}

// commentFlags are what the check of a ballot's comments found.
type commentFlags struct {
	safeguarding, uncertain bool
}

// readComments returns answers with every free-text answer generalised, and
// what the check found.
func readComments(check CommentCheck, d *survey.Definition, answers survey.Answers, lang string) (survey.Answers, commentFlags) {
	var flags commentFlags
	out, copied := answers, false
	for _, q := range d.Questions {
		a, ok := answers[q.ID]
		if q.Kind != survey.Text || !ok || a.Text == "" {
			continue
		}
		if !copied { // the caller's map stays as it was
			out, copied = make(survey.Answers, len(answers)), true
			for k, v := range answers {
				out[k] = v
			}
		}
		res := check.Check(lang, a.Text)
		a.Text = res.Text
		out[q.ID] = a
		flags.safeguarding = flags.safeguarding || res.Safeguarding
		flags.uncertain = flags.uncertain || res.Uncertain
	}
	return out, flags
}
