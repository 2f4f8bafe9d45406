package survey

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Drafts are versions a staff member is previewing before publishing: kept in
// the database so every instance can show the preview. They are small and few
// (one per preview), written by staff only; a draft is never served to the
// people who answer.
const draftsCollection = "survey_drafts"

// ErrNoSuchDraft means a draft id names no draft.
var ErrNoSuchDraft = errors.New("no such draft")

// Draft is a definition checked and saved for preview, made from version
// number Base of its service.
type Draft struct {
	ID         string
	Base       int
	By         string
	Definition *Definition
	File       []byte
}

type draftDoc struct {
	ID      string `bson:"_id"`
	Service string `bson:"service"`
	Base    int    `bson:"base"`
	File    string `bson:"definition"`
	By      string `bson:"by"`
}

// Check checks file as Publish would, without publishing it: the start-up
// rules, and no option with answers removed from the current version.
func (l *Library) Check(ctx context.Context, file []byte) (*Definition, error) {
	def, history, err := l.parseWithHistory(ctx, file)
	if err != nil {
		return nil, err
	}
	if n := len(history); n > 0 {
		if history[n-1].Version == def.Version {
			return def, ErrUnchanged
		}
		if err := l.checkRemovedOptions(ctx, history[n-1].Definition, def); err != nil {
			return nil, err
		}
	}
	return def, nil
}

// SaveDraft checks file and keeps it for preview.
func (l *Library) SaveDraft(ctx context.Context, file []byte, base int, by string) (*Draft, error) {
	def, err := l.Check(ctx, file)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	doc := draftDoc{ID: hex.EncodeToString(id), Service: def.Service, Base: base, File: string(file), By: by}
	if _, err := l.db().Collection(draftsCollection).InsertOne(ctx, doc); err != nil {
		return nil, fmt.Errorf("save survey draft: %w", err)
	}
	return &Draft{ID: doc.ID, Base: base, By: by, Definition: def, File: file}, nil
}

// Draft returns a saved draft.
func (l *Library) Draft(ctx context.Context, id string) (*Draft, error) {
	var doc draftDoc
	err := l.db().Collection(draftsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, ErrNoSuchDraft
	}
	if err != nil {
		return nil, fmt.Errorf("read survey draft: %w", err)
	}
	def, err := ParseDefinition([]byte(doc.File))
	if err != nil {
		return nil, fmt.Errorf("survey draft %s: %w", id, err)
	}
	return &Draft{ID: doc.ID, Base: doc.Base, By: doc.By, Definition: def, File: []byte(doc.File)}, nil
}

func (l *Library) db() *mongo.Database { return l.coll.Database() }
