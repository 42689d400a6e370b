"""Share links for partners outside the prefecture: download, file request, two-way."""
