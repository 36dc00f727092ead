-- Vigie team mode (docs/TEAM.md): least-privilege roles on the shared database.
--
-- Run it as the database's owner (the role that created Vigie's schema), after the first open has created the
-- schema, and again after an upgrade of Vigie (it is idempotent):
--
--     psql 'postgresql://owner@db.example/vigie' -v ON_ERROR_STOP=1 -f postgresql-roles.sql
--
-- Three group roles (NOLOGIN); give each person or service a login role that is a member of one:
--
--     CREATE ROLE poller LOGIN IN ROLE vigie_service;      -- `vigie serve` on the server
--     CREATE ROLE alice LOGIN IN ROLE vigie_analyst;       -- an analyst's desktop (reads, marks her own state)
--     CREATE ROLE chloe LOGIN IN ROLE vigie_editor;        -- an analyst who may also change feeds and the watchlist
--
-- vigie_service   reads everything; writes feeds, folders and articles (with their search vectors, entries,
--                 versions and stories) and the meta table (poll counter, alert history); never an analyst's state,
--                 and no case file (it sees none: they are the analysts' own).
-- vigie_analyst   reads everything; writes only its own read / starred / judgement rows (article_states), its
--                 alert cursor, its own settings (analyst_meta: the alerts' pause) and its own case files (cases,
--                 case_items, case_item_tags: the cases, the pinned articles, their notes and tags, which no other
--                 analyst can read or change, nor the service): row-level security
--                 compares the row's analyst with the login role's name, so an
--                 analyst's login must bear the name the desktop gives as the analyst (by default both are the
--                 OS user name; else --analyst NAME). A row of another analyst can be neither read, written nor
--                 deleted, whatever the session says of itself (SET vigie.analyst decides nothing here).
-- vigie_editor    an analyst who may also change feeds, folders and the watchlist (a new watchlist re-scores the
--                 articles, so the editor may update their scores and entries). Every such change is audited with
--                 the login role and the analyst's name (`vigie audit`).
--
-- The audit and alert logs are written by SECURITY DEFINER trigger functions: no role here may write them
-- directly. Passwords: set them with \password in psql or use certificate / peer authentication; they never go
-- in a URL (Vigie refuses one that carries a password).

\set ON_ERROR_STOP on

DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['vigie_service', 'vigie_analyst', 'vigie_editor'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', name);
        END IF;
    END LOOP;
END $$;
GRANT vigie_analyst TO vigie_editor;

-- Start from nothing: what a group may do is exactly what follows.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM vigie_service, vigie_analyst, vigie_editor;
GRANT USAGE ON SCHEMA public TO vigie_service, vigie_analyst, vigie_editor;

-- Everyone reads the shared store (the per-analyst rows only as row-level security lets them).
GRANT SELECT ON ALL TABLES IN SCHEMA public TO vigie_service, vigie_analyst;

-- The service: feeds and articles, and what the articles' triggers keep.
GRANT INSERT, UPDATE, DELETE ON feeds, folders, articles, article_entries, articles_search, article_versions,
    article_entry_pairs, story_features, story_keys, story_df, stories, stories_stale, story_outlets, meta,
    article_names, names_indexed, name_lower_words, search_pending TO vigie_service;
-- The service publishes the profile's watchlist when the database has none yet (never a later version).
GRANT INSERT ON watchlist_versions TO vigie_service;

-- The analysts: their own state, their alert cursor, and their own case files (the store writes them through
-- the session analyst's views, which check the rows against the tables' row-level security as the analyst).
GRANT INSERT, UPDATE, DELETE ON article_states, analyst_cursor, analyst_meta TO vigie_analyst;
GRANT INSERT, UPDATE, DELETE ON cases, case_items, case_item_tags, analyst_cases, analyst_case_items,
    analyst_case_item_tags TO vigie_analyst;

-- The editors: feeds, folders and the watchlist, and the re-scoring a new watchlist calls for.
GRANT INSERT, UPDATE, DELETE ON feeds, folders, watchlist_versions TO vigie_editor;
GRANT UPDATE ON articles TO vigie_editor;
GRANT INSERT, UPDATE, DELETE ON article_entries, article_entry_pairs, meta TO vigie_editor;
-- The name index of emerging names (derived from the articles' text): written as articles are stored and
-- re-scored, and caught up by any client asking for emerging names (an analyst's too).
GRANT INSERT, UPDATE, DELETE ON article_names, names_indexed TO vigie_editor, vigie_analyst;
GRANT INSERT, UPDATE, DELETE ON name_lower_words TO vigie_editor, vigie_analyst;

-- Row-level security on the per-analyst tables. The owner (the schema's migrations, `vigie migrate`) is not
-- subject to it; the service has no policy, so it sees and writes no analyst's rows.
ALTER TABLE article_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE analyst_cursor ENABLE ROW LEVEL SECURITY;
ALTER TABLE analyst_meta ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_item_tags ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_states ON article_states;
CREATE POLICY own_states ON article_states TO vigie_analyst
    USING (analyst = current_user) WITH CHECK (analyst = current_user);
DROP POLICY IF EXISTS own_cursor ON analyst_cursor;
CREATE POLICY own_cursor ON analyst_cursor TO vigie_analyst
    USING (analyst = current_user) WITH CHECK (analyst = current_user);
DROP POLICY IF EXISTS own_meta ON analyst_meta;
CREATE POLICY own_meta ON analyst_meta TO vigie_analyst
    USING (analyst = current_user) WITH CHECK (analyst = current_user);
DROP POLICY IF EXISTS own_cases ON cases;
CREATE POLICY own_cases ON cases TO vigie_analyst
    USING (analyst = current_user) WITH CHECK (analyst = current_user);
DROP POLICY IF EXISTS own_case_items ON case_items;
CREATE POLICY own_case_items ON case_items TO vigie_analyst
    USING (analyst = current_user) WITH CHECK (analyst = current_user);
DROP POLICY IF EXISTS own_case_item_tags ON case_item_tags;
CREATE POLICY own_case_item_tags ON case_item_tags TO vigie_analyst
    USING (analyst = current_user) WITH CHECK (analyst = current_user);
