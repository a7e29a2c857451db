#!/usr/bin/env python3
"""Check the converted BlazePose ONNX models and time them with onnxruntime.

For each model given as NAME:SOURCE.tflite:UNSTRIPPED.onnx:FINAL.onnx it checks
  * FINAL vs UNSTRIPPED (onnxruntime): every output FINAL keeps is bit-identical,
    on random inputs and on real image crops;
  * FINAL (onnxruntime) vs SOURCE (TFLite interpreter): max abs difference per output on
    real image crops (and random inputs), failing above --tol (relative to the output's
    own range);
  * the median run time of UNSTRIPPED and FINAL (onnxruntime, --threads intra-op
    threads, ORT_ENABLE_ALL).
Real crops come from the clips in ../shared/fixtures (frames and MediaPipe reference
landmarks); without that folder only random inputs are used.
Results are printed and written as JSON to --json.

usage: verify.py [--fixtures DIR] [--json OUT] [--runs N] NAME:TFLITE:RAW_ONNX:FINAL_ONNX ...
"""
import argparse
import json
import os
import statistics
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import onnxruntime as ort  # noqa: E402

CLIPS = [("video/pose2sim-cam01.mp4", "reference/pose2sim-cam01.jsonl", [0, 60]),
         ("video/sports2d-demo.mp4", "reference/sports2d-demo.jsonl", [40, 150])]


def read_frame(path, index):
    import cv2
    cap = cv2.VideoCapture(path)
    cap.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, bgr = cap.read()
    cap.release()
    if not ok:
        raise SystemExit(f"cannot read frame {index} of {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def real_inputs(fixtures):
    """(detector inputs [1,224,224,3] in [-1,1], landmark inputs [1,256,256,3] in [0,1])."""
    import cv2
    det, lmk = [], []
    for video, ref, frames in CLIPS:
        refs = {}
        with open(os.path.join(fixtures, ref)) as f:
            for line in f:
                r = json.loads(line)
                refs[r["frame"]] = r["landmarks"]
        for i in frames:
            rgb = read_frame(os.path.join(fixtures, video), i).astype(np.float32)
            h, w = rgb.shape[:2]
            # detector: whole frame letterboxed to 224x224, padding -1
            s = 224.0 / max(h, w)
            m = np.array([[s, 0, (224 - w * s) / 2], [0, s, (224 - h * s) / 2]], np.float32)
            x = cv2.warpAffine(rgb / 127.5 - 1.0, m, (224, 224), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=(-1, -1, -1))
            det.append(x[None].astype(np.float32))
            # landmarks: square crop around the reference body (x1.25), replicated border
            pts = np.array(refs[i], np.float32)[:, :2]
            c = (pts.min(0) + pts.max(0)) / 2
            side = 1.25 * float((pts.max(0) - pts.min(0)).max())
            s = 256.0 / side
            m = np.array([[s, 0, 128 - c[0] * s], [0, s, 128 - c[1] * s]], np.float32)
            x = cv2.warpAffine(rgb / 255.0, m, (256, 256), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
            lmk.append(x[None].astype(np.float32))
    return det, lmk


def session(path, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def run_ort(sess, x):
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, {"input_1": x})))


def tflite_runner(path):
    import tensorflow as tf
    it = tf.lite.Interpreter(model_path=path)
    it.allocate_tensors()
    inp = it.get_input_details()[0]["index"]
    outs = it.get_output_details()

    def run(x):
        it.set_tensor(inp, x)
        it.invoke()
        return {d["name"]: it.get_tensor(d["index"]).copy() for d in outs}
    return run


