#!/usr/bin/env bash
# Demonstrations -> GR00T N1.5 fine-tuning (GR00T's own trainer) -> PPO, on one GPU, Franka Reach with the
# ball's position in GR00T's state (isaaclab_rlinf/tasks/franka/isaaclab_ppo_gr00t_franka_reach_states.yaml).
#
#   OUT=/tmp/out bash benchmarks/gpu/gr00t_loop.sh [EPISODES] [SFT_STEPS] [PPO_EPOCHS]   # 256 600 10
#   bash benchmarks/gpu/run_on_gpu.sh gr00t_loop [EPISODES] [SFT_STEPS] [PPO_EPOCHS]      # the bundle's way
#
# Stages, back to back (STAGES="init record heldout sft play_sft train play_ppo" picks some; state is kept
# in $WORK, so a later call with the remaining stages goes on where the last one stopped; with the device
# tool's 10 minutes a call: STAGES="init record heldout", then "sft play_sft", "train", "play_ppo"):
#   init      gr00t-init at FULL width (2.7B, the public GR00T-N1.5-3B architecture, random weights)
#   record    EPISODES expert successes on cuda:0 (front + wrist at 224 px, 12 states)
#   heldout   EVAL_EPISODES (default 32) more from other reset seeds (--seed 1000): the held-out set
#   sft       gr00t-finetune SFT_STEPS steps, batch 32, lr 1e-4 (GR00T's defaults: projector + DiT trained);
#             then the open-loop action error on the held-out and on as many training episodes
#   sft_more  (only when named) SFT_STEPS more steps from the fine-tuned model, which it then replaces
#   play_sft  play the fine-tuned model through our bridge (64 envs, one episode each): success
#   train     PPO warm-started from it, PPO_EPOCHS epochs (critic warm-up CRITIC_WARMUP_EPOCHS=2 epochs;
#             PPO_ARGS: more overrides, e.g. actor.global_batch_size=128 for 4x the optimizer steps), checkpoint
#   play_ppo  play the PPO checkpoint: success
# $OUT gets every log, record.json, gr00t_finetune.json, the parsed train/play JSON, gpu_mem.csv and
# gr00t_loop.json: seconds, exit code and peak GPU memory per stage, success before/after, the SFT losses.
# The models and the dataset go to WORK (default $OUT: "everything under one dir"; run_on_gpu.sh sets
# WORK=/tmp/gr00t_loop so that ~20 GB of weights stay on the host and only the results come back).
#
# Why full width and not a middle one: RLinf's value head is hard-coded to 2048/3584-wide inputs, so only
# depth can be cut (gr00t-init --tiny, which no real checkpoint resembles); and a full-width step fits the
# time: RLinf's actor measured 240 ms per forward+backward+AdamW at micro-batch 32 on one H200
# (docs/gr00t.md), GR00T publishes ~0.8-3 steps/s at batch 32 (data-loading bound: 8 loader processes
# here), so 600 steps take ~3.5-12 minutes. Measured on one H100 (2026-12-06): 2.81 steps/s, 400 steps
# in 142 s; the loss was still falling there (benchmarks/results/README.md): use sft_more for more.
# Needs the package, gr00t, accelerate, tensorboard, decord, pandas and imageio-ffmpeg (bundle:
# build_bundle.sh --with-video); checked first (exit 3, nothing run).
set -uo pipefail
episodes=${1:-256}; sft_steps=${2:-600}; ppo_epochs=${3:-10}
OUT=${OUT:-/tmp/out}; WORK=${WORK:-$OUT}; PY=${PY:-python3}
SFT_BATCH=${SFT_BATCH:-32}; SFT_WORKERS=${SFT_WORKERS:-8}
# a CPU smoke test of the script itself: SIM_DEVICE=cpu TRAIN_DEVICE=cpu INIT_ARGS=--tiny SFT_BATCH=2
# SFT_WORKERS=1 PY=.venv/bin/python bash benchmarks/gpu/gr00t_loop.sh 2 2 1   (play and train exit 3 there)
SIM_DEVICE=${SIM_DEVICE:-cuda:0}; TRAIN_DEVICE=${TRAIN_DEVICE:-cuda}; INIT_ARGS=${INIT_ARGS:-}
STAGES=${STAGES:-init record heldout sft play_sft train play_ppo}
cfg=isaaclab_rlinf/tasks/franka/isaaclab_ppo_gr00t_franka_reach_states.yaml
EVAL_EPISODES=${EVAL_EPISODES:-32}
base=$WORK/gr00t_base; data=$WORK/demos; heldout=$WORK/demos_heldout; sft=$WORK/gr00t_sft; ppo=$WORK/ppo_run
# small results (logs, JSON, GPU memory) accumulate in RES across calls and are packed into OUT at every exit
if [ "$WORK" = "$OUT" ]; then RES=$OUT; else RES=$WORK/results; fi
mkdir -p "$OUT" "$WORK" "$RES"
cli() { $PY -m isaaclab_rlinf "$@"; }

