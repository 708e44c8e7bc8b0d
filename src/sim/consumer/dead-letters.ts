/** ELS's dead letters: a message its consumer gave up on, kept whole (docs/domain.md#the-consumer). */
export const DEAD_LETTERS_SCHEMA = `
CREATE TABLE dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  partition INTEGER NOT NULL,
  kafka_offset INTEGER NOT NULL,
  error TEXT NOT NULL,
  value TEXT NOT NULL
);
`
