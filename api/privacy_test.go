package api_test

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/feedback-service/feedback/api/apitest"
	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/intake"
	"github.com/feedback-service/feedback/store"
)

// surveyInvitations counts invitations in the survey database as the service
// does: one document per service and month.
type surveyInvitations struct{ coll *mongo.Collection }

func (c surveyInvitations) CountInvitation(ctx context.Context, service, day string) error {
	_, err := c.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: service + "|" + day[:7]}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}, options.UpdateOne().SetUpsert(true))
	return err
}

// The privacy wall, tested on the data: after callers go through intake and
// answers through the survey, no field of any intake record can be joined to
// any field of any survey record, except the two categories both sides hold
// by design: the service type and the month (the survey keeps no finer time).
// (The surveys once asked how the person contacted us; this test found that
// the answer joins intake's channel, so service, month and channel together
// made small groups. The question was replaced by one intake holds nothing of.)
func TestPrivacyWall_NoIntakeRecordJoinsASurveyRecord(t *testing.T) {
	srv, handler := apitest.IntakeServer(t)
	ctx := context.Background()

	// Callers go through intake, agree to a text, and are texted.
	throughIntake(t, srv, handler)
	outbox, err := intake.NewOutbox(srv.Intake, &apitest.TextSender{}, surveyInvitations{srv.Collection("invitations")}, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := outbox.ProcessDue(ctx); err != nil || res.Sent != 3 {
		t.Fatalf("outbox: %+v %v", res, err)
	}

	// They answer the survey.
	for _, service := range []string{"counselling", "peer-support", "counselling"} {
		form := apitest.ValidForm(srv.FormNonce(t, service))
		if service == "peer-support" {
			form.Del("listened")
		}
		resp, _ := srv.PostForm(t, "/s/"+service, form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("survey %s: %d", service, resp.StatusCode)
		}
	}
	srv.ReleaseAll(t)

	intakeSide := recordsOf(t, srv.Store.Database(intake.Database))
	surveySide := recordsOf(t, srv.Store.Database(store.SurveyDatabase))
	for _, coll := range []string{"profile_counts", "safety_concerns", "peer_caseloads"} {
		if len(intakeSide[coll]) == 0 {
			t.Errorf("intake holds no %s: the search would not see them", coll)
		}
	}
	if len(intakeSide["contacts"]) != 4 || len(surveySide["responses"]) != 3 || len(surveySide["invitations"]) != 2 {
		t.Fatalf("expected 4 contacts, 3 responses and 2 invitation counts; have %d, %d, %d",
			len(intakeSide["contacts"]), len(surveySide["responses"]), len(surveySide["invitations"]))
	}

	byDesign := map[string]string{"counselling": "service", "peer-support": "service"}
	for _, now := range []time.Time{clocktest.Wall().UTC(), clocktest.Wall().In(srv.Intake.Location)} { // the tests' running clock, as the server's
		byDesign[now.Format("2006-01")] = "month"
	}
	joined := map[string]bool{}
	for ic, irecs := range intakeSide {
		for sc, srecs := range surveySide {
			for _, ir := range irecs {
				for _, sr := range srecs {
					for atom := range ir {
						if !sr[atom] {
							continue
						}
						joined[atom] = true
						if byDesign[atom] == "" {
							t.Errorf("intake %s joins survey %s on %q", ic, sc, atom)
						}
					}
				}
			}
		}
	}
	// The search is not blind: a careless survey field, a submission time,
	// would be found joining every contact opened on that day.
	planted := map[string]bool{}
	raw, _ := bson.Marshal(bson.D{{Key: "submitted_at", Value: clocktest.Wall()}}) // the day intake records, on its clock
	addAtoms(bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: raw}, planted)
	if !joinsBeyond(intakeSide["contacts"][0], planted, byDesign) {
		t.Error("the join search does not see a shared day")
	}

	var on []string
	for atom := range joined {
		on = append(on, atom+" ("+byDesign[atom]+")")
	}
	sort.Strings(on)
	t.Logf("shared values, all categories: %s", strings.Join(on, ", "))

	// The survey text itself carries nothing to join on: only the service's link.
	text := intake.SurveyText(srv.URL, intake.Counselling)
	for _, recs := range intakeSide {
		for _, r := range recs {
			for atom := range r {
				if len(atom) > 3 && byDesign[atom] == "" && strings.Contains(strings.ToLower(text), atom) {
					t.Errorf("the survey text quotes an intake value %q", atom)
				}
			}
		}
	}
}

