"""One spider per source, named by slug; ``feed`` reads any RSS/Atom feed."""
