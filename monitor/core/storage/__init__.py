"""The only package that speaks SQL: connections, schema and migrations, feeds, articles, search syntax."""
