package intake

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/field"
)

// Intake's settings are one small document admins change on screen; the
// collection never grows, so reading it on every close costs one tiny read.
const (
	collSettings = "settings"
	settingsID   = "intake"
)

// TextIntervalField is the settings form's field for the days between texts.
const TextIntervalField = "text_interval_days"

// Rules for the least time between two survey texts to one person, in days.
const (
	DefaultTextIntervalDays = 30
	MinTextIntervalDays     = 1
	MaxTextIntervalDays     = 365
)

// Settings are what admins may change about intake.
type Settings struct {
	// TextIntervalDays is the least time between two survey invitations to one
	// person, by text or e-mail: at most one in that many days.
	TextIntervalDays int `bson:"text_interval_days"`
	// By is the e-mail of the admin who last changed them; UpdatedAt when.
	By        string    `bson:"by,omitempty"`
	UpdatedAt time.Time `bson:"updated_at,omitempty"`
}

// DefaultSettings are the settings until an admin changes them.
var DefaultSettings = Settings{TextIntervalDays: DefaultTextIntervalDays}

// TextInterval is the least time between two survey texts to one person.
func (st Settings) TextInterval() time.Duration {
	return time.Duration(st.TextIntervalDays) * 24 * time.Hour
}

// Settings returns intake's settings, the defaults when none were saved.
func (s *Store) Settings(ctx context.Context) (Settings, error) {
	var st Settings
	err := s.coll(collSettings).FindOne(ctx, bson.D{{Key: "_id", Value: settingsID}}).Decode(&st)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return DefaultSettings, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("read intake settings: %w", err)
	}
	if st.TextIntervalDays < MinTextIntervalDays { // never written so; a hand-edited document
		st.TextIntervalDays = DefaultTextIntervalDays
	}
	return st, nil
}

// ParseTextInterval reads the days between texts as typed in the form; a
// problem is a field.Errors on TextIntervalField.
func ParseTextInterval(typed string) (int, error) {
	var problems field.Errors
	typed = strings.TrimSpace(typed)
	n, err := strconv.Atoi(typed)
	switch {
	case typed == "":
		problems.Add(TextIntervalField, "Enter the number of days, like 30")
	case err != nil:
		problems.Add(TextIntervalField, "Enter the number of days as a whole number, like 30")
	case n < MinTextIntervalDays || n > MaxTextIntervalDays:
		problems.Add(TextIntervalField, fmt.Sprintf("The number of days must be between %d and %d", MinTextIntervalDays, MaxTextIntervalDays))
	}
	return n, problems.Err()
}

// SetSettings saves st, checked; by is the admin's e-mail.
func (s *Store) SetSettings(ctx context.Context, st Settings, by string) (Settings, error) {
	if st.TextIntervalDays < MinTextIntervalDays || st.TextIntervalDays > MaxTextIntervalDays {
		_, err := ParseTextInterval(strconv.Itoa(st.TextIntervalDays))
		return Settings{}, err
	}
	st.By, st.UpdatedAt = by, s.now()
	_, err := s.coll(collSettings).ReplaceOne(ctx, bson.D{{Key: "_id", Value: settingsID}},
		bson.D{{Key: "_id", Value: settingsID}, {Key: "text_interval_days", Value: st.TextIntervalDays},
			{Key: "by", Value: st.By}, {Key: "updated_at", Value: st.UpdatedAt}},
		options.Replace().SetUpsert(true))
	if err != nil {
		return Settings{}, fmt.Errorf("save intake settings: %w", err)
	}
	return st, nil
}
