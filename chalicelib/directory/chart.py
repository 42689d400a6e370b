"""The org chart the directory pages show: units in tree order with who holds which post.

Reads the tree afresh and the staff once (every record for the whole chart, one 部局's two
queries for its page); people are placed by their principal's assignments, so 兼務 and
transfers whose day has come show where they count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.core.auth import Post
from chalicelib.directory import org, staff, unit_people
from chalicelib.directory.org import OrgUnit, Tree
from chalicelib.directory.staff import Staff


@dataclass
class Node:
    unit: OrgUnit
    heads: list[Staff] = field(default_factory=list)  # 所属長
    coordinators: list[Staff] = field(default_factory=list)  # 取りまとめ担当
    members: list[tuple[Staff, Post]] = field(default_factory=list)  # placed here (main or 兼務), not below
    children: list[Node] = field(default_factory=list)


def chart(department_id: str | None = None) -> list[Node]:
    """The 部局 (or the one asked for) with their 所属 and 係 below, and the people in each."""
    tree = Tree.of(org.list_units())
    roots = [u for u in tree.roots() if department_id in (None, u.unit_id)]
    people = staff.all_staff() if department_id is None else unit_people.staff_in_unit(department_id)
    nodes: dict[str, Node] = {}
    for root in roots:
        _grow(tree, root, nodes)
    for person in people:
        for place in person.principal().assignments:
            node = nodes.get(place.path[-1])
            if node is None:
                continue
            node.members.append((person, place.post))
            holder = nodes.get(place.unit_id)
            if holder is not None and place.post is Post.HEAD:
                holder.heads.append(person)
            elif holder is not None and place.post is Post.COORDINATOR:
                holder.coordinators.append(person)
    for node in nodes.values():
        node.members.sort(key=lambda m: (-m[1].rank, m[0].display_name))
    return [nodes[r.unit_id] for r in roots]


def _grow(tree: Tree, root: OrgUnit, nodes: dict[str, Node]) -> None:
    """The nodes below a 部局, made level by level (a loop with a bound, not recursion)."""
    nodes[root.unit_id] = Node(root)
    level = [root]
    for _ in range(org.MAX_DEPTH):
        below = [child for unit in level for child in tree.kids(unit.unit_id) if child.unit_id not in nodes]
        if not below:
            return
        for child in below:
            nodes[child.unit_id] = Node(child)
            nodes[child.parent_id or ""].children.append(nodes[child.unit_id])
        level = below
