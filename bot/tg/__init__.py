"""The Telegram front end: a thin layer over the answer chain."""
