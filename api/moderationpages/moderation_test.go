package moderationpages_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/survey"
)

// The comments of November 2026, released on 3 December: one the check is
// unsure of (an unknown capitalised word), one that spoke of risk, and
// ordinary ones to reach K.
const (
	uncertainText = "Thank you, Zorblax helped me a lot."
	riskText      = "I cannot see a reason to keep going."
	ordinaryText  = "The counsellor listened and it helped."
	dashboard     = "/dashboards/counselling?from=2026-11&to=2026-11"
	commentsCSV   = "/dashboards/counselling/comments.csv?from=2026-11&to=2026-11"
)

var readAt = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

// newModerationServer is a server with November's comments released, a
// quality lead and a moderator signed in.
func newModerationServer(t *testing.T) (srv *apitest.Server, lead, moderator *apitest.Browser) {
	t.Helper()
	srv = apitest.New(t, apitest.WithClock(apitest.NewClock().Now), apitest.WithDashboardsClock(func() time.Time { return readAt }))
	def, ok := srv.Surveys.Get("counselling")
	if !ok {
		t.Fatal("no counselling survey")
	}
	ctx := context.Background()
	texts := []string{uncertainText, riskText}
	for len(texts) < 10 {
		texts = append(texts, ordinaryText)
	}
	for _, text := range texts {
		nonce, err := srv.Responses.Keys().IssueVerified(ctx, "counselling")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Responses.Submit(ctx, def, nonce, survey.Answers{"fft": {Choice: "good"}, "fft_why": {Text: text}}); err != nil {
			t.Fatal(err)
		}
	}
	srv.ReleaseAll(t)
	lead, _ = srv.Staff(t, accounts.RoleQuality)
	moderator, _ = srv.Staff(t, accounts.RoleModerator)
	return srv, lead, moderator
}

