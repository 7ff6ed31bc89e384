import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { GroupCommit } from '../../../src/store/sqlite/sqlite-group-commit.js';

/** A real in-memory database with one table, and a group commit over it. */
function setup(): { db: Database.Database; commits: GroupCommit; rows(): string[] } {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (v TEXT PRIMARY KEY)');
  const commits = new GroupCommit(
    () => db,
    (error) => error,
  );
  const rows = (): string[] =>
    (db.prepare('SELECT v FROM t ORDER BY v').all() as { v: string }[]).map((r) => r.v);
  return { db, commits, rows };
}

describe('GroupCommit', function () {
  it('a write without a savepoint that fails as one statement undoes only itself', async function () {
    const { db, commits, rows } = setup();
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const results = await Promise.allSettled([
      commits.write(() => insert.run('a'), { savepoint: false }),
      commits.write(() => insert.run('a'), { savepoint: false }), // UNIQUE violation
      commits.write(() => insert.run('b'), { savepoint: false }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(rows(), ['a', 'b']);
    db.close();
  });

  it('a write with a savepoint that fails half-way leaves none of its statements', async function () {
    const { db, commits, rows } = setup();
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const results = await Promise.allSettled([
      commits.write(() => {
        insert.run('x');
        insert.run('x'); // fails after the first statement succeeded
      }),
      commits.write(() => insert.run('y')),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'fulfilled'],
    );
    assert.deepEqual(rows(), ['y']);
    db.close();
  });

  it('fails the whole batch when SQLite rolled the transaction back, instead of committing the rest one by one', async function () {
    const { db, commits, rows } = setup();
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const results = await Promise.allSettled([
      commits.write(() => insert.run('before'), { savepoint: false }),
      commits.write(
        () => {
          // What SQLite does on its own after some errors (disk full, I/O): the whole transaction goes.
          db.exec('ROLLBACK');
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        },
        { savepoint: false },
      ),
      commits.write(() => insert.run('after'), { savepoint: false }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected', 'rejected'],
      'no caller is told its write committed',
    );
    assert.deepEqual(rows(), [], 'and none did: "after" was not committed outside the batch');
    assert.equal(db.inTransaction, false);
    assert.equal(await commits.write(() => insert.run('next').changes), 1, 'the next batch works');
    db.close();
  });
});
