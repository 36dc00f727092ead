"""PostgreSQL's schema steps after team mode (pg_schema.py runs them): 21 the name index of emerging names, 22 the
word pairs' index for phrases, 23 the story rows of the story view, 25 the pairs' index keyed by hashes, 26 no
planner statistics for that index, 27 each article's stems in its own language only, 28 grouping's look-up
keys without their foreign key, 29 the pairs' keys in PL/pgSQL, 30 the days that have grouped articles, 31 a
poll's search vectors on a connection of their own. Each mirrors a SQLite step (or, for 22, 25, 26, 28, 29 and 31,
what FTS5 or SQLite does by itself); pg_schema.PG_MIGRATIONS numbers them."""

from __future__ import annotations

# v21 (emerging names on PostgreSQL, issue 19): SQLite's name index of v16 (schema_steps.V16), kept alike:
# written at ingest and re-score, caught up by emerging names for the articles of their period.
V21_SQL = """
CREATE TABLE article_names (
    article_id   bigint NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    key          text NOT NULL,
    forms        text NOT NULL,
    mentions     integer NOT NULL,
    running      integer NOT NULL,
    not_initial  integer NOT NULL,
    person       integer NOT NULL,
    organisation integer NOT NULL,
    place        integer NOT NULL,
    aliases      text,
    PRIMARY KEY (article_id, key)
);
CREATE TABLE names_indexed (article_id bigint PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE);
CREATE TABLE name_lower_words (word text PRIMARY KEY);
CREATE FUNCTION article_names_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM article_names WHERE article_id = OLD.id;
    DELETE FROM names_indexed WHERE article_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER article_names_update AFTER UPDATE OF title, summary, content ON articles
    FOR EACH ROW EXECUTE FUNCTION article_names_update();
"""

# v22 (issue 19 item 8): an index of the word pairs of each article, for "phrases". The GIN index on `simple`
# finds the articles holding every word of a phrase, and each one's positions are then read from its vector: for a
# phrase of common words ("la police": 43,643 candidates, 491 matches of 200,000 articles) that was seconds. The
# pairs are read from the stored `simple` vector's positions (two lexemes at p and p + 1), so an article matching
# a phrase holds every pair of it: the pairs only narrow the candidates, the positions still decide (pg_search.py).
# Pairs longer than 1,000 bytes are left out (a GIN key has a size limit); the query's side leaves out the same.
# COST: about half a millisecond a call, so that the planner reads the index rather than computing it per row.
# The stems' vectors (french, english) lose their positions (strip): they answer plain words only, with
# plainto_tsquery, whose `&` never reads a position; without them each vector is about 40 % smaller and more of
# a row stays in its page, so checking an article's words reads fewer TOAST chunks (docs/BENCHMARKS.md section
# 27). Rows written before this step keep their positions until their text changes: the same answers, read slower.
V22_SQL = r"""
CREATE OR REPLACE FUNCTION articles_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    plain text := vigie_unaccent(NEW.title || E'\n' || NEW.summary || E'\n' || NEW.content
                                 || CASE WHEN NEW.full_text = '' THEN '' ELSE E'\n\n' || NEW.full_text END);
BEGIN
    INSERT INTO articles_search(article_id, simple, french, english)
    VALUES (NEW.id, to_tsvector('simple', plain), strip(to_tsvector('vigie_french', plain)),
            strip(to_tsvector('vigie_english', plain)))
    ON CONFLICT (article_id) DO UPDATE
        SET simple = excluded.simple, french = excluded.french, english = excluded.english;
    RETURN NULL;
END $$;
CREATE FUNCTION vigie_pairs(v tsvector) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT COST 1000 AS $$
    SELECT coalesce(array_agg(pair), '{}') FROM (
        SELECT lexeme || ' ' || lead(lexeme) OVER w AS pair, lead(p) OVER w - p AS gap
        FROM unnest(v) u, unnest(u.positions) p WINDOW w AS (ORDER BY p)) x
    WHERE gap = 1 AND octet_length(pair) <= 1000
$$;
-- On a database that has articles already, the build reads every vector; a GIN build is faster with more memory.
SET LOCAL maintenance_work_mem = '256MB';
CREATE INDEX articles_search_pairs ON articles_search USING gin (vigie_pairs(simple));
"""

