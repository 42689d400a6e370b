"""The UI shell: the header's contents, home, language switch, static assets, areas not built yet."""
