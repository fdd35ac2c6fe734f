"""The reviewer console: server-rendered pages under /console (Jinja2, htmx vendored)."""
