"""Connected components by alternating large-star / small-star (pure Python; no Beam here).

Kiveris, Lattanzi, Mirrokni, Rastogi, Vassilvitskii, "Connected Components in MapReduce and
Beyond" (SoCC 2014). Nodes are totally ordered; here a node *is* its keep-policy key
``(rank, flags, -words, id)`` (keep.py), so the minimum of a component is the document the keep
policy prefers and the converged star's centre is the survivor.

Each operation is one shuffle: group the edge list by node, then apply the reducer below.

* large-star(u, N(u)): m = min(N(u) + {u}); emit (v, m) for every neighbour v > u.
* small-star(u, N(u)): S = {v in N(u): v < u} + {u}; m = min(S); emit (v, m) for v in S, v != m.

Invariants (the paper's Lemmas 1-2): both operations preserve the connectivity of every
component and never add a node; neither increases the sum over nodes of their parent labels.
The fixed point of large-star followed by small-star is a forest of stars, each centred on its
component's minimum. The paper bounds the number of alternations by O(log^2 n) and measures
about log n; LSH graphs (stars and cliques from buckets) converge in 2-4 rounds.

A round count is fixed in the Beam graph (config ``dedup.max_cc_rounds``). Whether or not the
rounds sufficed, ``decide`` is *safe*: a node is removed only when it has a smaller neighbour,
and since connectivity is preserved, every component keeps at least its minimum. An unconverged
component can only keep more than one member (under-removal), never lose all of them; such
nodes are counted (metric ``dedup/cc_unsettled``).
"""

from __future__ import annotations

from typing import Hashable, Iterable, Iterator

Node = Hashable
Edge = tuple[Node, Node]


def large_star(u: Node, neighbours: Iterable[Node]) -> Iterator[Edge]:
    nbrs = set(neighbours)
    nbrs.discard(u)
    if not nbrs:
        return
    m = min(nbrs)
    if u < m:
        m = u
    for v in nbrs:
        if v > u:
            yield (v, m)


def small_star(u: Node, smaller_neighbours: Iterable[Node]) -> Iterator[Edge]:
    """``smaller_neighbours``: the neighbours v < u (the map side sends each edge to its larger end)."""
    s = set(smaller_neighbours)
    s.discard(u)
    if not s:
        return
    m = min(s)
    s.add(u)
    for v in s:
        if v != m:
            yield (v, m)


def both_directions(edge: Edge) -> Iterator[Edge]:
    u, v = edge
    if u != v:
        yield (u, v)
        yield (v, u)


def to_larger_end(edge: Edge) -> Iterator[Edge]:
    """Map side of small-star: key each edge by its larger end, valued by its smaller end."""
    u, v = edge
    if u < v:
        yield (v, u)
    elif v < u:
        yield (u, v)


def decide(u: Node, neighbours: Iterable[Node]) -> tuple[Node | None, bool]:
    """(parent, settled) for node u after the last round: parent is the smallest neighbour when
    it is smaller than u (u is removed in its favour), else None (u survives). ``settled`` is
    False where u's neighbourhood is not yet a star leaf or centre."""
    nbrs = set(neighbours)
    nbrs.discard(u)
    if not nbrs:
        return None, True
    m = min(nbrs)
    if m < u:
        return m, len(nbrs) == 1
    return None, True


def run_local(edges: Iterable[Edge], rounds: int) -> dict[Node, Node]:
    """The same rounds in one process (tests and the benchmark's reference): node -> parent."""
    cur = {tuple(sorted(e)) for e in edges if e[0] != e[1]}
    for _ in range(rounds):
        cur = _apply(cur, large_star, both_directions)
        cur = _apply(cur, small_star, to_larger_end)
    out: dict[Node, Node] = {}
    adj = _group(cur, both_directions)
    for u, nb in adj.items():
        parent, _ = decide(u, nb)
        if parent is not None:
            out[u] = parent
    return out


def _group(edges, mapper) -> dict:
    adj: dict = {}
    for e in edges:
        for k, v in mapper(e):
            adj.setdefault(k, []).append(v)
    return adj


def _apply(edges, reducer, mapper) -> set:
    out = set()
    for u, nb in _group(edges, mapper).items():
        for a, b in reducer(u, nb):
            out.add((a, b) if a < b else (b, a))
    return out
