#!/usr/bin/env bash
# Speed of Edge against ONNX Runtime on the same quantized ONNX models, measured in one run, one thread each:
#   ORT: onnxruntime-node (CPU EP), intraOpNumThreads = interOpNumThreads = 1, full graph optimizations,
#        p50 of N session.run() calls after warm-up on inputs built beforehand (bench-ort.mjs), timed around the
#        JavaScript call, so it includes the Node.js binding's cost per call. That cost is estimated by ORT's p50 on
#        the one-op Identity node test (a 4-float copy): "ORT − floor" is ORT's p50 less that floor.
#   Edge: `edge convert` the .onnx, then `edge bench --json --threads 1` (p50 of N Invoke() calls after warm-up).
# Prints model, ORT p50, ORT − floor, Edge p50, Edge/ORT and Edge/(ORT − floor) (≤ 1.0: Edge at least as fast);
# --json prints the same as JSON.
#
#   bench/ort/bench-vs-ort.sh [--json] [--iterations N] [--warmup N]
#
# Models: the demo's PyTorch-quantized QDQ model (samples/fashion-mnist/fashion_mnist_qdq.onnx, input: the first
# committed test image) and the ONNX node tests' QLinear models from Debian's libonnx-testdata
# (test_qlinearconv, test_qlinearmatmul_2D, test_qlinearmatmul_3D; every input but the first bound to its
# test_data_set_0 value as a constant, the first fed from test_data_set_0/input_0.pb).
# A model Edge cannot convert yet gets a row "edge cannot convert X yet: <message>" and the script goes on.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
json=0 iters=1000 warmup=100
while [ $# -gt 0 ]; do
  case "$1" in
    --json) json=1 ;;
    --iterations) iters=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    *) echo "usage: $0 [--json] [--iterations N] [--warmup N]" >&2; exit 1 ;;
  esac
  shift
done
node_tests=${ONNX_NODE_TESTS:-/usr/share/libonnx-testdata/data/node}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

log() { echo "$@" >&2; }

# onnxruntime-node, without its post-install download (the npm package ships the CPU binaries).
if [ ! -d "$here/node_modules/onnxruntime-node" ]; then
  log "installing onnxruntime-node (npm, ONNXRUNTIME_NODE_INSTALL=skip) …"
  (cd "$here" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund >&2)
fi

log "building the edge CLI (Release) …"
dotnet build "$root/tools/converter" -c Release -v q -nologo >/dev/null
edge=(dotnet "$root/tools/converter/bin/Release/net10.0/edge.dll")

# name|model|ORT inputs (empty: the model's test_data_set_0/input_*.pb)|ORT session config entry
# The demo model twice: with ORT's defaults, and with session.x64quantprecision=1, the configuration whose outputs
# are the demo's expected data (on x86 without VNNI it swaps ORT's saturating u8×s8 kernels for u8×u8 ones; see
# samples/fashion-mnist/README.md).
demo_in="$root/samples/fashion-mnist/test_images_f32.npy:0"
models=("fashion_mnist_qdq|$root/samples/fashion-mnist/fashion_mnist_qdq.onnx|$demo_in|"
        "fashion_mnist_qdq (ORT x64quantprecision)|$root/samples/fashion-mnist/fashion_mnist_qdq.onnx|$demo_in|session.x64quantprecision=1")
[ -d "$node_tests" ] || log "no ONNX node tests at $node_tests (apt-get install libonnx-testdata): only the demo model"
# The node tests feed scales, zero points and weights as graph inputs; Edge needs them constant, so both runtimes
# get the same model with every input but the first bound to its test_data_set_0 value (bind_constants.py).
py=/usr/bin/python3
for t in test_qlinearconv test_qlinearmatmul_2D test_qlinearmatmul_3D; do
  [ -f "$node_tests/$t/model.onnx" ] || continue
  if "$py" "$here/bind_constants.py" "$node_tests/$t" "$tmp/$t" 2>"$tmp/$t.bind.err"; then
    models+=("$t|$tmp/$t/model.onnx||")
  else
    log "$t: could not bind its constant inputs (needs python3-onnx): $(head -c 200 "$tmp/$t.bind.err")"
  fi
done

field() { awk -v k="\"$1\":" '$1 == k { v = $2; gsub(/[",]/, "", v); print v; exit }' "$2"; }
jstr() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr '\n\t' '  '; }

# ORT's floor: the node tests' one-op Identity model (a 4-float copy), i.e. the binding's cost per call.
floor=""
if [ -f "$node_tests/test_identity/model.onnx" ] &&
   (cd "$here" && node bench-ort.mjs "$node_tests/test_identity/model.onnx" --iterations "$iters" --warmup "$warmup" --json) >"$tmp/floor.json" 2>/dev/null; then
  floor=$(field p50Ms "$tmp/floor.json")
fi