# v23 (stories on PostgreSQL, issues 16 and 19): SQLite's story rows of v17 (the story view's columns, their
# indexes, the stale marks and the triggers that keep them), the rows of the stories a `vigie migrate` copied,
# and julianday() as SQLite's (days since noon UTC, 24 November 4714 BC), so grouping's reads are the same SQL on
# both engines. An offset-less date is UTC, as in SQLite (the function's own time zone). The triggers' functions
# run as the schema's owner: an editor's re-score keeps the story rows without a grant on them.
STORY_AT = (
    "CASE WHEN a.published IS NULL OR a.published > a.first_seen THEN a.first_seen ELSE a.published END"
)
V23_SQL = rf"""
CREATE FUNCTION julianday(text) RETURNS double precision LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET timezone = 'UTC' AS $$ SELECT extract(epoch FROM $1::timestamptz)::double precision / 86400.0 + 2440587.5 $$;
ALTER TABLE stories ADD COLUMN title text NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN first_seen text NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN last_updated text NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN reports integer NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN outlets integer NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN languages text NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN score double precision NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN highlighted integer NOT NULL DEFAULT 0;
CREATE INDEX stories_by_title ON stories(title COLLATE nocase, id) WHERE reports > 0;
CREATE INDEX stories_by_reports ON stories(reports, id) WHERE reports > 0;
CREATE INDEX stories_by_outlets ON stories(outlets, id) WHERE reports > 0;
CREATE INDEX stories_by_languages ON stories(languages, id) WHERE reports > 0;
CREATE INDEX stories_by_score ON stories(score, id) WHERE reports > 0;
CREATE INDEX stories_by_first_seen ON stories(first_seen, id) WHERE reports > 0;
CREATE INDEX stories_by_last_updated ON stories(last_updated, id) WHERE reports > 0;
CREATE INDEX stories_highlighted ON stories(highlighted) WHERE reports > 0;
CREATE TABLE stories_stale (story bigint PRIMARY KEY);
CREATE INDEX articles_read_story ON articles(read, story);

CREATE FUNCTION stories_score() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    UPDATE stories SET
        score = coalesce((SELECT max(a.score) FROM articles a WHERE a.story = NEW.story), 0),
        highlighted = coalesce((SELECT max(a.highlighted) FROM articles a WHERE a.story = NEW.story), 0)
    WHERE id = NEW.story;
    RETURN NULL;
END $$;
CREATE TRIGGER stories_score AFTER UPDATE OF score, highlighted ON articles FOR EACH ROW
    WHEN (NEW.story IS NOT NULL AND (NEW.score IS DISTINCT FROM OLD.score
                                     OR NEW.highlighted IS DISTINCT FROM OLD.highlighted))
    EXECUTE FUNCTION stories_score();
CREATE FUNCTION stories_report_dated() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    UPDATE stories SET
        title = coalesce((SELECT a.title FROM articles a WHERE a.story = OLD.story
                          ORDER BY {STORY_AT}, a.id LIMIT 1), ''),
        first_seen = coalesce((SELECT min({STORY_AT}) FROM articles a WHERE a.story = OLD.story), ''),
        last_updated = coalesce((SELECT max({STORY_AT}) FROM articles a WHERE a.story = OLD.story), '')
    WHERE id = OLD.story;
    RETURN NULL;
END $$;
CREATE TRIGGER stories_report_dated AFTER UPDATE OF title, published, first_seen ON articles FOR EACH ROW
    WHEN (OLD.story IS NOT NULL AND (NEW.title IS DISTINCT FROM OLD.title
                                     OR NEW.published IS DISTINCT FROM OLD.published
                                     OR NEW.first_seen IS DISTINCT FROM OLD.first_seen))
    EXECUTE FUNCTION stories_report_dated();
CREATE FUNCTION stories_report_moved() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE stories SET reports = (SELECT count(*) FROM articles a WHERE a.story = OLD.story)
        WHERE id = OLD.story;
    END IF;
    INSERT INTO stories_stale(story) VALUES (OLD.story) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER stories_report_moved AFTER UPDATE OF link, source, lang, story ON articles FOR EACH ROW
    WHEN (OLD.story IS NOT NULL AND (NEW.link IS DISTINCT FROM OLD.link OR NEW.source IS DISTINCT FROM OLD.source
                                     OR NEW.lang IS DISTINCT FROM OLD.lang OR NEW.story IS DISTINCT FROM OLD.story))
    EXECUTE FUNCTION stories_report_moved();
CREATE TRIGGER stories_report_deleted AFTER DELETE ON articles FOR EACH ROW WHEN (OLD.story IS NOT NULL)
    EXECUTE FUNCTION stories_report_moved();

-- The stories already on the server (copied by `vigie migrate`): their rows now; outlets and languages are
-- counted in Python at the next grouping batch (marked stale).
UPDATE stories s SET reports = r.reports, first_seen = r.first_seen, last_updated = r.last_updated,
                     score = r.score, highlighted = r.highlighted,
                     title = coalesce((SELECT a.title FROM articles a WHERE a.story = s.id
                                       ORDER BY {STORY_AT}, a.id LIMIT 1), '')
FROM (SELECT a.story, count(*) AS reports, min({STORY_AT}) AS first_seen, max({STORY_AT}) AS last_updated,
             max(a.score) AS score, max(a.highlighted) AS highlighted
      FROM articles a WHERE a.story IS NOT NULL GROUP BY a.story) r
WHERE r.story = s.id;
INSERT INTO stories_stale(story) SELECT DISTINCT story FROM articles WHERE story IS NOT NULL;
"""

