#!/usr/bin/env bash
# Runs on the offline GPU host, from the repo root (the device tool copies the working tree there).
# The bundle from build_bundle.sh arrives one .bundle/partNN per call; each call stashes what it carried
# in /tmp/stage (kept while the host stays warm). The first job after the last part unpacks it once.
#
#   bash benchmarks/gpu/run_on_gpu.sh stash                 # only keep the carried part
#   bash benchmarks/gpu/run_on_gpu.sh check                 # imports, GPU, versions
#   bash benchmarks/gpu/run_on_gpu.sh bench [NUM_ENVS...]   # env (default 64 1024) + converter benchmarks
#   bash benchmarks/gpu/run_on_gpu.sh bench_franka [NUM_ENVS...]  # Franka Reach + Lift (default 1024 4096):
#       raw vs our env class, states only and with three 64 px cameras, one round, 64-step windows
#   bash benchmarks/gpu/run_on_gpu.sh train [CLI args...]   # python -m isaaclab_rlinf train ...
#   bash benchmarks/gpu/run_on_gpu.sh play  [CLI args...]   # python -m isaaclab_rlinf play ...
#       both log GPU and host memory each second to <job>_mem.csv; LIMIT=SECONDS stops them in time
#   bash benchmarks/gpu/run_on_gpu.sh test  [pytest args...] # the tests marked gpu (skipped without CUDA)
#   bash benchmarks/gpu/run_on_gpu.sh gr00t [EPOCHS]        # GR00T N1.5 PPO on Franka Reach (224 px, 64 envs,
#       chunk 16): a full-width random N1.5 written here by gr00t-init, train EPOCHS (default 3), play once
#       and time the model alone on the task's observations (benchmarks/model_alone.py, once per host;
#       EPOCHS "init": only these two (and the kernel cache as job warpcache leaves it, where none was carried),
#       for a fresh host whose first process compiles the kernels; "play":
#       only play; NO_PLAY=1: train only; PPO_ARGS: key=value overrides of the train, e.g. a shorter epoch,
#       with STEPS its env steps an epoch);
#       leaves gr00t_init.log, train.log, play.log, gpu_mem.csv and gr00t_summary.json (per-epoch split) in $OUT
#   bash benchmarks/gpu/run_on_gpu.sh bc_loop TASK [EPISODES] [EPOCHS]  # demonstrations -> BC -> PPO, one task
#       (franka_lift, franka_reach, or franka_reach_cnn: the pixel policy on 64 px views): record EPISODES
#       (default 256) expert successes on cuda, bc, play the BC policy, train the warm-start config EPOCHS
#       (default 30) from it, play the PPO policy (BC_ARGS: more bc options, e.g. "--epochs 50"); leaves
#       record.json, bc.json, *.log and bc_loop_<task>.json (stage times, success before/after) in $OUT
#   bash benchmarks/gpu/run_on_gpu.sh workers [EPOCHS] [SECTIONS]  # our workers against RLinf's own, one GPU:
#       SECTIONS (default "split tts_cartpole tts_reach"; one per call fits 10 minutes): split = the CNN
#       Reach config (64 px) EPOCHS (default 6) epochs per mode, per-epoch split incl. gc seconds in
#       workers_cnn_<mode>.json; tts_cartpole / tts_reach = time_to_success (RLinf side only) of the
#       packaged config per mode, workers_tts_<task>_<mode>.json + .log. MODES="single_process rlinf"
#       picks the modes (split default: rlinf two_process single_process; tts default: single_process rlinf)
#   bash benchmarks/gpu/run_on_gpu.sh py SCRIPT [args...]   # any python script with the bundle's packages
#   bash benchmarks/gpu/run_on_gpu.sh check_openpi | openpi [EPOCHS]  # with the openpi extras stashed
#       (build_bundle.sh --openpi: .bundle/openpi-part00, one stash call of its own): imports and versions;
#       pi0.5 at full width (openpi-init, random weights) PPO on Franka Reach EPOCHS epochs + play, as gr00t
#       (VARIANT=pi0: pi0, from its packaged config)
#   bash benchmarks/gpu/run_on_gpu.sh warpcache              # after a job: the host's warp kernel cache as
#       $OUT/warpcache.tar.xz; put it in .bundle/ here and carry it in one stash call of a later session:
#       the first job there unpacks it instead of compiling the kernels again (~3.5 min on a fresh host)
# Every job but py and check leaves in $OUT its JSON results or its log; the run's meta (device, packages,
# command) is in the benchmarks' JSON, and in <job>_meta.json for train, play and gr00t (set GIT_COMMIT on
# the command line: the host's copy of the tree has no .git).
set -uo pipefail
job=${1:?job}; shift
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT" /tmp/stage
cp .bundle/part* /tmp/stage/ 2>/dev/null && echo "stashed: $(ls /tmp/stage)"
cp .bundle/warpcache.tar.xz /tmp/stage/ 2>/dev/null && echo "stashed the warp kernel cache"
cp .bundle/openpi-part* /tmp/stage/ 2>/dev/null && echo "stashed the openpi extras"
[ "$job" = stash ] && exit 0

