"""The team's schema step on PostgreSQL (issue 19, docs/TEAM.md): per-analyst states, the shared watchlist with
its versions, the audit of feed and watchlist changes, and the alerts pushed by LISTEN/NOTIFY.

One step of pg_schema.PG_MIGRATIONS (SQLite's step of the same number is empty: one analyst, one file).

- `article_states(analyst, article_id, read, starred, judgement)`: each analyst's own marks. The store reads
  articles through the view `analyst_articles` (the connection adapter, pg.py, reads `FROM articles` in a SELECT
  as the view), where read, starred and judgement are the session's analyst's and the highlight and alert follow
  that analyst's judgement as they follow the one analyst's on SQLite. The shared `articles.read`, `starred` and
  `judgement` columns are no longer written on PostgreSQL.
- The session's analyst is the setting `vigie.analyst` (pg.PgPool sets it on every connection); `vigie_analyst()`
  reads it, else the login role's name.
- `vigie_refresh_analyst_view()` builds the view from the articles table's columns: a later step that adds a
  column to articles calls it again.
- `watchlist_versions`: every saved watchlist (TOML), who and when; the newest is the team's.
- `audit_log`: feeds, folders and watchlist changes, filled by triggers (who: vigie_analyst()). A feed's fetch
  bookkeeping (etag, last status...) is not an analyst's change and is not recorded.
- `alert_log` and the `vigie_alerts` channel: every article whose alert flag is set is logged and its id sent
  by NOTIFY when the writing transaction commits (payload: ids joined by commas, split under the 8,000-byte
  limit). `analyst_cursor` keeps the last alert each analyst's client delivered, for the catch-up.
- `analyst_meta`: each analyst's own settings (the alerts' pause), as meta is the profile's on SQLite.
"""

from __future__ import annotations

ALERT_CHANNEL = "vigie_alerts"