# v25 (issue 19 item 8): the word pairs' index of v22 keyed by a 64-bit hash of each pair instead of its text. The
# index's upkeep was most of a new article's cost on the server: about 0.54 ms of CPU an article (171 pairs, nearly
# all distinct, each compared as text), against 0.24 ms with bigint keys; the pairs are computed as before (0.18 ms).
# Same answers: the index only narrows the candidates, the positions of the simple vector still decide, so a pair
# sharing another's hash only adds a candidate. No key has a size limit any more (v22 left out pairs over 1,000
# bytes). hashtextextended is the hash of hash partitioning, which PostgreSQL keeps stable across versions
# (pg_upgrade keeps such tables' rows where they are); with seed 0 and a deterministic collation it hashes the bytes.
# COST: as v22's, so that the planner reads the index rather than computing it per row.
V25_SQL = r"""
CREATE FUNCTION vigie_pair_keys(v tsvector) RETURNS bigint[] LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT COST 1000
AS $$
    SELECT coalesce(array_agg(key), '{}') FROM (
        SELECT hashtextextended(lexeme || ' ' || lead(lexeme) OVER w, 0) AS key, lead(p) OVER w - p AS gap
        FROM unnest(v) u, unnest(u.positions) p WINDOW w AS (ORDER BY p)) x
    WHERE gap = 1
$$;
DROP INDEX IF EXISTS articles_search_pairs;
DROP FUNCTION IF EXISTS vigie_pairs(tsvector);
-- On a database that has articles already, the build reads every vector; a GIN build is faster with more memory.
SET LOCAL maintenance_work_mem = '256MB';
CREATE INDEX articles_search_pair_keys ON articles_search USING gin (vigie_pair_keys(simple));
"""

