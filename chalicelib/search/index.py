"""The documents index: Japanese analysis (kuromoji) plus a bigram field for recall.

Created behind an alias (`<prefix>-documents` -> `<prefix>-documents-v1`) so a later mapping
change can reindex into v2 and switch the alias without downtime.
"""

from __future__ import annotations

import functools
from typing import Any

from chalicelib.core.config import settings

INDEX_VERSION = 1

INDEX_BODY: dict[str, Any] = {
    "settings": {
        "index": {"number_of_shards": 1, "number_of_replicas": 0},
        "analysis": {
            "char_filter": {
                # Full-width/half-width and spacing variants normalised before tokenizing.
                "kumo_spaces": {"type": "pattern_replace", "pattern": "[\u3000\\s]+", "replacement": " "},
            },
            "tokenizer": {
                "kumo_kuromoji": {"type": "kuromoji_tokenizer", "mode": "search"},
                "kumo_bigram": {"type": "ngram", "min_gram": 2, "max_gram": 2,
                                "token_chars": ["letter", "digit"]},
            },
            "analyzer": {
                "kumo_ja": {
                    "type": "custom", "char_filter": ["kumo_spaces"], "tokenizer": "kumo_kuromoji",
                    "filter": ["kuromoji_baseform", "kuromoji_part_of_speech", "cjk_width",
                               "ja_stop", "kuromoji_stemmer", "lowercase"],
                },
                "kumo_bigram": {"type": "custom", "char_filter": ["kumo_spaces"], "tokenizer": "kumo_bigram",
                                "filter": ["cjk_width", "lowercase"]},
            },
        },
    },
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "file_id": {"type": "keyword"},
            "name": {"type": "text", "analyzer": "kumo_ja",
                     "fields": {"bigram": {"type": "text", "analyzer": "kumo_bigram"},
                                "keyword": {"type": "keyword", "ignore_above": 512}}},
            "path": {"type": "keyword"},
            "content": {"type": "text", "analyzer": "kumo_ja",
                        "fields": {"bigram": {"type": "text", "analyzer": "kumo_bigram"}}},
            "department_id": {"type": "keyword"},
            "owner_id": {"type": "keyword"},
            "visibility": {"type": "keyword"},
            "content_type": {"type": "keyword"},
            "size": {"type": "long"},
            "updated_at": {"type": "date"},
        },
    },
}


@functools.cache
def client() -> Any:
    from opensearchpy import OpenSearch

    url = settings().search_url
    if not url:
        raise RuntimeError("KUMO_SEARCH_URL is not set")
    return OpenSearch(hosts=[url], timeout=30)


def physical_index_name(version: int = INDEX_VERSION) -> str:
    return f"{settings().search_alias}-v{version}"


def ensure_index() -> bool:
    """Create the index and its alias if the alias does not exist yet. True if created."""
    os_client = client()
    alias = settings().search_alias
    if os_client.indices.exists_alias(name=alias):
        return False
    name = physical_index_name()
    if not os_client.indices.exists(index=name):
        os_client.indices.create(index=name, body=INDEX_BODY)
    os_client.indices.put_alias(index=name, name=alias)
    return True
