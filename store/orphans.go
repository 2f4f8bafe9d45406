package store

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
)

// dropOrphanTables repairs what a kill can leave in the embedded store's
// files. FerretDB creates a collection in three steps — the table, its row in
// the _ferretdb_collections list, then the unique index on _id — and a process
// killed in between leaves either a table the list does not name (every later
// insert into the collection then fails: "table … already exists") or a listed
// table with no unique _id (every later insert of a document already there is
// taken twice, so nothing is caught as a duplicate). Both were found by
// killing a release at random points, whose first inserts create the
// collections it writes. Such a table is empty (documents go in after all
// three steps), so it is dropped, with its row, before the store starts; the
// next insert creates the collection whole. A table that holds anything is
// left as it is.
func dropOrphanTables(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := dropOrphansIn(f); err != nil {
			return fmt.Errorf("repair %s: %w", filepath.Base(f), err)
		}
	}
	return nil
}

func dropOrphansIn(file string) error {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.Query("SELECT table_name FROM _ferretdb_collections")
	if err != nil {
		return nil // no collection list yet: nothing FerretDB made
	}
	listed, err := names(rows, nil)
	if err != nil {
		return err
	}
	orphans, err := orphansOf(db, listed)
	if err != nil {
		return err
	}
	for _, t := range orphans {
		var n int
		if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FROM %q", t)).Scan(&n); err != nil || n > 0 {
			continue // not an empty leftover: not ours to drop
		}
		if _, err := db.Exec(fmt.Sprintf("DROP TABLE %q", t)); err != nil {
			return err
		}
		if _, err := db.Exec("DELETE FROM _ferretdb_collections WHERE table_name = ?", t); err != nil {
			return err
		}
	}
	return nil
}

// orphansOf lists the tables the collection list does not name, then the
// listed ones with no index (their unique _id never made).
func orphansOf(db *sql.DB, listed []string) ([]string, error) {
	known := map[string]bool{}
	for _, t := range listed {
		known[t] = true
	}
	tables, err := names(db.Query("SELECT name FROM sqlite_master WHERE type = 'table'"))
	if err != nil {
		return nil, err
	}
	var orphans []string
	for _, t := range tables {
		if !known[t] && !strings.HasPrefix(t, "_ferretdb_") && !strings.HasPrefix(t, "sqlite_") {
			orphans = append(orphans, t)
		}
	}
	for t := range known {
		var indexes int
		if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", t).Scan(&indexes); err != nil {
			return nil, err
		}
		if indexes == 0 {
			orphans = append(orphans, t)
		}
	}
	return orphans, nil
}

// names reads the rows of a one-column query.
func names(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