// throughIntake takes callers through intake as the privacy test needs them:
// the privacy notice's fields, a partner linked to a member, a Welsh speaker,
// a peer conversation and a patient-safety concern are all held in intake.
func throughIntake(t *testing.T, srv *apitest.Server, handler *apitest.Browser) {
	t.Helper()
	ctx := context.Background()
	profile := func(f url.Values) url.Values {
		return apitest.With(apitest.With(apitest.With(f, "ethnicity", "white-irish"), "gender", "prefer-not-to-say"), "specialty", "surgery")
	}
	var ids []string
	for _, form := range []url.Values{profile(apitest.CounsellingForm()), profile(apitest.PeerForm()),
		// A Welsh speaker: the survey must keep no language that joins intake's.
		apitest.With(apitest.With(apitest.With(apitest.With(apitest.CounsellingForm(), "name", "Jo Bloggs"), "phone", "07700 900777"), "channel", "live-chat"), "language", "cy")} {
		id := apitest.OpenContact(t, handler, form)
		ids = append(ids, id)
		apitest.PostWithCSRF(t, handler, "/intake/contacts/"+id+"/close", url.Values{"outcome": {"Booked in with the counsellor"}})
	}
	member, _ := srv.Intake.Contact(ctx, ids[0])
	apitest.OpenContact(t, handler, apitest.With(apitest.With(apitest.With(apitest.With(apitest.CounsellingForm(), "name", "Chris Morgan"), "role", "partner"), "member_id", member.PersonID), "feedback_agreed", ""))
	now := srv.Intake.Now().In(srv.Intake.Location)
	if _, err := srv.Intake.LogConversation(ctx, ids[1], now.Format("2"), now.Format("1"), now.Format("2006")); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Intake.RaiseConcern(ctx, ids[1], intake.SafetyForm{Concern: "Operating while unwell",
		Day: now.Format("2"), Month: now.Format("1"), Year: now.Format("2006")}); err != nil {
		t.Fatal(err)
	}
}

// joinsBeyond reports whether two records share a value not shared by design.
func joinsBeyond(a, b map[string]bool, byDesign map[string]string) bool {
	for atom := range a {
		if b[atom] && byDesign[atom] == "" {
			return true
		}
	}
	return false
}

// recordsOf reads every document of every collection of db, each as the set
// of values it holds: strings (lower-cased, "_" read as "-", and the parts of
// "a|b" bucket keys), ids, and times at month, day, minute and second. Numbers
// and flags are left out: they are counts and yes/no, shared by everyone.
func recordsOf(t *testing.T, db *mongo.Database) map[string][]map[string]bool {
	t.Helper()
	ctx := context.Background()
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]map[string]bool{}
	for _, name := range names {
		cur, err := db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next(ctx) {
			atoms := map[string]bool{}
			addAtoms(bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: cur.Current}, atoms)
			out[name] = append(out[name], atoms)
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
		_ = cur.Close(ctx)
	}
	return out
}

func addAtoms(v bson.RawValue, atoms map[string]bool) {
	switch v.Type {
	case bson.TypeString:
		s := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(v.StringValue())), "_", "-")
		atoms[s] = true
		for _, part := range strings.Split(s, "|") {
			atoms[part] = true
		}
	case bson.TypeDateTime:
		for _, t := range []time.Time{v.Time().UTC(), v.Time().In(time.FixedZone("BST", 3600))} {
			for _, layout := range []string{"2006-01", time.DateOnly, "2006-01-02T15:04", time.RFC3339} {
				atoms[t.Format(layout)] = true
			}
		}
	case bson.TypeObjectID:
		atoms[v.ObjectID().Hex()] = true
	case bson.TypeEmbeddedDocument:
		elems, _ := v.Document().Elements()
		for _, e := range elems {
			addAtoms(e.Value(), atoms)
		}
	case bson.TypeArray:
		vals, _ := v.Array().Values()
		for _, e := range vals {
			addAtoms(e, atoms)
		}
	}
}
