"""The local stack: emulators, bootstrap, demo data, Lambda event sources played in-process."""