if [ ! -d /tmp/site/ray ]; then
  t=$(date +%s)
  cat /tmp/stage/part* | xz -dc -T0 | tar x -C /tmp || { echo "unpack failed: parts $(ls /tmp/stage)"; exit 3; }
  echo "unpacked bundle in $(( $(date +%s) - t )) s"
fi
# the openpi family's extras (build_bundle.sh --openpi), a site of their own
if ls /tmp/stage/openpi-part* >/dev/null 2>&1 && [ ! -d /tmp/site-openpi ]; then
  cat /tmp/stage/openpi-part* | xz -dc -T0 | tar x -C /tmp && echo "unpacked the openpi extras"
fi
# a warp kernel cache from an earlier host (job warpcache): saves the ~3.5 min a fresh host spends
# compiling the simulator's kernels in its first process (same warp version, same GPU architecture)
if [ -f /tmp/stage/warpcache.tar.xz ] && [ ! -d /tmp/warpcache ]; then
  tar xJf /tmp/stage/warpcache.tar.xz -C /tmp && echo "warp kernel cache: $(ls /tmp/warpcache/* | wc -l) files"
fi
# this checkout first (the package's code), then the bundle; multicast stays off (shared host)
export PYTHONPATH=$PWD:/tmp/site PYTHONUNBUFFERED=1 WARP_CACHE_PATH=/tmp/warpcache \
  NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1 RAY_DEDUP_LOGS=0
py=python3
# the host's warp kernel cache as $OUT/warpcache.tar.xz (job warpcache, and openpi/gr00t init)
pack_warpcache() { tar -C /tmp -cJf "$OUT/warpcache.tar.xz" warpcache && ls -la "$OUT/warpcache.tar.xz"; }
# the openpi jobs put openpi's site (its transformers 4.53.2 under the import name transformers) first
case "$job" in openpi|check_openpi) export PYTHONPATH=$PWD:/tmp/site-openpi:/tmp/site ;; esac

case "$job" in
  check)
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
    $py - <<'PY'
import importlib.metadata as md, torch, isaaclab_rlinf
print("torch", torch.__version__, "cuda", torch.cuda.is_available())
for d in ("isaaclab", "rlinf", "ray", "transformers", "warp-lang", "newton", "mujoco-warp", "isaaclab-rlinf"):
    print(d, md.version(d))