TEAM_SQL = r"""
CREATE FUNCTION vigie_analyst() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nullif(current_setting('vigie.analyst', true), ''), session_user::text) $$;

CREATE TABLE article_states (
    analyst    text NOT NULL CHECK (analyst <> ''),
    article_id bigint NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    read       integer NOT NULL DEFAULT 0,
    starred    integer NOT NULL DEFAULT 0,
    judgement  text CHECK (judgement IN ('relevant', 'not-relevant')),
    changed    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (analyst, article_id)
);
CREATE INDEX article_states_article ON article_states(article_id);

CREATE FUNCTION vigie_refresh_analyst_view() RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    columns text;
BEGIN
    SELECT string_agg(CASE attname
            WHEN 'read' THEN 'coalesce(s.read, 0) AS read'
            WHEN 'starred' THEN 'coalesce(s.starred, 0) AS starred'
            WHEN 'judgement' THEN 's.judgement AS judgement'
            WHEN 'highlighted' THEN 'coalesce(CASE s.judgement WHEN ''relevant'' THEN 1 '
                                    'WHEN ''not-relevant'' THEN 0 END, a.highlighted) AS highlighted'
            WHEN 'alert' THEN 'CASE WHEN s.judgement = ''not-relevant'' THEN 0 ELSE a.alert END AS alert'
            ELSE 'a.' || quote_ident(attname::text) END, ', ' ORDER BY attnum)
        INTO columns
        FROM pg_attribute WHERE attrelid = 'articles'::regclass AND attnum > 0 AND NOT attisdropped;
    EXECUTE 'CREATE OR REPLACE VIEW analyst_articles WITH (security_invoker = true) AS SELECT ' || columns
        || ' FROM articles a LEFT JOIN article_states s ON s.article_id = a.id AND s.analyst = vigie_analyst()';
END $fn$;
SELECT vigie_refresh_analyst_view();

CREATE TABLE watchlist_versions (
    version bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    saved   timestamptz NOT NULL DEFAULT now(),
    analyst text NOT NULL DEFAULT vigie_analyst(),
    toml    text NOT NULL,
    fingerprint text NOT NULL
);

CREATE TABLE audit_log (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    analyst   text NOT NULL DEFAULT vigie_analyst(),
    role      text NOT NULL DEFAULT session_user,
    subject   text NOT NULL,
    action    text NOT NULL,
    object_id bigint,
    before    jsonb,
    after     jsonb
);
CREATE INDEX audit_log_at ON audit_log(at);

-- Only what an analyst decides is audited: the poll's bookkeeping columns of a feed are left out.
CREATE FUNCTION vigie_audit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $fn$
DECLARE
    kept text[] := TG_ARGV;
    old_row jsonb;
    new_row jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        SELECT jsonb_object_agg(key, value) INTO old_row FROM jsonb_each(to_jsonb(OLD)) WHERE key = ANY(kept);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        SELECT jsonb_object_agg(key, value) INTO new_row FROM jsonb_each(to_jsonb(NEW)) WHERE key = ANY(kept);
    END IF;
    IF TG_OP = 'UPDATE' AND old_row IS NOT DISTINCT FROM new_row THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log(subject, action, object_id, before, after)
    VALUES (TG_TABLE_NAME, lower(TG_OP), CASE WHEN TG_OP = 'DELETE' THEN (to_jsonb(OLD)->>TG_ARGV[0])::bigint
                                              ELSE (to_jsonb(NEW)->>TG_ARGV[0])::bigint END,
            old_row, new_row);
    RETURN NULL;
END $fn$;
CREATE TRIGGER feeds_audit AFTER INSERT OR UPDATE OR DELETE ON feeds FOR EACH ROW
    EXECUTE FUNCTION vigie_audit('id', 'url', 'title', 'interval_minutes', 'enabled', 'muted', 'folder_id',
                                 'full_text', 'disabled_reason');
CREATE TRIGGER folders_audit AFTER INSERT OR UPDATE OR DELETE ON folders FOR EACH ROW
    EXECUTE FUNCTION vigie_audit('id', 'title', 'parent_id');
CREATE TRIGGER watchlist_audit AFTER INSERT OR UPDATE OR DELETE ON watchlist_versions FOR EACH ROW
    EXECUTE FUNCTION vigie_audit('version', 'fingerprint');

CREATE TABLE alert_log (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id bigint NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_log_article ON alert_log(article_id);
CREATE TABLE analyst_cursor (
    analyst    text PRIMARY KEY,
    last_alert bigint NOT NULL DEFAULT 0
);
-- Each analyst's own settings kept with the data (the alerts' pause: SQLite keeps it in meta).
CREATE TABLE analyst_meta (
    analyst text NOT NULL,
    key     text NOT NULL,
    value   text NOT NULL,
    PRIMARY KEY (analyst, key)
);

-- One NOTIFY per writing statement, carrying the ids of its new alerts (at most ~700 a message).
CREATE FUNCTION vigie_publish_alerts() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $fn$
DECLARE
    ids bigint[];
    chunk text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(id ORDER BY id) INTO ids FROM new_rows WHERE alert = 1;
    ELSE
        SELECT array_agg(n.id ORDER BY n.id) INTO ids
            FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.alert = 1 AND o.alert = 0;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO alert_log(article_id) SELECT unnest(ids);
    FOR chunk IN
        SELECT string_agg(id::text, ',') FROM (
            SELECT id, (row_number() OVER (ORDER BY id) - 1) / 700 AS part FROM unnest(ids) AS id) parts
        GROUP BY part ORDER BY part
    LOOP
        PERFORM pg_notify('vigie_alerts', chunk);
    END LOOP;
    RETURN NULL;
END $fn$;
CREATE TRIGGER articles_alerts_insert AFTER INSERT ON articles REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vigie_publish_alerts();
CREATE TRIGGER articles_alerts_update AFTER UPDATE ON articles REFERENCING OLD TABLE AS old_rows
    NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vigie_publish_alerts();
"""

