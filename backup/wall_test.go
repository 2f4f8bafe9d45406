package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/cloudflare/circl/blindsign/blindrsa"

	"github.com/feedback-service/feedback/accounts"
	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/invitation"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
)

func TestBackup_NeverCrossesTheWallAndIsNeverInTheClear(t *testing.T) {
	st := storetest.New(t)
	personalData(t, st)
	for name, c := range map[string]struct {
		opts Options
		want error
	}{
		"both sides":            {Options{Databases: allDatabases, Passphrase: testPassphrase}, ErrCrossesWall},
		"survey and staff":      {Options{Databases: []string{store.SurveyDatabase, accounts.Database}, Recipients: toTest()}, ErrCrossesWall},
		"a database of neither": {Options{Databases: []string{"elsewhere"}, Recipients: toTest()}, ErrCrossesWall},
		"survey side, no key":   {Options{Databases: surveySide}, ErrNoKey},
		"intake side, no key":   {Options{Databases: intakeSide}, ErrNoKey},
	} {
		var file bytes.Buffer
		if _, err := Write(context.Background(), st.Client, &file, c.opts); !errors.Is(err, c.want) || file.Len() != 0 {
			t.Errorf("%s: %v, %d bytes written; want %v and nothing", name, err, file.Len(), c.want)
		}
	}
	var file bytes.Buffer
	if _, err := Write(context.Background(), st.Client, &file, Options{Databases: surveySide, Passphrase: "short"}); err == nil {
		t.Error("a survey backup under a 5-character passphrase")
	}
}

// The survey side's backup carries the spent marks of invitations and of
// blind tokens: a store restored from it refuses a code or a token used
// before the backup, and accepts one that was not.
func TestBackup_ARestoredStoreRefusesCodesAndTokensUsedBeforeTheBackup(t *testing.T) {
	ctx := context.Background()
	codes, err := invitation.New(ballotbox.NewSecret(), invitation.Config{BaseURL: "http://feedback.test"})
	if err != nil {
		t.Fatal(err)
	}
	mint := func() string {
		code, err := codes.Mint("counselling")
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	from := storetest.New(t)
	spent := invitation.NewStore(from.Database(invitation.Database), codes)
	used, unused, exchanged := mint(), mint(), mint()
	if _, err := spent.SpendFor(ctx, "counselling", used); err != nil {
		t.Fatal(err)
	}
	tokens := invitation.NewTokens(spent)
	token := signedToken(t, tokens, exchanged)
	name, ok, err := tokens.VerifyToken(ctx, "counselling", token)
	if err != nil || !ok {
		t.Fatalf("token: %v %v", ok, err)
	}
	if fresh, err := tokens.SpendTokens(ctx, []string{"counselling"}, [][]byte{name}); err != nil || !fresh[0] {
		t.Fatalf("spend the token: %v %v", fresh, err)
	}

	var file bytes.Buffer
	h, err := Write(ctx, from.Client, &file, Options{Databases: surveySide, Recipients: toTest()})
	if err != nil {
		t.Fatal(err)
	}
	if h.Databases[1].Name != invitation.Database || len(h.Databases[1].Collections) == 0 {
		t.Fatalf("the survey side's backup left out the spent marks: %+v", h.Databases)
	}
	to := storetest.New(t)
	if _, err := Restore(ctx, to.Client, fromBytes(file.Bytes()), RestoreOptions{Identities: withTest()}); err != nil {
		t.Fatal(err)
	}
	restored := invitation.NewStore(to.Database(invitation.Database), codes)
	for code, want := range map[string]error{used: invitation.ErrUsed, exchanged: invitation.ErrUsed, unused: nil} {
		if _, err := restored.SpendFor(ctx, "counselling", code); !errors.Is(err, want) {
			t.Errorf("after the restore, spending a code: %v, want %v", err, want)
		}
	}
	rt := invitation.NewTokens(restored)
	name, ok, err = rt.VerifyToken(ctx, "counselling", token)
	if err != nil || !ok {
		t.Fatalf("the restored store does not know the token's key: %v %v", ok, err)
	}
	if fresh, err := rt.SpendTokens(ctx, []string{"counselling"}, [][]byte{name}); err != nil || fresh[0] {
		t.Fatalf("after the restore, a token spent before the backup: fresh %v, %v", fresh, err)
	}
}

// signedToken is what the invited form's script does: blind a fresh token,
// exchange code for a signature, unblind.
func signedToken(t *testing.T, tokens *invitation.Tokens, code string) []byte {
	t.Helper()
	ctx := context.Background()
	key, err := tokens.SigningKey(ctx, "counselling")
	if err != nil {
		t.Fatal(err)
	}
	client, err := blindrsa.NewClient(invitation.Variant, key.Key)
	if err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, 32)
	_, _ = rand.Read(msg)
	prepared, err := client.Prepare(rand.Reader, msg)
	if err != nil {
		t.Fatal(err)
	}
	blinded, state, err := client.Blind(rand.Reader, prepared)
	if err != nil {
		t.Fatal(err)
	}
	blindSig, err := tokens.Sign(ctx, "counselling", key.ID, code, blinded)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := client.Finalize(state, blindSig)
	if err != nil {
		t.Fatal(err)
	}
	return append(prepared, sig...)
}