# v26 (issue 19 item 8), two cuts of a new article's cost on the server:
# - No planner statistics for the pairs' index expression. ANALYZE computes an expression index's expression again
#   for every row of its sample, and vigie_pair_keys costs about 0.2 ms a row: an ANALYZE of articles_search took
#   1.0-1.3 s at 4,000-6,000 articles against 0.07-0.10 s without it, and autovacuum runs one about each minute
#   while a first poll fills an empty store (docs/BENCHMARKS.md section 37). The planner never read them: `@>` on
#   the query's keys (a constant) is estimated at its default selectivity either way, and the phrase's plan is the
#   same bitmap scan of the index (tests/core/storage/test_pg_ingest.py checks the plan).
# - The entry pairs (v15) written once a statement instead of once an entry row: the row trigger ran an INSERT ...
#   SELECT for each of a first poll's 64,000 entries (about 5 s of the server's time there). The statement's new
#   rows (a transition table, their dates filled by article_entries_date) are paired with every entry of their
#   articles, so the pairs are those the row trigger wrote; a pair met twice (both entries new) is written once.
V26_SQL = r"""
ALTER INDEX articles_search_pair_keys ALTER COLUMN 1 SET STATISTICS 0;
DROP TRIGGER article_entry_pairs_add ON article_entries;
CREATE OR REPLACE FUNCTION article_entry_pairs_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_entry_pairs(entry_a, entry_b, article_id, published)
    SELECT DISTINCT ON (least(n.entry, e.entry), greatest(n.entry, e.entry), n.article_id)
           least(n.entry, e.entry), greatest(n.entry, e.entry), n.article_id,
           coalesce(n.published,
                    (SELECT coalesce(a.published, a.first_seen) FROM articles a WHERE a.id = n.article_id))
    FROM new_entries n JOIN article_entries e ON e.article_id = n.article_id AND e.entry <> n.entry
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER article_entry_pairs_add AFTER INSERT ON article_entries REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION article_entry_pairs_add();
"""

# v27 (issue 19 items 1 and 8): each article's stems in its own language only, as SQLite's word-form index keeps
# them (wordforms.index_forms): the French vector for an article not tagged English, the English vector for one
# not tagged French ("other" and untagged articles keep both). Before this step every article had both: a French
# article was found by a word whose English stem only it held ("arrested" -> arrest, in a French article saying
# "arrests"), which SQLite does not find, and the server stemmed each article twice (about a third of the search
# trigger's cost, docs/BENCHMARKS.md sections 33 and 40). The vector not kept is empty, so the columns stay NOT
# NULL and pg_search's conditions are unchanged; an article's words as written are still all in one of its stems'
# vectors (the word condition needs no third test). The vectors follow a change of the article's tag, as SQLite's
# stems do (articles_stems_update fires on lang). The rows already stored lose the vector their tag no longer
# needs, so that they answer as new ones do: each such row is rewritten (docs/BENCHMARKS.md section 40 times it).
V27_SQL = r"""
CREATE OR REPLACE FUNCTION articles_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    plain text := vigie_unaccent(NEW.title || E'\n' || NEW.summary || E'\n' || NEW.content
                                 || CASE WHEN NEW.full_text = '' THEN '' ELSE E'\n\n' || NEW.full_text END);
BEGIN
    INSERT INTO articles_search(article_id, simple, french, english)
    VALUES (NEW.id, to_tsvector('simple', plain),
            CASE WHEN NEW.lang IS DISTINCT FROM 'en' THEN strip(to_tsvector('vigie_french', plain))
                 ELSE ''::tsvector END,
            CASE WHEN NEW.lang IS DISTINCT FROM 'fr' THEN strip(to_tsvector('vigie_english', plain))
                 ELSE ''::tsvector END)
    ON CONFLICT (article_id) DO UPDATE
        SET simple = excluded.simple, french = excluded.french, english = excluded.english;
    RETURN NULL;
END $$;
DROP TRIGGER articles_search_update ON articles;
CREATE TRIGGER articles_search_update AFTER UPDATE OF title, summary, content, full_text, lang ON articles
    FOR EACH ROW WHEN (NEW.title IS DISTINCT FROM OLD.title OR NEW.summary IS DISTINCT FROM OLD.summary
                       OR NEW.content IS DISTINCT FROM OLD.content OR NEW.full_text IS DISTINCT FROM OLD.full_text
                       OR NEW.lang IS DISTINCT FROM OLD.lang)
    EXECUTE FUNCTION articles_search_refresh();
UPDATE articles_search s
SET french = CASE WHEN a.lang = 'en' THEN ''::tsvector ELSE s.french END,
    english = CASE WHEN a.lang = 'fr' THEN ''::tsvector ELSE s.english END
FROM articles a
WHERE a.id = s.article_id
  AND ((a.lang = 'en' AND s.french <> ''::tsvector) OR (a.lang = 'fr' AND s.english <> ''::tsvector));
"""