# Step 20: cases (issue 18's evidence folders) on the shared database, each analyst's own. The tables are SQLite's
# (schema_steps.V12) with an `analyst` owner column (the session's analyst by default). The store reads and
# writes them through the views `analyst_cases`, `analyst_case_items` and `analyst_case_item_tags` (the
# connection adapter, pg.py, names the views where the store's SQL names the tables): each is the session
# analyst's rows, and WITH CHECK OPTION refuses a row of another analyst. With the least-privilege roles
# (packaging/postgresql-roles.sql), row-level security on the tables compares the row's analyst with the login
# role, whatever the session says of itself. An item belongs to a case of the same analyst, a tag to an item of
# the same analyst (the foreign keys carry the analyst). A pinned article outlives its feed and any deletion, as
# on SQLite: the two triggers are SECURITY DEFINER so that every analyst's pins count, whoever deletes.
CASES_SQL = r"""
CREATE TABLE cases (
    id      bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    analyst text NOT NULL DEFAULT vigie_analyst() CHECK (analyst <> ''),
    name    text NOT NULL CHECK (trim(name) <> ''),
    note    text NOT NULL DEFAULT '',
    created text NOT NULL,
    updated text NOT NULL,
    UNIQUE (id, analyst)
);
CREATE UNIQUE INDEX cases_name ON cases(analyst, name COLLATE nocase);
CREATE TABLE case_items (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    analyst     text NOT NULL DEFAULT vigie_analyst(),
    case_id     bigint NOT NULL,
    kind        text NOT NULL DEFAULT 'article' CHECK (kind IN ('article', 'story')),
    article_id  bigint REFERENCES articles(id),
    story_id    bigint,
    note        text NOT NULL DEFAULT '',
    added       text NOT NULL,
    pinned_hash text,
    outlet      text NOT NULL DEFAULT '',
    CHECK ((kind = 'article') = (article_id IS NOT NULL) AND (kind = 'story') = (story_id IS NOT NULL)),
    UNIQUE (id, analyst),
    FOREIGN KEY (case_id, analyst) REFERENCES cases(id, analyst) ON DELETE CASCADE
);
-- The analyst in the unique keys too: another analyst's pins never clash with one's own, not even by a forged id.
CREATE UNIQUE INDEX case_items_article ON case_items(case_id, article_id, analyst) WHERE kind = 'article';
CREATE UNIQUE INDEX case_items_story ON case_items(case_id, story_id, analyst) WHERE kind = 'story';
CREATE INDEX case_items_pinned ON case_items(article_id) WHERE article_id IS NOT NULL;
CREATE INDEX case_items_analyst ON case_items(analyst, article_id);
CREATE TABLE case_item_tags (
    analyst text NOT NULL DEFAULT vigie_analyst(),
    item_id bigint NOT NULL,
    tag     text NOT NULL CHECK (trim(tag) <> ''),
    PRIMARY KEY (item_id, tag, analyst),
    FOREIGN KEY (item_id, analyst) REFERENCES case_items(id, analyst) ON DELETE CASCADE
);

CREATE VIEW analyst_cases WITH (security_invoker = true) AS
    SELECT id, name, note, created, updated FROM cases WHERE analyst = vigie_analyst() WITH CHECK OPTION;
CREATE VIEW analyst_case_items WITH (security_invoker = true) AS
    SELECT id, case_id, kind, article_id, story_id, note, added, pinned_hash, outlet FROM case_items
    WHERE analyst = vigie_analyst() WITH CHECK OPTION;
CREATE VIEW analyst_case_item_tags WITH (security_invoker = true) AS
    SELECT item_id, tag FROM case_item_tags WHERE analyst = vigie_analyst() WITH CHECK OPTION;

CREATE FUNCTION vigie_case_articles_outlive_their_feed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public AS $fn$
BEGIN
    UPDATE articles SET feed_id = NULL
    WHERE feed_id = OLD.id AND id IN (SELECT article_id FROM case_items WHERE article_id IS NOT NULL);
    RETURN OLD;
END $fn$;
CREATE TRIGGER case_articles_outlive_their_feed BEFORE DELETE ON feeds FOR EACH ROW
    EXECUTE FUNCTION vigie_case_articles_outlive_their_feed();
CREATE FUNCTION vigie_case_articles_are_never_deleted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public AS $fn$
BEGIN
    IF EXISTS (SELECT 1 FROM case_items WHERE article_id = OLD.id) THEN
        RETURN NULL;
    END IF;
    RETURN OLD;
END $fn$;
CREATE TRIGGER case_articles_are_never_deleted BEFORE DELETE ON articles FOR EACH ROW
    EXECUTE FUNCTION vigie_case_articles_are_never_deleted();
"""
