package survey_test

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// What the dashboards read of survey's collections, they read through these
// functions: the months asked for, in _id order, with the stored bytes.
func TestReadCounters_KeepsTheMonthsAskedForInIDOrder(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).Database(store.SurveyDatabase)
	month, before := thisMonth(), lastMonth()
	for _, id := range []string{"c|" + month, "a|" + before, "b|" + month} {
		month := id[2:]
		if _, err := db.Collection("counters").InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "service", Value: id[:1]},
			{Key: "month", Value: month}, {Key: "n", Value: int64(7)}}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := survey.ReadCounters(ctx, db, func(m string) bool { return m == month })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Doc.ID != "b|"+month || got[1].Doc.ID != "c|"+month || got[0].Doc.N != 7 || len(got[0].Raw) == 0 {
		t.Fatalf("read %+v", got)
	}

	inv := survey.NewInvitationCounts(db)
	if err := inv.Add(ctx, "counselling", before, 3); err != nil {
		t.Fatal(err)
	}
	if err := inv.Add(ctx, "counselling", month, 4); err != nil {
		t.Fatal(err)
	}
	counts, err := survey.ReadInvitationCounts(ctx, db, func(m string) bool { return m == before })
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[0].Doc != (survey.InvitationCount{Service: "counselling", Month: before, N: 3}) {
		t.Fatalf("invitation counts %+v", counts)
	}
}

func TestReadComments_LeavesOutACommentFiledUnderAnotherMonth(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).Database(store.SurveyDatabase)
	month, before := thisMonth(), lastMonth()
	coll := db.Collection(survey.CommentsCollection("counselling", month))
	for _, c := range []survey.Comment{
		{ID: "1", Service: "counselling", Month: month, Question: "why", Text: "kind"},
		{ID: "2", Service: "counselling", Month: before, Question: "why", Text: "misplaced"},
	} {
		if _, err := coll.InsertOne(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := survey.ReadComments(ctx, db, "counselling", month)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Text != "kind" {
		t.Fatalf("comments %+v", got)
	}
}