$PY - <<'PY' || exit 3
import importlib.util as u
missing = [m for m in ("isaaclab_rlinf", "gr00t", "accelerate", "tensorboard", "decord", "pandas", "imageio_ffmpeg")
           if u.find_spec(m) is None]
if missing:
    raise SystemExit(f"gr00t_loop: missing packages {missing}; nothing was run")
PY
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>&1 | tee "$RES/gpu.txt"
$PY benchmarks/run_meta.py -- bash benchmarks/gpu/gr00t_loop.sh "$@" > "$RES/meta.json"  # device, packages

# GPU memory every second for the whole call: peaks per stage come from the stage windows
(while :; do echo "$(date +%s),$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits 2>/dev/null | head -1)"; sleep 1; done) \
  >> "$RES/gpu_mem.csv" &
mon=$!
# the device tool brings back 8 files at most: the results as one archive, and the summary beside it
trap 'kill $mon 2>/dev/null; [ "$RES" = "$OUT" ] || { tar -C "$RES" -czf "$OUT/gr00t_loop_results.tgz" .;
  cp "$RES/gr00t_loop.json" "$OUT/" 2>/dev/null; }' EXIT

rc_all=0
stage() {  # stage NAME LOG CMD...: run, time, append {"stage", "start", "end", "seconds", "rc"} to stages.jsonl
  local name=$1 log=$2; shift 2
  [[ " $STAGES " == *" $name "* ]] || return 0
  echo "== $name: $*"
  local t0 t1 rc
  t0=$(date +%s.%N)
  "$@" > "$RES/$log" 2>&1; rc=$?
  t1=$(date +%s.%N)
  tail -3 "$RES/$log"
  local dt; dt=$(awk "BEGIN{print $t1 - $t0}")
  echo "{\"stage\": \"$name\", \"start\": $t0, \"end\": $t1, \"seconds\": $dt, \"rc\": $rc}" >> "$WORK/stages.jsonl"
  echo "== $name: rc $rc, $dt s"
  [ $rc -eq 0 ] || rc_all=$rc
  return $rc
}

fresh() { rm -rf "$@"; }  # a stage that runs again starts from nothing (the CLI refuses a non-empty --out)

[[ " $STAGES " == *" init "* ]] && fresh "$base"
stage init gr00t_init.log cli gr00t-init --config_name $cfg --out "$base" --resolution 224x224 $INIT_ARGS || exit $rc_all

[[ " $STAGES " == *" record "* ]] && fresh "$data"
[[ " $STAGES " == *" heldout "* ]] && fresh "$heldout"
stage record record.log cli record --config_name $cfg --num_envs "$episodes" --num_episodes "$episodes" \
  --only_success --device "$SIM_DEVICE" --no_progress --out "$data" || exit $rc_all
stage heldout record_heldout.log cli record --config_name $cfg --num_envs "$EVAL_EPISODES" \
  --num_episodes "$EVAL_EPISODES" --only_success --device "$SIM_DEVICE" --no_progress --seed 1000 \
  --out "$heldout" || exit $rc_all
[ -f "$data/meta/record.json" ] && cp "$data/meta/record.json" "$RES/record.json"

[[ " $STAGES " == *" sft "* ]] && fresh "$sft"
stage sft gr00t_finetune.log cli gr00t-finetune --config_name $cfg --dataset "$data" --eval_dataset "$heldout" \
  --model_path "$base" --out "$sft" --max_steps "$sft_steps" --batch_size "$SFT_BATCH" --device "$TRAIN_DEVICE" --dataloader_workers "$SFT_WORKERS" || exit $rc_all
[ -f "$sft/gr00t_finetune.json" ] && cp "$sft/gr00t_finetune.json" "$RES/gr00t_finetune.json"

