"""Surveys (照会・調査): issue to 所属, answer, approve, chase, collect."""