# v28 (issue 19 item 8): the look-up keys of grouping (story_keys, v11) without their foreign key. A first poll
# writes some 15 key rows an article (308,000 for 20,000 articles), and the foreign key checked each one with a
# query that locks its article's row: about a sixth of the grouping connection's CPU on the server
# (docs/BENCHMARKS.md section 42). Nothing else needed it: grouping writes an article's keys in the transaction
# that also writes its story_features row, whose foreign key still locks the article (a batch that lost an article
# to a concurrent delete still rolls back whole). The key rows of deleted articles go with them as before, by a
# trigger once a DELETE statement instead of the foreign key's cascade once a row; it runs as the schema's owner,
# as the cascade did, so a role that may delete articles needs no grant on story_keys.
V28_SQL = r"""
ALTER TABLE story_keys DROP CONSTRAINT IF EXISTS story_keys_article_id_fkey;
CREATE FUNCTION story_keys_deleted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    DELETE FROM story_keys k USING deleted_articles d WHERE k.article_id = d.id;
    RETURN NULL;
END $$;
CREATE TRIGGER story_keys_deleted AFTER DELETE ON articles REFERENCING OLD TABLE AS deleted_articles
    FOR EACH STATEMENT EXECUTE FUNCTION story_keys_deleted();
"""
# v29 (issue 19 item 8): the pairs' keys of v25 computed by a PL/pgSQL function running the same query. A SQL
# function that cannot be inlined (this one aggregates) runs its query through the SQL-function executor on each
# call; PL/pgSQL keeps the query's plan for the session and runs it as a prepared statement. Measured on 2,000
# bench texts (171 pairs each): the function alone 0.165-0.175 ms a call against 0.275 ms in one statement, and
# a new article's whole server CPU 0.07-0.21 ms less in five alternated pairs (docs/BENCHMARKS.md section 48). The
# keys are the same (the same query), so the index built with the SQL function stays valid and is not rebuilt.
V29_SQL = r"""
CREATE OR REPLACE FUNCTION vigie_pair_keys(v tsvector) RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
STRICT COST 1000 AS $$
BEGIN
    RETURN (
        SELECT coalesce(array_agg(key), '{}') FROM (
            SELECT hashtextextended(lexeme || ' ' || lead(lexeme) OVER w, 0) AS key, lead(p) OVER w - p AS gap
            FROM unnest(v) u, unnest(u.positions) p WINDOW w AS (ORDER BY p)) x
        WHERE gap = 1);
END $$;
"""
# v30 (issues 16 and 19 item 8): the days that have grouped articles, as SQLite's v30 (schema_steps.py), kept by
# statement triggers on story_features. No unique key: two groupings recording one new day at once would wait on
# each other's row (and could deadlock on their story keys); a day written twice only adds a row to the read. The
# function runs as the schema's owner, so no role needs a grant to write it.
V30_SQL = r"""
CREATE TABLE story_days (day integer NOT NULL);
CREATE INDEX story_days_day ON story_days(day);
INSERT INTO story_days(day) SELECT DISTINCT floor(at / 24)::integer FROM story_features;
CREATE FUNCTION story_days_record() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    INSERT INTO story_days(day)
    SELECT DISTINCT floor(n.at / 24)::integer FROM written_features n
    WHERE NOT EXISTS (SELECT 1 FROM story_days d WHERE d.day = floor(n.at / 24)::integer);
    RETURN NULL;
END $$;
CREATE TRIGGER story_days_inserted AFTER INSERT ON story_features REFERENCING NEW TABLE AS written_features
    FOR EACH STATEMENT EXECUTE FUNCTION story_days_record();
CREATE TRIGGER story_days_updated AFTER UPDATE ON story_features REFERENCING NEW TABLE AS written_features
    FOR EACH STATEMENT EXECUTE FUNCTION story_days_record();
"""
# v31 (issue 19 item 8): a poll's search vectors made on a connection of their own. A poll stores its feeds one
# after the other on one connection, and the search trigger (unaccent, two to_tsvector, the GIN indexes and the
# pairs' keys) was two thirds of that connection's work on the server: once the parser processes were done, that
# one connection and the poll's thread waiting on it were all that ran, a core idle for the last fifth of a
# first poll. With vigie.defer_search set in its transaction (storage/ingest.py, a poll's feeds only), the trigger
# notes the article in search_pending; the poll's search stage (polling/search_stage.py) makes the vectors of the
# noted articles on another connection as the feeds land, and the poll ends once none is left. Every other write
# (seeds, `vigie migrate`, a re-score, full texts) makes them in its own transaction as before. A poll that died
# leaves its notes: the next poll's search stage takes them first. The vectors are made by one function for both.
# The step can run again: tests take a store back to schema 22 or 27, whose search trigger it replaces.
V31_SQL = r"""
CREATE TABLE IF NOT EXISTS search_pending (article_id bigint PRIMARY KEY);
CREATE OR REPLACE FUNCTION vigie_search_vectors(title text, summary text, content text, full_text text, lang text,
                                     OUT simple tsvector, OUT french tsvector, OUT english tsvector)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    plain text := vigie_unaccent(title || E'\n' || summary || E'\n' || content
                                 || CASE WHEN full_text = '' THEN '' ELSE E'\n\n' || full_text END);
BEGIN
    simple := to_tsvector('simple', plain);
    french := CASE WHEN lang IS DISTINCT FROM 'en' THEN strip(to_tsvector('vigie_french', plain))
                   ELSE ''::tsvector END;
    english := CASE WHEN lang IS DISTINCT FROM 'fr' THEN strip(to_tsvector('vigie_english', plain))
                    ELSE ''::tsvector END;
END $$;
CREATE OR REPLACE FUNCTION articles_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('vigie.defer_search', true) = 'on' THEN
        INSERT INTO search_pending(article_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
        RETURN NULL;
    END IF;
    INSERT INTO articles_search(article_id, simple, french, english)
    SELECT NEW.id, v.simple, v.french, v.english
    FROM vigie_search_vectors(NEW.title, NEW.summary, NEW.content, NEW.full_text, NEW.lang) v
    ON CONFLICT (article_id) DO UPDATE
        SET simple = excluded.simple, french = excluded.french, english = excluded.english;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION vigie_index_pending(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO articles_search(article_id, simple, french, english)
    SELECT a.id, v.simple, v.french, v.english
    FROM articles a CROSS JOIN LATERAL vigie_search_vectors(a.title, a.summary, a.content, a.full_text, a.lang) v
    WHERE a.id = ANY(ids)
    ON CONFLICT (article_id) DO UPDATE
        SET simple = excluded.simple, french = excluded.french, english = excluded.english;
    DELETE FROM search_pending WHERE article_id = ANY(ids);
END $$;
"""
