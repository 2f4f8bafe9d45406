package e2e

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/survey"
)

// surveys are the surveys the service offers; every test here runs on each.
func surveys(t *testing.T) []*survey.Definition {
	t.Helper()
	c, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return c.All()
}

// An answer is what the person in a test gives to one question: the options
// they choose, by index, or the words they write.
type answer struct {
	q     survey.Question
	picks []int
	text  string
}

// answersFor answers every question of a survey: the second option of a
// single choice, 9 out of 10, the first and third of several, a sentence.
func answersFor(d *survey.Definition) []answer {
	var out []answer
	for _, q := range d.Questions {
		a := answer{q: q}
		switch q.Kind {
		case survey.Text:
			a.text = "Kind, and quick to call back."
		case survey.Multiple:
			a.picks = []int{0, 2}
		case survey.Likelihood:
			a.picks = []int{9}
		default:
			a.picks = []int{1}
		}
		out = append(out, a)
	}
	return out
}

// inputID is the id of an option's input; its label is label[for=inputID].
func (a answer) inputID(pick int) string { return a.q.ID + "-" + a.q.Options[pick].Value }

// stored is the answer as the stored response prints it.
func (a answer) stored() string {
	var vs []string
	for _, i := range a.picks {
		vs = append(vs, a.q.Options[i].Value)
	}
	switch {
	case a.q.Kind == survey.Text:
		return a.text
	case a.q.Kind == survey.Multiple:
		return fmt.Sprint(vs)
	default:
		return vs[0]
	}
}

// checkStored checks that the store holds exactly one response, with exactly these answers.
func checkStored(t *testing.T, srv *apitest.Server, d *survey.Definition, answers []answer) {
	t.Helper()
	if n := srv.Count(t, "responses"); n != 1 {
		t.Fatalf("%d responses stored, want 1", n)
	}
	srv.ReleaseAll(t) // the sealed ballot, opened
	var r survey.Response
	if err := srv.Collection("responses").FindOne(context.Background(), bson.D{}).Decode(&r); err != nil {
		t.Fatal(err)
	}
	got, want := map[string]string{}, map[string]string{}
	for _, e := range r.Answers {
		got[e.Key] = fmt.Sprint(e.Value)
	}
	for _, a := range answers {
		want[a.q.ID] = a.stored()
	}
	if r.Service != d.Service || !maps.Equal(got, want) {
		t.Errorf("stored %s %v, want %s %v", r.Service, got, d.Service, want)
	}
}

// languages are the languages every survey page is offered in.
var languages = []survey.Language{survey.English, survey.Welsh}

// open emulates the screen and loads the survey form in English.
func open(t *testing.T, ctx context.Context, v viewport, srv *apitest.Server, d *survey.Definition) {
	t.Helper()
	openIn(t, ctx, v, srv, d, survey.English)
}

// openIn emulates the screen and loads the survey form in language l, chosen
// by the link (?lang=).
func openIn(t *testing.T, ctx context.Context, v viewport, srv *apitest.Server, d *survey.Definition, l survey.Language) {
	t.Helper()
	resp, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (int64, error) {
		if _, err := v.emulate()(ctx, tg); err != nil {
			return 0, err
		}
		r, err := chromedp.NavigateResponse(srv.URL+"/s/"+d.Service+"?lang="+string(l))(ctx, tg)
		if err != nil {
			return 0, err
		}
		return r.Status, nil
	})
	if err != nil || resp != http.StatusOK {
		t.Fatalf("open /s/%s: status %d, %v", d.Service, resp, err)
	}
}

// tapAnswers answers every question by tapping on option labels, and for the
// words, tapping the box and typing.
func tapAnswers(t *testing.T, ctx context.Context, answers []answer) {
	t.Helper()
	for _, a := range answers {
		if a.q.Kind == survey.Text {
			do(t, ctx, "write "+a.q.ID, chromedp.Tap(chromedp.ID(a.q.ID)), typeKeys(a.text))
			continue
		}
		for _, i := range a.picks {
			do(t, ctx, "tap "+a.inputID(i), chromedp.Tap(chromedp.CSS(`label[for="`+a.inputID(i)+`"]`)))
		}
	}
}

// submit sends the form with the given action and checks where the browser lands.
func submit(t *testing.T, ctx context.Context, send chromedp.Action[chromedp.Void], wantStatus int, wantPath string) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, send)
	if err != nil {
		t.Fatalf("send the form: %v", err)
	}
	if int(resp.Status) != wantStatus || !strings.Contains(resp.URL, wantPath) {
		t.Fatalf("sent the form: landed on %s with %d, want %s with %d", resp.URL, resp.Status, wantPath, wantStatus)
	}
}

