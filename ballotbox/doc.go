// Package ballotbox is where a survey answer waits between the phone and the
// dashboards, and the reason a response can never be linked to a person.
//
// # The promise and the adversary
//
// A survey response can never be linked to a person. We design against
// someone who, at any later time, holds everything the databases ever
// recorded (every file, write-ahead log, replica-set oplog entry and backup of
// the survey and intake databases), intake's record of who was texted when,
// a quality lead's dashboards polled every second, and answers of their own.
// From all of that they must not tell which response came from which person
// with better odds than picking one at random among at least K responses of
// the same service and month. The promise is kept by what is never written,
// not by access rules: every write here is designed as if kept forever with
// its time.
//
// # How a submission travels
//
//  1. A form carries a signed nonce (nonce.go), valid the day it is issued and
//     the next; an invited form also carries its invitation, or a blind token
//     the browser exchanged it for (token.go).
//  2. Responses.Receive (receive.go) is the one door: it checks the nonce and
//     queues the answers for the committer (submit.go), which seals each
//     (seal.go, ballot.go: XChaCha20-Poly1305 under the month's box key,
//     padded to one size) and inserts a batch, in random order, into the box's
//     collection of the hour (collections.go), then the batch's _ids into the
//     box's guard (guard.go), which catches a replay in a later hour. The
//     phone is thanked only once its ballot is durably stored. Nothing else is
//     written for a submission, and no log line.
//  3. Every hour the open boxes are mixed (mix.go): the closed hours and the
//     last generation are resealed under random _ids, shuffled, written as the
//     next generation, and what was copied is dropped whole. So the store
//     keeps no arrival order older than the last mix.
//  4. 36 hours after a month ends, one instance, holding the lease (lease.go),
//     releases its box (release.go, release_open.go, release_write.go): it
//     opens the ballots and writes, per (service, verified or open) group of
//     at least K, responses, whole counter documents and comments through
//     survey.WriteReleased, each in an order derived from the box key, never
//     arrival. A group under K is carried, resealed, into the current month's
//     box. Then the box's collections and its salt are dropped: the key is
//     gone. Every write of a release is idempotent.
//  5. Dashboards read only what releases wrote, of closed, released months.
//
// # Reading order
//
// doc.go, receive.go, nonce.go, submit.go, ballot.go, seal.go, box.go,
// collections.go, guard.go, token.go, mix.go, lease.go, release.go,
// release_open.go, release_write.go; demo.go fills a store with synthetic
// months through the same code. The attack tests (history_attack_test.go,
// unlink_attack_test.go, blind_attack_test.go, files_test.go) say what an
// observer of every write, of the files, and of every request can learn.
//
// # Which hour a writer writes into
//
// A writer writes into the hour of its own clock, unless the box's mixes have
// passed it (box.go: an instance whose clock is behind reads the mixed hours
// again every writerRefresh); a mix waits DefaultMixWait after recording the
// hours it takes, so every writer has moved past them before they are read
// and dropped. An epoch kept in the box document (writers use the open epoch,
// the mixer advances it and waits) would answer the same question with one
// mechanism instead of two; it is not done yet because the hour's collection
// name is also what the history attack tests reason about, and the switch
// must keep every one of them (issue 34 leaves this open).
//
// What this package does not hide: the insert time of each opaque ballot
// (somebody answered then); how many ballots a release carries; and, to
// whoever also holds the sealing secret, the answers of ballots not yet
// released. docs/anonymity.md says what each holder of each thing can learn.
package ballotbox
