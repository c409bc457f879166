"""The inspector UI (server-rendered Jinja2) and the JSON API: an entry point
beside cli.py. It may use store/, alerts/, config and hs/; nothing imports it."""