// checkThanks checks the page is the thank-you page, in English.
func checkThanks(t *testing.T, ctx context.Context) {
	t.Helper()
	checkThanksIn(t, ctx, survey.English)
}

// checkThanksIn checks the page is the thank-you page, in language l.
func checkThanksIn(t *testing.T, ctx context.Context, l survey.Language) {
	t.Helper()
	want := map[survey.Language]string{survey.English: "Thank you", survey.Welsh: "Diolch"}[l]
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || !strings.HasPrefix(h1, want) {
		t.Errorf("thank-you page heading %q, %v", h1, err)
	}
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != map[survey.Language]string{survey.English: "en-GB", survey.Welsh: "cy"}[l] {
		t.Errorf("thank-you page lang %q", lang)
	}
}

// thanksPath is where a form sent in language l lands.
func thanksPath(d *survey.Definition, l survey.Language) string {
	return "/s/" + d.Service + "/thanks?lang=" + string(l)
}

func TestSurvey_CompletedByTappingOnAPhone(t *testing.T) {
	for _, d := range surveys(t) {
		for _, l := range languages {
			t.Run(d.Service+"/"+string(l), func(t *testing.T) {
				srv := apitest.New(t)
				ctx := newTab(t)
				answers := answersFor(d)
				openIn(t, ctx, phone, srv, d, l)
				tapAnswers(t, ctx, answers)
				submit(t, ctx, chromedp.Tap(chromedp.CSS(`button[type=submit]`)), http.StatusOK, thanksPath(d, l))
				checkThanksIn(t, ctx, l)
				checkStored(t, srv, d, answers) // the same option values in either language
			})
		}
	}
}

func TestSurvey_WorksWithoutJavaScript(t *testing.T) {
	for _, d := range surveys(t) {
		t.Run(d.Service, func(t *testing.T) {
			srv := apitest.New(t)
			ctx := newTab(t)
			do(t, ctx, "turn off JavaScript", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
				return err
			}))
			answers := answersFor(d)
			l := languages[len(d.Service)%len(languages)] // one survey in each language
			openIn(t, ctx, phone, srv, d, l)
			// DevTools can still look into the page; the page itself runs no script.
			if !eval[bool](t, ctx, `matchMedia('(scripting: none)').matches`) {
				t.Fatal("JavaScript is still on")
			}
			tapAnswers(t, ctx, answers)
			submit(t, ctx, chromedp.Tap(chromedp.CSS(`button[type=submit]`)), http.StatusOK, thanksPath(d, l))
			checkThanksIn(t, ctx, l)
			checkStored(t, srv, d, answers)
		})
	}
}

func TestSurvey_CompletedWithTheKeyboardAlone(t *testing.T) {
	for _, d := range surveys(t) {
		t.Run(d.Service, func(t *testing.T) {
			srv := apitest.New(t)
			ctx := newTab(t)
			answers := answersFor(d)
			open(t, ctx, desktop, srv, d)
			k := keyboard{t, ctx}

			// The first Tab reaches the skip link; following it starts the
			// next Tab at the main content.
			k.press(kb.Tab)
			k.expectFocus("a.skip")
			k.press(kb.Enter)
			// The emergency box comes first, with the support line's number and
			// the national lines, then the link to the privacy page.
			for _, href := range []string{"tel:03301234567", "tel:999", "tel:111", "tel:116123", "/s/" + d.Service + "/privacy?lang=en"} {
				k.press(kb.Tab)
				k.expectFocus("a")
				if got := eval[string](t, ctx, `document.activeElement.getAttribute('href')`); got != href {
					t.Fatalf("focus on a link to %s, want %s", got, href)
				}
			}
			for _, a := range answers {
				switch a.q.Kind {
				case survey.Text:
					k.press(kb.Tab)
					k.expectFocus("#" + a.q.ID)
					k.press(a.text)
				case survey.Multiple:
					// Each checkbox is a stop of its own: Tab to it, Space to tick it.
					for i := range a.q.Options {
						k.press(kb.Tab)
						k.expectFocus("#" + a.inputID(i))
						if slices.Contains(a.picks, i) {
							k.press(" ")
							k.expectChecked(a.inputID(i))
						}
					}
				default:
					// A radio group is one stop: Tab to its first option, Space
					// to choose it, arrows to move the choice along.
					k.press(kb.Tab)
					k.expectFocus("#" + a.inputID(0))
					k.press(" ")
					for range a.picks[0] {
						k.press(kb.ArrowDown)
					}
					k.expectFocus("#" + a.inputID(a.picks[0]))
					k.expectChecked(a.inputID(a.picks[0]))
				}
			}
			k.press(kb.Tab)
			k.expectFocus("button.button")
			submit(t, ctx, typeKeys(kb.Enter), http.StatusOK, thanksPath(d, survey.English))
			checkThanks(t, ctx)
			checkStored(t, srv, d, answers)
		})
	}
}

