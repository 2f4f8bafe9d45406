package survey

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Moderation of released comments: a comment the check at submission was
// unsure of (Comment.Uncertain) waits for a moderator, who approves it as it
// is or removes words from it, before any quality lead reads it. The decision
// is written on the comment document itself (a month's collection is small, so
// an update by _id is cheap), and a counter per service and month says that
// a month's comments changed, so every instance's cache can follow.

// Moderation is a moderator's decision on a comment.
type Moderation string

// The decisions a moderator can make.
const (
	Approved Moderation = "approved" // read as it was released
	Redacted Moderation = "redacted" // words replaced with RemovedMarker
)

// RemovedMarker stands in the text where a moderator removed words.
const RemovedMarker = "[removed]"

// AwaitsModeration reports whether quality leads may not read c yet: the
// check was unsure of it and no moderator has decided.
func (c Comment) AwaitsModeration() bool { return c.Uncertain && c.Moderated == "" }

// Errors of moderation.
var (
	// ErrNoCommentToModerate means no comment with that _id awaits moderation
	// in that month: there is none, it was certain, or it was moderated.
	ErrNoCommentToModerate = errors.New("no comment awaits moderation there")
	// ErrRedaction means a redaction would do more than remove words.
	ErrRedaction = errors.New("a redaction may only replace words with " + RemovedMarker)
)

// Word is one word of a comment, as a moderator picks it: letters and digits,
// with the apostrophes and hyphens inside a word ("O'Neill", "Stoke-on-Trent").
type Word struct {
	Text       string
	Start, End int // byte offsets in the comment
}

// Words splits text into the words a moderator may remove, in order.
func Words(text string) []Word {
	var out []Word
	start := -1
	runes := []rune(text)
	offsets := make([]int, len(runes)+1)
	for i, off := 0, 0; i < len(runes); i++ {
		offsets[i] = off
		off += len(string(runes[i]))
		offsets[i+1] = off
	}
	for i, r := range runes {
		inWord := isWordRune(r) || (start >= 0 && isJoiner(r) && i+1 < len(runes) && isWordRune(runes[i+1]))
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			out = append(out, Word{Text: string(runes[start:i]), Start: offsets[start], End: offsets[i]})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, Word{Text: string(runes[start:]), Start: offsets[start], End: offsets[len(runes)]})
	}
	return out
}

func validMonth(m string) bool {
	_, err := time.Parse(MonthLayout, m)
	return err == nil
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }
func isJoiner(r rune) bool   { return r == '\'' || r == '’' || r == '-' }

