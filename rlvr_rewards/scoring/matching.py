"""Bipartite matching algorithms shared by the scorers and the matchers, all iterative (no recursion).

Contract (pure functions over small plain values, never raising on well-formed input):
- :func:`max_weight_assignment` is an exact maximum-weight one-to-one assignment of a dense rectangular
  matrix of finite scores (rows to columns), every row of the smaller side assigned: the shortest
  augmenting path form of the Hungarian method with potentials (Jonker-Volgenant / Crouse), O(n^2 * m)
  for n = min(rows, cols) and m = max(rows, cols). Deterministic: the same matrix always gives the same
  pairs. Among equally good assignments the one found first wins: rows (of the smaller side) are inserted
  in index order, and each augmenting search takes the lowest reduced cost, preferring on equal cost a
  column that is still free (which ends the search), then the lowest column index. The returned total is
  the sum of the returned pairs' scores (in pair order), so it is exact for those pairs; it is optimal up
  to floating-point rounding (a few ulps of the total).
- :func:`max_b_matching` is the largest flow of a bipartite graph whose left and right nodes carry integer
  capacities (Dinic's algorithm: a breadth-first level graph and iterative depth-first blocking flows).
  With unit capacities it is Hopcroft-Karp: O(E * sqrt(V)); with capacities, O(E * sqrt(F)) for F the
  total capacity of one side. :func:`b_matching_work` is the bound in work units, from the sizes alone.
- :func:`has_perfect_matching` asks whether a boolean ``rows x cols`` matrix has a matching that covers
  every row and every column.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["b_matching_work", "has_perfect_matching", "max_b_matching", "max_weight_assignment"]


def max_weight_assignment(scores: Sequence[Sequence[float]]) -> tuple[float, list[tuple[int, int]]]:
    """``(total, pairs)``: the one-to-one pairs ``(row, col)`` (sorted by row) of largest summed score; every
    row is paired when rows <= cols, else every column. Scores must be finite floats."""
    n_rows = len(scores)
    n_cols = len(scores[0]) if n_rows else 0
    if n_rows == 0 or n_cols == 0:
        return 0.0, []
    transpose = n_rows > n_cols
    # minimise cost = -score over n <= m: the rows of `cost` are the smaller side
    if transpose:
        cost = [[-float(scores[r][c]) for r in range(n_rows)] for c in range(n_cols)]
        m = n_rows
    else:
        cost = [[-float(x) for x in row] for row in scores]
        m = n_cols
    col4row = _min_cost_assignment(cost, m)
    if transpose:
        pairs = sorted((col4row[c], c) for c in range(n_cols))
    else:
        pairs = [(r, col4row[r]) for r in range(n_rows)]
    total = 0.0
    for r, c in pairs:
        total += scores[r][c]
    return total, pairs


def _min_cost_assignment(cost: list[list[float]], m: int) -> list[int]:
    """``col4row``: the column of each of the n <= m rows of ``cost`` (n x m) in a one-to-one assignment of least
    summed cost. Rows are inserted in index order, each by a shortest augmenting path."""
    n = len(cost)
    inf = math.inf
    u = [0.0] * n  # row potentials
    v = [0.0] * m  # column potentials
    col4row = [-1] * n
    row4col = [-1] * m
    path = [-1] * m  # the row from which each column was reached in the current search
    for start in range(n):
        # Dijkstra-like search for the shortest augmenting path from the free row `start`, reduced costs
        # cost[i][j] - u[i] - v[j] >= 0 being the edge lengths.
        shortest = [inf] * m
        remaining = list(range(m))  # columns not yet reached (swap-removed: the order does not matter)
        reached_rows = [start]
        reached_cols: list[int] = []
        min_val = 0.0
        i = start
        sink = -1
        while sink < 0:
            row = cost[i]
            base = min_val - u[i]
            lowest = inf
            j = -1
            for k in remaining:
                r = base + row[k] - v[k]
                if r < shortest[k]:
                    path[k] = i
                    shortest[k] = r
                else:
                    r = shortest[k]
                if r < lowest:
                    lowest = r
                    j = k
                elif r == lowest and ((row4col[k] < 0 and (row4col[j] >= 0 or k < j)) or (row4col[j] >= 0 and k < j)):
                    j = k  # a tie: a free column first (it ends the search), then the lowest index
            min_val = lowest
            index = remaining.index(j)
            remaining[index] = remaining[-1]
            remaining.pop()
            reached_cols.append(j)
            if row4col[j] < 0:
                sink = j
            else:
                i = row4col[j]
                reached_rows.append(i)
        # update the potentials (reduced costs stay >= 0, and 0 along the new matching)
        u[start] += min_val
        for i in reached_rows[1:]:
            u[i] += min_val - shortest[col4row[i]]
        for j in reached_cols:
            v[j] -= min_val - shortest[j]
        # augment along the path back to `start` (at least one step: `i` starts as no row)
        j = sink
        i = -1
        while i != start:
            i = path[j]
            row4col[j] = i
            col4row[i], j = j, col4row[i]
    return col4row


def max_b_matching(left_caps: Sequence[int], right_caps: Sequence[int], adj: Sequence[Sequence[int]]) -> int:
    """The largest number of units matched: left node ``a`` takes at most ``left_caps[a]`` units, right node
    ``b`` at most ``right_caps[b]``, and a unit pairs ``a`` with ``b`` only when ``b in adj[a]``."""
    n_left, n_right = len(left_caps), len(right_caps)
    source, sink = n_left + n_right, n_left + n_right + 1
    n_nodes = n_left + n_right + 2
    to, cap, out = _flow_network(left_caps, right_caps, adj)
    flow = 0
    while True:
        # level graph
        level = [-1] * n_nodes
        level[source] = 0
        queue = [source]
        for x in queue:
            nxt = level[x] + 1
            for e in out[x]:
                y = to[e]
                if cap[e] > 0 and level[y] < 0:
                    level[y] = nxt
                    queue.append(y)
        if level[sink] < 0:
            return flow
        flow += _blocking_flow(to, cap, out, level, source, sink)


def _flow_network(
    left_caps: Sequence[int], right_caps: Sequence[int], adj: Sequence[Sequence[int]]
) -> tuple[list[int], list[int], list[list[int]]]:
    """``(to, cap, out)``: the flow network of :func:`max_b_matching`. Nodes: left ``a`` (``0 .. n_left - 1``),
    right ``b`` (``n_left + b``), then the source and the sink; edges source -> ``a`` (capacity ``left_caps[a]``),
    ``a`` -> ``b`` when ``b in adj[a]`` (the smaller of both capacities), ``b`` -> sink (``right_caps[b]``). Edge
    ``e`` goes to ``to[e]`` with residual capacity ``cap[e]``; ``e ^ 1`` is its reverse (capacity 0);
    ``out[x]``: the edges leaving node ``x``."""
    n_left, n_right = len(left_caps), len(right_caps)
    source, sink = n_left + n_right, n_left + n_right + 1
    to: list[int] = []
    cap: list[int] = []
    out: list[list[int]] = [[] for _ in range(n_left + n_right + 2)]

    def edge(a: int, b: int, c: int) -> None:
        out[a].append(len(to))
        to.append(b)
        cap.append(c)
        out[b].append(len(to))
        to.append(a)
        cap.append(0)

    for a in range(n_left):
        if left_caps[a] > 0:
            edge(source, a, left_caps[a])
            for b in adj[a]:
                edge(a, n_left + b, min(left_caps[a], right_caps[b]))
    for b in range(n_right):
        if right_caps[b] > 0:
            edge(n_left + b, sink, right_caps[b])
    return to, cap, out


def _blocking_flow(
    to: list[int], cap: list[int], out: list[list[int]], level: list[int], source: int, sink: int
) -> int:
    """One phase of Dinic's algorithm: push flow along the shortest paths of the ``level`` graph until none is
    left (dead ends are marked -1 in ``level``), depth-first with an explicit stack of edges and per-node
    current-arc pointers. Updates the residual capacities ``cap``; returns the flow pushed."""
    flow = 0
    arc = [0] * len(out)
    stack: list[int] = []
    x = source
    while True:
        if x == sink:
            pushed = min(cap[e] for e in stack)
            for e in stack:
                cap[e] -= pushed
                cap[e ^ 1] += pushed
            flow += pushed
            stack.clear()
            x = source
            continue
        edges = out[x]
        k = arc[x]
        want = level[x] + 1
        while k < len(edges) and not (cap[edges[k]] > 0 and level[to[edges[k]]] == want):
            k += 1
        arc[x] = k
        if k < len(edges):
            e = edges[k]
            stack.append(e)
            x = to[e]
        elif x == source:
            return flow
        else:  # a dead end: never enter it again in this phase
            level[x] = -1
            x = to[stack.pop() ^ 1]


def b_matching_work(units: int, n_left: int, n_right: int, n_edges: int) -> int:
    """An upper bound of :func:`max_b_matching`'s work units (arc scans) on a graph of ``n_left`` + ``n_right``
    nodes and ``n_edges`` left-right edges, ``units`` the capacity of one side in all.

    Each phase of Dinic's algorithm lengthens the shortest augmenting path (odd: 2k + 1 for a path through
    k left nodes, so k <= min(n_left, n_right)), and Hopcroft-Karp's bound of ``2 * sqrt(2 * units) + 2``
    phases holds too (a shortest augmenting path is as long as in the graph where every node is expanded
    into its units). A phase is one breadth-first pass and one pass of the current-arc pointers over every
    arc (2 per edge, source and sink edges included), and each augmenting path (at most ``units`` in all)
    is walked once more."""
    nodes = n_left + n_right + 2
    arcs = 2 * (n_left + n_right + n_edges)
    longest = 2 * min(n_left, n_right) + 1
    phases = min(2 * math.isqrt(2 * units) + 2, min(n_left, n_right) + 1)
    return nodes + arcs + phases * (2 * nodes + 2 * arcs) + units * min(2 * phases + 3, longest + 2)


def has_perfect_matching(adj: Sequence[Sequence[bool]]) -> bool:
    """Does the ``rows x cols`` boolean matrix pair every row with a distinct column and cover every
    column (so rows == cols)? Iterative Hopcroft-Karp (``max_b_matching`` with unit capacities)."""
    n_rows = len(adj)
    n_cols = len(adj[0]) if n_rows else 0
    if n_rows != n_cols:
        return False
    lists = [[c for c, ok in enumerate(row) if ok] for row in adj]
    if any(not row for row in lists):
        return False
    ones = [1] * n_rows
    return max_b_matching(ones, ones, lists) == n_rows
