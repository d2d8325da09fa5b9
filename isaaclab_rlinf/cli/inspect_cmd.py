"""``isaaclab-rlinf inspect``: build a config's task on CPU (no Ray, no GPU) and show what the policy gets.

Writes ``contact_sheet.png`` (every camera view as RLinf and as GR00T receive it) and ``inspect.json``
(every mapped key: shape, dtype, value range) under ``logs/rlinf/<timestamp>-<task>/inspect/`` (or
``--out_dir``), and prints the table. A wrong mapping exits 2 with the validation error. ``--json -`` writes
the key table as JSON to stdout and everything else (the table, IsaacLab's and warp's output) to stderr.
"""

from __future__ import annotations

import argparse
import json

from .args import add_sim_args, sim_out_dir, stdout_for_data, subcommand


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subcommand(
        subparsers,
        "inspect",
        help="check a config's observation/action mapping on CPU (no Ray, no GPU)",
        description="Build the config's task through isaaclab_rlinf's env code on CPU, step it with zero or "
        "random actions, and write a contact sheet of every camera view plus a table of every mapped key.",
        handler=run,
    )
    p.set_defaults(num_envs=2)
    g = p.add_argument_group("inspection")
    g.add_argument("--steps", type=int, default=10, help="env steps after the reset (default 10)")
    g.add_argument("--random", action="store_true", help="uniform random actions in [-1, 1] (default: zeros)")
    add_sim_args(g, split="train", out_name="inspect")
    g.add_argument("--max_envs_shown", type=int, default=4, help="envs (columns) in the contact sheet")
    g.add_argument(
        "--json",
        dest="json_path",
        default=None,
        help="also write the key table as JSON here; `-`: to stdout, everything else to stderr",
    )
    return p


def run(args: argparse.Namespace) -> int:
    from ..inspection import inspect_config
    from ..preflight import ConfigError
    from .config import build_config

    if args.steps < 0 or args.num_envs <= 0:
        raise ConfigError(
            f"--steps / --num_envs: {args.steps} / {args.num_envs}; steps must be >= 0 and envs > 0. "
            "Fix: e.g. --steps 10 --num_envs 2."
        )
    to_stdout = args.json_path == "-"
    with stdout_for_data(to_stdout) as data_out:
        cfg = build_config(args)
        out_dir = sim_out_dir(args, cfg)
        report = inspect_config(
            cfg,
            out_dir,
            split=args.split,
            num_envs=args.num_envs,
            steps=args.steps,
            random_actions=args.random,
            seed=args.seed,
            device=args.device,
            max_envs_shown=args.max_envs_shown,
            json_path=None if to_stdout else args.json_path,
        )
        print(
            f"task {report.task} (env.{report.split}), {report.num_envs} envs, {report.steps} steps "
            f"({'random' if report.random_actions else 'zero'} actions) on {report.device}"
        )
        print(report.table())
        if report.contact_sheet:
            print(f"contact sheet: {report.contact_sheet}")
        print(f"key table:     {report.json_path if to_stdout else args.json_path or report.json_path}")
        if to_stdout:
            data_out.write(json.dumps(report.to_dict(), indent=2) + "\n")
    return 0
