package dashpages

import (
	"bufio"
	"context"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/api/web"
	"github.com/feedback-service/feedback/dashboards"
	"github.com/feedback-service/feedback/survey"
)

// actionThemesCorrected audits a lead's correction of a comment's themes; the
// record is service|month|key, which names the comment and nothing else.
const (
	actionThemesCorrected accounts.Action = "comment_themes_corrected"
	actionBoardPick       accounts.Action = "board_pack_pick_changed"
)

// workbenchView is the comments' filter form, its download and the theme counts.
type workbenchView struct {
	Ratings   []web.Choice
	Themes    []string
	Filter    dashboards.CommentFilter
	Filtered  bool
	ExportURL string
	ClearURL  string
	Counts    *dashboards.ThemeCounts
	Top       []dashboards.ThemeTotal
	// CountText says how many comments match; DownloadText words the
	// download's link, empty when there is nothing to download.
	CountText, DownloadText string
}

// commentFilter reads ?rating=&theme=&q=.
func commentFilter(c fiber.Ctx) dashboards.CommentFilter {
	return dashboards.CommentFilter{Rating: web.Query(c, "rating"), Theme: web.Query(c, "theme"), Search: web.Query(c, "q")}
}

// commentQuery is the query string naming a range and a filter.
func commentQuery(r dashboards.Range, f dashboards.CommentFilter) url.Values {
	q, _ := url.ParseQuery(rangeQuery(r))
	for k, v := range map[string]string{"rating": f.Rating, "theme": f.Theme, "q": f.Search} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

func (s *Pages) workbench(service string, r dashboards.Range, f dashboards.CommentFilter, counts *dashboards.ThemeCounts, page *dashboards.CommentPage) workbenchView {
	base := "/dashboards/" + service
	w := workbenchView{Filter: f, Filtered: f != (dashboards.CommentFilter{}), Counts: counts,
		ExportURL: base + "/comments.csv?" + commentQuery(r, f).Encode(), ClearURL: base + "?" + rangeQuery(r) + "#comments"}
	w.CountText, w.DownloadText = matchingText(page, w.Filtered)
	w.Ratings = append(w.Ratings, web.Choice{Value: "", Label: "Any rating"})
	for _, o := range survey.FFTOptions {
		w.Ratings = append(w.Ratings, web.Choice{Value: o.Value, Label: o.Label})
	}
	for _, t := range s.dashboards.Themes().Themes {
		w.Themes = append(w.Themes, t.Name)
	}
	w.Top = dashboards.TopThemes(counts, len(counts.Themes))
	return w
}

// matchingText says how many comments of the period match its filter, and
// words the download of them: "34 comments match these filters", "Download
// these 34 comments (CSV)". Search words are not counted ahead: until their
// last page, the page says only that more match than it shows.
func matchingText(p *dashboards.CommentPage, filtered bool) (count, download string) {
	if !p.MatchingKnown && p.Next != "" {
		return "More comments match these filters than this page shows.", "Download these comments (CSV)"
	}
	if !p.MatchingKnown {
		return "These are the last comments that match these filters.", "Download these comments (CSV)"
	}
	n := p.Matching
	switch {
	case n == 0:
		return "", ""
	case !filtered && n == 1:
		return "1 comment in this period.", "Download this comment (CSV)"
	case !filtered:
		return commentsText(n) + " in this period.", "Download every comment of the period (CSV)"
	case n == 1:
		return "1 comment matches these filters.", "Download this comment (CSV)"
	}
	return commentsText(n) + " match these filters.", "Download these " + commentsText(n) + " (CSV)"
}

// CommentsCSV is GET /dashboards/{service}/comments.csv: every comment of the
// period that passes the filter, from published months only.
func (s *Pages) CommentsCSV(c fiber.Ctx) error {
	service := web.Param(c, "service")
	r, err := Period(c, s.dashboards)
	if err != nil {
		return err
	}
	f := commentFilter(c)
	if err := s.dashboards.CheckComments(service, r, f); err != nil {
		return err
	}
	// The rows stream a month at a time, after the handler returns: the
	// request's context is gone by then, so the download has its own.
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+downloadName(service, "comments", r, "csv")+`"`)
	d := s.dashboards
	conn := c.RequestCtx().Conn()
	return c.SendStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), commentsDownloadTimeout)
		defer cancel()
		if err := d.WriteComments(ctx, &progressWriter{w: w, conn: conn}, service, r, f); err != nil {
			// The status is sent: the file ends short, and the log says why.
			d.Logger().Error("comments download", "service", service, "err", err)
		}
	})
}

