"""The schema's later steps (v11-v15) as SQL scripts, listed in order by db.MIGRATIONS.

Kept apart from db.py (connections and the migration runner) so that each stays one page."""

# v11: stories (issue 16). Every article joins a story as it is grouped (core.stories): `story` is the id of the
# story's first grouped article (stable), `thread` the story id of the earliest story of the same case. NULL
# until grouped: the partial index finds what is left to group without reading the table. story_features keeps
# what grouping compares (the features of each grouped article, with its story and thread again, so comparing
# never reads the wide article rows); story_keys is the look-up index: one row per name, number or MinHash band
# of an article and the day it happened, so candidates come from an indexed range of days and the cost of
# grouping an item does not grow with the store. story_df counts the articles of each key (rare keys weigh
# more). stories keeps, per story, the seed article it is closest to (found when the story starts) and what
# alerts need to know: the watched entries it had when it last alerted.
V11 = """
ALTER TABLE articles ADD COLUMN story INTEGER;
ALTER TABLE articles ADD COLUMN thread INTEGER;
CREATE INDEX articles_story ON articles(story, published);
CREATE INDEX articles_ungrouped ON articles(id) WHERE story IS NULL;
CREATE TABLE story_features (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    at         REAL NOT NULL,
    lang       TEXT NOT NULL,
    stems      TEXT NOT NULL,
    anchors    TEXT NOT NULL,
    sketch     TEXT NOT NULL,
    story      INTEGER NOT NULL,
    thread     INTEGER NOT NULL
);
CREATE TABLE story_keys (
    key        TEXT NOT NULL,
    day        INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (key, day, article_id)
) WITHOUT ROWID;
CREATE INDEX story_keys_article ON story_keys(article_id);
CREATE TABLE story_df (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE stories (
    id              INTEGER PRIMARY KEY,
    thread          INTEGER NOT NULL,
    related_seed    INTEGER,
    alerted_entries TEXT
);
"""


# v12: cases (issue 18). A case is a named folder of evidence with a note; each item pins one article (or,
# later, one story of issue 16: kind 'story' with story_id, no foreign key until that table exists) with the
# analyst's note, tags, when it was pinned and the text's SHA-256 and outlet at that moment. A pinned article is
# never deleted: removing its feed detaches it (feed_id NULL, its source URL kept) instead of cascading, and any
# DELETE of it (a future retention rule, a clean-up) is skipped row by row by RAISE(IGNORE).
V12 = """
CREATE TABLE cases (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL CHECK (trim(name) <> ''),
    note    TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE UNIQUE INDEX cases_name ON cases(name COLLATE NOCASE);
CREATE TABLE case_items (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL DEFAULT 'article' CHECK (kind IN ('article', 'story')),
    article_id  INTEGER REFERENCES articles(id),
    story_id    INTEGER,
    note        TEXT NOT NULL DEFAULT '',
    added       TEXT NOT NULL,
    pinned_hash TEXT,
    outlet      TEXT NOT NULL DEFAULT '',
    CHECK ((kind = 'article') = (article_id IS NOT NULL) AND (kind = 'story') = (story_id IS NOT NULL))
);
CREATE UNIQUE INDEX case_items_article ON case_items(case_id, article_id) WHERE kind = 'article';
CREATE UNIQUE INDEX case_items_story ON case_items(case_id, story_id) WHERE kind = 'story';
CREATE INDEX case_items_pinned ON case_items(article_id) WHERE article_id IS NOT NULL;
CREATE TABLE case_item_tags (
    item_id INTEGER NOT NULL REFERENCES case_items(id) ON DELETE CASCADE,
    tag     TEXT NOT NULL CHECK (trim(tag) <> ''),
    PRIMARY KEY (item_id, tag)
) WITHOUT ROWID;
CREATE TRIGGER case_articles_outlive_their_feed BEFORE DELETE ON feeds BEGIN
    UPDATE articles SET feed_id = NULL
    WHERE feed_id = old.id AND id IN (SELECT article_id FROM case_items WHERE article_id IS NOT NULL);
END;
CREATE TRIGGER case_articles_are_never_deleted BEFORE DELETE ON articles
WHEN EXISTS (SELECT 1 FROM case_items WHERE article_id = old.id) BEGIN
    SELECT RAISE(IGNORE);
END;
"""

