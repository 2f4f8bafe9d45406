package store

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
)

// dropOrphanTables repairs what a kill can leave in the embedded store's
// files. FerretDB creates a collection in two steps — the table, then its row
// in the _ferretdb_collections list — and a process killed between them
// leaves a table the list does not name; every later insert into that
// collection then fails ("table … already exists"). Found by killing a
// release at random points: its first insert creates the responses
// collection. Such a table is empty (documents go in after both steps), so it
// is dropped before the store starts; a table that holds anything is left.
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
	known := map[string]bool{}
	rows, err := db.Query("SELECT table_name FROM _ferretdb_collections")
	if err != nil {
		return nil // no collection list yet: nothing FerretDB made
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		known[t] = true
	}
	rows.Close()
	tables, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		return err
	}
	var orphans []string
	for tables.Next() {
		var t string
		if err := tables.Scan(&t); err != nil {
			tables.Close()
			return err
		}
		if !known[t] && !strings.HasPrefix(t, "_ferretdb_") && !strings.HasPrefix(t, "sqlite_") {
			orphans = append(orphans, t)
		}
	}
	tables.Close()
	for _, t := range orphans {
		var n int
		if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FROM %q", t)).Scan(&n); err != nil || n > 0 {
			continue // not an empty leftover: not ours to drop
		}
		if _, err := db.Exec(fmt.Sprintf("DROP TABLE %q", t)); err != nil {
			return err
		}
	}
	return nil
}
