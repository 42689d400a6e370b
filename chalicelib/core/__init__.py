"""Cross-cutting pieces every feature uses: settings, AWS clients, auth, errors, events."""