# v13 (signals, issue 17): the timeline and spike counts
# of an entry by publication period come from one index, never from the wide article rows (whose `published`
# sits after the long content columns). article_entries carries its article's date (its `published`, else when
# it was first seen), kept by triggers so every write path (ingest, re-score, a changed date) stays right.
V13 = """
ALTER TABLE article_entries ADD COLUMN published TEXT;
UPDATE article_entries SET published =
    (SELECT coalesce(a.published, a.first_seen) FROM articles a WHERE a.id = article_entries.article_id);
CREATE INDEX article_entries_timeline ON article_entries(entry, published);
CREATE TRIGGER article_entries_date AFTER INSERT ON article_entries WHEN new.published IS NULL BEGIN
    UPDATE article_entries SET published =
        (SELECT coalesce(a.published, a.first_seen) FROM articles a WHERE a.id = new.article_id)
    WHERE entry = new.entry AND article_id = new.article_id;
END;
CREATE TRIGGER articles_date_changed AFTER UPDATE OF published ON articles
WHEN new.published IS NOT old.published BEGIN
    UPDATE article_entries SET published = coalesce(new.published, new.first_seen) WHERE article_id = new.id;
END;
"""

# v14 (issue 18, revisions and full text): every version of an item as fetched, never changed once stored (the
# trigger refuses UPDATE). A version stores only the fields that differ from the version before it (NULL: as
# before), so an unchanged item costs nothing and the first version is the only full copy. `kind` says what was
# fetched: the feed ('feed': feed_sha256 is the SHA-256 of the feed document) or the article's page ('page': the
# page's SHA-256, and its extracted main text in full_text). text_sha256 is content_hash of the item's text as it
# stood after this version. articles.gone is when a successful fetch of its feed stopped listing the item;
# articles.revisions is the number of versions less one (kept by ingest: the list filters on it cheaply).
# articles.full_text is searched as part of the content (models.matched_content: the text index's triggers
# follow it), so a search and the watchlist see the page's text like the feed's.
V14 = """
CREATE TABLE article_versions (
    id            INTEGER PRIMARY KEY,
    article_id    INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL DEFAULT 'feed' CHECK (kind IN ('feed', 'page')),
    fetched       TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    doc_sha256    TEXT,
    text_sha256   TEXT NOT NULL,
    link          TEXT,
    title         TEXT,
    summary       TEXT,
    content       TEXT,
    full_text     TEXT
);
CREATE INDEX article_versions_article ON article_versions(article_id, id);
CREATE TRIGGER article_versions_never_change BEFORE UPDATE ON article_versions BEGIN
    SELECT RAISE(ABORT, 'a stored version never changes');
END;
ALTER TABLE articles ADD COLUMN revisions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN gone TEXT;
ALTER TABLE articles ADD COLUMN full_text TEXT NOT NULL DEFAULT '';
CREATE INDEX articles_revised ON articles(published) WHERE revisions > 0;
ALTER TABLE feeds ADD COLUMN full_text INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN full_text_state TEXT;
INSERT INTO article_versions(article_id, kind, fetched, text_sha256, link, title, summary, content)
    SELECT id, 'feed', last_updated, content_hash, link, title, summary, content FROM articles;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary, content)
    VALUES ('delete', old.id, old.title, old.summary,
            CASE WHEN old.full_text = '' THEN old.content ELSE old.content || char(10, 10) || old.full_text END);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, content, full_text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary, content)
    VALUES ('delete', old.id, old.title, old.summary,
            CASE WHEN old.full_text = '' THEN old.content ELSE old.content || char(10, 10) || old.full_text END);
    INSERT INTO articles_fts(rowid, title, summary, content)
    VALUES (new.id, new.title, new.summary,
            CASE WHEN new.full_text = '' THEN new.content ELSE new.content || char(10, 10) || new.full_text END);
END;
"""