// RemoveWords returns text with the words at the given indexes of Words(text)
// replaced by RemovedMarker. Picked words with nothing but spaces and
// punctuation between them become one marker, so a removed name leaves no
// trace of how many words it had.
func RemoveWords(text string, picked []int) (string, error) {
	words := Words(text)
	if len(picked) == 0 {
		return "", fmt.Errorf("%w: choose at least one word to remove", ErrRedaction)
	}
	chosen := make([]bool, len(words))
	for _, i := range picked {
		if i < 0 || i >= len(words) {
			return "", fmt.Errorf("%w: there is no word %d", ErrRedaction, i)
		}
		chosen[i] = true
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(words); i++ {
		if !chosen[i] {
			continue
		}
		j := i
		for j+1 < len(words) && chosen[j+1] {
			j++
		}
		b.WriteString(text[last:words[i].Start])
		b.WriteString(RemovedMarker)
		last = words[j].End
		i = j
	}
	b.WriteString(text[last:])
	return b.String(), nil
}

// IsRedactionOf reports whether redacted is original with one or more
// non-empty stretches replaced by RemovedMarker and nothing else changed: no
// word added, none moved. It guards every redaction written, and lets a
// rebuild recognise a redacted comment as the one its response holds.
func IsRedactionOf(original, redacted string) bool {
	parts := strings.Split(redacted, RemovedMarker)
	if len(parts) < 2 {
		return false
	}
	first, last := parts[0], parts[len(parts)-1]
	if !strings.HasPrefix(original, first) {
		return false
	}
	pos := len(first)
	for _, p := range parts[1 : len(parts)-1] {
		// Each marker replaces at least one character; the earliest place each
		// part fits leaves the most room for the rest.
		if pos+1 > len(original) {
			return false
		}
		i := strings.Index(original[pos+1:], p)
		if i < 0 {
			return false
		}
		pos += 1 + i + len(p)
	}
	return len(original)-len(last) >= pos+1 && strings.HasSuffix(original, last)
}

// commentEditsCollection counts, per service and month (_id service|month),
// the moderations of that month's comments: a cache of a month's comments is
// good while the count it was read with stands.
const commentEditsCollection = "comment_edits"

// ModerateComment records a moderator's decision on the comment id of
// service's month: Approved keeps its text, Redacted replaces it with text,
// which must be the stored text with words replaced by RemovedMarker. Only a
// comment awaiting moderation changes; a second decision, by another
// moderator at the same time, gets ErrNoCommentToModerate.
func ModerateComment(ctx context.Context, db *mongo.Database, service, month, id string, m Moderation, text string) error {
	coll := db.Collection(CommentsCollection(service, month))
	var c Comment
	err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && (!c.AwaitsModeration() || c.Service != service || c.Month != month)) {
		return ErrNoCommentToModerate
	}
	if err != nil {
		return fmt.Errorf("read comment to moderate: %w", err)
	}
	set := bson.D{{Key: "moderated", Value: m}}
	switch m {
	case Approved:
	case Redacted:
		if !IsRedactionOf(c.Text, text) {
			return ErrRedaction
		}
		set = append(set, bson.E{Key: "text", Value: text})
	default:
		return fmt.Errorf("moderate comment: unknown decision %q", m)
	}
	res, err := coll.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "moderated", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return fmt.Errorf("moderate comment: %w", err)
	}
	if res.MatchedCount == 0 {
		return ErrNoCommentToModerate
	}
	return countEdit(ctx, db, service, month)
}

// countEdit counts one change to service's month of comments (a moderation,
// or the rebuild's repair), so every reader of them reads them again.
func countEdit(ctx context.Context, db *mongo.Database, service, month string) error {
	_, err := db.Collection(commentEditsCollection).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: service + "|" + month}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}}},
		options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("count a change to the comments of %s %s: %w", service, month, err)
	}
	return nil
}

// CommentEdits is how many moderations each service's month has had, by
// service|month; Raw is every document as read, for a content hash.
type CommentEdits struct {
	N   map[string]int64
	Raw []bson.Raw
}

// ReadCommentEdits reads the moderation counts, whole: one small document per
// service and month that had a moderation, ordered by _id.
func ReadCommentEdits(ctx context.Context, db *mongo.Database) (CommentEdits, error) {
	out := CommentEdits{N: map[string]int64{}}
	cur, err := db.Collection(commentEditsCollection).Find(ctx, bson.D{})
	if err != nil {
		return out, fmt.Errorf("read comment edits: %w", err)
	}
	defer cur.Close(ctx)
	type edit struct {
		ID string `bson:"_id"`
		N  int64  `bson:"n"`
	}
	var ids []string
	raws := map[string]bson.Raw{}
	for cur.Next(ctx) {
		var e edit
		if err := cur.Decode(&e); err != nil {
			return out, fmt.Errorf("read comment edits: %w", err)
		}
		out.N[e.ID] = e.N
		ids = append(ids, e.ID)
		raws[e.ID] = append(bson.Raw(nil), cur.Current...)
	}
	if err := cur.Err(); err != nil {
		return out, fmt.Errorf("read comment edits: %w", err)
	}
	slices.Sort(ids)
	for _, id := range ids {
		out.Raw = append(out.Raw, raws[id])
	}
	return out, nil
}

// CommentMonths lists, for each of services, the months (YYYY-MM) that have a
// comments collection, oldest first: the months a moderation queue reads.
func CommentMonths(ctx context.Context, db *mongo.Database, services []string) (map[string][]string, error) {
	names, err := commentCollections(ctx, db)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, service := range services {
		prefix := commentsPrefix + strings.ReplaceAll(service, "-", "_") + "_"
		for _, n := range names {
			rest, ok := strings.CutPrefix(n, prefix)
			month := strings.Replace(rest, "_", "-", 1)
			if ok && len(rest) == len("2006_01") && CommentsCollection(service, month) == n && validMonth(month) {
				out[service] = append(out[service], month)
			}
		}
	}
	return out, nil
}
