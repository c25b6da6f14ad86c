#!/usr/bin/env python3
"""Import cycles between the top-level modules of each crate (issue 17).

A file crates/C/src/X.rs or crates/C/src/X/**.rs belongs to module X of crate C. A
reference `crate::Y…` (or `super::Y…` from a top-level file) in module X is an edge
X → Y. The crate root (lib.rs, main.rs) declares the modules and is left out. Prints
each cycle (a strongly connected group of two or more modules) that
scripts/layout-debts.txt does not list (`cycle <crate> <modules, comma-separated,
sorted>`), and exits 1 if any. A listed cycle may only shrink: one that is gone, or now
smaller, must be taken out or written smaller.
"""
import os, re, sys, glob

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
fail = 0
owed = {}
for line in open(os.path.join(root, 'scripts', 'layout-debts.txt'), encoding='utf-8'):
    f = line.split()
    if len(f) == 3 and f[0] == 'cycle':
        owed[(f[1], f[2])] = False
for crate in sorted(glob.glob(os.path.join(root, 'crates', '*', 'src'))):
    mods = {}
    for path in glob.glob(os.path.join(crate, '**', '*.rs'), recursive=True):
        rel = os.path.relpath(path, crate)
        parts = rel.split(os.sep)
        if parts[0] in ('lib.rs', 'main.rs'):
            continue
        top = parts[0][:-3] if len(parts) == 1 else parts[0]
        text = open(path, encoding='utf-8').read()
        text = re.sub(r'//[^\n]*', '', text)
        # Leave the tests out: a test module may use anything.
        cut = text.find('#[cfg(test)]')
        if cut >= 0:
            text = text[:cut]
        refs = set(re.findall(r'\bcrate::([a-z_][a-z0-9_]*)', text))
        # `use crate::{a, b::c}` groups.
        for group in re.findall(r'\bcrate::\{([^}]*)\}', text, re.S):
            refs.update(re.findall(r'(?:^|[,{\s])([a-z_][a-z0-9_]*)', group))
        if len(parts) == 1:
            refs.update(re.findall(r'\bsuper::([a-z_][a-z0-9_]*)', text))
        mods.setdefault(top, set()).update(r for r in refs if r != top)
    names = set(mods)
    graph = {m: {r for r in refs if r in names} for m, refs in mods.items()}
    # Tarjan's strongly connected components.
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    name = os.path.basename(os.path.dirname(crate))
    for comp in out:
        key = (name, ','.join(comp))
        if key in owed:
            owed[key] = True
            continue
        fail = 1
        edges = [f'{a} → {b}' for a in comp for b in sorted(graph[a]) if b in comp]
        print(f'layout: import cycle in {name} between {", ".join(comp)} ({"; ".join(edges)}): '
              f'break it, or if it shrank, write it so in scripts/layout-debts.txt', file=sys.stderr)
for (crate, comp), seen in owed.items():
    if not seen:
        fail = 1
        print(f'layout: the cycle {comp} in {crate} is gone: take it out of scripts/layout-debts.txt', file=sys.stderr)
sys.exit(fail)
