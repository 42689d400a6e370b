"""The documents index: its one definition (mapping + analysis), used by the bootstrap, the
indexer, `kumo reindex`, the tests and infra.

- Japanese text (`name`, `content`) is analysed by kuromoji in search mode with the usual
  filters: baseform (提出しました → 提出 + する), part-of-speech stop, ja_stop, cjk_width
  (full-width Latin and half-width kana folded, instead of ICU's normaliser, which the local
  search server lacks and OpenSearch Service only has as an optional plugin), stemmer, lowercase.
- A bigram sub-field (`*.bigram`) catches partial words and terms kuromoji does not know; the
  query gives it a low weight and a high minimum match so it adds recall without flooding.
- `name.prefix` is a search_as_you_type field: file-name suggestions as the person types.
- `principals` lists who may see the document (see documents.principals_for); every query
  filters on it.
- `kind` says what a document is: a stored file, or a record another slice hands in through
  search/records.py (a survey, an answer, a project card), with the page it opens in `link`; results are
  labelled and faceted by it.

The physical index is `<alias>-v<INDEX_VERSION>-<stamp>` behind the alias `<prefix>-documents`:
`kumo reindex` builds a new one and moves the alias in one step, so searches never see a gap.
A field added to the mapping is also added to the live index (`ensure_mapping`, at the
indexer's start), so documents that carry it are accepted before the next reindex; the
documents indexed before it lack it until `kumo reindex` runs.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from chalicelib.core.config import settings
from chalicelib.search.client import client

INDEX_VERSION = 3

_TEXT_JA = {"type": "text", "analyzer": "kumo_ja"}
_BIGRAM = {"type": "text", "analyzer": "kumo_bigram"}

INDEX_BODY: dict[str, Any] = {
    "settings": {
        "index": {"number_of_shards": 1, "number_of_replicas": 0, "max_result_window": 10000},
        "analysis": {
            "char_filter": {
                # Ideographic and other spaces become one plain space before tokenizing.
                "kumo_spaces": {"type": "pattern_replace", "pattern": "[\u3000\\s]+", "replacement": " "},
            },
            "tokenizer": {
                "kumo_kuromoji": {"type": "kuromoji_tokenizer", "mode": "search"},
                "kumo_bigram": {"type": "ngram", "min_gram": 2, "max_gram": 2, "token_chars": ["letter", "digit"]},
            },
            "analyzer": {
                "kumo_ja": {
                    "type": "custom",
                    "char_filter": ["kumo_spaces"],
                    "tokenizer": "kumo_kuromoji",
                    "filter": [
                        "kuromoji_baseform",
                        "kuromoji_part_of_speech",
                        "cjk_width",
                        "ja_stop",
                        "kuromoji_stemmer",
                        "lowercase",
                    ],
                },
                "kumo_bigram": {
                    "type": "custom",
                    "char_filter": ["kumo_spaces"],
                    "tokenizer": "kumo_bigram",
                    "filter": ["cjk_width", "lowercase"],
                },
            },
        },
    },
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "kind": {"type": "keyword"},  # file | survey | answer | card (records.KINDS)
            "file_id": {"type": "keyword"},
            "name": {
                **_TEXT_JA,
                "fields": {
                    "bigram": _BIGRAM,
                    "prefix": {"type": "search_as_you_type", "analyzer": "kumo_bigram"},
                    "keyword": {"type": "keyword", "ignore_above": 512},
                },
            },
            "extension": {"type": "keyword"},
            "type_group": {"type": "keyword"},  # pdf | word | excel | powerpoint | text | other
            "path": {"type": "keyword"},  # "/2026年度/会議" (folder names from the space's root); a record's place
            "folder_id": {"type": "keyword"},
            "ancestors": {"type": "keyword"},  # every folder above, and the space: "in this folder" filters
            "space_id": {"type": "keyword"},
            "department_id": {"type": "keyword"},
            "owner_id": {"type": "keyword"},
            "visibility": {"type": "keyword"},
            "principals": {"type": "keyword"},
            "content_type": {"type": "keyword"},
            "size": {"type": "long"},
            "version": {"type": "integer"},
            "created_at": {"type": "date"},
            "updated_at": {"type": "date"},
            "content": {**_TEXT_JA, "fields": {"bigram": _BIGRAM}},
            "content_status": {"type": "keyword"},  # extracted | truncated | not_searchable
            # Records (search/records.py): the page a hit opens, its 所属 and its number (照会番号).
            "link": {"type": "keyword"},
            "unit_id": {"type": "keyword"},
            "number": {"type": "keyword"},
        },
    },
}


def index_body() -> dict[str, Any]:
    return copy.deepcopy(INDEX_BODY)


def alias() -> str:
    return settings().search_alias


def new_index_name() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"{alias()}-v{INDEX_VERSION}-{stamp}"


def current_indices() -> list[str]:
    """The physical indices the alias points at (one, except in a failed swap)."""
    os_client = client()
    if not os_client.indices.exists_alias(name=alias()):
        return []
    return sorted(os_client.indices.get_alias(name=alias()))


def ensure_index() -> bool:
    """Create an index and its alias if the alias does not exist yet. True if created."""
    os_client = client()
    if os_client.indices.exists_alias(name=alias()):
        return False
    name = new_index_name()
    os_client.indices.create(index=name, body=index_body())
    os_client.indices.put_alias(index=name, name=alias())
    return True


def ensure_mapping() -> None:
    """Add the fields this version's mapping has to the index behind the alias (only adds:
    OpenSearch refuses to change a field, and a changed one needs `kumo reindex`)."""
    os_client = client()
    for name in current_indices():
        os_client.indices.put_mapping(index=name, body={"properties": INDEX_BODY["mappings"]["properties"]})


# --- fine-grained access control (AWS only) ------------------------------------------------
# The domain's master user is the indexer's IAM role; the API's role must be mapped to a role
# inside OpenSearch before it may search. The indexer does it once per cold start, idempotently.
API_SEARCH_ROLE = "kumo_search"


def api_role_permissions() -> dict[str, Any]:
    """What the API may do inside OpenSearch: read the documents through the alias, nothing else."""
    pattern = f"{alias()}*"
    return {
        "cluster_permissions": ["cluster_composite_ops_ro"],
        "index_permissions": [{"index_patterns": [pattern], "allowed_actions": ["read", "indices:data/read/*"]}],
    }


def ensure_api_access(api_role_arn: str | None) -> bool:
    """Map the API's IAM role to a read-only OpenSearch role. False when there is nothing to do."""
    if not api_role_arn or not getattr(settings(), "search_sigv4", False):
        return False  # the local search server has no security plugin
    os_client = client()
    os_client.transport.perform_request(
        "PUT", f"/_plugins/_security/api/roles/{API_SEARCH_ROLE}", body=api_role_permissions()
    )
    os_client.transport.perform_request(
        "PUT", f"/_plugins/_security/api/rolesmapping/{API_SEARCH_ROLE}", body={"backend_roles": [api_role_arn]}
    )
    return True