rows=()
declare -A edge_done=()   # model path → "p50|note": a model listed twice is converted and timed once
for entry in "${models[@]}"; do
  IFS='|' read -r name model ortin ortcfg <<<"$entry"
  file=${name%% *}
  ort_args=("$model" --iterations "$iters" --warmup "$warmup" --json)
  [ -n "$ortin" ] && ort_args+=(--input "$ortin")
  [ -n "$ortcfg" ] && ort_args+=(--config "$ortcfg")
  ort_p50="" edge_p50="" ortnote="" enote=""
  key=$(printf '%s' "$name" | tr -c 'A-Za-z0-9_' '_')
  if (cd "$here" && node bench-ort.mjs "${ort_args[@]}") >"$tmp/$key.ort.json" 2>"$tmp/$key.ort.err"; then
    ort_p50=$(field p50Ms "$tmp/$key.ort.json")
  else
    ortnote="ORT failed: $(head -c 300 "$tmp/$key.ort.err" | tr '\n' ' ')"
  fi
  if [ -n "${edge_done[$model]:-}" ]; then
    IFS='|' read -r edge_p50 enote <<<"${edge_done[$model]}"
  elif "${edge[@]}" convert "$model" -o "$tmp/$key.edge" >"$tmp/$key.convert.out" 2>"$tmp/$key.convert.err"; then
    # Edge's own deterministic pseudo-random input (edge bench without --input): its kernels' time does not depend
    # on the values, and the converted model's input type and layout are the importer's choice.
    if "${edge[@]}" bench "$tmp/$key.edge" --threads 1 --iterations "$iters" --warmup "$warmup" --json \
         >"$tmp/$key.edge.json" 2>"$tmp/$key.edge.err"; then
      edge_p50=$(field p50Ms "$tmp/$key.edge.json")
    else
      enote="edge bench failed: $(head -c 300 "$tmp/$key.edge.err" | tr '\n|' '  ')"
    fi
  else
    msg=$(cat "$tmp/$key.convert.err" "$tmp/$key.convert.out" | grep -v '^\s*$' | head -n 3 | sed 's/^edge: error: //' | tr '\n|' '  ')
    enote="edge cannot convert $file yet: ${msg:-no message}"
  fi
  edge_done[$model]="$edge_p50|$enote"
  note="$ortnote${ortnote:+${enote:+; }}$enote"
  ort_net=$(awk -v o="$ort_p50" -v f="$floor" 'BEGIN { if (o != "" && f != "" && o > f) printf "%.6f", o - f }')
  rows+=("$name|$ort_p50|$ort_net|$edge_p50|$note")
done

ratio() { awk -v e="$1" -v o="$2" 'BEGIN { if (e != "" && o != "" && o > 0) printf "%.2f", e / o; else printf "" }'; }

num() { awk -v v="$1" 'BEGIN { if (v != "") printf "%.4f", v; else printf "-" }'; }

if [ "$json" = 1 ]; then
  ortver=$(cd "$here" && node -e "import('onnxruntime-node').then(o => console.log(o.env.versions.node))")
  printf '{\n  "onnxruntime": "onnxruntime-node %s",\n  "threads": 1,\n  "iterations": %s,\n  "warmup": %s,\n' "$ortver" "$iters" "$warmup"
  printf '  "ortFloorP50Ms": %s,\n  "models": [\n' "${floor:-null}"
  n=${#rows[@]} i=0
  for r in "${rows[@]}"; do
    IFS='|' read -r name o onet e note <<<"$r"
    i=$((i + 1))
    printf '    { "model": "%s", "ortP50Ms": %s, "ortMinusFloorMs": %s, "edgeP50Ms": %s, "edgeOverOrt": %s, "edgeOverOrtMinusFloor": %s, "note": "%s" }%s\n' \
      "$name" "${o:-null}" "${onet:-null}" "${e:-null}" "$(r=$(ratio "$e" "$o"); echo "${r:-null}")" \
      "$(r=$(ratio "$e" "$onet"); echo "${r:-null}")" "$(jstr "$note")" "$([ $i -lt $n ] && echo ,)"
  done
  printf '  ]\n}\n'
  exit 0
fi

fmt='%-42s %10s %10s %10s %9s %10s  %s\n'
printf "$fmt" model "ORT ms" "ORT-floor" "Edge ms" "Edge/ORT" "Edge/(-fl)" note
printf "$fmt" ------------------------------------------ ---------- ---------- ---------- --------- ---------- ----
for r in "${rows[@]}"; do
  IFS='|' read -r name o onet e note <<<"$r"
  rj=$(ratio "$e" "$o"); rr=$(ratio "$e" "$onet")
  printf "$fmt" "$name" "$(num "$o")" "$(num "$onet")" "$(num "$e")" "${rj:+${rj}x}" "${rr:+${rr}x}" "$note"
done
echo "p50 of $iters runs after $warmup warm-up, one thread each. ORT: around session.run() in Node.js, with the binding's"
echo "per-call cost; its floor, ORT on the one-op Identity node test: $(num "$floor") ms. Edge: Invoke() (edge bench)."
