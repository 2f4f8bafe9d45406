package ballotbox

import (
	"context"
	"fmt"
)

// open reads and opens every ballot of box: its last generation and its hours
// not yet mixed (each _id once). A ballot that does not open means the sealing
// secret is not the one it was sealed with: nothing is released.
func (r *Releaser) open(ctx context.Context, box string, op *opener) ([]opened, error) {
	st, err := readMixState(ctx, r.db, box)
	if err != nil {
		return nil, err
	}
	cols, err := collectionsOf(ctx, r.db, box)
	if err != nil {
		return nil, err
	}
	var names []string
	if st.Gen > 0 {
		names = append(names, generationCollection(box, st.Gen))
	}
	for _, h := range cols.hours {
		names = append(names, hourCollection(box, h))
	}
	seen := map[string]bool{}
	var out []opened
	for _, name := range names {
		err := eachBallot(ctx, r.db.Collection(name), func(doc ballotDoc) error {
			if seen[doc.ID] {
				return nil // a retry that landed in two hours
			}
			seen[doc.ID] = true
			o, err := r.openOne(box, op, doc)
			if err != nil {
				return err
			}
			out = append(out, o)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *Releaser) openOne(box string, op *opener, doc ballotDoc) (opened, error) {
	plain, err := op.open(doc.ID, doc.Sealed)
	if err != nil {
		return opened{}, fmt.Errorf("open a ballot of %s: %w (is the keyring the one this month was sealed for?)", box, err)
	}
	b, err := decodeBallot(plain)
	if err != nil {
		return opened{}, err
	}
	def := r.defs[b.Service+"|"+b.Version]
	if def == nil {
		def, _ = r.cat.Version(b.Service, b.Version) // published since this releaser started
	}
	if def == nil {
		if def, _ = r.cat.Get(b.Service); def == nil {
			return opened{}, fmt.Errorf("a ballot of %s is for service %q, which has no survey", box, b.Service)
		}
	}
	return opened{id: doc.ID, def: def, b: b}, nil
}

// dropBox drops every collection of a released box: its hours, its
// generations and its guard.
func (r *Releaser) dropBox(ctx context.Context, box string) error {
	cols, err := collectionsOf(ctx, r.db, box)
	if err != nil {
		return err
	}
	names := []string{guardCollection(box)}
	for _, h := range cols.hours {
		names = append(names, hourCollection(box, h))
	}
	for _, g := range cols.gens {
		names = append(names, generationCollection(box, g))
	}
	if err := dropCollections(ctx, r.db, names...); err != nil {
		return fmt.Errorf("drop released ballots of %s: %w", box, err)
	}
	return nil
}
