"""The web front end: an OpenAI-compatible API, a JSON API and a chat page over the one answer chain."""
