"""The UI shell: layout, home, language switch, static assets, areas not built yet."""