func TestSurvey_ErrorSummaryLinksMoveFocusToTheFields(t *testing.T) {
	for _, d := range surveys(t) {
		t.Run(d.Service, func(t *testing.T) {
			srv := apitest.New(t)
			ctx := newTab(t)
			open(t, ctx, phone, srv, d)
			// Two mistakes: the required question unanswered, and more words
			// than the limit (a script can set what maxlength stops a person typing).
			long := d.Questions[1]
			do(t, ctx, "write too much", chromedp.SetJavascriptAttribute(chromedp.ID(long.ID), "value", strings.Repeat("x", long.MaxLength+1)))
			submit(t, ctx, chromedp.Tap(chromedp.CSS(`button[type=submit]`)), http.StatusUnprocessableEntity, "/s/"+d.Service+"?lang=en")
			if n := srv.Count(t, "responses"); n != 0 {
				t.Fatalf("%d responses stored from a form with errors", n)
			}
			// The words over the limit are kept, not cut, and the hint says by how many.
			if n := eval[int](t, ctx, `document.getElementById(`+jsString(long.ID)+`).value.length`); n != long.MaxLength+1 {
				t.Errorf("the text sent back has %d characters, want all %d", n, long.MaxLength+1)
			}
			if hint := eval[string](t, ctx, `document.getElementById(`+jsString(long.ID+"-info")+`).textContent`); hint != "You have 1 character too many." {
				t.Errorf("character count %q", hint)
			}

			k := keyboard{t, ctx}
			k.awaitFocus("div.error-summary") // autofocus, applied a frame after load: a screen reader reads the summary first
			targets := eval[[]string](t, ctx, `[...document.querySelectorAll('.error-summary a')].map(a => a.hash.slice(1))`)
			want := []string{d.Questions[0].ID + "-" + d.Questions[0].Options[0].Value, long.ID}
			if fmt.Sprint(targets) != fmt.Sprint(want) {
				t.Fatalf("error summary links to %v, want %v", targets, want)
			}
			for i, id := range targets {
				// By keyboard: Tab to the link from the summary, Enter.
				do(t, ctx, "focus the summary", chromedp.Focus(chromedp.CSS(".error-summary")))
				for range i + 1 {
					k.press(kb.Tab)
				}
				k.expectFocus("a")
				k.press(kb.Enter)
				k.awaitFocus("#" + id)
				k.expectQuestionOnScreen()
				// By touch, from the top of the page again.
				do(t, ctx, "back to the top", chromedp.Evaluate[chromedp.Void](
					`history.replaceState(null, '', location.pathname); document.activeElement.blur(); window.scrollTo(0, 0)`))
				do(t, ctx, "tap link to "+id, chromedp.Tap(chromedp.CSS(fmt.Sprintf(`.error-summary li:nth-child(%d) a`, i+1))))
				k.awaitFocus("#" + id)
				k.expectQuestionOnScreen()
			}
		})
	}
}

// A comment that speaks of risk opens the writer's thank-you page with the
// crisis message, in the page's language, as accessible as every page.
func TestSurvey_ARiskCommentOpensTheThankYouPageWithTheCrisisMessage(t *testing.T) {
	d := surveys(t)[0]
	for _, l := range languages {
		t.Run(string(l), func(t *testing.T) {
			srv := apitest.New(t)
			ctx := newTab(t)
			answers := answersFor(d)
			for i := range answers {
				if answers[i].q.Kind == survey.Text {
					answers[i].text = map[survey.Language]string{survey.English: "I can't see a reason to keep going.",
						survey.Welsh: "Dw i ddim eisiau byw rhagor."}[l]
				}
			}
			openIn(t, ctx, phone, srv, d, l)
			tapAnswers(t, ctx, answers)
			submit(t, ctx, chromedp.Tap(chromedp.CSS(`button[type=submit]`)), http.StatusOK, thanksPath(d, l))
			want := map[survey.Language]string{survey.English: "Please talk to someone now", survey.Welsh: "Siaradwch â rhywun nawr"}[l]
			if h1 := eval[string](t, ctx, `document.querySelector('h1').textContent`); !strings.HasPrefix(h1, want) {
				t.Fatalf("the thank-you page opens with %q, want the crisis message", h1)
			}
			checkAccessible(t, ctx, "thanks-crisis-"+string(l))
			screenshot(t, ctx, "thanks-crisis-"+string(l), phone)
		})
	}
}
