"""The parts of the Kumo stack, one construct per concern."""
