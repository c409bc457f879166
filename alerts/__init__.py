"""Enterprise profiles -> matching -> the review queue -> digests -> delivery."""