# more fine-tuning in another call: SFT_STEPS more steps from the last fine-tuned model (a fresh optimiser
# and warm-up: GR00T's trainer state is not carried), which then replaces it; its losses and open-loop
# errors go to gr00t_finetune_more.json (a 10-minute call holds ~1,400 steps at 2.8 steps/s on an H100)
if [[ " $STAGES " == *" sft_more "* ]]; then
  fresh "$sft.more"
  stage sft_more gr00t_finetune_more.log cli gr00t-finetune --config_name $cfg --dataset "$data" \
    --eval_dataset "$heldout" --model_path "$sft" --out "$sft.more" --max_steps "$sft_steps" \
    --batch_size "$SFT_BATCH" --device "$TRAIN_DEVICE" --dataloader_workers "$SFT_WORKERS" || exit $rc_all
  cp "$sft.more/gr00t_finetune.json" "$RES/gr00t_finetune_more.json" && rm -rf "$sft" && mv "$sft.more" "$sft"
fi

stage play_sft play_sft.log cli play --config_name $cfg --model_path "$sft" --no_task_check \
  runner.logger.log_path="$WORK/play_sft"
$PY -m ray.scripts.scripts stop --force >/dev/null 2>&1

[[ " $STAGES " == *" train "* ]] && fresh "$ppo"
stage train train.log cli train --config_name $cfg --model_path "$sft" --max_epochs "$ppo_epochs" --no_task_check \
  runner.save_interval="$ppo_epochs" +actor.optim.critic_warmup_epochs="${CRITIC_WARMUP_EPOCHS:-2}" \
  runner.logger.log_path="$ppo" ${PPO_ARGS:-}
$PY -m ray.scripts.scripts stop --force >/dev/null 2>&1

# the PPO checkpoint (runner.ckpt_path) on the fine-tuned architecture (actor/rollout model_path)
stage play_ppo play_ppo.log cli play --config_name $cfg --model_path "$ppo" --no_task_check \
  actor.model.model_path="$sft" runner.logger.log_path="$WORK/play_ppo"
$PY -m ray.scripts.scripts stop --force >/dev/null 2>&1

for f in play_sft play_ppo train; do
  [ -f "$RES/$f.log" ] && $PY benchmarks/gpu/parse_train_log.py "$RES/$f.log" --num_envs 64 --steps 128 \
    --json "$RES/$f.json" > /dev/null
done
$PY - "$RES" "$WORK" "$INIT_ARGS" "$SFT_BATCH" "$episodes" "$sft_steps" "$ppo_epochs" <<'PY'
import json, os, sys
res, work, init_args, sft_batch = sys.argv[1:5]
episodes, sft_steps, ppo_epochs = map(int, sys.argv[5:])
stages = {}
for line in open(f"{work}/stages.jsonl"):
    s = json.loads(line)
    stages[s["stage"]] = s  # the latest run of each stage
mem = []
for line in open(f"{res}/gpu_mem.csv"):
    t, _, m = line.strip().partition(",")
    if t.isdigit() and m.strip().isdigit():
        mem.append((int(t), int(m)))
for s in stages.values():
    window = [m for t, m in mem if s["start"] - 1 <= t <= s["end"] + 1]
    s["peak_gpu_mem_mib"] = max(window, default=None)

def load(name):
    path = f"{res}/{name}.json"
    return json.load(open(path)) if os.path.exists(path) else {}

sft = load("gr00t_finetune")
summary = {
    "meta": json.load(open(f"{res}/meta.json")),
    "config": "isaaclab_rlinf/tasks/franka/isaaclab_ppo_gr00t_franka_reach_states.yaml",
    "width": init_args or "full (gr00t-init without --tiny: 2.7B parameters)",
    "episodes": episodes, "sft_steps": sft_steps, "sft_batch": int(sft_batch), "ppo_epochs": ppo_epochs,
    "seconds": {k: round(s["seconds"], 1) for k, s in stages.items()},
    "rc": {k: s["rc"] for k, s in stages.items()},
    "peak_gpu_mem_mib": {k: s["peak_gpu_mem_mib"] for k, s in stages.items()},
    "expert_success": load("record").get("expert_success_rate"),
    "frames": load("record").get("frames"),
    "sft": {k: v for k, v in sft.items() if k != "losses"},
    "sft_steps_per_s": round(sft["steps"] / sft["seconds"], 2) if sft.get("seconds") else None,
    "sft_losses_every_10": sft.get("losses", [])[::10],
    "success_sft": load("play_sft").get("eval", {}).get("success_once"),
    "success_ppo": load("play_ppo").get("eval", {}).get("success_once"),
    "train_epochs": [{k: r.get(k) for k in ("epoch", "step", "return", "success_once")}
                     for r in load("train").get("epochs", [])],
}
json.dump(summary, open(f"{res}/gr00t_loop.json", "w"), indent=2)
print(json.dumps({k: summary[k] for k in ("seconds", "rc", "success_sft", "success_ppo", "sft_steps_per_s")}))
PY
exit $rc_all