import rlinf.workers.actor.fsdp_actor_worker  # noqa: F401  (the FSDP actor imports under transformers 4.x)
isaaclab_rlinf.register(); print("registered", [t.id for t in isaaclab_rlinf.list_tasks()])
PY
    ;;
  bench)
    sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(64 1024)
    tag=$(IFS=_; echo "${sizes[*]}")
    $py benchmarks/bench_env.py --num_envs "${sizes[@]}" --device cuda:0 --json "$OUT/bench_env_$tag.json"
    $py benchmarks/bench_converters.py --device cuda --json "$OUT/bench_converters.json"
    ;;
  bench_franka)
    sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(1024 4096)
    tag=$(IFS=_; echo "${sizes[*]}")
    for task in franka_reach franka_lift; do
      $py benchmarks/bench_env.py --task $task --num_envs "${sizes[@]}" --device cuda:0 --steps 64 --rounds 1 \
        --variants raw raw_states inproc inproc_states --json "$OUT/bench_env_${task}_$tag.json"
    done
    ;;
  train|play)
    $py benchmarks/run_meta.py -- isaaclab-rlinf "$job" "$@" > "$OUT/${job}_meta.json"
    # GPU memory (nvidia-smi) and the host's used memory (free), every second, for the whole job
    (while :; do echo "$(date +%s),$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits),$(free -m | awk '/Mem:/{print $3}')"; sleep 1; done) > "$OUT/${job}_mem.csv" &
    mon=$!
    # LIMIT=SECONDS stops the job (and Ray) in time to bring the logs back inside the call's limit
    timeout -k 15 "${LIMIT:-100000}" $py -m isaaclab_rlinf "$job" "$@" 2>&1 | tee "$OUT/$job.log"; rc=${PIPESTATUS[0]}
    kill $mon 2>/dev/null
    $py -m ray.scripts.scripts stop --force >/dev/null 2>&1
    awk -F, 'BEGIN{g=-1;h=-1} NR==1{g0=$2;h0=$3} {if($2>g)g=$2; if($3>h)h=$3} END{print "peak GPU MiB " g " (idle " g0 "), peak host used MiB " h " (start " h0 ")"}' "$OUT/${job}_mem.csv"
    run=$(ls -td logs/rlinf/*/ 2>/dev/null | head -1)
    if [ -n "$run" ]; then  # bring back the small things: resolved config, tensorboard events, a video
      find "$run" -maxdepth 4 \( -name '*.yaml' -o -name 'events.out*' \) -size -8M -exec cp {} "$OUT/" \;
      vid=$(find "$run" -name '*.mp4' | head -1); [ -n "$vid" ] && cp "$vid" "$OUT/"
      ls -R "$run" | head -50
    fi
    exit "$rc"
    ;;
  workers)
    epochs=${1:-6}; sections=${2:-split tts_cartpole tts_reach}
    cnn=isaaclab_rlinf/tasks/franka/isaaclab_ppo_cnn_franka_reach.yaml
    if [[ " $sections " == *" split "* ]]; then
      for mode in ${MODES:-rlinf two_process single_process}; do
        $py benchmarks/run_meta.py -- isaaclab-rlinf train --config_name $cnn ++runner.env_rollout_workers=$mode \
          > "$OUT/workers_cnn_${mode}_meta.json"
        timeout -k 15 "${LIMIT:-190}" $py -m isaaclab_rlinf train --config_name $cnn --max_epochs "$epochs" \
          --no_task_check runner.save_interval=100000 ++runner.env_rollout_workers=$mode > "$OUT/workers_cnn_$mode.log" 2>&1
        echo "== cnn reach, $mode (rc=$?)"
        $py -m ray.scripts.scripts stop --force >/dev/null 2>&1
        $py benchmarks/gpu/parse_train_log.py "$OUT/workers_cnn_$mode.log" --num_envs 1024 --steps 32 \
          --meta "$OUT/workers_cnn_${mode}_meta.json" --json "$OUT/workers_cnn_$mode.json" | tail -4
        grep -Eo "time/(env|rollout|actor)/gc/(seconds|collections)[^|]*\|[^|]*" "$OUT/workers_cnn_$mode.log" | tail -6
      done
    fi
    for mode in ${MODES:-single_process rlinf}; do
      if [[ " $sections " == *" tts_cartpole "* ]]; then
        $py benchmarks/time_to_success.py --only rlinf --task Isaac-RLinf-Cartpole-Camera-v0 --episode_steps 300 \
          --rlinf_num_envs 512 --rlinf_steps 64 --rlinf_epochs 40 --rlinf_overrides ++runner.env_rollout_workers=$mode \
          --log "$OUT/workers_tts_cartpole_$mode.log" --json "$OUT/workers_tts_cartpole_$mode.json" | tail -3
        $py -m ray.scripts.scripts stop --force >/dev/null 2>&1
      fi
      if [[ " $sections " == *" tts_reach "* ]]; then
        $py benchmarks/time_to_success.py --only rlinf --task Isaac-RLinf-Franka-Reach-Camera-v0 --agent franka_reach \
          --drop_terms gripper_pos actions --success_threshold 0.9 --episode_steps 120 --rlinf_num_envs 4096 \
          --rlinf_steps 24 --rlinf_epochs 60 --rlinf_overrides ++runner.env_rollout_workers=$mode \
          --log "$OUT/workers_tts_franka_reach_$mode.log" --json "$OUT/workers_tts_franka_reach_$mode.json" | tail -3
        $py -m ray.scripts.scripts stop --force >/dev/null 2>&1
      fi
    done
    ;;
  gr00t|openpi)
    # a random full-width model written here (gr00t-init / openpi-init), PPO EPOCHS epochs, play once
    epochs=${1:-3}
    if [ "$job" = gr00t ]; then
      cfgp=isaaclab_rlinf/tasks/franka/isaaclab_ppo_gr00t_franka_reach.yaml; ckpt=/tmp/gr00t_franka_random
      init=(gr00t-init --config_name $cfgp --out $ckpt --resolution 224x224); steps=128
    else
      variant=${VARIANT:-pi05}  # pi05 or pi0: the packaged config of that model
      cfgp=isaaclab_rlinf/tasks/franka/isaaclab_ppo_openpi_${variant}_franka_reach.yaml; ckpt=/tmp/${variant}_franka_random
      init=(openpi-init --config_name $cfgp --out $ckpt); steps=120
    fi
    steps=${STEPS:-$steps}  # env steps an epoch, where PPO_ARGS changes env.train.max_steps_per_rollout_epoch
    nvidia-smi --query-gpu=timestamp,memory.used --format=csv,noheader,nounits -lms 500 > "$OUT/gpu_mem.csv" &
    smi=$!
    t0=$(date +%s)
    [ -f "$ckpt/model.safetensors" ] || $py -m isaaclab_rlinf "${init[@]}" 2>&1 | tail -40 > "$OUT/${job}_init.log"
    t1=$(date +%s)
    # the model alone on the task's observations (RLinf's predict_action_batch, same batch): once per host
    alone=/tmp/$(basename $ckpt)_model_alone.json
    [ -f $alone ] || $py benchmarks/model_alone.py --config_name $cfgp --model_path $ckpt --json $alone \
      > "$OUT/model_alone.log" 2>&1 || tail -5 "$OUT/model_alone.log"
    cp $alone "$OUT/" 2>/dev/null
    # EPOCHS "init": only the model and its timing (the first process compiles the simulator's kernels),
    # so that a later call on the warm host trains and plays inside its 10 minutes
    if [ "$epochs" = init ]; then
      kill $smi; echo "init in $((t1 - t0)) s"; tail -3 "$OUT/${job}_init.log"; cat $alone
      # a host that compiled its own kernels hands them back (as job warpcache) for the next session
      [ -f /tmp/stage/warpcache.tar.xz ] || pack_warpcache
      exit 0
    fi
    t1=$(date +%s)
    if [ "$epochs" = play ]; then  # EPOCHS "play": only play, in a call of its own after a train call
      $py -m isaaclab_rlinf play --config_name $cfgp --model_path $ckpt --no_task_check > "$OUT/play.log" 2>&1
      rc=$?; kill $smi; $py benchmarks/gpu/parse_train_log.py "$OUT/play.log" --json "$OUT/${job}_play.json"
      echo "play rc $rc in $(( $(date +%s) - t1 )) s"; tail -3 "$OUT/play.log"; exit $rc
    fi
    $py benchmarks/run_meta.py -- isaaclab-rlinf train --config_name $cfgp --model_path $ckpt ${PPO_ARGS:-} \
      > "$OUT/train_meta.json"
    $py -m isaaclab_rlinf train --config_name $cfgp --model_path $ckpt --max_epochs "$epochs" --no_task_check \
      ${PPO_ARGS:-} 2>&1 | tee "$OUT/train.log" | grep -E "Global Step|isaaclab_rlinf\]|error|Error" | tail -30
    rc=${PIPESTATUS[0]}
    t2=$(date +%s)
    rc_play=skipped
    if [ -z "${NO_PLAY:-}" ]; then
      $py -m isaaclab_rlinf play --config_name $cfgp --model_path $ckpt --no_task_check > "$OUT/play.log" 2>&1
      rc_play=$?
    fi
    t3=$(date +%s)
    kill $smi 2>/dev/null
    $py benchmarks/gpu/parse_train_log.py "$OUT/train.log" --num_envs 64 --steps $steps \
      --meta "$OUT/train_meta.json" --json "$OUT/${job}_train.json" | tail -20
    $py - "$OUT" "$job" "$t0" "$t1" "$t2" "$t3" "$rc" "$rc_play" "${PPO_ARGS:-}" "$alone" <<'PY'
import json, sys
out, job = sys.argv[1:3]
t0, t1, t2, t3, rc = map(int, sys.argv[3:8])
rc_play = sys.argv[8] if sys.argv[8] == "skipped" else int(sys.argv[8])
mem = [int(l.split(",")[1]) for l in open(f"{out}/gpu_mem.csv") if l.count(",") == 1 and l.split(",")[1].strip().isdigit()]
summary = {"init_s": t1 - t0, "train_s": t2 - t1, "play_s": t3 - t2, "train_rc": rc, "play_rc": rc_play,
           "peak_gpu_mem_mib": max(mem, default=None), "overrides": sys.argv[9],
           "train": json.load(open(f"{out}/{job}_train.json"))}
try:
    summary["model_alone"] = json.load(open(sys.argv[10]))
except OSError:
    pass
json.dump(summary, open(f"{out}/{job}_summary.json", "w"), indent=2)
print(json.dumps({k: v for k, v in summary.items() if k != "train"}))
PY
    [ -f "$OUT/play.log" ] && tail -5 "$OUT/play.log"
    exit "$rc"
    ;;
  bc_loop)
    name=${1:?franka_lift, franka_reach or franka_reach_cnn}; episodes=${2:-256}; epochs=${3:-30}
    case $name in
      franka_lift) base="--task Isaac-RLinf-Franka-Lift-Cube-Camera-v0"; ws=isaaclab_ppo_mlp_franka_lift_warmstart.yaml ;;
      franka_reach) base="--task Isaac-RLinf-Franka-Reach-Camera-v0"; ws=isaaclab_ppo_mlp_franka_reach_warmstart.yaml ;;
      franka_reach_cnn) base="--config_name isaaclab_ppo_cnn_franka_reach"; ws=isaaclab_ppo_cnn_franka_reach_warmstart.yaml ;;
      *) echo "unknown task $name"; exit 2 ;;
    esac
    cfgw=isaaclab_rlinf/tasks/franka/$ws
    data=/tmp/loop/$name/data; bc=/tmp/loop/$name/bc; rm -rf /tmp/loop/$name
    stamp() { date +%s.%N; }
    $py benchmarks/run_meta.py -- bash benchmarks/gpu/run_on_gpu.sh bc_loop "$name" "$episodes" "$epochs" \
      > "$OUT/bc_loop_meta_$name.json"
    t0=$(stamp)
    $py -m isaaclab_rlinf record $base --num_envs "$episodes" --num_episodes "$episodes" --only_success \
      --device cuda:0 --no_progress --replay --out $data 2>&1 | tail -4 | tee "$OUT/record_$name.log"
    cp $data/meta/record.json "$OUT/record_$name.json"
    t1=$(stamp)
    $py -m isaaclab_rlinf bc $base --dataset $data --out $bc --device cuda:0 ${BC_ARGS:-} 2>&1 | tail -2
    cp $bc/bc.json "$OUT/bc_$name.json"
    t2=$(stamp)
    $py -m isaaclab_rlinf play $base --model_path $bc --no_task_check > "$OUT/play_bc_$name.log" 2>&1
    t3=$(stamp)
    $py -m isaaclab_rlinf train --config_name $cfgw --model_path $bc --max_epochs "$epochs" --no_task_check \
      runner.save_interval="$epochs" > "$OUT/train_$name.log" 2>&1; rc=$?
    t4=$(stamp)
    run=$(ls -td logs/rlinf/*/ | head -1)
    $py -m isaaclab_rlinf play $base --model_path "$run" --no_task_check > "$OUT/play_ppo_$name.log" 2>&1
    t5=$(stamp)
    $py -m ray.scripts.scripts stop --force >/dev/null 2>&1
    for f in play_bc play_ppo; do $py benchmarks/gpu/parse_train_log.py "$OUT/${f}_$name.log" --json "$OUT/${f}_$name.json" >/dev/null; done
    $py benchmarks/gpu/parse_train_log.py "$OUT/train_$name.log" --json "$OUT/train_$name.json" | tail -$((epochs + 3))
    $py - "$OUT" "$name" "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" "$rc" <<'PY'