// queuedURL is the address of the first comment the queue offers.
func queuedURL(t *testing.T, moderator *apitest.Browser) string {
	t.Helper()
	resp, body := moderator.Get(t, "/moderation")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /moderation: %d\n%s", resp.StatusCode, body)
	}
	m := regexp.MustCompile(`href="(/moderation/comment\?c=[^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no comment in the queue:\n%s", body)
	}
	u, err := url.QueryUnescape(strings.ReplaceAll(m[1], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(u, "c=", "c="+"", 1)
}

func commentPath(raw string) string {
	_, c, _ := strings.Cut(raw, "?c=")
	return "/moderation/comment?" + url.Values{"c": {c}}.Encode()
}

func TestModeration_AnUncertainCommentReachesNoQualityLeadUntilApproved(t *testing.T) {
	srv, lead, moderator := newModerationServer(t)

	_, page := lead.Get(t, dashboard)
	if strings.Contains(page, "Zorblax") {
		t.Fatal("a comment awaiting moderation is on the quality lead's page")
	}
	if !strings.Contains(page, "1 comment awaits moderation") {
		t.Errorf("the page does not count the comment awaiting moderation:\n%s", page)
	}
	if _, csv := lead.Get(t, commentsCSV); strings.Contains(csv, "Zorblax") || !strings.Contains(csv, ordinaryText) {
		t.Fatalf("comments CSV before moderation:\n%s", csv)
	}
	counts, err := srv.Dashboards.CountThemes(context.Background(), "counselling", dashboards.Range{From: "2026-11", To: "2026-11", Source: dashboards.Verified})
	if err != nil || len(counts.Months) != 1 || counts.Months[0].Comments != 9 {
		t.Fatalf("theme counts before moderation: %+v, %v; want 9 comments, not 10", counts, err)
	}

	_, queue := moderator.Get(t, "/moderation")
	if !strings.Contains(queue, "Zorblax") || strings.Contains(queue, ordinaryText) {
		t.Fatalf("the queue should hold the uncertain comment only:\n%s", queue)
	}
	path := commentPath(queuedURL(t, moderator))
	if resp, _ := moderator.PostForm(t, path, url.Values{"decision": {"approve"}}); resp.StatusCode != 403 {
		t.Fatalf("approving without the CSRF token: %d, want 403", resp.StatusCode)
	}
	resp, body := apitest.PostWithCSRF(t, moderator, path, url.Values{"decision": {"approve"}})
	apitest.WantRedirect(t, "approve: "+body, resp, "/moderation?done=approved")

	_, page = lead.Get(t, dashboard)
	if !strings.Contains(page, "Zorblax") || strings.Contains(page, "awaits moderation") {
		t.Fatalf("after approval the lead's page should show the comment and no note:\n%s", page)
	}
	if _, csv := lead.Get(t, commentsCSV); !strings.Contains(csv, "Zorblax") {
		t.Fatalf("comments CSV after approval:\n%s", csv)
	}
	if _, queue := moderator.Get(t, "/moderation"); strings.Contains(queue, "Zorblax") || !strings.Contains(queue, "No comment awaits moderation") {
		t.Fatalf("queue after approval:\n%s", queue)
	}
	if resp, _ := apitest.PostWithCSRF(t, moderator, path, url.Values{"decision": {"approve"}}); resp.StatusCode != 404 {
		t.Fatalf("approving twice: %d, want 404", resp.StatusCode)
	}

	// Moderation is audited, naming the comment by its key, never its words.
	_, key, _ := strings.Cut(strings.TrimPrefix(path, "/moderation/comment?c="), "2026-11~")
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "comment_approved", "counselling|2026-11|"+key) {
		t.Errorf("no audit entry comment_approved for counselling|2026-11|%s", key)
	}
	for _, e := range apitest.AuditEntries(t, srv) {
		if strings.Contains(e.Target+e.Reason, "Zorblax") {
			t.Errorf("audit entry holds the comment's words: %+v", e)
		}
	}
}

func TestModeration_ARedactionReplacesOnlyTheChosenWords(t *testing.T) {
	srv, lead, moderator := newModerationServer(t)
	path := commentPath(queuedURL(t, moderator))
	_, form := moderator.Get(t, path)
	if !strings.Contains(form, `<input type="checkbox" id="word-2" name="word" value="2"><label for="word-2">Zorblax</label>`) {
		t.Fatalf("the form does not offer the comment word by word:\n%s", form)
	}
	if resp, body := apitest.PostWithCSRF(t, moderator, path, url.Values{"decision": {"preview"}}); resp.StatusCode != 422 ||
		!strings.Contains(body, `<a href="#word-0">Select the words to remove`) {
		t.Fatalf("preview without a word: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := apitest.PostWithCSRF(t, moderator, path, url.Values{"decision": {"redact"}, "word": {"99"}}); resp.StatusCode != 400 {
		t.Fatalf("a word the comment does not have: %d, want 400", resp.StatusCode)
	}
	want := "Thank you, [removed] helped me a lot."
	resp, body := apitest.PostWithCSRF(t, moderator, path, url.Values{"decision": {"preview"}, "word": {"2"}})
	if resp.StatusCode != 200 || !strings.Contains(body, want) {
		t.Fatalf("preview: %d\n%s", resp.StatusCode, body)
	}
	if _, page := lead.Get(t, dashboard); strings.Contains(page, "[removed]") {
		t.Fatal("a preview changed what the lead reads")
	}
	resp, body = apitest.PostWithCSRF(t, moderator, path, url.Values{"decision": {"redact"}, "word": {"2"}})
	apitest.WantRedirect(t, "redact: "+body, resp, "/moderation?done=redacted")

	_, page := lead.Get(t, dashboard)
	if !strings.Contains(page, want) || strings.Contains(page, "Zorblax") {
		t.Fatalf("the lead's page after the redaction:\n%s", page)
	}
	var stored []survey.Comment
	cur, err := srv.Collection(survey.CommentsCollection("counselling", "2026-11")).Find(context.Background(), bson.D{{Key: "moderated", Value: "redacted"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cur.All(context.Background(), &stored); err != nil || len(stored) != 1 || stored[0].Text != want {
		t.Fatalf("stored redacted comments %+v, %v", stored, err)
	}
	_, key, _ := strings.Cut(strings.TrimPrefix(path, "/moderation/comment?c="), "2026-11~")
	if !apitest.HasAudit(apitest.AuditEntries(t, srv), "comment_redacted", "counselling|2026-11|"+key) {
		t.Error("the redaction is not in the audit log")
	}
}

func TestModeration_AnotherInstanceSeesTheDecisionOfAFinishedMonth(t *testing.T) {
	srv, _, moderator := newModerationServer(t)
	// A second instance on the same store, whose counters are a moment old
	// at every request, as they are between instances.
	start := time.Now()
	clock := func() time.Time { return readAt.Add(time.Since(start)) }
	other, err := dashboards.New(srv.Store.Database(store.SurveyDatabase), srv.Surveys, dashboards.Options{Now: clock, MaxAge: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	nov := dashboards.Range{From: "2026-11", To: "2026-11", Source: dashboards.Verified}
	before, err := other.AllComments(ctx, "counselling", nov, dashboards.CommentFilter{})
	if err != nil || len(before.Comments) != 9 {
		t.Fatalf("other instance before: %d comments, %v", len(before.Comments), err)
	}
	path := commentPath(queuedURL(t, moderator))
	resp, _ := apitest.PostWithCSRF(t, moderator, path, url.Values{"decision": {"approve"}})
	apitest.WantRedirect(t, "approve", resp, "/moderation?done=approved")
	after, err := other.AllComments(ctx, "counselling", nov, dashboards.CommentFilter{})
	if err != nil || len(after.Comments) != 10 {
		t.Fatalf("other instance after the approval: %d comments, %v; want 10", len(after.Comments), err)
	}
}

func TestDashboard_CommentsThatSpokeOfRiskComeFirstAndAreCounted(t *testing.T) {
	_, lead, _ := newModerationServer(t)
	_, page := lead.Get(t, dashboard)
	if !strings.Contains(page, "1 comment this period spoke of risk") {
		t.Errorf("no count of comments that spoke of risk:\n%s", page)
	}
	lane := strings.Index(page, `<section id="risk" class="risk-lane"`)
	first := strings.Index(page, riskText)
	ordinary := strings.Index(page, ordinaryText)
	if lane < 0 || first < lane || ordinary < first {
		t.Fatalf("the risk lane (at %d) should hold the risk comment (at %d) before any other (at %d):\n%s", lane, first, ordinary, page)
	}
	if !strings.Contains(page[lane:ordinary], "cannot be identified or contacted") && !strings.Contains(page[lane:ordinary], "Nobody can identify or contact") {
		t.Errorf("the lane has no safeguarding guidance:\n%s", page[lane:ordinary])
	}
	if _, csv := lead.Get(t, commentsCSV); !strings.Contains(csv, "yes,"+riskText) {
		t.Errorf("the CSV does not mark the comment that spoke of risk:\n%s", csv)
	}
}

func TestModeration_OnlyModeratorsModerateAndTheySeeNoFigures(t *testing.T) {
	srv, lead, moderator := newModerationServer(t)
	path := commentPath(queuedURL(t, moderator))
	admin, _ := srv.Staff(t, accounts.RoleAdmin)
	intake, _ := srv.Staff(t, accounts.RoleIntake)
	for who, b := range map[string]*apitest.Browser{"quality": lead, "admin": admin, "intake": intake} {
		for _, p := range []string{"/moderation", path} {
			if resp, _ := b.Get(t, p); resp.StatusCode != 403 {
				t.Errorf("%s GET %s: %d, want 403", who, p, resp.StatusCode)
			}
		}
		if resp, _ := apitest.PostWithCSRF(t, b, path, url.Values{"decision": {"approve"}}); resp.StatusCode != 403 {
			t.Errorf("%s approves: %d, want 403", who, resp.StatusCode)
		}
	}
	if resp, _ := srv.Browser().Get(t, "/moderation"); resp.StatusCode != 303 {
		t.Errorf("signed out GET /moderation: %d, want 303 to sign in", resp.StatusCode)
	}
	for _, p := range []string{"/dashboards", dashboard, commentsCSV, "/dashboards/counselling/export.csv", "/dashboards/board-pack", "/api/v1/stats/counselling"} {
		if resp, _ := moderator.Get(t, p); resp.StatusCode != 403 {
			t.Errorf("moderator GET %s: %d, want 403", p, resp.StatusCode)
		}
	}
	for _, p := range []string{"/moderation", path} {
		resp, body := moderator.Get(t, p)
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("moderator GET %s: %d, Cache-Control %q", p, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		for _, figure := range []string{"Rating", "responses", ordinaryText, riskText} {
			if strings.Contains(body, figure) {
				t.Errorf("moderator's %s shows %q", p, figure)
			}
		}
	}
	_, home := moderator.Get(t, "/staff")
	if !strings.Contains(home, `href="/moderation"`) || strings.Contains(home, `href="/dashboards"`) {
		t.Errorf("moderator's home page:\n%s", home)
	}
}