// progressWriter moves the connection's write deadline on while rows are
// written: the server's write timeout bounds a response whole, and a
// download of a year's comments (read a month at a time) may take longer
// than that; a reader that stops reading still meets the deadline, since
// rows then stop too.
type progressWriter struct {
	w     *bufio.Writer
	conn  net.Conn
	moved time.Time
}

// downloadStall is how long a download may make no progress: the server's
// write timeout.
const downloadStall = 15 * time.Second

func (p *progressWriter) Write(b []byte) (int, error) {
	if now := time.Now(); p.conn != nil && now.Sub(p.moved) > time.Second {
		p.moved = now
		_ = p.conn.SetWriteDeadline(now.Add(downloadStall))
	}
	return p.w.Write(b)
}

func (p *progressWriter) Flush() error { return p.w.Flush() }

// commentsDownloadTimeout bounds a download of every comment.
const commentsDownloadTimeout = 10 * time.Minute

type themesPage struct {
	web.Page
	Back, Action string
	Comment      dashboards.CommentView
	Themes       []themeChoice
	Picked       bool
}

type themeChoice struct {
	ID, Name string
	Checked  bool
}

// commentParams reads /dashboards/{service}/themes?comment={month}~{key}.
func commentParams(c fiber.Ctx) (service, month, key string) {
	month, key, _ = strings.Cut(web.Query(c, "comment"), "~")
	return web.Param(c, "service"), month, key
}

// themesURL is the address of a comment's themes form.
func themesURL(service, month, key string) string {
	return "/dashboards/" + service + "/themes?" + url.Values{"comment": {month + "~" + key}}.Encode()
}

// ThemesForm is GET /dashboards/{service}/themes?comment={month}~{key}.
// Without a comment it sends the lead to the service's comments, where each
// has its link.
func (s *Pages) ThemesForm(c fiber.Ctx) error {
	service, month, key := commentParams(c)
	if web.Query(c, "comment") == "" && slices.Contains(s.dashboards.Services(), service) {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/dashboards/" + service + "#comments")
	}
	cm, err := s.dashboards.Comment(c.Context(), service, month, key)
	if err != nil {
		return err
	}
	p := themesPage{Page: s.page(c, "Themes and board pack"), Comment: cm,
		Back:   "/dashboards/" + service + "?" + url.Values{"from": {month}, "to": {month}}.Encode() + "#comments",
		Action: themesURL(service, month, key)}
	for i, t := range s.dashboards.Themes().Themes {
		p.Themes = append(p.Themes, themeChoice{ID: "theme-" + itoa(i), Name: t.Name, Checked: slices.Contains(cm.Themes, t.Name)})
	}
	if p.Picked, err = s.dashboards.Picked(c.Context(), service, month, key); err != nil {
		return err
	}
	return s.site.Render(c, fiber.StatusOK, s.templates, "themes", p)
}

// CorrectThemes is POST /dashboards/{service}/themes?comment={month}~{key}.
func (s *Pages) CorrectThemes(c fiber.Ctx) error {
	service, month, key := commentParams(c)
	form, err := web.Form(c)
	if err != nil {
		return err
	}
	if err := s.dashboards.CorrectThemes(c.Context(), service, month, key, form["theme"]); err != nil {
		return err
	}
	if err := s.staff.Audit(c, actionThemesCorrected, service+"|"+month+"|"+key); err != nil {
		return err
	}
	pick := form.Get("pick") == web.Checked
	was, err := s.dashboards.Picked(c.Context(), service, month, key)
	if err != nil {
		return err
	}
	if pick != was {
		if err := s.dashboards.PickComment(c.Context(), service, month, key, pick); err != nil {
			return err
		}
		if err := s.staff.Audit(c, actionBoardPick, service+"|"+month+"|"+key); err != nil {
			return err
		}
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To("/dashboards/" + service + "?" + url.Values{"from": {month}, "to": {month}}.Encode() + "#comments")
}

func itoa(i int) string { return string(rune('a'+i/26)) + string(rune('a'+i%26)) }
