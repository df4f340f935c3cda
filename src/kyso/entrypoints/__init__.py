"""Entry points: the HTTP API, the web app and the command line. Thin: parse, call, render."""