def median_ms(sess, x, runs):
    feed = {"input_1": x}
    for _ in range(max(10, runs // 10)):
        sess.run(None, feed)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        sess.run(None, feed)
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+")
    ap.add_argument("--fixtures", default=None)
    ap.add_argument("--json", default=None)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3, help="alternate the timed models this often")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--random", type=int, default=3, help="random inputs per model")
    ap.add_argument("--tol", type=float, default=1e-2,
                    help="max |onnx - tflite| / (max |tflite| + 1) allowed per output")
    args = ap.parse_args()

    if args.fixtures and os.path.isdir(args.fixtures):
        det_real, lmk_real = real_inputs(args.fixtures)
        print(f"real inputs: {len(det_real)} frames from {args.fixtures}")
    else:
        det_real, lmk_real = [], []
        print("fixtures not found: checking on random inputs only", file=sys.stderr)

    rng = np.random.default_rng(1)
    report, failed = {"ort_version": ort.__version__, "threads": args.threads,
                      "load_avg_before": os.getloadavg(), "models": {}}, False
    for spec in args.models:
        name, tfl, raw_path, final_path = spec.split(":")
        raw, final = session(raw_path, args.threads), session(final_path, args.threads)
        shape = [d for d in raw.get_inputs()[0].shape]
        is_det = shape[1] == 224
        lo = -1.0 if is_det else 0.0
        real = det_real if is_det else lmk_real
        rand = [rng.uniform(lo, 1.0, size=shape).astype(np.float32) for _ in range(args.random)]
        tfl_run = tflite_runner(tfl)
        r = {"input": shape, "outputs": {o.name: o.shape for o in final.get_outputs()},
             "dropped": [o.name for o in raw.get_outputs() if o.name not in
                         {p.name for p in final.get_outputs()}],
             "strip_bit_identical": True, "vs_tflite_real": {}, "vs_tflite_random": {}}
        for kind, xs in (("real", real), ("random", rand)):
            for x in xs:
                a, b, t = run_ort(raw, x), run_ort(final, x), tfl_run(x)
                for k, v in b.items():
                    if not np.array_equal(v, a[k]):
                        r["strip_bit_identical"] = False
                        print(f"{name}: {k} differs after stripping "
                              f"(max {np.abs(v - a[k]).max():.3g})")
                    d = float(np.abs(v - t[k]).max())
                    key = "vs_tflite_" + kind
                    r[key][k] = max(r[key].get(k, 0.0), d)
                    if d / (float(np.abs(t[k]).max()) + 1.0) > args.tol:
                        failed = True
                        print(f"{name}: {k} onnx vs tflite max abs diff {d:.3g} over tolerance")
        if not r["strip_bit_identical"]:
            failed = True
        x = (real or rand)[0]
        tr, tf_ = [], []
        for _ in range(args.rounds):
            tr.append(median_ms(raw, x, args.runs))
            tf_.append(median_ms(final, x, args.runs))
        r["ms_unstripped"] = round(statistics.median(tr), 2)
        r["ms_final"] = round(statistics.median(tf_), 2)
        r["ms_best_round"] = {"unstripped": round(min(tr), 2), "final": round(min(tf_), 2)}
        r["ms_rounds"] = {"unstripped": [round(v, 2) for v in tr], "final": [round(v, 2) for v in tf_]}
        report["models"][name] = r
        fmt = lambda dd: ", ".join(f"{k} {v:.2g}" for k, v in dd.items())
        print(f"{name}: input {shape} outputs {r['outputs']} dropped {r['dropped']}")
        print(f"  stripped == unstripped bit for bit: {r['strip_bit_identical']}")
        print(f"  max |onnx - tflite| real crops: {fmt(r['vs_tflite_real'])}")
        print(f"  max |onnx - tflite| random:     {fmt(r['vs_tflite_random'])}")
        print(f"  median ms ({args.threads} threads): unstripped {r['ms_unstripped']}  final {r['ms_final']}"
              f"  (best round: unstripped {min(tr):.2f}  final {min(tf_):.2f}; "
              f"load avg {os.getloadavg()[0]:.1f}, other processes slow this down)")
    report["load_avg_after"] = os.getloadavg()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    if failed:
        sys.exit("verify FAILED")
    print("verify OK")


if __name__ == "__main__":
    main()
