"""Feed readers: any RSS or Atom feed declared in sources.toml, with no code per feed."""