import json, sys
out, name, *t, rc = sys.argv[1:]
t = [float(x) for x in t]
load = lambda f: json.load(open(f"{out}/{f}_{name}.json"))
summary = {
    "meta": json.load(open(f"{out}/bc_loop_meta_{name}.json")), "task": name, "train_rc": int(rc),
    "seconds": {k: round(b - a, 1) for k, a, b in zip(("record", "bc", "play_bc", "train", "play_ppo"), t, t[1:])},
    "expert_success": load("record")["expert_success_rate"], "replay": [load("record")["replay_agreed"], load("record")["replayed"]],
    "bc_heldout_mse": load("bc")["heldout_mse"],
    "success_bc": load("play_bc").get("eval", {}).get("success_once"),
    "success_ppo": load("play_ppo").get("eval", {}).get("success_once"),
}
json.dump(summary, open(f"{out}/bc_loop_{name}.json", "w"), indent=2)
print(json.dumps(summary))
PY
    exit "$rc"
    ;;
  gr00t_loop) WORK=${WORK:-/tmp/gr00t_loop} OUT=$OUT PY=$py bash benchmarks/gpu/gr00t_loop.sh "$@"; exit $? ;;
  test) $py -m pytest -q -p no:cacheprovider -m gpu tests "$@" 2>&1 | tee "$OUT/test.log"; exit "${PIPESTATUS[0]}" ;;
  check_openpi)  # the openpi extras over the host's jax: RLinf's openpi model, its workers, our loader
    nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
    $py - <<'PY'
import importlib.metadata as md, torch, transformers
import openpi.models.pi0_config, rlinf.models.embodiment.openpi.openpi_action_model  # noqa: F401
import rlinf.workers.actor.fsdp_actor_worker  # noqa: F401
from openpi.models_pytorch.transformers_replace.models.siglip import check
from isaaclab_rlinf.models.openpi import loader  # noqa: F401
print("torch", torch.__version__, "transformers", transformers.__version__, "openpi's check", check.check_whether_transformers_replace_is_installed_correctly())
for d in ("jax", "jaxlib", "flax", "orbax-checkpoint", "rlinf-openpi", "rlinf-transformer-openpi", "rlinf"):
    print(d, md.version(d))
PY
    ;;
  warpcache) pack_warpcache ;;
  py) $py "$@" ;;
  *) echo "unknown job $job"; exit 2 ;;
esac
