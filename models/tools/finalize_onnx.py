#!/usr/bin/env python3
"""Post-process an ONNX file written by tf2onnx: drop outputs, prune, make it reproducible.

1. --drop-output NAME (repeatable) removes that graph output and every node, initializer
   and value_info that only fed it.  For the BlazePose landmark models this is the
   segmentation head (`Identity_2`), which is most of their run time.  The remaining
   outputs are computed by exactly the same nodes as before, so they are bit-identical.
2. tf2onnx names its folded constants with a global counter (`const_fold_opt__1175`)
   whose values depend on set iteration order, so two conversions of the same model give
   the same graph under different constant names.  Counter-named initializers are
   renamed `const__<k>` in order of first use and all initializers are sorted by first
   use, so the written file is byte-identical from run to run.
3. The graph's doc_string (which holds the tflite path tf2onnx was given) is replaced by
   --doc, and --meta KEY=VALUE entries are stored as model metadata.

usage: finalize_onnx.py IN.onnx OUT.onnx [--drop-output NAME]... [--doc TEXT] [--meta K=V]...
"""
import argparse
import re

import onnx

GENERATED = re.compile(r"__\d+$")


def prune(model, drop):
    g = model.graph
    outputs = [o for o in g.output if o.name not in drop]
    missing = set(drop) - {o.name for o in g.output}
    if missing:
        raise SystemExit(f"no such graph output: {sorted(missing)}")
    producer = {}
    for i, n in enumerate(g.node):
        for o in n.output:
            if o:
                producer[o] = i
    graph_inputs = {i.name for i in g.input}
    keep, stack = set(), [o.name for o in outputs]
    while stack:
        name = stack.pop()
        if name in graph_inputs or name not in producer:
            continue
        i = producer[name]
        if i not in keep:
            keep.add(i)
            stack.extend(x for x in g.node[i].input if x)
    nodes = [n for i, n in enumerate(g.node) if i in keep]
    used = {x for n in nodes for x in list(n.input) + list(n.output)}
    inits = [t for t in g.initializer if t.name in used]
    vinfo = [v for v in g.value_info if v.name in used]
    for field, items in (("node", nodes), ("initializer", inits), ("value_info", vinfo), ("output", outputs)):
        del getattr(g, field)[:]
        getattr(g, field).extend(items)
    unused_inputs = [i.name for i in g.input if i.name not in used]
    if unused_inputs:
        raise SystemExit(f"graph inputs no longer used: {unused_inputs}")


def canonicalize(model):
    g = model.graph
    init_names = [t.name for t in g.initializer]
    init_set = set(init_names)
    first_use = {}
    for n in g.node:
        for x in n.input:
            if x in init_set and x not in first_use:
                first_use[x] = len(first_use)
    for o in g.output:  # an initializer could be a graph output
        if o.name in init_set and o.name not in first_use:
            first_use[o.name] = len(first_use)
    unused = [x for x in init_names if x not in first_use]
    if unused:
        raise SystemExit(f"unused initializers: {unused[:5]}")
    interface = {i.name for i in g.input} | {o.name for o in g.output}
    taken = {x for n in g.node for x in list(n.input) + list(n.output)} - init_set
    rename, k = {}, 0
    for name in sorted(first_use, key=first_use.get):
        if GENERATED.search(name) and name not in interface:
            new = f"const__{k}"
            k += 1
            assert new not in taken and new not in init_set - {name}, new
            rename[name] = new
    for n in g.node:
        for j, x in enumerate(n.input):
            if x in rename:
                n.input[j] = rename[x]
    for t in g.initializer:
        t.name = rename.get(t.name, t.name)
    for v in g.value_info:
        v.name = rename.get(v.name, v.name)
    order = {rename.get(x, x): i for x, i in first_use.items()}
    inits = sorted(g.initializer, key=lambda t: order[t.name])
    inits = [onnx.TensorProto.FromString(t.SerializeToString()) for t in inits]
    del g.initializer[:]
    g.initializer.extend(inits)
    return len(rename)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--drop-output", action="append", default=[])
    ap.add_argument("--doc", default=None)
    ap.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    model = onnx.load(args.src)
    n_before = len(model.graph.node)
    if args.drop_output:
        prune(model, set(args.drop_output))
    renamed = canonicalize(model)
    if args.doc is not None:
        model.graph.doc_string = args.doc
    for kv in args.meta:
        key, value = kv.split("=", 1)
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, args.dst)
    print(f"finalize: {args.dst}: nodes {n_before} -> {len(model.graph.node)}, "
          f"outputs {[o.name for o in model.graph.output]}, {renamed} constants renamed")


if __name__ == "__main__":
    main()