# v15 (who appears with whom, issue 17 item 4): each pair of watchlist entries an article names, with the
# article's date, kept by triggers on article_entries (ingest, re-score, a changed date, a deleted article), so
# the co-occurrence counts are one scan of this table in key order and a pair's articles one range of its key.
# entry_a < entry_b (SQLite's binary order, Python's order of str).
V15 = """
CREATE TABLE article_entry_pairs (
    entry_a    TEXT NOT NULL,
    entry_b    TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    published  TEXT,
    PRIMARY KEY (entry_a, entry_b, article_id)
) WITHOUT ROWID;
CREATE INDEX article_entry_pairs_article ON article_entry_pairs(article_id);
INSERT INTO article_entry_pairs(entry_a, entry_b, article_id, published)
    SELECT x.entry, y.entry, x.article_id, x.published
    FROM article_entries x JOIN article_entries y ON y.article_id = x.article_id AND y.entry > x.entry;
CREATE TRIGGER article_entry_pairs_add AFTER INSERT ON article_entries BEGIN
    INSERT OR IGNORE INTO article_entry_pairs(entry_a, entry_b, article_id, published)
    SELECT min(new.entry, e.entry), max(new.entry, e.entry), new.article_id,
           coalesce(new.published,
                    (SELECT coalesce(a.published, a.first_seen) FROM articles a WHERE a.id = new.article_id))
    FROM article_entries e WHERE e.article_id = new.article_id AND e.entry <> new.entry;
END;
CREATE TRIGGER article_entry_pairs_remove AFTER DELETE ON article_entries BEGIN
    DELETE FROM article_entry_pairs
    WHERE article_id = old.article_id AND (entry_a = old.entry OR entry_b = old.entry);
END;
CREATE TRIGGER article_entry_pairs_date AFTER UPDATE OF published ON article_entries
WHEN new.published IS NOT old.published BEGIN
    UPDATE article_entry_pairs SET published = new.published WHERE article_id = new.article_id;
END;
"""


# v16 (emerging names, issue 17 item 3): the name index. article_names holds each indexed article's candidate
# names (matching/article_names.py: key, written forms, mentions, the evidence of their kind), names_indexed which
# articles were read (an article may have no name), name_lower_words the lower-case words of those articles (a
# capitalised phrase whose words all occur in lower case is a common phrase). Highlighted articles are indexed as
# they are stored (and as a re-score highlights them); the ones stored before this step are indexed in the
# background (storage/name_index.py, index_missing), newest first. A changed text drops the article's names
# (written again by the store); a deleted article takes its rows with it. articles_story_of gives the story of
# each article a timeline counts by stories, without reading the wide article rows (signal_counts.py).
V16 = """
CREATE TABLE article_names (
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    forms        TEXT NOT NULL,
    mentions     INTEGER NOT NULL,
    running      INTEGER NOT NULL,
    not_initial  INTEGER NOT NULL,
    person       INTEGER NOT NULL,
    organisation INTEGER NOT NULL,
    place        INTEGER NOT NULL,
    aliases      TEXT,
    PRIMARY KEY (article_id, key)
) WITHOUT ROWID;
CREATE TABLE names_indexed (article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE);
CREATE TABLE name_lower_words (word TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE INDEX articles_story_of ON articles(id, story);
CREATE TRIGGER article_names_update AFTER UPDATE OF title, summary, content ON articles BEGIN
    DELETE FROM article_names WHERE article_id = old.id;
    DELETE FROM names_indexed WHERE article_id = old.id;
END;
"""

# v17 (the story view of the list, issue 16 item 3): the story rows, in storage/story_rows.py (a Python step: it
# writes every story's row from its reports).

# v18 (issue 18, the list's Rev. column): the articles in the order of their number of revisions, so sorting the
# list by that column walks an index (as every other sortable column does) instead of sorting every row. The
# Revised view and filter keep using the partial index articles_revised (v14).
V18 = """
CREATE INDEX articles_revisions ON articles(revisions);
"""

# v30 (issues 16 and 19 item 8): the days that have grouped articles, one row a day, kept by a trigger on
# story_features whatever writes it (grouping, `vigie migrate`'s copy). A Grouper's key index asks the store for a
# key's rows only on days that had grouped articles when it first looked at them (core/stories/key_index.py): a
# first poll's 120,000 look-ups of MinHash band keys found nothing, a tenth of its grouping. A day is recorded a
# little wide (the division truncates; the key index looks a day either side), and stays when its articles go:
# either only makes a read that finds nothing.
V30 = """
CREATE TABLE story_days (day INTEGER PRIMARY KEY);
INSERT OR IGNORE INTO story_days(day) SELECT DISTINCT CAST(at / 24 AS INTEGER) FROM story_features;
CREATE TRIGGER story_days_inserted AFTER INSERT ON story_features BEGIN
    INSERT OR IGNORE INTO story_days(day) VALUES (CAST(new.at / 24 AS INTEGER));
END;
CREATE TRIGGER story_days_updated AFTER UPDATE OF at ON story_features BEGIN
    INSERT OR IGNORE INTO story_days(day) VALUES (CAST(new.at / 24 AS INTEGER));
END;
"""
