package survey

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/field"
)

// The library's settings are a few small documents admins change on screen,
// in the survey database beside the versions. The first is the practitioners'
// names every comment is checked for: whoever reads the comments may know the
// counsellors, and a writer who names the counsellor who took their call can
// be found through intake's records. The survey side never reads intake, so
// admins list the names here. Like a version, the document keeps the month and
// the admin's e-mail; the audit log has the moment.
const settingsCollection = "survey_settings"

const practitionerNamesID = "practitioner_names"

// NamesField is the form field of the practitioners' names, one a line.
const NamesField = "names"

// Rules for the practitioners' names.
const (
	MaxPractitionerNames = 1000
	minNameLength        = 2
	maxNameLength        = 60
)

type practitionerNamesDoc struct {
	ID    string   `bson:"_id"`
	Names []string `bson:"names"`
	Month string   `bson:"month"`
	By    string   `bson:"by"`
}

// PractitionerNames returns the names admins listed to be generalised in
// every comment, sorted; none when nobody has listed any.
func (l *Library) PractitionerNames(ctx context.Context) ([]string, error) {
	var doc practitionerNamesDoc
	if err := l.readSetting(ctx, practitionerNamesID, &doc); err != nil {
		return nil, fmt.Errorf("read practitioners' names: %w", err)
	}
	return doc.Names, nil
}

// SetPractitionerNames replaces the names with names, cleaned by
// CleanPractitionerNames (a field.Errors on NamesField if one breaks a rule).
// by is the admin's e-mail.
func (l *Library) SetPractitionerNames(ctx context.Context, names []string, by string) error {
	clean, err := CleanPractitionerNames(names)
	if err != nil {
		return err
	}
	doc := practitionerNamesDoc{ID: practitionerNamesID, Names: clean, Month: Month(l.now()), By: by}
	if err := l.writeSetting(ctx, practitionerNamesID, doc); err != nil {
		return fmt.Errorf("save practitioners' names: %w", err)
	}
	return nil
}

// readSetting decodes the settings document id into doc, leaving doc as it
// is when nobody has saved one.
func (l *Library) readSetting(ctx context.Context, id string, doc any) error {
	err := l.db().Collection(settingsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil
	}
	return err
}

// writeSetting replaces the settings document id with doc.
func (l *Library) writeSetting(ctx context.Context, id string, doc any) error {
	_, err := l.db().Collection(settingsCollection).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc,
		options.Replace().SetUpsert(true))
	return err
}

// CleanPractitionerNames trims each name and drops empty ones, keeps one of
// names that differ only in case or spacing, and sorts them. Each name is 2 to
// 60 characters of letters, spaces, hyphens and apostrophes; at most 1,000.
func CleanPractitionerNames(names []string) ([]string, error) {
	var problems field.Errors
	seen := map[string]bool{}
	var out []string
	for i, raw := range names {
		name := strings.Join(strings.Fields(raw), " ")
		if name == "" {
			continue
		}
		if msg := checkName(name); msg != "" {
			problems.Add(NamesField, "Line "+strconv.Itoa(i+1)+": "+msg)
			continue
		}
		if key := strings.ToLower(name); !seen[key] {
			seen[key] = true
			out = append(out, name)
		}
	}
	if len(out) > MaxPractitionerNames {
		problems.Add(NamesField, fmt.Sprintf("List at most %d names (this list has %d)", MaxPractitionerNames, len(out)))
	}
	if len(problems) > 0 {
		return nil, problems
	}
	slices.SortFunc(out, func(a, b string) int {
		if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return out, nil
}

// checkName says what is wrong with one trimmed name, or "".
func checkName(name string) string {
	if n := utf8.RuneCountInString(name); n < minNameLength || n > maxNameLength {
		return fmt.Sprintf("%q is %d characters; a name is %d to %d", shorten(name), n, minNameLength, maxNameLength)
	}
	letters := 0
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			letters++
		case r == ' ' || r == '-' || r == '\'' || r == '’':
		default:
			return fmt.Sprintf("%q has %q in it; a name has only letters, spaces, hyphens and apostrophes", shorten(name), r)
		}
	}
	if letters == 0 {
		return fmt.Sprintf("%q has no letters in it", name)
	}
	return ""
}

// shorten keeps a message about a very long line readable.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxNameLength {
		return s
	}
	return string([]rune(s)[:maxNameLength]) + "…"
}
