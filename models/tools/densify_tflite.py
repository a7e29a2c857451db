#!/usr/bin/env python3
"""Rewrite a .tflite model so that weights stored sparse behind DENSIFY ops are stored dense.

MediaPipe's pose_detection.tflite keeps 38 fp16 convolution weights in TFLite's sparse
(CSR-like) format, each decoded at load time by a DENSIFY op.  tf2onnx cannot read those
tensors ("cannot reshape array of size 96 into shape (16,1,1,24)").  This tool decodes
each sparse constant from its sparsity parameters, stores the dense values in the same
buffer, drops the sparsity parameters, removes the DENSIFY op and points its consumers
(the fp16 DEQUANTIZE ops) at the now dense constant.  Orphaned tensors and the unused
DENSIFY operator code are removed.  The arithmetic of the graph is unchanged, so the
interpreter's outputs are bit-identical (checked with --verify).

usage: densify_tflite.py IN.tflite OUT.tflite [--verify N]
"""
import argparse
import sys

import numpy as np
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

DIM_DENSE = schema.DimensionType.DENSE
DIM_SPARSE_CSR = schema.DimensionType.SPARSE_CSR
NP_TYPES = {
    schema.TensorType.FLOAT32: np.float32,
    schema.TensorType.FLOAT16: np.float16,
    schema.TensorType.INT8: np.int8,
    schema.TensorType.UINT8: np.uint8,
    schema.TensorType.INT32: np.int32,
}


def op_name(model, op):
    code = model.operatorCodes[op.opcodeIndex]
    builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
    return {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}[builtin]


def densify(tensor, data):
    """Decode a TFLite sparse tensor (no block map) into a dense numpy array."""
    sp = tensor.sparsity
    shape = [int(d) for d in tensor.shape]
    order = [int(i) for i in sp.traversalOrder]
    if sp.blockMap is not None and len(sp.blockMap):
        raise NotImplementedError(f"{tensor.name}: block-sparse tensors are not supported")
    if order != list(range(len(shape))):
        raise NotImplementedError(f"{tensor.name}: non-identity traversal order {order}")
    dtype = NP_TYPES[tensor.type]
    values = np.frombuffer(bytes(data), dtype=dtype)
    dense = np.zeros(shape, dtype=dtype)
    dims = sp.dimMetadata
    used = 0

    def walk(level, pos, coord):
        # pos: index of this node among the nodes of its level (TFLite's "prev_idx")
        nonlocal used
        dm = dims[level]
        if dm.format == DIM_DENSE:
            children = [(pos * dm.denseSize + i, i) for i in range(dm.denseSize)]
        elif dm.format == DIM_SPARSE_CSR:
            seg = np.asarray(dm.arraySegments.values)
            idx = np.asarray(dm.arrayIndices.values)
            children = [(k, int(idx[k])) for k in range(int(seg[pos]), int(seg[pos + 1]))]
        else:
            raise NotImplementedError(f"dimension format {dm.format}")
        for child_pos, c in children:
            if level == len(dims) - 1:
                dense[tuple(coord + [c])] = values[child_pos]
                used += 1
            else:
                walk(level + 1, child_pos, coord + [c])

    walk(0, 0, [])
    if used != values.size:
        raise ValueError(f"{tensor.name}: decoded {used} of {values.size} stored values")
    return dense


def rewrite(model):
    sg_count = 0
    for sg in model.subgraphs:
        keep_ops = []
        replace = {}  # DENSIFY output tensor -> dense constant tensor
        for op in sg.operators:
            if op_name(model, op) != "DENSIFY":
                keep_ops.append(op)
                continue
            src, dst = int(op.inputs[0]), int(op.outputs[0])
            t = sg.tensors[src]
            buf = model.buffers[t.buffer]
            dense = densify(t, buf.data)
            buf.data = np.frombuffer(dense.tobytes(), dtype=np.uint8).copy()
            t.sparsity = None
            replace[dst] = src
            sg_count += 1
        for op in keep_ops:
            op.inputs = np.array([replace.get(int(i), int(i)) for i in op.inputs], dtype=np.int32)
        if any(int(o) in replace for o in sg.outputs):
            raise ValueError("a DENSIFY output is a graph output")
        sg.operators = keep_ops
        # drop tensors nothing refers to any more, renumbering the rest
        used = set(int(i) for i in sg.inputs) | set(int(i) for i in sg.outputs)
        for op in sg.operators:
            used |= {int(i) for i in op.inputs if i >= 0} | {int(i) for i in op.outputs}
            if op.intermediates is not None:
                used |= {int(i) for i in op.intermediates}
        old = sorted(used)
        remap = {o: n for n, o in enumerate(old)}
        dropped = [sg.tensors[i] for i in range(len(sg.tensors)) if i not in used]
        sg.tensors = [sg.tensors[i] for i in old]
        fix = lambda arr: np.array([remap[int(i)] if i >= 0 else -1 for i in arr], dtype=np.int32)
        sg.inputs, sg.outputs = fix(sg.inputs), fix(sg.outputs)
        for op in sg.operators:
            op.inputs, op.outputs = fix(op.inputs), fix(op.outputs)
            if op.intermediates is not None:
                op.intermediates = fix(op.intermediates)
        for t in dropped:  # their buffers are now unused: empty them (keeps buffer indices)
            if t.buffer:
                model.buffers[t.buffer].data = None
    # drop unused operator codes
    used_codes = sorted({op.opcodeIndex for sg in model.subgraphs for op in sg.operators})
    cmap = {o: n for n, o in enumerate(used_codes)}
    model.operatorCodes = [model.operatorCodes[i] for i in used_codes]
    for sg in model.subgraphs:
        for op in sg.operators:
            op.opcodeIndex = cmap[op.opcodeIndex]
    return sg_count


def verify(a_path, b_path, n):
    import tensorflow as tf

    def run(path, x):
        it = tf.lite.Interpreter(model_path=path)
        it.allocate_tensors()
        it.set_tensor(it.get_input_details()[0]["index"], x)
        it.invoke()
        return {d["name"]: it.get_tensor(d["index"]).copy() for d in it.get_output_details()}

    rng = np.random.default_rng(0)
    shape = tf.lite.Interpreter(model_path=a_path).get_input_details()[0]["shape"]
    for k in range(n):
        x = rng.uniform(-1, 1, size=shape).astype(np.float32)
        ra, rb = run(a_path, x), run(b_path, x)
        assert ra.keys() == rb.keys(), (ra.keys(), rb.keys())
        for name in ra:
            if ra[name].shape != rb[name].shape or not np.array_equal(ra[name], rb[name]):
                diff = np.abs(ra[name] - rb[name]).max()
                sys.exit(f"densify verify FAILED on {name}: max abs diff {diff}")
    print(f"densify verify: {n} random inputs, all outputs bit-identical to the original")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--verify", type=int, default=0, metavar="N", help="compare on N random inputs")
    args = ap.parse_args()
    model = flatbuffer_utils.read_model(args.src)
    n = rewrite(model)
    flatbuffer_utils.write_model(model, args.dst)
    left = sum(op_name(model, op) == "DENSIFY" for sg in model.subgraphs for op in sg.operators)
    print(f"densify: removed {n} DENSIFY ops ({left} left) -> {args.dst}")
    if args.verify:
        verify(args.src, args.dst, args.verify)


if __name__ == "__main__":
    main()
